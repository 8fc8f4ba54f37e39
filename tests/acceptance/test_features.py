"""Every feature file, run through the HTTP app in the Africa's Talking format."""

from pytest_bdd import scenarios

scenarios("registration.feature")
