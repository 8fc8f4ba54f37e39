"""The journeys of the line, each a small graph of named screens."""

from __future__ import annotations

from lpg_ussd.application.ussd.journeys import (
    account,
    balance,
    care,
    deposit,
    language,
    main_menu,
    orders,
    refill,
    registration,
)
from lpg_ussd.application.ussd.screens import ScreenRegistry


def shortcuts() -> dict[str, str]:
    """Deep dials: `*384*303*2#` opens the main menu's option 2 directly."""
    return {str(number): screen for number, (_, screen) in enumerate(main_menu.MAIN_OPTIONS, 1)}


def build_screens() -> ScreenRegistry:
    registry = ScreenRegistry()
    journeys = (registration, main_menu, deposit, orders, balance, care, refill, account, language)
    for journey in journeys:
        journey.register(registry)
    return registry


def journey_screens() -> list[tuple[str, list[str]]]:
    """Each journey with its screens in the order a customer meets them (for the funnel)."""
    found: dict[str, list[str]] = {}
    for screen in build_screens().all():
        found.setdefault(screen.journey, []).append(screen.name)
    return list(found.items())
