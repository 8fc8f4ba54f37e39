"""Order status: recent orders newest first, one order's detail, and cancelling it."""

from __future__ import annotations

from datetime import datetime

from lpg_ussd.application.common import PinRefused
from lpg_ussd.application.orders import NotCancellable
from lpg_ussd.application.ussd.journeys.common import menu, money, pin_format_ok, refused
from lpg_ussd.application.ussd.screens import (
    Choice,
    End,
    Go,
    HopContext,
    Outcome,
    Retry,
    ScreenRegistry,
    View,
)
from lpg_ussd.domain.errors import NotFound

J = "orders"
RECENT = 20


def _date(when: datetime) -> str:
    return when.strftime("%d %b")


async def show_orders(ctx: HopContext) -> View:
    orders = await ctx.services.list_orders(ctx.customer.id, RECENT)
    if not orders:
        return menu(ctx, ctx.t("orders.none"), [("orders.make_deposit", "deposit")])
    choices = tuple(
        Choice(
            str(i),
            ctx.t(
                "orders.item",
                ref=o.reference,
                label=o.cylinder_label,
                status=ctx.t(f"order_status.{o.status.value}"),
            ),
            o.reference,
        )
        for i, o in enumerate(orders, 1)
    )
    return View(ctx.t("orders.title"), choices)


async def answer_orders(ctx: HopContext, value: str) -> Outcome:
    if value == "deposit":
        return Go("dep_menu")
    return Go("order_detail", {"order_ref": value})


async def show_detail(ctx: HopContext) -> View | End:
    try:
        view = await ctx.services.get_order(ctx.customer.id, ctx.data["order_ref"])
    except NotFound:
        return End(ctx.t("common.expired"))
    order = view.order
    lines = [
        ctx.t(
            "orders.detail",
            ref=order.reference,
            label=order.cylinder_label,
            status=ctx.t(f"order_status.{order.status.value}"),
            date=_date(order.status_changed_at),
            paid=order.amount_paid.format(ctx.brand.currency),
        )
    ]
    if view.payment_pending:
        lines.append(ctx.t("orders.pending_payment"))
    elif order.expected_delivery is not None and order.is_open:
        lines.append(ctx.t("orders.delivery", date=_date(order.expected_delivery)))
    options = [("orders.cancel", "cancel")] if order.can_cancel else []
    shown = menu(ctx, "\n".join(lines), options)
    if not options:
        return View(shown.text + "\n" + ctx.t("common.back"))
    return shown


async def answer_detail(ctx: HopContext, value: str) -> Outcome:
    if value == "cancel":
        return Go("order_cancel_pin")
    return Retry(ctx.t("common.choose_option"))


async def show_cancel_pin(ctx: HopContext) -> View:
    return View(ctx.t("orders.cancel_pin", ref=ctx.data["order_ref"]))


async def answer_cancel_pin(ctx: HopContext, text: str) -> Outcome:
    if not pin_format_ok(text):
        return Retry(ctx.t("reason.pin_format"))
    reference = ctx.data["order_ref"]
    try:
        result = await ctx.services.cancel_order(ctx.customer.id, reference, text)
    except NotCancellable:
        return End(ctx.t("orders.cannot_cancel", ref=reference))
    if isinstance(result, PinRefused):
        return refused(ctx, result)
    if result.refund:
        return End(
            ctx.t("orders.cancelled", ref=reference, refund=money(ctx, result.refund.pesewas))
        )
    return End(ctx.t("orders.cancelled_nothing", ref=reference))


def register(registry: ScreenRegistry) -> None:
    registry.menu("orders", J, show_orders, answer_orders)
    registry.menu("order_detail", J, show_detail, answer_detail)
    registry.prompt("order_cancel_pin", J, show_cancel_pin, answer_cancel_pin, sensitive=True)
