"""Every screen of every journey, and every word of the catalogue, measured with worst-case data.

A screen must fit 160 characters of GSM-7 (the default limit; lists may page with 98). SMS
texts (`sms.*`) may be longer, since they are split into parts, but must be GSM-7 too.
"""

from __future__ import annotations

import asyncio
import string
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from lpg_ussd.adapters.payments.providers import ConfiguredPaymentProviders
from lpg_ussd.application.brand import Brand
from lpg_ussd.application.customers import (
    FindCustomerCard,
    Registration,
)
from lpg_ussd.application.messages import Messages
from lpg_ussd.application.orders import (
    OrderPlaced,
)
from lpg_ussd.application.ports import PaymentRequestResult, ProviderStatus
from lpg_ussd.application.staff import MoveOrder, VerifyCustomer
from lpg_ussd.application.ussd.journeys import build_screens
from lpg_ussd.application.ussd.paging import paginate
from lpg_ussd.application.ussd.screens import End, HopContext, View
from lpg_ussd.application.ussd.services import Services
from lpg_ussd.application.ussd.session import CustomerCard, SessionRecord
from lpg_ussd.application.ussd.texts import (
    Languages,
    Texts,
    available_languages,
    is_gsm7,
    load_texts,
)
from lpg_ussd.domain.catalogue import Material, PriceChange
from lpg_ussd.domain.customer import DigitalAddress
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderKind, OrderStatus, PaymentMethod
from lpg_ussd.domain.payment import Payment, PaymentStatus, new_payment_reference
from tests.fakes import (
    CATALOGUE_EFFECTIVE_FROM,
    CylinderTypeRecord,
    FixedClock,
    InMemoryDatabase,
    InMemoryUnitOfWorkFactory,
    dialogue_services,
)

LIMIT = 160
TEXTS = load_texts("en")
KEYS = TEXTS.keys()
PHONE = "+233241234567"

# Worst-case data: the longest a value can be on a screen.
NAME = "Abcdefghij Klmnopqrst Uvwxyzab"  # 30 characters, the most a name or town may have
ADDRESS = "GA-1838-8164"  # XX-NNNN-NNNN, the longer GhanaPost GPS form
PREFIX = "ABCD"  # so order references are 11 characters: ABCD-XXXXXX
REFERENCE = f"{PREFIX}-ABCDEF"
LABEL = "52kg composite"  # "<size>kg <material>": two digits and "composite" are the longest
AMOUNT = 500_000  # GHS 5,000.00, the largest top-up
WORST_MONEY = Money(AMOUNT).format("GHS")
LIST_SCREENS = {"dep_cylinders", "orders", "refill"}  # lists, which may page with 98
BRAND = Brand(
    company="Demo Gas",
    care_number="0302 000 000",
    emergency_number="192",
    service_code="*384*303#",
    order_prefix=PREFIX,
)
WORST_CATALOGUE = [
    (12, Material.COMPOSITE),
    (14, Material.COMPOSITE),
    (15, Material.COMPOSITE),
    (25, Material.COMPOSITE),
    (50, Material.COMPOSITE),
    (52, Material.COMPOSITE),
]


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def longest(prefix: str) -> str:
    """The longest word of a section, e.g. of `order_status.`."""
    words = [TEXTS(key) for key in KEYS if key.startswith(prefix)]
    return max(words, key=len)


# -- every word of the catalogue, filled with the longest values it can hold --------------


def worst_values() -> dict[str, str]:
    return {
        "key": "20",
        "label": LABEL,
        "care": BRAND.care_number,
        "emergency": BRAND.emergency_number,
        "company": BRAND.company,
        "code": BRAND.service_code,
        "where": longest("journey."),
        "first": NAME,
        "last": NAME,
        "town": NAME,
        "address": max(ADDRESS, TEXTS("register.no_address"), key=len),
        "min": "1",
        "max": "5,000",
        "short": WORST_MONEY,
        "total": WORST_MONEY,
        "deposit": WORST_MONEY,
        "gas": WORST_MONEY,
        "amount": WORST_MONEY,
        "balance": WORST_MONEY,
        "wallet": WORST_MONEY,
        "deposits": WORST_MONEY,
        "paid": WORST_MONEY,
        "price": WORST_MONEY,
        "refund": WORST_MONEY,
        "ref": REFERENCE,
        "ticket": "T1234567",
        "cylinders": "20",
        "open": "20",
        "left": "2",
        "status": longest("order_status."),
        "date": "30 Sep",
        "method": max((TEXTS(f"pay.{m.value}") for m in PaymentMethod), key=len),
        "reason": longest("failure."),
        "phone": PHONE,
        "name": max((load_texts(code).name for code in available_languages()), key=len),
    }


