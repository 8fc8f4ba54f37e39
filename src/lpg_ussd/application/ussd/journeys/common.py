"""Small pieces the journeys share: menus from word keys, money, PIN refusals."""

from __future__ import annotations

from lpg_ussd.application.common import PinRefused
from lpg_ussd.application.ussd.screens import Choice, End, HopContext, Outcome, Retry, View
from lpg_ussd.domain.errors import InvalidValue
from lpg_ussd.domain.money import Money


def menu(ctx: HopContext, text: str, options: list[tuple[str, str]]) -> View:
    """A menu whose options are numbered in order: (word key, value)."""
    return View(
        text,
        tuple(Choice(str(i), ctx.t(key), value) for i, (key, value) in enumerate(options, 1)),
    )


def money(ctx: HopContext, pesewas: int) -> str:
    return Money(pesewas).format(ctx.brand.currency)


def refused(ctx: HopContext, refusal: PinRefused) -> Outcome:
    if refusal.locked:
        return End(ctx.t("common.pin_locked", care=ctx.brand.care_number))
    return Retry(ctx.t("common.wrong_pin", left=refusal.attempts_left))


def invalid(ctx: HopContext, error: InvalidValue, **values: object) -> Retry:
    return Retry(ctx.t(f"reason.{error.reason}", **values))


def pin_format_ok(pin: str) -> bool:
    return len(pin) == 4 and pin.isdigit() and pin.isascii()
