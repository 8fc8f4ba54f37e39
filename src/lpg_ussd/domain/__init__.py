"""Entities, value objects and rules of the business. Standard library only."""