def per_key() -> dict[str, dict[str, str]]:
    """Where a key takes a value unlike the others of its name."""
    status = longest("order_status.")
    return {
        # An option's label can be a whole line of the order list.
        "common.option": {"label": TEXTS("orders.item", ref=REFERENCE, label=LABEL, status=status)},
        "topup.sent": {"ref": new_payment_reference()},  # a payment's reference, not an order's
    }


def placeholders(key: str) -> list[str]:
    template = TEXTS(key)
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def fill(key: str) -> str:
    names = placeholders(key)
    if not names:
        return TEXTS(key)
    values = {**worst_values(), **per_key().get(key, {})}
    missing = [name for name in names if name not in values]
    assert not missing, f"{key}: no worst-case value for {missing}"
    return TEXTS(key, **{name: values[name] for name in names})


# -- the world the screens read: in-memory fakes with worst-case rows ---------------------


class PendingPaymentGateway:
    """Takes every request; payments stay pending, as they would while the customer approves."""

    name = "fake"

    async def request_payment(self, payment: Payment, payer_name: str) -> PaymentRequestResult:
        return PaymentRequestResult(accepted=True)

    async def query_status(self, payment: Payment) -> ProviderStatus:
        return ProviderStatus(PaymentStatus.PENDING)


@dataclass
class World:
    services: Services
    db: InMemoryDatabase
    clock: FixedClock
    card: CustomerCard
    orders: dict[str, Order] = field(default_factory=dict)  # by how they were paid


def seed_worst_catalogue(db: InMemoryDatabase) -> None:
    deposit, gas = Money(AMOUNT - 100_000), Money(100_000)  # deposit + gas = GHS 5,000.00
    for sort_order, (size_kg, material) in enumerate(WORST_CATALOGUE):
        type_id = db.next_id("cylinder_types")
        code = f"{size_kg}kg-{material.value}"
        db.tables["cylinder_types"][type_id] = CylinderTypeRecord(
            type_id, code, size_kg, material, sort_order=sort_order
        )
        change = PriceChange(type_id, deposit, gas, CATALOGUE_EFFECTIVE_FROM)
        db.tables["cylinder_prices"][db.next_id("cylinder_prices")] = change


async def build_world(orders: int = 20) -> World:
    clock = FixedClock()
    db = InMemoryDatabase(clock)
    seed_worst_catalogue(db)
    uow = InMemoryUnitOfWorkFactory(db)
    messages = Messages(TEXTS, BRAND)
    providers = ConfiguredPaymentProviders({"fake": PendingPaymentGateway()}, default="fake")
    services = dialogue_services(uow, clock, messages, providers, BRAND)
    hasher = services.pins
    registration = Registration(
        msisdn=Msisdn(PHONE),
        first_name=NAME,
        last_name=NAME,
        town=NAME,
        digital_address=DigitalAddress(ADDRESS),
        pin_hash=await hasher.hash("4826"),
    )
    await services.register(registration)
    await VerifyCustomer(uow, clock, messages)(Msisdn(PHONE))
    card = await FindCustomerCard(uow)(PHONE)
    assert card is not None
    world = World(services, db, clock, card)
    if orders:
        await place_worst_orders(world, uow, messages, orders)
    return world


async def place_worst_orders(
    world: World, uow: InMemoryUnitOfWorkFactory, messages: Messages, count: int
) -> None:
    """Deposits of the longest label: one delivered, one paid on delivery, the rest awaiting
    payment (the longest status) with the payment pending."""
    catalogue = await world.services.catalogue()
    cylinder = max(catalogue, key=lambda c: len(c.label))
    methods = [PaymentMethod.MTN] * (count - 1) + [PaymentMethod.ON_DELIVERY]
    for index, method in enumerate(methods):
        world.clock.advance(minutes=1)
        placed = await world.services.place_order(
            world.card.id, cylinder.id, OrderKind.DEPOSIT, method
        )
        assert isinstance(placed, OrderPlaced), placed
        kind = "delivered" if index == 0 else method.value
        world.orders[kind] = placed.order
    move = MoveOrder(uow, world.clock, messages)
    for status in (OrderStatus.PAID, OrderStatus.DISPATCHED, OrderStatus.DELIVERED):
        world.clock.advance(days=1)
        world.orders["delivered"] = await move(world.orders["delivered"].reference, status)


# -- what each screen needs in the session to be shown ------------------------------------

WORST_DATA: dict[str, Any] = {
    "cyl_id": 1,
    "cyl_label": LABEL,
    "deposit": AMOUNT - 100_000,
    "gas": AMOUNT,
    "amount": AMOUNT,
    "balance": AMOUNT,
    "kind": OrderKind.DEPOSIT.value,
    "first_name": NAME,
    "last_name": NAME,
    "town": NAME,
    "address": ADDRESS,
    "new_town": NAME,
}


