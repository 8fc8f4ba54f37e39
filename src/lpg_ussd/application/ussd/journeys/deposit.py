"""Make deposit: a new cylinder or a wallet top-up; and the payment screens refills share."""

from __future__ import annotations

from dataclasses import replace

from lpg_ussd.application.checkout import CheckoutRequest
from lpg_ussd.application.common import PinRefused
from lpg_ussd.application.orders import Contact
from lpg_ussd.application.ussd.journeys.common import invalid, menu, money, pin_format_ok, refused
from lpg_ussd.application.ussd.screens import (
    Choice,
    End,
    Go,
    HopContext,
    Outcome,
    Retry,
    ScreenRegistry,
    View,
    text_view,
)
from lpg_ussd.application.ussd.session import CheckoutItem
from lpg_ussd.domain.catalogue import CylinderType
from lpg_ussd.domain.errors import InsufficientFunds, InvalidValue, NotFound
from lpg_ussd.domain.money import Money, parse_whole_cedis
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import MOBILE_MONEY, OrderKind, PaymentMethod

J = "deposit"
TOPUP_MIN, TOPUP_MAX = 1, 5000
PAY_OPTIONS = [
    ("pay.mtn", PaymentMethod.MTN.value),
    ("pay.telecel", PaymentMethod.TELECEL.value),
    ("pay.airteltigo", PaymentMethod.AIRTELTIGO.value),
    ("pay.wallet", PaymentMethod.WALLET.value),
    ("pay.on_delivery", PaymentMethod.ON_DELIVERY.value),
]


def pay_menu(ctx: HopContext, title: str, options: list[tuple[str, str]]) -> View:
    """The payment methods, the customer's own network marked, numbering unchanged."""
    shown = menu(ctx, title, options)
    marked = tuple(
        replace(c, label=ctx.t("pay.your_network", label=c.label)) if c.value == ctx.network else c
        for c in shown.choices
    )
    return View(shown.text, marked)


def cylinder_value(cylinder: CylinderType) -> str:
    """What a cylinder choice carries, so the next screens need no catalogue read."""
    return f"{cylinder.id}|{cylinder.deposit.pesewas}|{cylinder.gas_price.pesewas}|{cylinder.label}"


def cylinder_data(value: str, kind: OrderKind) -> dict[str, object]:
    cyl_id, deposit, gas, label = value.split("|", 3)
    deposit_due = int(deposit) if kind is OrderKind.DEPOSIT else 0
    return {
        "cyl_id": int(cyl_id),
        "cyl_label": label,
        "deposit": deposit_due,
        "gas": int(gas),
        "amount": deposit_due + int(gas),
        "kind": kind.value,
    }


async def show_deposit_menu(ctx: HopContext) -> View:
    return menu(
        ctx, ctx.t("deposit.title"), [("deposit.cylinder", "cylinder"), ("deposit.topup", "topup")]
    )


async def answer_deposit_menu(ctx: HopContext, value: str) -> Outcome:
    return Go("dep_cylinders") if value == "cylinder" else Go("topup_amount")


async def show_cylinders(ctx: HopContext) -> View | End:
    cylinders = await ctx.services.catalogue()
    if not cylinders:
        return End(ctx.t("deposit.no_catalogue", care=ctx.brand.care_number))
    choices = tuple(
        Choice(
            str(i),
            ctx.t("deposit.item", label=c.label, total=c.deposit_total.format(ctx.brand.currency)),
            cylinder_value(c),
        )
        for i, c in enumerate(cylinders, 1)
    )
    return View(ctx.t("deposit.choose"), choices)


async def answer_cylinders(ctx: HopContext, value: str) -> Outcome:
    return Go("dep_confirm", cylinder_data(value, OrderKind.DEPOSIT))


async def show_deposit_confirm(ctx: HopContext) -> View:
    d = ctx.data
    text = ctx.t(
        "deposit.confirm",
        label=d["cyl_label"],
        deposit=money(ctx, d["deposit"]),
        gas=money(ctx, d["gas"]),
        total=money(ctx, d["amount"]),
    )
    return menu(ctx, text, [("common.confirm", "confirm")])


async def to_payment(ctx: HopContext, value: str) -> Outcome:
    return Go("pay_method")


async def show_pay_method(ctx: HopContext) -> View:
    return pay_menu(ctx, ctx.t("pay.title", amount=money(ctx, ctx.data["amount"])), PAY_OPTIONS)


def checkout_of(ctx: HopContext, method: PaymentMethod) -> CheckoutRequest | None:
    """Mobile money goes through the gateway's own checkout where this hop offers one."""
    if ctx.checkout is None or not method.is_mobile_money:
        return None
    return CheckoutRequest(ctx.checkout, ctx.record.session_id)


