"""The ports: what the application needs from the world, declared once, here.

Adapters implement these Protocols; tests use working in-memory fakes of them.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from lpg_ussd.domain.catalogue import CylinderType, PriceChange
from lpg_ussd.domain.customer import Customer, VerificationStatus
from lpg_ussd.domain.ledger import LedgerEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderStatus
from lpg_ussd.domain.outbox import OutboxMessage
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentStatus
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


class OrderRepository(Protocol):
    async def add(self, order: Order) -> Order:
        """Store and return with id; AlreadyExists when the reference is taken."""
        ...

    async def get(self, order_id: int) -> Order | None: ...

    async def get_by_reference(self, reference: str) -> Order | None: ...

    async def update(self, order: Order) -> None: ...

    async def list_for_customer(self, customer_id: int, limit: int, offset: int = 0) -> list[Order]:
        """Newest first."""
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

    async def list(self, status: PaymentStatus | None = None, limit: int = 50) -> list[Payment]: ...


class LedgerRepository(Protocol):
    async def add(self, entry: LedgerEntry) -> None: ...

    async def balance(self, customer_id: int) -> Money: ...


class TicketRepository(Protocol):
    async def add(self, ticket: Ticket) -> Ticket: ...

    async def list_open(self, limit: int = 50) -> list[Ticket]: ...


class OutboxRepository(Protocol):
    async def add(self, message: OutboxMessage) -> None: ...

    async def claim_due(
        self, now: datetime, limit: int, lease_until: datetime
    ) -> list[OutboxMessage]:
        """Take due pending messages, hiding them from other workers until `lease_until`."""
        ...

    async def mark_sent(self, message_id: int, now: datetime) -> None: ...

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
    def __call__(self) -> UnitOfWork: ...


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


class SmsError(Exception):
    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsSender(Protocol):
    async def send(self, to: str, text: str) -> None:
        """Send or raise SmsError."""
        ...


__all__ = [
    "CatalogueRepository",
    "Clock",
    "CustomerRepository",
    "LedgerRepository",
    "OrderRepository",
    "OutboxRepository",
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
    "TicketRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
