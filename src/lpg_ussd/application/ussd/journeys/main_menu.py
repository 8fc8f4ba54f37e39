"""Verified customer: the main menu. New items go after these, never before them."""

from __future__ import annotations

from lpg_ussd.application.ussd.journeys.common import menu
from lpg_ussd.application.ussd.screens import Go, HopContext, Outcome, ScreenRegistry, View

MAIN_OPTIONS = [
    ("main.deposit", "dep_menu"),
    ("main.orders", "orders"),
    ("main.balance", "balance_pin"),
    ("main.care", "care"),
    ("main.refill", "refill"),
    ("main.account", "account"),
]


async def show_main(ctx: HopContext) -> View:
    return menu(ctx, ctx.t("main.title", first=ctx.customer.first_name), MAIN_OPTIONS)


async def answer_main(ctx: HopContext, value: str) -> Outcome:
    return Go(value)


def register(registry: ScreenRegistry) -> None:
    registry.menu("main", "menu", show_main, answer_main)
