"""The ports: what the application needs from the world, declared once, here.

Adapters implement these Protocols; tests use working in-memory fakes of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from lpg_ussd.domain.api_key import ApiKey
from lpg_ussd.domain.audit import AuditEntry
from lpg_ussd.domain.catalogue import CylinderType, PriceChange
from lpg_ussd.domain.customer import Customer, VerificationStatus
from lpg_ussd.domain.ledger import LedgerEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderStatus
from lpg_ussd.domain.outbox import OutboxMessage
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentStatus
from lpg_ussd.domain.staff import StaffUser
from lpg_ussd.domain.ticket import Ticket

if TYPE_CHECKING:
    from lpg_ussd.application.ussd.session import SessionRecord


class Clock(Protocol):
    """The time now, timezone-aware UTC."""

    def now(self) -> datetime: ...


class PinHasher(Protocol):
    """Slow salted hashing of PINs; never keeps or logs the PIN itself."""

    async def hash(self, pin: str) -> str: ...

    async def verify(self, pin_hash: str, pin: str) -> bool: ...


class CustomerRepository(Protocol):
    async def get(self, customer_id: int) -> Customer | None: ...

    async def get_by_msisdn(self, msisdn: Msisdn) -> Customer | None: ...

    async def add(self, customer: Customer) -> Customer:
        """Store a new customer and return it with its id; AlreadyExists on a taken number."""
        ...

    async def update(self, customer: Customer) -> None: ...

    async def list(
        self, status: VerificationStatus | None = None, search: str | None = None, limit: int = 50
    ) -> list[Customer]: ...


class CatalogueRepository(Protocol):
    async def list_active(self, at: datetime) -> list[CylinderType]:
        """Cylinder types on sale with the price in force at `at`, smallest first."""
        ...

    async def get(self, cylinder_type_id: int, at: datetime) -> CylinderType | None: ...

    async def add_price(self, change: PriceChange) -> None: ...

    async def list_all(self, at: datetime) -> list[CylinderType]:
        """Every cylinder type, on sale or not, with the price in force at `at`, by sort
        order; a type with no price in force yet is left out."""
        ...

    async def list_price_changes(self, after: datetime) -> list[PriceChange]:
        """The price changes that take effect after `after`, soonest first."""
        ...

    async def set_active(self, cylinder_type_id: int, active: bool) -> None:
        """Put a cylinder type on sale or take it off; NotFound for an unknown id."""
        ...


class OrderRepository(Protocol):
    async def add(self, order: Order, notice: OutboxMessage | None = None) -> Order:
        """Store and return with id; AlreadyExists when the reference is taken (and nothing
        is stored). `notice`, the message telling the customer, is stored with the order in
        the same write, and given its id."""
        ...

    async def get(self, order_id: int) -> Order | None: ...

    async def get_by_reference(self, reference: str) -> Order | None: ...

    async def update(self, order: Order) -> None: ...

    async def list_for_customer(self, customer_id: int, limit: int, offset: int = 0) -> list[Order]:
        """Newest first."""
        ...

    async def list_page(self, after_id: int, limit: int) -> list[Order]:
        """Up to `limit` orders whose id is above `after_id`, by id: a walk over every order
        (the reconciliation), one page at a time."""
        ...

    async def list(self, status: OrderStatus | None = None, limit: int = 50) -> list[Order]: ...


class PaymentRepository(Protocol):
    async def add(self, payment: Payment) -> Payment: ...

    async def get_by_reference(self, reference: str, *, for_update: bool = False) -> Payment | None:
        """The payment with this reference, or None.

        `for_update=True` locks the payment until the unit of work ends and reads its latest
        committed state, waiting for any other unit of work that holds it (SELECT ... FOR
        UPDATE). Read so before settling a payment: of two callbacks for it at once, the
        second then finds it final instead of crediting it again.
        """
        ...

    async def update(self, payment: Payment) -> None: ...

    async def list_pending_before(self, before: datetime, limit: int = 100) -> list[Payment]: ...

    async def has_pending_for_order(self, order_id: int) -> bool: ...

    async def list_page(self, after_id: int, limit: int) -> list[Payment]:
        """Up to `limit` payments whose id is above `after_id`, by id: a walk over every
        payment, one page at a time."""
        ...

    async def list_for_orders(self, order_ids: Sequence[int]) -> list[Payment]:
        """Every payment of these orders, whatever its status, by id."""
        ...

    async def list_for_customer(self, customer_id: int, limit: int = 20) -> list[Payment]:
        """Newest first."""
        ...

    async def list(self, status: PaymentStatus | None = None, limit: int = 50) -> list[Payment]: ...


class LedgerRepository(Protocol):
    async def add(self, entry: LedgerEntry) -> None: ...

    async def balance(self, customer_id: int) -> Money: ...

    async def list_for(
        self, order_ids: Sequence[int] = (), payment_ids: Sequence[int] = ()
    ) -> list[LedgerEntry]:
        """The entries naming one of these orders or one of these payments, by id, with ids."""
        ...

    async def negative_balances(self, limit: int = 100) -> list[tuple[int, Money]]:
        """(customer id, balance) of the wallets below zero, by customer id."""
        ...


class TicketRepository(Protocol):
    async def add(self, ticket: Ticket) -> Ticket: ...

    async def get(self, ticket_id: int) -> Ticket | None: ...

    async def update(self, ticket: Ticket) -> None: ...

    async def list_open(self, limit: int = 50) -> list[Ticket]:
        """Urgent tickets (gas leaks) first, then the longest waiting."""
        ...

    async def list_for_customer(self, customer_id: int, limit: int = 20) -> list[Ticket]:
        """Newest first."""
        ...

    async def list_resolved(self, limit: int = 50) -> list[Ticket]:
        """The latest resolved first."""
        ...


class OutboxRepository(Protocol):
    async def add(self, message: OutboxMessage) -> None: ...

    async def claim_due(
        self, now: datetime, limit: int, lease_until: datetime
    ) -> list[OutboxMessage]:
        """Take due pending messages, hiding them from other workers until `lease_until`."""
        ...

    async def mark_sent(self, message_ids: Sequence[int], now: datetime) -> None:
        """NotFound when any of them is not stored."""
        ...

    async def mark_retry(self, message_id: int, error: str, next_attempt_at: datetime) -> None: ...

    async def mark_failed(self, message_id: int, error: str) -> None: ...

    async def list(self, limit: int = 100) -> list[OutboxMessage]: ...


class SessionStatus(StrEnum):
    """How a gateway says a USSD session ended."""

    SUCCESS = "success"
    INCOMPLETE = "incomplete"  # a timeout or a cancel: the customer may dial again to resume
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SessionOutcomeCount:
    day: date
    gateway: str
    status: SessionStatus
    screen: str  # the screen the session was last on
    count: int


class SessionOutcomeRepository(Protocol):
    """How USSD sessions ended, counted by day, gateway, status and last screen (drop-off)."""

    async def increment(self, day: date, gateway: str, status: SessionStatus, screen: str) -> None:
        """One more session ended so; concurrent increments of one count all add up."""
        ...

    async def counts(self, since: date | None = None) -> list[SessionOutcomeCount]:
        """The counts from `since` on (all when None), by day, gateway, status and screen."""
        ...


class CallbackOutcome(StrEnum):
    """What became of a payment provider's callback. The first five are the settlement's
    words (see application.payments.Settlement) for a callback that named a payment."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STILL_PENDING = "still_pending"
    ALREADY_FINAL = "already_final"
    UNKNOWN = "unknown"  # names a reference that is none of our payments
    IGNORED = "ignored"  # names no payment at all (another kind of event)
    REJECTED = "rejected"  # a missing or wrong signature: forged, or not the provider's
    MALFORMED = "malformed"  # a body that could not be read
    ERROR = "error"  # the status query behind it failed; the sweep settles the payment


