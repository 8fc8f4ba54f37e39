"""Steps for choosing a language, with the expected words taken from each catalogue."""

from __future__ import annotations

from pytest_bdd import given, parsers, scenarios, then, when

from lpg_ussd.application.ussd.texts import Texts, available_languages, load_texts
from tests.acceptance.conftest import DEFAULT_PIN, _option_for
from tests.acceptance.harness import Harness, Phone

scenarios("languages.feature")

ALL = ("en", "tw", "ee", "gaa", "fr")


def words_of(name: str) -> Texts:
    """A catalogue by the name its speakers give it, as the language menu shows it."""
    for code in available_languages():
        if load_texts(code).name == name:
            return load_texts(code)
    raise AssertionError(f"no catalogue named {name!r}")


@given("the line offers English, Twi, Ewe, Ga and French")
def offers_all(line: Harness) -> None:
    line.overrides["languages"] = ALL


@given("the line offers English only")
def offers_english(line: Harness) -> None:
    line.overrides["languages"] = ("en",)


@then(parsers.parse('I see "{name}" among the languages'))
def among_languages(me: Phone, name: str) -> None:
    assert f". {name}" in me.screen, me.screen


@then(parsers.parse("I see the welcome screen in {name}"))
def welcome_in(me: Phone, name: str) -> None:
    words = words_of(name)
    assert words("welcome.title", company="Demo Gas") in me.screen, me.screen
    assert f"1. {words('welcome.register')}" in me.screen, me.screen


@when(parsers.parse('I register in {name} as "{first} {last}"'))
def register_in(me: Phone, name: str, first: str, last: str) -> None:
    words = words_of(name)
    me.enter(_option_for(me.screen, words("welcome.register")))
    for answer in (first, last, "Accra", "9", DEFAULT_PIN, DEFAULT_PIN, "1"):
        me.enter(answer)


@then(parsers.parse("the session ends in {name}"))
def ends_in(me: Phone, name: str) -> None:
    assert me.ended, me.screen
    assert me.screen == words_of(name)("register.done", first="Ama"), me.screen


@then(parsers.parse("I receive the registration SMS in {name}"))
def sms_in(line: Harness, me: Phone, name: str) -> None:
    expected = words_of(name)("sms.registered", company="Demo Gas", first="Ama")
    assert expected in line.sms_to(me.number)


@then(parsers.parse("I see the main menu in {name}"))
def main_menu_in(me: Phone, name: str) -> None:
    words = words_of(name)
    assert words("main.title", first="Ama") in me.screen.split("\n"), me.screen
    assert f"1. {words('main.deposit')}" in me.screen, me.screen
    assert f"6. {words('main.account')}" in me.screen, me.screen
