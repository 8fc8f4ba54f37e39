"""The use cases, run against working in-memory fakes of every port (no mocks)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from lpg_ussd.adapters.payments.providers import ConfiguredPaymentProviders
from lpg_ussd.application.brand import Brand
from lpg_ussd.application.care import ReportGasLeak, RequestCallback
from lpg_ussd.application.common import PinRefused
from lpg_ussd.application.customers import (
    ChangeAddress,
    ChangePin,
    FindCustomerCard,
    RegisterCustomer,
    Registration,
    VerifyPin,
)
from lpg_ussd.application.messages import Messages
from lpg_ussd.application.orders import (
    Balance,
    Cancelled,
    CancelOrder,
    CheckBalance,
    Contact,
    GetOrder,
    ListCatalogue,
    NotCancellable,
    OrderPlaced,
    PlaceOrder,
    TopUpWallet,
)
from lpg_ussd.application.outbox import LEASE, MAX_ATTEMPTS, DispatchOutbox, backoff
from lpg_ussd.application.payments import (
    ConfirmPayment,
    PaymentRequestFailed,
    SendPaymentRequest,
    Settlement,
    SweepPendingPayments,
)
from lpg_ussd.application.ports import PaymentRequestResult, ProviderStatus
from lpg_ussd.application.staff import MoveOrder, UnlockPin, VerifyCustomer
from lpg_ussd.application.ussd.texts import load_texts
from lpg_ussd.domain.catalogue import PriceChange
from lpg_ussd.domain.customer import Customer, DigitalAddress, VerificationStatus
from lpg_ussd.domain.errors import AlreadyExists, InsufficientFunds, NotFound, TransitionNotAllowed
from lpg_ussd.domain.ledger import EntryKind, LedgerEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderKind, OrderStatus, PaymentMethod
from lpg_ussd.domain.outbox import OutboxKind, OutboxMessage, OutboxStatus
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentPurpose, PaymentStatus
from lpg_ussd.domain.ticket import TicketStatus, TicketTopic
from tests.fakes import (
    FakePinHasher,
    FixedClock,
    InMemoryDatabase,
    InMemorySmsSender,
    InMemoryUnitOfWorkFactory,
    seed_catalogue,
)

PHONE = "+233241234567"
OTHER_PHONE = "+233201112223"
PIN = "4826"
WRONG_PIN = "1357"
STAFF = ("+233200000901", "+233200000902")

# The default catalogue: ids in the order seeded.
STEEL_3KG, STEEL_6KG, STEEL_12KG = 1, 2, 3
STEEL_6KG_TOTAL = Money(15000 + 8400)
STEEL_6KG_GAS = Money(8400)


class FakePaymentGateway:
    """A mobile-money provider that answers as told: `outcome` for status queries,
    `request_result` for requests. It records what it was asked."""

    def __init__(self, name: str = "fake") -> None:
        self.name = name
        self.outcome = ProviderStatus(PaymentStatus.PENDING)
        self.request_result = PaymentRequestResult(accepted=True, provider_reference="FAKE-1")
        self.requests: list[tuple[str, str]] = []
        self.queries: list[str] = []

    def will_succeed(self, provider_reference: str = "FAKE-OK") -> None:
        self.outcome = ProviderStatus(PaymentStatus.SUCCESSFUL, None, provider_reference)

    def will_fail(self, reason: FailureReason | None) -> None:
        self.outcome = ProviderStatus(PaymentStatus.FAILED, reason)

    def will_refuse_requests(self, reason: FailureReason, retryable: bool) -> None:
        self.request_result = PaymentRequestResult(
            accepted=False, failure_reason=reason, retryable=retryable
        )

    async def request_payment(self, payment: Payment, payer_name: str) -> PaymentRequestResult:
        self.requests.append((payment.reference, payer_name))
        return self.request_result

    async def query_status(self, payment: Payment) -> ProviderStatus:
        self.queries.append(payment.reference)
        return self.outcome


class SlowSmsSender:
    """An SMS provider that takes a moment, so that concurrent workers interleave."""

    def __init__(self, inner: InMemorySmsSender, seconds: float = 0.01) -> None:
        self.inner = inner
        self.seconds = seconds

    async def send(self, to: str, text: str) -> None:
        await asyncio.sleep(self.seconds)
        await self.inner.send(to, text)


@dataclass
class Line:
    """Everything the use cases need, wired with fakes, plus helpers to look inside."""

    clock: FixedClock = field(default_factory=FixedClock)
    gateway: FakePaymentGateway = field(default_factory=FakePaymentGateway)
    sms: InMemorySmsSender = field(default_factory=InMemorySmsSender)
    hasher: FakePinHasher = field(default_factory=FakePinHasher)
    brand: Brand = field(
        default_factory=lambda: Brand(
            company="Demo Gas",
            care_number="0302000000",
            emergency_number="0302000999",
            service_code="*384*303#",
        )
    )

    def __post_init__(self) -> None:
        self.db = InMemoryDatabase(self.clock)
        seed_catalogue(self.db)
        self.uow = InMemoryUnitOfWorkFactory(self.db)
        self.messages = Messages(load_texts("en"), self.brand)
        self.providers = ConfiguredPaymentProviders({"fake": self.gateway}, default="fake")

    # -- use cases ---------------------------------------------------------------------

    def register(self, auto_verify: bool = False) -> RegisterCustomer:
        return RegisterCustomer(self.uow, self.clock, self.messages, auto_verify)

    @property
    def place_order(self) -> PlaceOrder:
        catalogue = ListCatalogue(self.uow, self.clock)
        return PlaceOrder(
            self.uow, self.clock, self.hasher, self.messages, self.providers, self.brand, catalogue
        )

    @property
    def top_up(self) -> TopUpWallet:
        return TopUpWallet(self.uow, self.clock, self.providers)

    @property
    def confirm(self) -> ConfirmPayment:
        return ConfirmPayment(self.uow, self.clock, self.providers, self.messages)

    @property
    def send_request(self) -> SendPaymentRequest:
        return SendPaymentRequest(
            self.uow, self.clock, self.providers, self.messages, self.brand.company
        )

    def dispatcher(self, sms: Any = None) -> DispatchOutbox:
        return DispatchOutbox(self.uow, self.clock, sms or self.sms, self.send_request)

    @property
    def sweep(self) -> SweepPendingPayments:
        return SweepPendingPayments(self.uow, self.clock, self.confirm)

    @property
    def cancel(self) -> CancelOrder:
        return CancelOrder(self.uow, self.clock, self.hasher, self.messages)

    @property
    def check_balance(self) -> CheckBalance:
        return CheckBalance(self.uow, self.clock, self.hasher, self.messages)

    @property
    def move(self) -> MoveOrder:
        return MoveOrder(self.uow, self.clock, self.messages)

    @property
    def verify_pin(self) -> VerifyPin:
        return VerifyPin(self.uow, self.clock, self.hasher, self.messages)

    # -- arranging -------------------------------------------------------------------------

    async def customer(self, phone: str = PHONE, pin: str = PIN, verified: bool = True) -> int:
        customer = Customer(
            id=None,
            msisdn=Msisdn(phone),
            first_name="Ama",
            last_name="Mensah",
            town="Accra",
            digital_address=DigitalAddress("GA-183-8164"),
            pin_hash=await self.hasher.hash(pin),
            created_at=self.clock.now(),
        )
        if verified:
            customer.verify(self.clock.now())
        async with self.uow() as uow:
            stored = await uow.customers.add(customer)
            await uow.commit()
        assert stored.id is not None
        return stored.id

    async def fund_wallet(self, customer_id: int, cedis: int) -> None:
        entry = LedgerEntry(customer_id, Money.cedis(cedis), EntryKind.ADJUSTMENT, self.clock.now())
        async with self.uow() as uow:
            await uow.ledger.add(entry)
            await uow.commit()

    async def momo_order(
        self, customer_id: int, cylinder: int = STEEL_6KG, kind: OrderKind = OrderKind.DEPOSIT
    ) -> Order:
        placed = await self.place_order(customer_id, cylinder, kind, PaymentMethod.MTN)
        assert isinstance(placed, OrderPlaced)
        return placed.order

    async def wallet_order(
        self, customer_id: int, cylinder: int = STEEL_6KG, kind: OrderKind = OrderKind.DEPOSIT
    ) -> Order:
        placed = await self.place_order(customer_id, cylinder, kind, PaymentMethod.WALLET, PIN)
        assert isinstance(placed, OrderPlaced)
        return placed.order

    async def on_delivery_order(self, customer_id: int, cylinder: int = STEEL_6KG) -> Order:
        placed = await self.place_order(
            customer_id, cylinder, OrderKind.DEPOSIT, PaymentMethod.ON_DELIVERY
        )
        assert isinstance(placed, OrderPlaced)
        return placed.order

    # -- looking inside --------------------------------------------------------------------

    def outbox(self, kind: OutboxKind | None = None) -> list[OutboxMessage]:
        messages = [record.message for record in self.db.rows("outbox")]
        return [m for m in messages if kind is None or m.kind is kind]

    def sms_to(self, phone: str = PHONE) -> list[str]:
        return [m.payload["text"] for m in self.outbox(OutboxKind.SMS) if m.payload["to"] == phone]

    def customers(self) -> list[Customer]:
        return self.db.rows("customers")

    def orders(self) -> list[Order]:
        return self.db.rows("orders")

    def order(self, reference: str) -> Order:
        (found,) = [o for o in self.orders() if o.reference == reference]
        return found

    def payments(self) -> list[Payment]:
        return self.db.rows("payments")

    def ledger(self) -> list[LedgerEntry]:
        return self.db.rows("ledger_entries")

    def wallet(self, customer_id: int) -> Money:
        return Money(sum(e.amount.pesewas for e in self.ledger() if e.customer_id == customer_id))

    def snapshot(self) -> dict[str, list[Any]]:
        return {table: self.db.rows(table) for table in self.db.tables}


@pytest.fixture
def line() -> Line:
    return Line()


# ================================================================ RegisterCustomer


def a_registration(phone: str = PHONE) -> Registration:
    return Registration(
        msisdn=Msisdn(phone),
        first_name="Ama",
        last_name="Mensah",
        town="Accra",
        digital_address=DigitalAddress("GA-183-8164"),
        pin_hash="hashed:4826",
    )


async def test_register_stores_an_unverified_customer_and_its_sms(line: Line) -> None:
    customer = await line.register()(a_registration())

    assert customer.id is not None
    (stored,) = line.customers()
    assert stored.id == customer.id
    assert stored.status is VerificationStatus.UNVERIFIED
    assert stored.verified_at is None
    assert stored.pin_hash == "hashed:4826"
    assert stored.digital_address == DigitalAddress("GA-183-8164")
    assert stored.created_at == line.clock.now()
    (text,) = line.sms_to(PHONE)
    assert text == line.messages.registered(stored)
    assert "received" in text and "Demo Gas" in text


async def test_register_with_auto_verify_verifies_at_once(line: Line) -> None:
    await line.register(auto_verify=True)(a_registration())

    (stored,) = line.customers()
    assert stored.status is VerificationStatus.VERIFIED
    assert stored.verified_at == line.clock.now()
    (text,) = line.sms_to(PHONE)
    assert text == line.messages.verified(stored)
    assert "*384*303#" in text


async def test_register_a_taken_number_is_refused_and_writes_nothing(line: Line) -> None:
    await line.register()(a_registration())
    before = line.snapshot()

    with pytest.raises(AlreadyExists):
        await line.register()(a_registration())

    assert line.snapshot() == before
    assert len(line.sms_to(PHONE)) == 1


async def test_find_customer_card_reads_what_the_dialogue_keeps(line: Line) -> None:
    customer_id = await line.customer()
    card = await FindCustomerCard(line.uow)(PHONE)
    assert card is not None
    assert (card.id, card.first_name, card.status) == (customer_id, "Ama", "verified")
    assert await FindCustomerCard(line.uow)(OTHER_PHONE) is None


# ================================================================ PlaceOrder


@pytest.mark.parametrize(
    "method", [PaymentMethod.MTN, PaymentMethod.TELECEL, PaymentMethod.AIRTELTIGO]
)
async def test_mobile_money_order_awaits_payment_with_a_pending_request(
    line: Line, method: PaymentMethod
) -> None:
    customer_id = await line.customer()

    placed = await line.place_order(customer_id, STEEL_6KG, OrderKind.DEPOSIT, method)

    assert isinstance(placed, OrderPlaced)
    assert placed.wallet_balance is None
    (order,) = line.orders()
    assert order.id == placed.order.id
    assert order.reference.startswith("NG-")
    assert order.status is OrderStatus.AWAITING_PAYMENT
    assert order.payment_method is method
    assert order.cylinder_label == "6kg steel"
    assert order.total == STEEL_6KG_TOTAL
    assert order.amount_paid == Money(0)
    (payment,) = line.payments()
    assert payment.status is PaymentStatus.PENDING
    assert payment.purpose is PaymentPurpose.ORDER
    assert payment.order_id == order.id
    assert payment.customer_id == customer_id
    assert payment.msisdn == Msisdn(PHONE)
    assert payment.amount == STEEL_6KG_TOTAL
    assert payment.network == method.value
    assert payment.provider == "fake"
    (request,) = line.outbox()
    assert request.kind is OutboxKind.PAYMENT_REQUEST
    assert request.payload == {"reference": payment.reference}
    assert line.ledger() == []
    # The request is sent by the worker after the answer, never inside it.
    assert line.gateway.requests == []


async def test_a_refill_by_mobile_money_costs_the_gas_only(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id, kind=OrderKind.REFILL)
    assert order.kind is OrderKind.REFILL
    assert order.deposit == Money(0)
    assert order.total == STEEL_6KG_GAS
    (payment,) = line.payments()
    assert payment.amount == STEEL_6KG_GAS


async def test_wallet_order_checks_the_pin_debits_the_ledger_and_is_paid(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 500)

    placed = await line.place_order(
        customer_id, STEEL_6KG, OrderKind.DEPOSIT, PaymentMethod.WALLET, PIN
    )

    assert isinstance(placed, OrderPlaced)
    remaining = Money.cedis(500) - STEEL_6KG_TOTAL
    assert placed.wallet_balance == remaining
    (order,) = line.orders()
    assert order.status is OrderStatus.PAID
    assert order.amount_paid == STEEL_6KG_TOTAL
    assert order.expected_delivery == line.clock.now() + timedelta(days=1)
    debit = line.ledger()[-1]
    assert debit.amount == -STEEL_6KG_TOTAL
    assert debit.kind is EntryKind.ORDER_PAYMENT
    assert debit.order_id == order.id
    assert line.wallet(customer_id) == remaining
    assert line.payments() == []
    assert line.outbox(OutboxKind.PAYMENT_REQUEST) == []
    (text,) = line.sms_to(PHONE)
    assert text == line.messages.wallet_paid(order, remaining)
    assert "GHS 266.00" in text


async def test_wallet_exactly_enough_pays_to_zero(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 234)
    placed = await line.place_order(
        customer_id, STEEL_6KG, OrderKind.DEPOSIT, PaymentMethod.WALLET, PIN
    )
    assert isinstance(placed, OrderPlaced)
    assert placed.wallet_balance == Money(0)
    assert line.wallet(customer_id) == Money(0)


async def test_wallet_short_says_by_how_much_and_writes_nothing(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 100)
    before = line.snapshot()
    commits = line.db.commits

    with pytest.raises(InsufficientFunds) as error:
        await line.place_order(customer_id, STEEL_6KG, OrderKind.DEPOSIT, PaymentMethod.WALLET, PIN)

    assert error.value.shortfall_pesewas == (STEEL_6KG_TOTAL - Money.cedis(100)).pesewas == 13400
    assert line.snapshot() == before
    assert line.db.commits == commits


async def test_wrong_pin_for_a_wallet_order_counts_down_then_locks(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 500)

    async def pay(pin: str) -> OrderPlaced | PinRefused:
        return await line.place_order(
            customer_id, STEEL_6KG, OrderKind.DEPOSIT, PaymentMethod.WALLET, pin
        )

    assert await pay(WRONG_PIN) == PinRefused(locked=False, attempts_left=2)
    assert line.customers()[0].pin_failures == 1
    assert await pay(WRONG_PIN) == PinRefused(locked=False, attempts_left=1)
    assert line.sms_to(PHONE) == []
    assert await pay(WRONG_PIN) == PinRefused(locked=True)

    (customer,) = line.customers()
    assert customer.pin_locked_until == line.clock.now() + timedelta(minutes=30)
    assert line.sms_to(PHONE) == [line.messages.pin_locked()]
    # Locked: even the right PIN is refused, and nothing is paid.
    assert await pay(PIN) == PinRefused(locked=True)
    assert line.orders() == []
    assert line.wallet(customer_id) == Money.cedis(500)
    # Thirty minutes later the right PIN works again.
    line.clock.advance(minutes=30)
    assert isinstance(await pay(PIN), OrderPlaced)


async def test_a_right_pin_clears_earlier_wrong_ones(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 500)
    await line.place_order(
        customer_id, STEEL_6KG, OrderKind.DEPOSIT, PaymentMethod.WALLET, WRONG_PIN
    )
    await line.wallet_order(customer_id)
    assert line.customers()[0].pin_failures == 0


async def test_pay_on_delivery_places_the_order_unpaid(line: Line) -> None:
    customer_id = await line.customer()

    order = await line.on_delivery_order(customer_id)

    assert order.status is OrderStatus.PAY_ON_DELIVERY
    assert order.amount_paid == Money(0)
    assert order.expected_delivery == line.clock.now() + timedelta(days=1)
    assert line.payments() == []
    assert line.ledger() == []
    (text,) = line.sms_to(PHONE)
    assert text == line.messages.on_delivery(order)
    assert "GHS 234.00" in text


async def test_an_order_placed_for_a_known_contact_tells_that_contact(line: Line) -> None:
    """The dialogue passes the number and language it already holds: no customer read."""
    customer_id = await line.customer()
    contact = Contact(Msisdn("+233244999999"), "en")

    on_delivery = await line.place_order(
        customer_id, STEEL_6KG, OrderKind.DEPOSIT, PaymentMethod.ON_DELIVERY, contact=contact
    )
    momo = await line.place_order(
        customer_id, STEEL_6KG, OrderKind.DEPOSIT, PaymentMethod.MTN, contact=contact
    )

    assert isinstance(on_delivery, OrderPlaced) and isinstance(momo, OrderPlaced)
    assert line.sms_to("+233244999999") == [line.messages.on_delivery(on_delivery.order)]
    (payment,) = line.payments()
    assert (payment.customer_id, payment.msisdn) == (customer_id, contact.msisdn)


async def test_an_unknown_or_withdrawn_cylinder_is_not_found(line: Line) -> None:
    customer_id = await line.customer()
    with pytest.raises(NotFound):
        await line.momo_order(customer_id, cylinder=99)
    line.db.tables["cylinder_types"][STEEL_3KG].active = False
    with pytest.raises(NotFound):
        await line.momo_order(customer_id, cylinder=STEEL_3KG)
    assert line.orders() == []
    assert line.outbox() == []


async def test_an_order_takes_the_price_in_force_when_it_is_placed(line: Line) -> None:
    customer_id = await line.customer()
    tomorrow = line.clock.now() + timedelta(days=1)
    async with line.uow() as uow:
        await uow.catalogue.add_price(PriceChange(STEEL_6KG, Money(15000), Money(9000), tomorrow))
        await uow.commit()

    today = await line.momo_order(customer_id, kind=OrderKind.REFILL)
    line.clock.set(tomorrow)
    later = await line.momo_order(customer_id, kind=OrderKind.REFILL)

    assert today.gas_price == Money(8400)
    assert later.gas_price == Money(9000)


async def test_order_references_are_unique(line: Line) -> None:
    customer_id = await line.customer()
    references = {(await line.on_delivery_order(customer_id)).reference for _ in range(30)}
    assert len(references) == 30


# ================================================================ TopUpWallet


async def test_top_up_is_a_pending_payment_and_credits_nothing_yet(line: Line) -> None:
    customer_id = await line.customer()

    requested = await line.top_up(customer_id, Money.cedis(50), PaymentMethod.TELECEL)

    (payment,) = line.payments()
    assert requested.reference == payment.reference
    assert requested.amount == Money.cedis(50)
    assert payment.purpose is PaymentPurpose.TOPUP
    assert payment.order_id is None
    assert payment.network == "telecel"
    assert payment.status is PaymentStatus.PENDING
    (request,) = line.outbox()
    assert request.kind is OutboxKind.PAYMENT_REQUEST
    assert request.payload["reference"] == payment.reference
    assert line.ledger() == []


@pytest.mark.parametrize("method", [PaymentMethod.WALLET, PaymentMethod.ON_DELIVERY])
async def test_a_top_up_is_paid_by_mobile_money_only(line: Line, method: PaymentMethod) -> None:
    customer_id = await line.customer()
    with pytest.raises(ValueError):
        await line.top_up(customer_id, Money.cedis(50), method)
    assert line.payments() == []


# ================================================================ ConfirmPayment


async def test_a_confirmed_top_up_credits_the_wallet_once(line: Line) -> None:
    customer_id = await line.customer()
    requested = await line.top_up(customer_id, Money.cedis(50), PaymentMethod.MTN)
    line.gateway.will_succeed("MTN-777")

    assert await line.confirm(requested.reference) is Settlement.SUCCEEDED

    (payment,) = line.payments()
    assert payment.status is PaymentStatus.SUCCESSFUL
    assert payment.provider_reference == "MTN-777"
    (entry,) = line.ledger()
    assert entry.kind is EntryKind.TOPUP
    assert entry.amount == Money.cedis(50)
    assert entry.payment_id == payment.id
    assert line.sms_to(PHONE) == [line.messages.topup_paid(Money.cedis(50), Money.cedis(50))]

    before = line.snapshot()
    assert await line.confirm(requested.reference) is Settlement.ALREADY_FINAL
    assert await line.confirm(requested.reference) is Settlement.ALREADY_FINAL
    assert line.snapshot() == before
    assert line.wallet(customer_id) == Money.cedis(50)
    assert line.gateway.queries == [requested.reference]


async def test_a_confirmed_order_payment_marks_the_order_paid_with_a_receipt(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    (payment,) = line.payments()
    line.gateway.will_succeed()

    assert await line.confirm(payment.reference) is Settlement.SUCCEEDED

    paid = line.order(order.reference)
    assert paid.status is OrderStatus.PAID
    assert paid.amount_paid == STEEL_6KG_TOTAL
    assert line.sms_to(PHONE) == [line.messages.order_paid(paid)]
    assert "GHS 234.00" in line.sms_to(PHONE)[0]
    assert line.ledger() == []

    before = line.snapshot()
    assert await line.confirm(payment.reference) is Settlement.ALREADY_FINAL
    assert line.snapshot() == before


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (FailureReason.DECLINED, "you declined the prompt"),
        (FailureReason.TIMED_OUT, "the prompt was not approved in time"),
        (FailureReason.NOT_ENOUGH_FUNDS, "not enough money"),
        (None, "the network could not complete it"),
    ],
)
async def test_a_failed_order_payment_says_why_in_plain_words(
    line: Line, reason: FailureReason | None, words: str
) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    (payment,) = line.payments()
    line.gateway.will_fail(reason)

    assert await line.confirm(payment.reference) is Settlement.FAILED

    (failed,) = line.payments()
    assert failed.status is PaymentStatus.FAILED
    assert failed.failure_reason is (reason or FailureReason.ERROR)
    assert line.order(order.reference).status is OrderStatus.PAYMENT_FAILED
    (text,) = line.sms_to(PHONE)
    assert words in text
    assert order.reference in text
    assert "*384*303#" in text  # how to retry
    assert "_" not in text  # no enum values in the customer's words
    assert line.ledger() == []


async def test_a_failed_top_up_credits_nothing_and_says_why(line: Line) -> None:
    customer_id = await line.customer()
    requested = await line.top_up(customer_id, Money.cedis(80), PaymentMethod.MTN)
    line.gateway.will_fail(FailureReason.TIMED_OUT)

    assert await line.confirm(requested.reference) is Settlement.FAILED

    assert line.ledger() == []
    (text,) = line.sms_to(PHONE)
    assert "GHS 80.00" in text and "not approved in time" in text


async def test_confirm_of_an_unknown_reference_changes_nothing(line: Line) -> None:
    await line.customer()
    before = line.snapshot()
    assert await line.confirm("PNOSUCHPAYMT") is Settlement.UNKNOWN
    assert line.snapshot() == before
    assert line.gateway.queries == []


async def test_a_payment_still_pending_changes_nothing(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    (payment,) = line.payments()
    before = line.snapshot()

    assert await line.confirm(payment.reference) is Settlement.STILL_PENDING

    assert line.snapshot() == before
    assert line.order(order.reference).status is OrderStatus.AWAITING_PAYMENT
    assert line.gateway.queries == [payment.reference]


async def test_a_payment_succeeding_after_the_order_was_cancelled_goes_to_the_wallet(
    line: Line,
) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    (payment,) = line.payments()
    cancelled = await line.cancel(customer_id, order.reference, PIN)
    assert isinstance(cancelled, Cancelled)
    assert cancelled.refund == Money(0)
    line.gateway.will_succeed()

    assert await line.confirm(payment.reference) is Settlement.SUCCEEDED

    assert line.order(order.reference).status is OrderStatus.CANCELLED
    (refund,) = line.ledger()
    assert refund.kind is EntryKind.REFUND
    assert refund.amount == STEEL_6KG_TOTAL
    assert refund.order_id == order.id
    assert refund.payment_id == payment.id
    assert line.sms_to(PHONE)[-1] == line.messages.refunded(
        line.order(order.reference), STEEL_6KG_TOTAL, STEEL_6KG_TOTAL
    )


async def test_a_payment_succeeding_on_an_order_already_paid_is_not_lost(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    (payment,) = line.payments()
    await line.move(order.reference, OrderStatus.PAID)  # e.g. the customer paid cash
    line.gateway.will_succeed()

    await line.confirm(payment.reference)

    assert line.payments()[0].status is PaymentStatus.SUCCESSFUL
    assert line.wallet(customer_id) == STEEL_6KG_TOTAL


async def test_order_view_says_a_payment_is_pending(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    view = await GetOrder(line.uow)(customer_id, order.reference)
    assert view.payment_pending
    line.gateway.will_fail(FailureReason.DECLINED)
    await line.confirm(line.payments()[0].reference)
    view = await GetOrder(line.uow)(customer_id, order.reference)
    assert not view.payment_pending
    assert view.order.status is OrderStatus.PAYMENT_FAILED


async def test_an_order_of_another_customer_is_not_found(line: Line) -> None:
    mine = await line.customer()
    theirs = await line.customer(OTHER_PHONE)
    order = await line.on_delivery_order(theirs)
    with pytest.raises(NotFound):
        await GetOrder(line.uow)(mine, order.reference)
    with pytest.raises(NotFound):
        await line.cancel(mine, order.reference, PIN)
    assert line.order(order.reference).status is OrderStatus.PAY_ON_DELIVERY


# ================================================================ SendPaymentRequest


async def test_an_accepted_request_prompts_the_payer_and_changes_nothing(line: Line) -> None:
    customer_id = await line.customer()
    await line.momo_order(customer_id)
    (payment,) = line.payments()
    before = line.snapshot()

    await line.send_request(payment.reference)

    assert line.gateway.requests == [(payment.reference, "Demo Gas")]
    assert line.snapshot() == before


@pytest.mark.parametrize("reason", [FailureReason.PAYER_NOT_FOUND, FailureReason.DECLINED])
async def test_a_refused_request_settles_the_payment_as_failed(
    line: Line, reason: FailureReason
) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    (payment,) = line.payments()
    line.gateway.will_refuse_requests(reason, retryable=False)

    await line.send_request(payment.reference)

    (failed,) = line.payments()
    assert failed.status is PaymentStatus.FAILED
    assert failed.failure_reason is reason
    assert line.order(order.reference).status is OrderStatus.PAYMENT_FAILED
    (text,) = line.sms_to(PHONE)
    assert line.messages.reason(reason) in text


async def test_a_request_the_provider_cannot_take_now_raises_for_a_retry(line: Line) -> None:
    customer_id = await line.customer()
    await line.momo_order(customer_id)
    (payment,) = line.payments()
    line.gateway.will_refuse_requests(FailureReason.ERROR, retryable=True)
    before = line.snapshot()

    with pytest.raises(PaymentRequestFailed):
        await line.send_request(payment.reference)

    assert line.snapshot() == before


async def test_no_request_is_sent_for_a_final_or_unknown_payment(line: Line) -> None:
    customer_id = await line.customer()
    requested = await line.top_up(customer_id, Money.cedis(50), PaymentMethod.MTN)
    line.gateway.will_succeed()
    await line.confirm(requested.reference)

    await line.send_request(requested.reference)
    await line.send_request("PNOSUCHPAYMT")

    assert line.gateway.requests == []


# ================================================================ DispatchOutbox


def outbox_by_id(line: Line, message_id: int | None) -> OutboxMessage:
    (found,) = [m for m in line.outbox() if m.id == message_id]
    return found


async def test_the_worker_sends_each_sms_once(line: Line) -> None:
    await line.register()(a_registration())
    dispatch = line.dispatcher()

    assert await dispatch.run_once() == 1

    (sent,) = line.sms.sent
    assert sent.to == PHONE
    (message,) = line.outbox()
    assert message.status is OutboxStatus.SENT
    assert message.sent_at == line.clock.now()
    assert message.attempts == 1
    line.clock.advance(hours=1)
    assert await dispatch.run_once() == 0
    assert len(line.sms.sent) == 1


async def test_an_sms_error_is_retried_after_a_back_off(line: Line) -> None:
    await line.register()(a_registration())
    dispatch = line.dispatcher()
    line.sms.fail(times=1)
    start = line.clock.now()

    assert await dispatch.run_once() == 1

    (message,) = line.outbox()
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == start + timedelta(seconds=5)
    assert message.last_error and "simulated" in message.last_error
    assert line.sms.sent == []
    assert await dispatch.run_once() == 0  # not due yet
    line.clock.advance(seconds=4)
    assert await dispatch.run_once() == 0
    line.clock.advance(seconds=1)
    assert await dispatch.run_once() == 1
    assert len(line.sms.sent) == 1
    assert line.outbox()[0].status is OutboxStatus.SENT
    assert line.outbox()[0].attempts == 2


async def test_the_back_off_doubles_and_gives_up_after_the_last_attempt(line: Line) -> None:
    await line.register()(a_registration())
    dispatch = line.dispatcher()
    line.sms.fail(times=None)
    waits: list[timedelta] = []

    for _ in range(MAX_ATTEMPTS):
        before = line.clock.now()
        assert await dispatch.run_once() == 1
        message = line.outbox()[0]
        if message.status is OutboxStatus.PENDING:
            assert message.next_attempt_at is not None
            waits.append(message.next_attempt_at - before)
            line.clock.set(message.next_attempt_at)

    (message,) = line.outbox()
    assert message.status is OutboxStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert waits == [timedelta(seconds=5 * 2**n) for n in range(MAX_ATTEMPTS - 1)]
    line.sms.recover()
    line.clock.advance(days=1)
    assert await dispatch.run_once() == 0
    assert line.sms.sent == []


def test_the_back_off_is_capped_at_ten_minutes() -> None:
    assert backoff(1) == timedelta(seconds=5)
    assert backoff(2) == timedelta(seconds=10)
    assert backoff(20) == timedelta(minutes=10)


async def test_a_permanent_sms_failure_is_recorded_and_not_retried(line: Line) -> None:
    await line.register()(a_registration())
    dispatch = line.dispatcher()
    line.sms.fail(times=1, permanent=True)

    assert await dispatch.run_once() == 1

    (message,) = line.outbox()
    assert message.status is OutboxStatus.FAILED
    assert message.last_error == "simulated SMS failure"
    line.clock.advance(hours=1)
    assert await dispatch.run_once() == 0
    assert line.sms.sent == []


async def test_two_workers_at_once_never_send_a_message_twice(line: Line) -> None:
    for n in range(5):
        await line.register()(a_registration(f"+23324123450{n}"))
    slow = SlowSmsSender(line.sms)

    handled = await asyncio.gather(
        line.dispatcher(slow).run_once(), line.dispatcher(slow).run_once()
    )

    assert sum(handled) == 5
    assert sorted(sms.to for sms in line.sms.sent) == [f"+23324123450{n}" for n in range(5)]
    assert all(m.status is OutboxStatus.SENT for m in line.outbox())


async def test_a_message_claimed_by_another_worker_is_not_sent_again(line: Line) -> None:
    await line.register()(a_registration())
    async with line.uow() as uow:  # another worker took it and is still on it
        now = line.clock.now()
        (claimed,) = await uow.outbox.claim_due(now, 10, now + LEASE)
        await uow.commit()

    dispatch = line.dispatcher()
    assert await dispatch.run_once() == 0
    line.clock.advance(LEASE - timedelta(seconds=1))
    assert await dispatch.run_once() == 0
    assert line.sms.sent == []
    # That worker died: once its lease is over, the message is sent after all.
    line.clock.advance(seconds=2)
    assert await dispatch.run_once() == 1
    assert [sms.to for sms in line.sms.sent] == [PHONE]
    assert outbox_by_id(line, claimed.id).status is OutboxStatus.SENT


async def test_the_worker_sends_payment_requests_through_the_provider(line: Line) -> None:
    customer_id = await line.customer()
    await line.momo_order(customer_id)
    (payment,) = line.payments()

    assert await line.dispatcher().run_once() == 1

    assert line.gateway.requests == [(payment.reference, "Demo Gas")]
    assert line.outbox()[0].status is OutboxStatus.SENT
    assert line.sms.sent == []


async def test_a_payment_request_the_provider_cannot_take_is_retried(line: Line) -> None:
    customer_id = await line.customer()
    await line.momo_order(customer_id)
    dispatch = line.dispatcher()
    line.gateway.will_refuse_requests(FailureReason.ERROR, retryable=True)

    await dispatch.run_once()

    (message,) = line.outbox()
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 1
    line.gateway.request_result = PaymentRequestResult(accepted=True)
    line.clock.advance(seconds=5)
    await dispatch.run_once()
    assert line.outbox()[0].status is OutboxStatus.SENT
    assert len(line.gateway.requests) == 2
    assert line.payments()[0].status is PaymentStatus.PENDING


async def test_a_refused_payment_request_fails_the_order_and_the_sms_follows(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    dispatch = line.dispatcher()
    line.gateway.will_refuse_requests(FailureReason.PAYER_NOT_FOUND, retryable=False)

    await dispatch.run_once()
    await dispatch.run_once()

    assert line.order(order.reference).status is OrderStatus.PAYMENT_FAILED
    assert [m.status for m in line.outbox()] == [OutboxStatus.SENT, OutboxStatus.SENT]
    (sms,) = line.sms.sent
    assert "no mobile money wallet" in sms.text


# ================================================================ SweepPendingPayments


async def test_the_sweep_checks_only_payments_pending_over_five_minutes(line: Line) -> None:
    customer_id = await line.customer()
    old = await line.top_up(customer_id, Money.cedis(10), PaymentMethod.MTN)
    line.clock.advance(minutes=4)
    young = await line.top_up(customer_id, Money.cedis(20), PaymentMethod.MTN)
    line.gateway.will_succeed()

    line.clock.advance(seconds=59)
    assert await line.sweep() == 0
    assert line.gateway.queries == []

    line.clock.advance(seconds=2)  # the first is now 5 min 1 s old, the second 1 min 1 s
    assert await line.sweep() == 1
    assert line.gateway.queries == [old.reference]
    statuses = {p.reference: p.status for p in line.payments()}
    assert statuses == {
        old.reference: PaymentStatus.SUCCESSFUL,
        young.reference: PaymentStatus.PENDING,
    }
    assert line.wallet(customer_id) == Money.cedis(10)

    line.clock.advance(minutes=5)
    assert await line.sweep() == 1
    assert line.gateway.queries == [old.reference, young.reference]
    assert line.wallet(customer_id) == Money.cedis(30)
    assert await line.sweep() == 0


async def test_the_sweep_leaves_a_payment_the_provider_still_has_pending(line: Line) -> None:
    customer_id = await line.customer()
    await line.top_up(customer_id, Money.cedis(10), PaymentMethod.MTN)
    line.clock.advance(minutes=6)
    assert await line.sweep() == 1
    assert await line.sweep() == 1  # asked again next round
    assert line.payments()[0].status is PaymentStatus.PENDING


async def test_the_sweep_fails_a_payment_still_pending_after_a_day(line: Line) -> None:
    customer_id = await line.customer()
    await line.top_up(customer_id, Money.cedis(10), PaymentMethod.MTN)
    line.clock.advance(hours=23, minutes=59)
    await line.sweep()
    assert line.payments()[0].status is PaymentStatus.PENDING

    line.clock.advance(minutes=2)
    assert await line.sweep() == 1
    (payment,) = line.payments()
    assert payment.status is PaymentStatus.FAILED
    assert payment.failure_reason is FailureReason.TIMED_OUT
    assert await line.sweep() == 0  # it no longer takes a place in the sweep
    assert line.wallet(customer_id) == Money(0)


# ================================================================ CancelOrder


async def test_cancel_behind_the_pin_refunds_to_the_wallet_ledger(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 500)
    order = await line.wallet_order(customer_id)

    cancelled = await line.cancel(customer_id, order.reference, PIN)

    assert isinstance(cancelled, Cancelled)
    assert cancelled.refund == STEEL_6KG_TOTAL
    stored = line.order(order.reference)
    assert stored.status is OrderStatus.CANCELLED
    assert stored.amount_paid == Money(0)
    refund = line.ledger()[-1]
    assert refund.kind is EntryKind.REFUND
    assert refund.amount == STEEL_6KG_TOTAL
    assert refund.order_id == order.id
    assert line.wallet(customer_id) == Money.cedis(500)
    assert line.sms_to(PHONE)[-1] == line.messages.refunded(
        stored, STEEL_6KG_TOTAL, Money.cedis(500)
    )


async def test_cancel_of_an_unpaid_order_refunds_nothing(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.on_delivery_order(customer_id)

    cancelled = await line.cancel(customer_id, order.reference, PIN)

    assert isinstance(cancelled, Cancelled)
    assert cancelled.refund == Money(0)
    assert line.ledger() == []
    assert line.sms_to(PHONE)[-1] == line.messages.status_changed(line.order(order.reference))


async def test_cancel_with_a_wrong_pin_cancels_nothing(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.on_delivery_order(customer_id)

    refused = await line.cancel(customer_id, order.reference, WRONG_PIN)

    assert refused == PinRefused(locked=False, attempts_left=2)
    assert line.order(order.reference).status is OrderStatus.PAY_ON_DELIVERY


async def test_an_order_cannot_be_cancelled_after_dispatch(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 500)
    order = await line.wallet_order(customer_id)
    await line.move(order.reference, OrderStatus.DISPATCHED)
    before = line.snapshot()

    with pytest.raises(NotCancellable):
        await line.cancel(customer_id, order.reference, PIN)

    assert line.snapshot() == before
    assert line.order(order.reference).status is OrderStatus.DISPATCHED


# ================================================================ CheckBalance


async def test_balance_shows_wallet_cylinders_held_and_open_orders(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 1000)
    # Paid from the wallet: held (GHS 150 deposit) and open.
    await line.wallet_order(customer_id, STEEL_6KG)
    # Paid on delivery and delivered: held (GHS 250 deposit), no longer open.
    delivered = await line.on_delivery_order(customer_id, STEEL_12KG)
    await line.move(delivered.reference, OrderStatus.DISPATCHED)
    await line.move(delivered.reference, OrderStatus.DELIVERED)
    # A refill from the wallet: open, but no new cylinder.
    await line.wallet_order(customer_id, STEEL_6KG, OrderKind.REFILL)
    # Awaiting mobile money: open, not held yet.
    await line.momo_order(customer_id, STEEL_3KG)
    # Cancelled: neither.
    cancelled = await line.on_delivery_order(customer_id, STEEL_3KG)
    await line.cancel(customer_id, cancelled.reference, PIN)
    # Another customer's orders do not count.
    other = await line.customer(OTHER_PHONE)
    await line.on_delivery_order(other)

    balance = await line.check_balance(customer_id, PIN)

    assert balance == Balance(
        wallet=Money.cedis(1000) - STEEL_6KG_TOTAL - STEEL_6KG_GAS,
        cylinders=2,
        deposits=Money(15000 + 25000),
        open_orders=3,
    )


async def test_balance_of_a_new_customer_is_all_zero(line: Line) -> None:
    customer_id = await line.customer()
    assert await line.check_balance(customer_id, PIN) == Balance(Money(0), 0, Money(0), 0)


async def test_balance_needs_the_pin(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 10)
    assert await line.check_balance(customer_id, WRONG_PIN) == PinRefused(False, 2)
    assert line.customers()[0].pin_failures == 1


# ================================================================ care


async def test_a_call_back_opens_a_ticket_and_tells_the_customer(line: Line) -> None:
    customer_id = await line.customer()

    ticket = await RequestCallback(line.uow, line.clock, line.messages)(
        customer_id, PHONE, TicketTopic.UNDERWEIGHT
    )

    assert ticket.id is not None
    assert ticket.number == f"T{ticket.id:05d}"
    assert ticket.topic is TicketTopic.UNDERWEIGHT
    assert not ticket.urgent
    assert ticket.status is TicketStatus.OPEN
    (stored,) = line.db.rows("tickets")
    assert stored == ticket
    (text,) = line.sms_to(PHONE)
    assert ticket.number in text


async def test_a_caller_not_registered_can_ask_for_a_call_back(line: Line) -> None:
    ticket = await RequestCallback(line.uow, line.clock, line.messages)(
        None, OTHER_PHONE, TicketTopic.OTHER
    )
    assert ticket.customer_id is None
    assert len(line.sms_to(OTHER_PHONE)) == 1


async def test_a_gas_leak_opens_an_urgent_ticket_advises_and_alerts_staff(line: Line) -> None:
    customer_id = await line.customer()

    ticket = await ReportGasLeak(line.uow, line.clock, line.messages, STAFF)(customer_id, PHONE)

    assert ticket.urgent
    assert ticket.topic is TicketTopic.GAS_LEAK
    assert line.db.rows("tickets") == [ticket]
    assert line.sms_to(PHONE) == [line.messages.leak_advice()]
    for number in STAFF:
        (alert,) = line.sms_to(number)
        assert PHONE in alert and ticket.number in alert
    assert len(line.outbox()) == 1 + len(STAFF)


async def test_a_gas_leak_is_still_recorded_with_no_staff_numbers(line: Line) -> None:
    ticket = await ReportGasLeak(line.uow, line.clock, line.messages, ())(None, PHONE)
    assert ticket.id is not None
    assert len(line.outbox()) == 1


# ================================================================ staff


async def test_staff_verify_a_customer_who_gets_an_sms(line: Line) -> None:
    await line.customer(verified=False)

    customer = await VerifyCustomer(line.uow, line.clock, line.messages)(Msisdn(PHONE))

    assert customer.status is VerificationStatus.VERIFIED
    (stored,) = line.customers()
    assert stored.status is VerificationStatus.VERIFIED
    assert stored.verified_at == line.clock.now()
    assert line.sms_to(PHONE) == [line.messages.verified(stored)]


async def test_staff_reject_a_customer_who_gets_an_sms(line: Line) -> None:
    await line.customer(verified=False)

    await VerifyCustomer(line.uow, line.clock, line.messages)(Msisdn(PHONE), approve=False)

    assert line.customers()[0].status is VerificationStatus.REJECTED
    assert line.sms_to(PHONE) == [line.messages.rejected()]


async def test_staff_cannot_verify_an_unknown_number(line: Line) -> None:
    with pytest.raises(NotFound):
        await VerifyCustomer(line.uow, line.clock, line.messages)(Msisdn(PHONE))
    assert line.outbox() == []


async def test_staff_unlock_a_locked_pin(line: Line) -> None:
    customer_id = await line.customer()
    for _ in range(3):
        await line.verify_pin(customer_id, WRONG_PIN)
    assert await line.verify_pin(customer_id, PIN) == PinRefused(locked=True)

    await UnlockPin(line.uow, line.clock)(Msisdn(PHONE))

    assert await line.verify_pin(customer_id, PIN) is None
    assert line.customers()[0].pin_locked_until is None
    with pytest.raises(NotFound):
        await UnlockPin(line.uow, line.clock)(Msisdn(OTHER_PHONE))


async def test_each_status_change_by_staff_sends_an_sms(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    ref = order.reference

    paid = await line.move(ref, OrderStatus.PAID)
    assert paid.amount_paid == STEEL_6KG_TOTAL
    assert paid.expected_delivery == line.clock.now() + timedelta(days=1)
    assert line.sms_to(PHONE) == [line.messages.order_paid(paid)]

    line.clock.advance(hours=2)
    dispatched = await line.move(ref, OrderStatus.DISPATCHED)
    assert line.order(ref).status_changed_at == line.clock.now()
    assert line.sms_to(PHONE)[-1] == line.messages.status_changed(dispatched)
    assert "on its way" in line.sms_to(PHONE)[-1]

    delivered = await line.move(ref, OrderStatus.DELIVERED)
    assert line.sms_to(PHONE)[-1] == line.messages.status_changed(delivered)
    assert "delivered" in line.sms_to(PHONE)[-1]
    assert len(line.sms_to(PHONE)) == 3
    assert line.order(ref).status is OrderStatus.DELIVERED


async def test_a_pay_on_delivery_order_is_paid_once_delivered(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.on_delivery_order(customer_id)
    await line.move(order.reference, OrderStatus.DISPATCHED)
    await line.move(order.reference, OrderStatus.DELIVERED)
    stored = line.order(order.reference)
    assert stored.amount_paid == stored.total
    assert len(line.sms_to(PHONE)) == 3  # placed, dispatched, delivered


async def test_staff_cancel_refunds_what_was_paid(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 500)
    order = await line.wallet_order(customer_id)

    await line.move(order.reference, OrderStatus.CANCELLED)

    assert line.order(order.reference).status is OrderStatus.CANCELLED
    assert line.wallet(customer_id) == Money.cedis(500)
    assert "refunded" in line.sms_to(PHONE)[-1]


async def test_staff_cannot_make_a_move_the_status_machine_refuses(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    before = line.snapshot()
    with pytest.raises(TransitionNotAllowed):
        await line.move(order.reference, OrderStatus.DISPATCHED)
    with pytest.raises(NotFound):
        await line.move("NG-ZZZZZZ", OrderStatus.DISPATCHED)
    assert line.snapshot() == before


# ================================================================ ChangePin, ChangeAddress


async def test_change_pin_stores_the_new_hash_clears_a_lock_and_sends_an_sms(line: Line) -> None:
    customer_id = await line.customer()
    for _ in range(3):
        await line.verify_pin(customer_id, WRONG_PIN)

    await ChangePin(line.uow, line.clock, line.messages)(customer_id, "hashed:3071")

    (customer,) = line.customers()
    assert customer.pin_hash == "hashed:3071"
    assert customer.pin_failures == 0
    assert customer.pin_locked_until is None
    assert await line.verify_pin(customer_id, "3071") is None
    assert await line.verify_pin(customer_id, PIN) == PinRefused(False, 2)
    assert line.sms_to(PHONE)[-1] == line.messages.pin_changed()


async def test_change_address_stores_it_and_sends_an_sms(line: Line) -> None:
    customer_id = await line.customer()
    change = ChangeAddress(line.uow, line.clock, line.messages)

    await change(customer_id, "Kumasi", DigitalAddress("AK-0123-4567"))

    (customer,) = line.customers()
    assert customer.town == "Kumasi"
    assert customer.digital_address == DigitalAddress("AK-0123-4567")
    assert line.sms_to(PHONE) == [line.messages.address_changed(customer)]
    assert "Kumasi, AK-0123-4567" in line.sms_to(PHONE)[0]

    await change(customer_id, "Tamale", None)
    assert line.customers()[0].digital_address is None
    assert "Tamale, no GPS address" in line.sms_to(PHONE)[-1]


async def test_changes_for_an_unknown_customer_are_not_found(line: Line) -> None:
    with pytest.raises(NotFound):
        await ChangePin(line.uow, line.clock, line.messages)(404, "hashed:3071")
    with pytest.raises(NotFound):
        await ChangeAddress(line.uow, line.clock, line.messages)(404, "Accra", None)
    assert line.outbox() == []
