"""Account balance, behind the PIN."""

from __future__ import annotations

from lpg_ussd.application.common import PinRefused
from lpg_ussd.application.ussd.journeys.common import pin_format_ok, refused
from lpg_ussd.application.ussd.screens import (
    End,
    HopContext,
    Outcome,
    Retry,
    ScreenRegistry,
    text_view,
)


async def answer_pin(ctx: HopContext, text: str) -> Outcome:
    if not pin_format_ok(text):
        return Retry(ctx.t("reason.pin_format"))
    result = await ctx.services.check_balance(ctx.customer.id, text)
    if isinstance(result, PinRefused):
        return refused(ctx, result)
    currency = ctx.brand.currency
    return End(
        ctx.t(
            "balance.result",
            wallet=result.wallet.format(currency),
            cylinders=result.cylinders,
            deposits=result.deposits.format(currency),
            open=result.open_orders,
        )
    )


def register(registry: ScreenRegistry) -> None:
    registry.prompt("balance_pin", "balance", text_view("balance.pin"), answer_pin, sensitive=True)