@dataclass(frozen=True, slots=True)
class PaymentCallback:
    """One callback a payment provider posted to us, as read. `reference` is our payment
    reference when the callback names one; `trusted` is True only for a checked signature;
    `provider_reference` is the provider's own id of the transaction, when given."""

    provider: str
    reference: str | None
    trusted: bool
    outcome: CallbackOutcome
    received_at: datetime
    provider_reference: str | None = None
    id: int | None = None


class PaymentCallbackRepository(Protocol):
    """Every callback of a payment provider, kept whatever became of it: the trail to answer
    "did the provider tell us?", including callbacks for references that are not ours and
    refused (forged or unreadable) ones. Written in a unit of work of its own, after the
    callback was handled."""

    async def add(self, callback: PaymentCallback) -> PaymentCallback:
        """Store and return with its id."""
        ...

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(
        self,
        reference: str | None = None,
        outcome: CallbackOutcome | None = None,
        limit: int = 50,
    ) -> list[PaymentCallback]:
        """Newest first; only those naming `reference`, or with `outcome`, when given."""
        ...


class StaffRepository(Protocol):
    async def add(self, user: StaffUser) -> StaffUser:
        """Store and return with its id; AlreadyExists when the username is taken."""
        ...

    async def get(self, user_id: int) -> StaffUser | None: ...

    async def get_by_username(self, username: str) -> StaffUser | None: ...

    async def update(self, user: StaffUser) -> None: ...

    async def count(self) -> int: ...

    async def list(self) -> list[StaffUser]:
        """By username."""
        ...


