"""The journeys of the line, each a small graph of named screens."""

from __future__ import annotations

from lpg_ussd.application.ussd.journeys import (
    account,
    balance,
    care,
    deposit,
    main_menu,
    orders,
    refill,
    registration,
)
from lpg_ussd.application.ussd.screens import ScreenRegistry


def build_screens() -> ScreenRegistry:
    registry = ScreenRegistry()
    for journey in (registration, main_menu, deposit, orders, balance, care, refill, account):
        journey.register(registry)
    return registry