@dataclass(frozen=True)
class Case:
    """One way a screen can look: extra session data, and the world it is shown in."""

    name: str
    data: dict[str, Any] = field(default_factory=dict)
    customer: bool = True
    orders: int = 20
    prepare: Callable[[World], dict[str, Any]] | None = None


def order_ref(kind: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"order_ref": world.orders[kind].reference}


def no_catalogue(world: World) -> dict[str, Any]:
    world.db.tables["cylinder_types"].clear()
    return {}


# Every screen of the registry, with every way it can look that changes its length.
CASES: dict[str, list[Case]] = {
    "welcome": [Case("welcome", customer=False)],
    "reg_first": [Case("prompt", customer=False)],
    "reg_last": [Case("prompt", customer=False)],
    "reg_town": [Case("prompt", customer=False)],
    "reg_address": [Case("prompt", customer=False)],
    "reg_pin": [Case("prompt", customer=False)],
    "reg_pin2": [Case("prompt", customer=False)],
    "reg_confirm": [
        Case("with address", customer=False),
        Case("without address", {"address": None}, customer=False),
    ],
    "main": [Case("menu")],
    "dep_menu": [Case("menu")],
    "dep_cylinders": [Case("catalogue"), Case("empty catalogue", prepare=no_catalogue)],
    "dep_confirm": [Case("confirm")],
    "pay_method": [Case("methods")],
    "pay_wallet_pin": [Case("pin")],
    "topup_amount": [Case("prompt")],
    "topup_confirm": [Case("confirm")],
    "topup_network": [Case("networks")],
    "orders": [Case("20 orders"), Case("no orders", orders=0)],
    "order_detail": [
        Case("payment pending", prepare=order_ref("mtn")),
        Case("pay on delivery", prepare=order_ref("on_delivery")),
        Case("delivered", prepare=order_ref("delivered")),
        Case("gone", {"order_ref": "ABCD-ZZZZZZ"}),
    ],
    "order_cancel_pin": [Case("pin", prepare=order_ref("mtn"))],
    "balance_pin": [Case("prompt")],
    "care": [Case("menu"), Case("menu, not registered", customer=False)],
    "care_topic": [Case("topics")],
    "refill": [
        Case("first refill", orders=0),
        Case("with a last order"),
        Case("empty catalogue", prepare=no_catalogue),
    ],
    "refill_confirm": [Case("confirm")],
    "refill_repeat": [
        Case(f"paid by {method.value}", {"method": method.value}) for method in PaymentMethod
    ],
    "account": [Case("menu")],
    "acct_pin_current": [Case("prompt")],
    "acct_pin_new": [Case("prompt")],
    "acct_pin_new2": [Case("prompt")],
    "acct_town": [Case("prompt")],
    "acct_address": [Case("prompt")],
    "language": [Case("menu"), Case("menu, not registered", customer=False)],
}


async def show(screen_name: str, case: Case, texts: Texts = TEXTS) -> View | End:
    world = await build_world(case.orders)
    data = {**WORST_DATA, **case.data}
    if case.prepare is not None:
        data.update(case.prepare(world))
    record = SessionRecord(
        session_id="ATUid_lengths",
        msisdn=PHONE,
        gateway="africastalking",
        path=["main" if case.customer else "welcome", screen_name],
        data=data,
        customer=world.card if case.customer else None,
    )
    languages = Languages(available_languages(), "en")
    ctx = HopContext(record, texts, BRAND, world.services, world.clock.now(), "62001", languages)
    return await build_screens()[screen_name].show(ctx)


def screen_lines(view: View) -> list[str]:
    """The lines the engine puts on a screen, before any paging."""
    lines = view.text.split("\n") if view.text else []
    lines += [TEXTS("common.option", key=c.key, label=c.label) for c in view.choices]
    return lines


def problems_of(text: str, limit: int = LIMIT) -> list[str]:
    found = []
    if len(text) > limit:
        found.append(f"{len(text)} characters, over {limit}")
    if not is_gsm7(text):
        found.append(f"not GSM-7: {sorted({ch for ch in text if not is_gsm7(ch)})}")
    if text != text.strip() or any(line != line.strip() for line in text.split("\n")):
        found.append("blank padding")
    return found


ALL_CASES = [(name, case) for name, cases in CASES.items() for case in cases]


def test_every_screen_of_the_registry_is_measured() -> None:
    registry = {screen.name for screen in build_screens().all()}

    assert registry == set(CASES), (
        f"not measured: {sorted(registry - set(CASES))}; gone: {sorted(set(CASES) - registry)}"
    )