async def place(ctx: HopContext, method: PaymentMethod, pin: str | None = None) -> Outcome:
    """Place the order in session data, paid by `method`, and say what happens next."""
    d = ctx.data
    checkout = checkout_of(ctx, method)
    try:
        result = await ctx.services.place_order(
            ctx.customer.id,
            d["cyl_id"],
            OrderKind(d["kind"]),
            method,
            pin,
            checkout=checkout,
            contact=Contact(Msisdn(ctx.record.msisdn), ctx.customer.language),
        )
    except InsufficientFunds as error:
        return End(ctx.t("reason.wallet_short", short=money(ctx, error.shortfall_pesewas)))
    except NotFound:
        return End(ctx.t("deposit.no_catalogue", care=ctx.brand.care_number))
    if isinstance(result, PinRefused):
        return refused(ctx, result)
    order = result.order
    amount = order.total.format(ctx.brand.currency)
    if checkout is not None and result.payment_reference is not None:
        item = CheckoutItem(
            name=ctx.t("pay.checkout_item", label=order.cylinder_label, ref=order.reference),
            quantity=1,
            price_pesewas=order.total.pesewas,
            reference=result.payment_reference,
        )
        return End(ctx.t("pay.checkout", amount=amount, ref=order.reference), checkout=item)
    if method.is_mobile_money:
        return End(
            ctx.t("pay.momo_sent", amount=amount, company=ctx.brand.company, ref=order.reference)
        )
    if method is PaymentMethod.WALLET:
        balance = (result.wallet_balance or Money(0)).format(ctx.brand.currency)
        return End(ctx.t("pay.wallet_paid", amount=amount, ref=order.reference, balance=balance))
    return End(ctx.t("pay.on_delivery_placed", ref=order.reference, amount=amount))


async def choose_wallet(ctx: HopContext) -> Outcome:
    balance = await ctx.services.wallet_balance(ctx.customer.id)
    short = ctx.data["amount"] - balance.pesewas
    if short > 0:
        return Retry(ctx.t("reason.wallet_short", short=money(ctx, short)), strike=False)
    return Go("pay_wallet_pin", {"balance": balance.pesewas})


async def answer_pay_method(ctx: HopContext, value: str) -> Outcome:
    method = PaymentMethod(value)
    if method is PaymentMethod.WALLET:
        return await choose_wallet(ctx)
    return await place(ctx, method)


async def show_wallet_pin(ctx: HopContext) -> View:
    d = ctx.data
    return View(
        ctx.t("pay.wallet_pin", balance=money(ctx, d["balance"]), amount=money(ctx, d["amount"]))
    )


async def answer_wallet_pin(ctx: HopContext, text: str) -> Outcome:
    if not pin_format_ok(text):
        return Retry(ctx.t("reason.pin_format"))
    return await place(ctx, PaymentMethod.WALLET, text)


async def answer_topup_amount(ctx: HopContext, text: str) -> Outcome:
    try:
        amount = parse_whole_cedis(text, TOPUP_MIN, TOPUP_MAX)
    except InvalidValue as error:
        return invalid(ctx, error, min=TOPUP_MIN, max=f"{TOPUP_MAX:,}")
    return Go("topup_confirm", {"amount": amount.pesewas})


async def show_topup_confirm(ctx: HopContext) -> View:
    text = ctx.t("topup.confirm", amount=money(ctx, ctx.data["amount"]))
    return menu(ctx, text, [("common.confirm", "confirm")])


async def show_topup_network(ctx: HopContext) -> View:
    title = ctx.t("topup.network", amount=money(ctx, ctx.data["amount"]))
    return pay_menu(ctx, title, PAY_OPTIONS[:3])


async def answer_topup_network(ctx: HopContext, value: str) -> Outcome:
    method = PaymentMethod(value)
    assert method in MOBILE_MONEY
    checkout = checkout_of(ctx, method)
    requested = await ctx.services.top_up(
        ctx.customer.id, Money(ctx.data["amount"]), method, checkout=checkout
    )
    amount = requested.amount.format(ctx.brand.currency)
    if checkout is not None:
        item = CheckoutItem(
            name=ctx.t("topup.checkout_item", ref=requested.reference),
            quantity=1,
            price_pesewas=requested.amount.pesewas,
            reference=requested.reference,
        )
        return End(ctx.t("topup.checkout", amount=amount, ref=requested.reference), checkout=item)
    return End(
        ctx.t("topup.sent", amount=amount, company=ctx.brand.company, ref=requested.reference)
    )


def register(registry: ScreenRegistry) -> None:
    registry.menu("dep_menu", J, show_deposit_menu, answer_deposit_menu)
    registry.menu("dep_cylinders", J, show_cylinders, answer_cylinders)
    registry.menu("dep_confirm", J, show_deposit_confirm, to_payment, sensitive=True)
    registry.menu("pay_method", J, show_pay_method, answer_pay_method, sensitive=True)
    registry.prompt("pay_wallet_pin", J, show_wallet_pin, answer_wallet_pin, sensitive=True)
    registry.prompt("topup_amount", J, text_view("topup.amount"), answer_topup_amount)
    registry.menu("topup_confirm", J, show_topup_confirm, to_topup_network, sensitive=True)
    registry.menu("topup_network", J, show_topup_network, answer_topup_network, sensitive=True)


async def to_topup_network(ctx: HopContext, value: str) -> Outcome:
    return Go("topup_network")
