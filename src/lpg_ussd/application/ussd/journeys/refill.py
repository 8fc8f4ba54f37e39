"""Refill gas: the everyday order. The last order first, then the sizes held, then the rest."""

from __future__ import annotations

from lpg_ussd.application.ussd.journeys.common import menu, money
from lpg_ussd.application.ussd.journeys.deposit import (
    choose_wallet,
    cylinder_data,
    cylinder_value,
    place,
)
from lpg_ussd.application.ussd.screens import (
    Choice,
    End,
    Go,
    HopContext,
    Outcome,
    ScreenRegistry,
    View,
)
from lpg_ussd.domain.order import OrderKind, PaymentMethod

J = "refill"
REPEAT = "repeat:"


async def show_refill(ctx: HopContext) -> View | End:
    cylinders = await ctx.services.catalogue()
    if not cylinders:
        return End(ctx.t("deposit.no_catalogue", care=ctx.brand.care_number))
    orders = await ctx.services.list_orders(ctx.customer.id, 50)
    by_id = {c.id: c for c in cylinders}
    held = {o.cylinder_type_id for o in orders if o.holds_cylinder}
    ordered = sorted(cylinders, key=lambda c: c.id not in held)
    choices: list[Choice] = []
    last = next((o for o in orders if o.cylinder_type_id in by_id), None)
    if last is not None:
        cylinder = by_id[last.cylinder_type_id]
        label = ctx.t(
            "refill.repeat",
            label=cylinder.label,
            price=cylinder.gas_price.format(ctx.brand.currency),
        )
        value = f"{REPEAT}{last.payment_method.value}:{cylinder_value(cylinder)}"
        choices.append(Choice("1", label, value))
    for cylinder in ordered:
        label = ctx.t(
            "refill.item", label=cylinder.label, price=cylinder.gas_price.format(ctx.brand.currency)
        )
        choices.append(Choice(str(len(choices) + 1), label, cylinder_value(cylinder)))
    return View(ctx.t("refill.title"), tuple(choices))


async def answer_refill(ctx: HopContext, value: str) -> Outcome:
    if value.startswith(REPEAT):
        method, cylinder = value[len(REPEAT) :].split(":", 1)
        return Go("refill_repeat", {**cylinder_data(cylinder, OrderKind.REFILL), "method": method})
    return Go("refill_confirm", cylinder_data(value, OrderKind.REFILL))


async def show_refill_confirm(ctx: HopContext) -> View:
    d = ctx.data
    text = ctx.t("refill.confirm", label=d["cyl_label"], price=money(ctx, d["gas"]))
    return menu(ctx, text, [("common.confirm", "confirm")])


async def to_payment(ctx: HopContext, value: str) -> Outcome:
    return Go("pay_method")


async def show_repeat(ctx: HopContext) -> View:
    d = ctx.data
    text = ctx.t(
        "refill.repeat_confirm",
        label=d["cyl_label"],
        price=money(ctx, d["gas"]),
        method=ctx.t(f"pay.{d['method']}"),
    )
    return menu(ctx, text, [("common.confirm", "confirm")])


async def answer_repeat(ctx: HopContext, value: str) -> Outcome:
    method = PaymentMethod(ctx.data["method"])
    if method is PaymentMethod.WALLET:
        return await choose_wallet(ctx)
    return await place(ctx, method)


def register(registry: ScreenRegistry) -> None:
    registry.menu("refill", J, show_refill, answer_refill)
    registry.menu("refill_confirm", J, show_refill_confirm, to_payment, sensitive=True)
    registry.menu("refill_repeat", J, show_repeat, answer_repeat, sensitive=True)