@pytest.mark.parametrize(("screen", "case"), ALL_CASES, ids=[f"{s}-{c.name}" for s, c in ALL_CASES])
def test_a_screen_fits_160_gsm7_characters(screen: str, case: Case) -> None:
    shown = run(show(screen, case))

    if isinstance(shown, End):
        assert problems_of(shown.text) == [], shown.text
        return
    whole = "\n".join(screen_lines(shown))
    if screen in LIST_SCREENS:
        pages = paginate(screen_lines(shown), LIMIT, TEXTS("common.more"), TEXTS("common.back"))
        for page in pages:
            assert problems_of(page) == [], page
        assert is_gsm7(whole), whole
    else:
        assert problems_of(whole) == [], whole


# The one-line reasons each screen can be shown again with (a menu: a wrong choice).
PROMPT_REASONS: dict[str, list[str]] = {
    "reg_first": ["reason.name_letters", "reason.name_length"],
    "reg_last": ["reason.name_letters", "reason.name_length"],
    "reg_town": ["reason.town_letters", "reason.town_length"],
    "acct_town": ["reason.town_letters", "reason.town_length"],
    "reg_address": ["reason.address_format"],
    "acct_address": ["reason.address_format"],
    "reg_pin": ["reason.pin_format", "reason.pin_trivial", "register.pins_differ"],
    "acct_pin_new": ["reason.pin_format", "reason.pin_trivial", "register.pins_differ"],
    "reg_pin2": [],
    "acct_pin_new2": [],
    "pay_wallet_pin": ["reason.pin_format", "common.wrong_pin"],
    "balance_pin": ["reason.pin_format", "common.wrong_pin"],
    "acct_pin_current": ["reason.pin_format", "common.wrong_pin"],
    "order_cancel_pin": ["reason.pin_format", "common.wrong_pin"],
    "topup_amount": ["reason.amount_not_number", "reason.amount_out_of_range"],
}
MENU_REASONS = ["common.choose_option"]
WALLET_REASONS = ["common.choose_option", "reason.wallet_short"]  # a short wallet re-prompts
EXTRA_REASONS = {"pay_method": WALLET_REASONS, "refill_repeat": WALLET_REASONS}


def reasons_of(screen: str) -> list[str]:
    keys = PROMPT_REASONS.get(screen, EXTRA_REASONS.get(screen, MENU_REASONS))
    return [fill(key) for key in keys]


# Screens known to overflow with a reason on top (the engine would page them). None today;
# an entry here is a strict expected failure, to be removed once the words are shortened.
TOO_LONG_WITH_REASON: dict[tuple[str, str], str] = {}


def reason_case(screen: str, case: Case, reason: str) -> Any:
    known = TOO_LONG_WITH_REASON.get((screen, case.name))
    marks = [pytest.mark.xfail(strict=True, reason=known)] if known else []
    return pytest.param(screen, case, reason, marks=marks, id=f"{screen}-{case.name}-{reason}")


REASON_CASES = [
    reason_case(screen, case, reason)
    for screen, case in ALL_CASES
    if screen not in LIST_SCREENS
    for reason in reasons_of(screen)
]


@pytest.mark.parametrize(("screen", "case", "reason"), REASON_CASES)
def test_a_screen_shown_again_with_its_reason_on_top_still_fits(
    screen: str, case: Case, reason: str
) -> None:
    shown = run(show(screen, case))
    if isinstance(shown, End):
        return

    whole = "\n".join([reason, *screen_lines(shown)])

    assert problems_of(whole) == [], whole


def test_the_resume_offer_fits() -> None:
    where = longest("journey.")
    lines = [
        TEXTS("resume.title", where=where),
        TEXTS("common.option", key="1", label=TEXTS("resume.continue")),
        TEXTS("common.option", key="2", label=TEXTS("resume.start_over")),
    ]

    assert problems_of("\n".join(lines)) == []


WORD_KEYS = [key for key in KEYS if not key.startswith("meta.")]


@pytest.mark.parametrize("key", WORD_KEYS)
def test_every_word_fits_a_screen_in_gsm7(key: str) -> None:
    text = fill(key)

    if key.startswith("sms."):
        assert is_gsm7(text), f"{key} is not GSM-7: {text!r}"
    else:
        assert problems_of(text) == [], f"{key} ({len(text)}): {text}"


def test_the_worst_case_world_is_really_worst_case() -> None:
    world = run(build_world())
    orders = run(world.services.list_orders(world.card.id, 20))
    catalogue = run(world.services.catalogue())

    assert len(orders) == 20
    assert {len(o.reference) for o in orders} == {11}
    assert max(len(c.label) for c in catalogue) == len(LABEL)
    assert {c.deposit_total for c in catalogue} == {Money(AMOUNT)}
    assert len(NAME) == 30
    assert world.clock.now() > CATALOGUE_EFFECTIVE_FROM + timedelta(days=1)