class AuditLog(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...

    async def list(
        self, actor: str | None = None, subject: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """Newest first; only this actor's or about this subject when given."""
        ...


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey) -> ApiKey: ...

    async def get_by_prefix(self, prefix: str) -> ApiKey | None: ...

    async def update(self, key: ApiKey) -> None: ...

    async def list(self) -> list[ApiKey]:
        """Newest first, revoked ones included."""
        ...


_NOTHING = Money(0)


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    count: int
    amount: Money = _NOTHING


@dataclass(frozen=True, slots=True)
class NetworkPayments:
    network: str
    status: PaymentStatus
    count: int


class FiguresRepository(Protocol):
    """Read-only figures for the company's dashboard, counted by UTC day."""

    async def registrations_per_day(self, since: date) -> list[DayCount]: ...

    async def orders_per_day(self, since: date) -> list[DayCount]:
        """Orders placed each day; `amount` is what they were worth."""
        ...

    async def revenue_per_day(self, since: date) -> list[DayCount]:
        """Payments that succeeded each day (by when they settled); `amount` is their sum."""
        ...

    async def payments_by_network(self, since: date) -> list[NetworkPayments]:
        """Payments requested since `since`, by network and status."""
        ...


class UnitOfWork(Protocol):
    """One database transaction over every repository; commit or it is rolled back."""

    customers: CustomerRepository
    catalogue: CatalogueRepository
    orders: OrderRepository
    payments: PaymentRepository
    ledger: LedgerRepository
    tickets: TicketRepository
    outbox: OutboxRepository
    session_outcomes: SessionOutcomeRepository
    payment_callbacks: PaymentCallbackRepository
    staff: StaffRepository
    audit: AuditLog
    api_keys: ApiKeyRepository
    figures: FiguresRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, read_only: bool = False) -> UnitOfWork:
        """A new unit of work. `read_only`: the unit will only read, so the adapter may
        skip the transaction around it; such a unit must not write."""
        ...


class SessionStore(Protocol):
    """Dialogue state by phone number, with a lock so two hops of one session never overlap."""

    async def get(self, key: str) -> SessionRecord | None: ...

    async def put(self, key: str, record: SessionRecord, ttl_seconds: int) -> None: ...

    def lock(self, key: str, timeout_seconds: float) -> AbstractAsyncContextManager[None]:
        """Held for the whole hop; raises SessionBusy when not had within the timeout."""
        ...


class SessionBusy(Exception):
    """Another hop of the same session held the lock for too long."""


@dataclass(frozen=True, slots=True)
class PaymentRequestResult:
    accepted: bool
    provider_reference: str | None = None
    failure_reason: FailureReason | None = None
    retryable: bool = False


@dataclass(frozen=True, slots=True)
class ProviderStatus:
    status: PaymentStatus
    failure_reason: FailureReason | None = None
    provider_reference: str | None = None


class PaymentGateway(Protocol):
    """A mobile-money collection provider."""

    name: str

    async def request_payment(self, payment: Payment, payer_name: str) -> PaymentRequestResult: ...

    async def query_status(self, payment: Payment) -> ProviderStatus: ...


class PaymentProviders(Protocol):
    """Which provider serves a mobile-money network, and each by name."""

    def for_network(self, network: str) -> PaymentGateway: ...

    def by_name(self, name: str) -> PaymentGateway | None: ...


@dataclass(frozen=True, slots=True)
class CheckoutReport:
    """What an aggregator that ran the payment itself is told once it is settled: whether
    the customer got what was paid for. `provider` names the checkout; `session_id` and
    `order_id` are the aggregator's; `reference` is our payment's."""

    provider: str
    session_id: str
    order_id: str
    reference: str
    delivered: bool
    description: str = ""


class CheckoutReportFailed(Exception):
    """The report did not reach the aggregator: the outbox tries again unless `permanent`."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class CheckoutReporter(Protocol):
    """An aggregator's own checkout (Hubtel's), told the outcome of each fulfilment."""

    name: str

    async def report(self, report: CheckoutReport) -> None:
        """Deliver the report or raise CheckoutReportFailed."""
        ...


class HopObserver(Protocol):
    """Where the dialogue reports what it does, for operators' figures (metrics)."""

    def hop(self, gateway: str, screen: str, outcome: str, seconds: float) -> None:
        """One hop answered: `outcome` is continue, end, replay, busy or error."""
        ...

    def session_ended(self, gateway: str, outcome: str, screen: str) -> None:
        """A session over: completed, dropped (timed out or cancelled) or failed."""
        ...

    def dependency_error(self, dependency: str) -> None: ...


class NoObserver:
    """Reports nothing: for tests and tools that need no figures."""

    def hop(self, gateway: str, screen: str, outcome: str, seconds: float) -> None:
        return None

    def session_ended(self, gateway: str, outcome: str, screen: str) -> None:
        return None

    def dependency_error(self, dependency: str) -> None:
        return None


class SmsError(Exception):
    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsSender(Protocol):
    async def send(self, to: str, text: str) -> None:
        """Send or raise SmsError."""
        ...


__all__ = [
    "ApiKeyRepository",
    "AuditLog",
    "CallbackOutcome",
    "CatalogueRepository",
    "CheckoutReport",
    "CheckoutReportFailed",
    "CheckoutReporter",
    "Clock",
    "CustomerRepository",
    "DayCount",
    "FiguresRepository",
    "LedgerRepository",
    "NetworkPayments",
    "OrderRepository",
    "OutboxRepository",
    "PaymentCallback",
    "PaymentCallbackRepository",
    "PaymentGateway",
    "PaymentProviders",
    "PaymentRepository",
    "PaymentRequestResult",
    "PinHasher",
    "ProviderStatus",
    "SessionBusy",
    "SessionOutcomeCount",
    "SessionOutcomeRepository",
    "SessionStatus",
    "SessionStore",
    "SmsError",
    "SmsSender",
    "StaffRepository",
    "TicketRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
