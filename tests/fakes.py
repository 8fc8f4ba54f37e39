"""Working in-memory doubles of the ports, for unit and acceptance tests.

They keep the contracts the SQL adapters keep (the repository suite in tests/integration runs
against both): entities come back as copies, unique keys raise AlreadyExists with the same
constraint names, times must be timezone-aware, and nothing is visible to another unit of
work until commit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from lpg_ussd.application.ports import (
    ApiKeyRepository,
    AuditLog,
    CallbackOutcome,
    CatalogueRepository,
    Clock,
    CustomerRepository,
    FiguresRepository,
    LedgerRepository,
    OrderRepository,
    OutboxRepository,
    PaymentCallback,
    PaymentCallbackRepository,
    PaymentRepository,
    SessionOutcomeCount,
    SessionOutcomeRepository,
    SessionStatus,
    SmsError,
    StaffRepository,
    TicketRepository,
)
from lpg_ussd.domain.catalogue import CylinderType, Material, PriceChange
from lpg_ussd.domain.customer import Customer, VerificationStatus
from lpg_ussd.domain.errors import AlreadyExists, NotFound
from lpg_ussd.domain.ledger import LedgerEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderStatus
from lpg_ussd.domain.outbox import OutboxMessage, OutboxStatus
from lpg_ussd.domain.payment import Payment, PaymentStatus
from tests.fakes_backoffice import (
    BACK_OFFICE_TABLES,
    InMemoryApiKeyRepository,
    InMemoryAuditLog,
    InMemoryFiguresRepository,
    InMemoryStaffRepository,
    InMemoryTicketRepository,
)

TABLES = (
    "customers",
    "cylinder_types",
    "cylinder_prices",
    "orders",
    "payments",
    "ledger_entries",
    "tickets",
    "outbox",
    "session_outcomes",
    "payment_callbacks",
    *BACK_OFFICE_TABLES,
)

# The same default catalogue as migrations/versions/0002_seed_catalogue.py.
CATALOGUE_EFFECTIVE_FROM = datetime(2026, 1, 1, tzinfo=UTC)
# code, size_kg, material, sort_order, deposit_pesewas, gas_price_pesewas
DEFAULT_CATALOGUE = (
    ("3kg-steel", 3, Material.STEEL, 10, 10000, 4200),
    ("6kg-steel", 6, Material.STEEL, 20, 15000, 8400),
    ("12kg-steel", 12, Material.STEEL, 40, 25000, 16800),
    ("6kg-composite", 6, Material.COMPOSITE, 30, 30000, 8400),
    ("12kg-composite", 12, Material.COMPOSITE, 50, 45000, 16800),
)
_MATERIAL_RANK = {Material.STEEL: 0, Material.COMPOSITE: 1}
LOCK_WAIT_SECONDS = 5.0  # a locking read gives up after this, as PostgreSQL's lock_timeout would


# ---------------------------------------------------------------- clock, hasher, SMS


class FixedClock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) -> None:
        self._now = _aware(now)

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = _aware(now)

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """`clock.advance(minutes=5)` or `clock.advance(timedelta(...))`; returns the new now."""
        self._now += (delta or timedelta()) + timedelta(**units)
        return self._now


class FakePinHasher:
    """Fast and transparent: the hash of `1357` is `hashed:1357`."""

    PREFIX = "hashed:"

    async def hash(self, pin: str) -> str:
        return self.PREFIX + pin

    async def verify(self, pin_hash: str, pin: str) -> bool:
        return pin_hash == self.PREFIX + pin


@dataclass(frozen=True, slots=True)
class SentSms:
    to: str
    text: str


class InMemorySmsSender:
    """Records what it sends; `fail()` makes the next sends raise SmsError."""

    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self._failures_left: int | None = 0  # None: fail until recover()
        self._permanent = False

    def fail(self, times: int | None = 1, permanent: bool = False) -> None:
        self._failures_left = times
        self._permanent = permanent

    def recover(self) -> None:
        self._failures_left = 0

    def texts_to(self, to: str) -> list[str]:
        return [sms.text for sms in self.sent if sms.to == to]

    async def send(self, to: str, text: str) -> None:
        if self._failures_left is None or self._failures_left > 0:
            if self._failures_left is not None:
                self._failures_left -= 1
            raise SmsError("simulated SMS failure", permanent=self._permanent)
        self.sent.append(SentSms(to, text))


# ---------------------------------------------------------------- the database


class InMemoryDatabase:
    """What is committed, shared by every unit of work made from it.

    `tables` maps a table name to its rows by id. Ids are handed out here, never reused, even
    when the unit of work that took one rolls back (as a PostgreSQL sequence does).
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self.tables: dict[str, dict[int, Any]] = {name: {} for name in TABLES}
        self._last_ids = dict.fromkeys(TABLES, 0)
        self.clock = clock
        self.commits = 0
        # Rows held by an open unit of work, as SELECT ... FOR UPDATE holds them: row -> holder.
        self.row_locks: dict[tuple[str, int], object] = {}

    def next_id(self, table: str) -> int:
        self._last_ids[table] += 1
        return self._last_ids[table]

    def now(self) -> datetime:
        return self.clock.now() if self.clock is not None else datetime.now(UTC)

    def rows(self, table: str) -> list[Any]:
        """Copies of the committed rows of a table, by id: for assertions in tests."""
        return [deepcopy(row) for _, row in sorted(self.tables[table].items())]


@dataclass(slots=True)
class CylinderTypeRecord:
    id: int
    code: str
    size_kg: int
    material: Material
    active: bool = True
    sort_order: int = 0


@dataclass(slots=True)
class OutboxRecord:
    message: OutboxMessage
    lease_until: datetime | None = None


def seed_catalogue(db: InMemoryDatabase, at: datetime = CATALOGUE_EFFECTIVE_FROM) -> None:
    """The default catalogue, committed, with prices in force from `at`."""
    for code, size_kg, material, sort_order, deposit, gas_price in DEFAULT_CATALOGUE:
        type_id = db.next_id("cylinder_types")
        db.tables["cylinder_types"][type_id] = CylinderTypeRecord(
            type_id, code, size_kg, material, sort_order=sort_order
        )
        change = PriceChange(type_id, Money(deposit), Money(gas_price), _aware(at))
        db.tables["cylinder_prices"][db.next_id("cylinder_prices")] = change


class _Snapshot:
    """A unit of work's private copy of the tables, which rows it wrote and which it locked.

    Commit publishes only the rows written, so two units of work that write different rows
    both keep their changes, as they would in a database. Locks end with the unit's
    transaction (commit, rollback or exit).
    """

    def __init__(self, db: InMemoryDatabase) -> None:
        self.db = db
        self.tables: dict[str, dict[int, Any]] = {}
        self._written: set[tuple[str, int]] = set()
        self.reset()

    def reset(self) -> None:
        """Begin afresh from what is committed, as after a commit or a rollback."""
        self.tables = deepcopy(self.db.tables)
        self._written = set()
        self.release_locks()

    def lock(self, table: str, row_id: int) -> bool:
        """Like FOR UPDATE SKIP LOCKED: False when another open unit of work holds the row."""
        return self.db.row_locks.setdefault((table, row_id), self) is self

    def release_locks(self) -> None:
        held = [key for key, holder in self.db.row_locks.items() if holder is self]
        for key in held:
            del self.db.row_locks[key]

    def latest_rows(self, table: str) -> list[Any]:
        """The rows as a locking read sees them: this unit's writes, else the committed rows."""
        latest = deepcopy(self.db.tables[table])
        latest.update({row_id: self.tables[t][row_id] for t, row_id in self._written if t == table})
        return [row for _, row in sorted(latest.items())]

    def rows(self, table: str) -> list[Any]:
        return [row for _, row in sorted(self.tables[table].items())]

    def get(self, table: str, row_id: int | None) -> Any | None:
        row = self.tables[table].get(row_id) if row_id is not None else None
        return deepcopy(row)

    def insert(self, table: str, row_of_id: Callable[[int], Any]) -> int:
        """Store `row_of_id(new_id)` and return the new id."""
        row_id = self.db.next_id(table)
        self.put(table, row_id, row_of_id(row_id))
        return row_id

    def put(self, table: str, row_id: int, row: Any) -> None:
        self.tables[table][row_id] = _in_utc(deepcopy(row))
        self._written.add((table, row_id))

    def replace_existing(self, table: str, row_id: int | None, row: Any, what: str) -> None:
        if row_id is None or row_id not in self.tables[table]:
            raise NotFound(what)
        self.put(table, row_id, row)

    def publish(self) -> None:
        for table, row_id in self._written:
            self.db.tables[table][row_id] = deepcopy(self.tables[table][row_id])
        self._written = set()
        self.db.commits += 1


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}: the domain uses aware UTC times")
    return when


def _in_utc(row: Any) -> Any:
    """The row as a database keeps it: naive times refused, aware ones converted to UTC."""
    if isinstance(row, OutboxRecord):
        lease = _aware(row.lease_until).astimezone(UTC) if row.lease_until else None
        return OutboxRecord(_in_utc(row.message), lease)
    times = {
        field.name: _aware(value).astimezone(UTC)
        for field in dataclasses.fields(row)
        if isinstance(value := getattr(row, field.name), datetime)
    }
    return replace(row, **times)


def _check_unique(rows: list[Any], key: str, value: Any, constraint: str, own_id: Any) -> None:
    if any(getattr(row, key) == value and row.id != own_id for row in rows):
        raise AlreadyExists(constraint)


# ---------------------------------------------------------------- repositories


class InMemoryCustomerRepository:
    def __init__(self, snapshot: _Snapshot) -> None:
        self._rows = snapshot

    async def get(self, customer_id: int) -> Customer | None:
        customer: Customer | None = self._rows.get("customers", customer_id)
        return customer

    async def get_by_msisdn(self, msisdn: Msisdn) -> Customer | None:
        found = [c for c in self._rows.rows("customers") if c.msisdn == msisdn]
        return deepcopy(found[0]) if found else None

    async def add(self, customer: Customer) -> Customer:
        self._check_number_free(customer)
        created_at = customer.created_at or self._rows.db.now()
        row_id = self._rows.insert(
            "customers", lambda new_id: replace(customer, id=new_id, created_at=created_at)
        )
        return replace(customer, id=row_id, created_at=created_at)

    async def update(self, customer: Customer) -> None:
        self._check_number_free(customer)
        self._rows.replace_existing("customers", customer.id, customer, f"customer {customer.id}")

    def _check_number_free(self, customer: Customer) -> None:
        rows = self._rows.rows("customers")
        _check_unique(rows, "msisdn", customer.msisdn, "uq_customers_msisdn", customer.id)

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(
        self, status: VerificationStatus | None = None, search: str | None = None, limit: int = 50
    ) -> list[Customer]:
        found = list(reversed(self._rows.rows("customers")))
        if status is not None:
            found = [c for c in found if c.status is status]
        if search and search.strip():
            found = [c for c in found if _customer_matches(c, search.strip())]
        return deepcopy(found[:limit])


def _customer_matches(customer: Customer, search: str) -> bool:
    full_name = f"{customer.first_name} {customer.last_name}"
    return search.lower() in full_name.lower() or search in customer.msisdn.e164


class InMemoryCatalogueRepository:
    def __init__(self, snapshot: _Snapshot) -> None:
        self._rows = snapshot

    async def list_active(self, at: datetime) -> list[CylinderType]:
        priced = [self._priced(record, _aware(at)) for record in self._types() if record.active]
        on_sale = [cylinder for cylinder in priced if cylinder is not None]
        records = {record.id: record for record in self._types()}
        return sorted(on_sale, key=lambda c: _display_order(records[c.id]))

    async def get(self, cylinder_type_id: int, at: datetime) -> CylinderType | None:
        record = self._rows.get("cylinder_types", cylinder_type_id)
        return self._priced(record, _aware(at)) if record is not None else None

    async def add_price(self, change: PriceChange) -> None:
        if self._rows.get("cylinder_types", change.cylinder_type_id) is None:
            raise NotFound(f"cylinder type {change.cylinder_type_id}")
        self._rows.insert("cylinder_prices", lambda _: change)

    async def list_all(self, at: datetime) -> list[CylinderType]:
        records = sorted(self._types(), key=lambda r: (r.sort_order, r.size_kg, r.id))
        priced = [self._priced(record, _aware(at)) for record in records]
        return [cylinder for cylinder in priced if cylinder is not None]

    async def list_price_changes(self, after: datetime) -> list[PriceChange]:
        prices = sorted(self._rows.tables["cylinder_prices"].items())
        later = [(c.effective_from, i, c) for i, c in prices if c.effective_from > _aware(after)]
        return [change for _, _, change in sorted(later, key=lambda x: x[:2])]

    async def set_active(self, cylinder_type_id: int, active: bool) -> None:
        record = self._rows.get("cylinder_types", cylinder_type_id)
        if record is None:
            raise NotFound(f"cylinder type {cylinder_type_id}")
        record.active = active
        self._rows.put("cylinder_types", cylinder_type_id, record)

    def _types(self) -> list[CylinderTypeRecord]:
        return list(self._rows.rows("cylinder_types"))

    def _priced(self, record: CylinderTypeRecord, at: datetime) -> CylinderType | None:
        prices = self._rows.tables["cylinder_prices"].items()
        in_force = [
            (change.effective_from, price_id, change)
            for price_id, change in prices
            if change.cylinder_type_id == record.id and change.effective_from <= at
        ]
        if not in_force:
            return None
        _, _, price = max(in_force, key=lambda candidate: candidate[:2])
        return CylinderType(
            record.id,
            record.code,
            record.size_kg,
            record.material,
            price.deposit,
            price.gas_price,
            record.active,
        )


def _display_order(record: CylinderTypeRecord) -> tuple[int, int, int, int]:
    rank = _MATERIAL_RANK.get(record.material, 2)
    return (record.size_kg, rank, record.sort_order, record.id)


class InMemoryOrderRepository:
    def __init__(self, snapshot: _Snapshot) -> None:
        self._rows = snapshot

    async def add(self, order: Order, notice: OutboxMessage | None = None) -> Order:
        self._check_reference_free(order)
        row_id = self._rows.insert("orders", lambda new_id: replace(order, id=new_id))
        if notice is not None:
            await InMemoryOutboxRepository(self._rows).add(notice)
        return replace(order, id=row_id)

    async def get(self, order_id: int) -> Order | None:
        order: Order | None = self._rows.get("orders", order_id)
        return order

    async def get_by_reference(self, reference: str) -> Order | None:
        found = [o for o in self._rows.rows("orders") if o.reference == reference]
        return deepcopy(found[0]) if found else None

    async def update(self, order: Order) -> None:
        self._check_reference_free(order)
        self._rows.replace_existing("orders", order.id, order, f"order {order.id}")

    async def list_for_customer(self, customer_id: int, limit: int, offset: int = 0) -> list[Order]:
        mine = [o for o in self._newest_first() if o.customer_id == customer_id]
        return deepcopy(mine[offset : offset + limit])

    async def list_page(self, after_id: int, limit: int) -> list[Order]:
        return deepcopy([o for o in self._rows.rows("orders") if o.id > after_id][:limit])

    def _newest_first(self) -> list[Order]:
        return sorted(self._rows.rows("orders"), key=lambda o: (o.created_at, o.id), reverse=True)

    def _check_reference_free(self, order: Order) -> None:
        rows = self._rows.rows("orders")
        _check_unique(rows, "reference", order.reference, "uq_orders_reference", order.id)

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(self, status: OrderStatus | None = None, limit: int = 50) -> list[Order]:
        found = [o for o in self._newest_first() if status is None or o.status is status]
        return deepcopy(found[:limit])


class InMemoryPaymentRepository:
    def __init__(self, snapshot: _Snapshot) -> None:
        self._rows = snapshot

    async def add(self, payment: Payment) -> Payment:
        self._check_reference_free(payment)
        row_id = self._rows.insert("payments", lambda new_id: replace(payment, id=new_id))
        return replace(payment, id=row_id)

    async def get_by_reference(self, reference: str, *, for_update: bool = False) -> Payment | None:
        if for_update:
            return await self._locked(reference)
        found = [p for p in self._rows.rows("payments") if p.reference == reference]
        return deepcopy(found[0]) if found else None

    async def _locked(self, reference: str) -> Payment | None:
        """As SELECT ... FOR UPDATE: wait while another unit of work holds the payment, then
        read its latest committed state, which this unit of work sees from then on."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            latest = [p for p in self._rows.latest_rows("payments") if p.reference == reference]
            if not latest:
                return None
            payment: Payment = latest[0]
            assert payment.id is not None
            if self._rows.lock("payments", payment.id):
                self._rows.tables["payments"][payment.id] = deepcopy(payment)
                return deepcopy(payment)
            if time.monotonic() > deadline:
                raise TimeoutError(f"payment {reference} stayed locked (a deadlock in the test?)")
            await asyncio.sleep(0.001)

    async def update(self, payment: Payment) -> None:
        self._check_reference_free(payment)
        self._rows.replace_existing("payments", payment.id, payment, f"payment {payment.id}")

    async def list_pending_before(self, before: datetime, limit: int = 100) -> list[Payment]:
        pending = [
            p
            for p in self._rows.rows("payments")
            if p.status is PaymentStatus.PENDING and p.created_at < _aware(before)
        ]
        return deepcopy(sorted(pending, key=lambda p: (p.created_at, p.id))[:limit])

    async def has_pending_for_order(self, order_id: int) -> bool:
        return any(
            p.order_id == order_id and p.status is PaymentStatus.PENDING
            for p in self._rows.rows("payments")
        )

    async def list_page(self, after_id: int, limit: int) -> list[Payment]:
        return deepcopy([p for p in self._rows.rows("payments") if p.id > after_id][:limit])

    async def list_for_orders(self, order_ids: Sequence[int]) -> list[Payment]:
        wanted = set(order_ids)
        return deepcopy([p for p in self._rows.rows("payments") if p.order_id in wanted])

    async def list_for_customer(self, customer_id: int, limit: int = 20) -> list[Payment]:
        own = [p for p in self._rows.rows("payments") if p.customer_id == customer_id]
        return deepcopy(sorted(own, key=lambda p: (p.created_at, p.id), reverse=True)[:limit])

    def _check_reference_free(self, payment: Payment) -> None:
        rows = self._rows.rows("payments")
        _check_unique(rows, "reference", payment.reference, "uq_payments_reference", payment.id)

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(self, status: PaymentStatus | None = None, limit: int = 50) -> list[Payment]:
        """Newest first."""
        newest_first = sorted(
            self._rows.rows("payments"), key=lambda p: (p.created_at, p.id), reverse=True
        )
        found = [p for p in newest_first if status is None or p.status is status]
        return deepcopy(found[:limit])


class InMemoryLedgerRepository:
    def __init__(self, snapshot: _Snapshot) -> None:
        self._rows = snapshot

    async def add(self, entry: LedgerEntry) -> None:
        self._rows.insert("ledger_entries", lambda new_id: replace(entry, id=new_id))

    async def balance(self, customer_id: int) -> Money:
        amounts = [
            e.amount.pesewas
            for e in self._rows.rows("ledger_entries")
            if e.customer_id == customer_id
        ]
        return Money(sum(amounts))

    async def list_for(
        self, order_ids: Sequence[int] = (), payment_ids: Sequence[int] = ()
    ) -> list[LedgerEntry]:
        orders, payments = set(order_ids), set(payment_ids)
        return deepcopy(
            [
                e
                for e in self._rows.rows("ledger_entries")
                if (e.order_id is not None and e.order_id in orders)
                or (e.payment_id is not None and e.payment_id in payments)
            ]
        )

    async def negative_balances(self, limit: int = 100) -> list[tuple[int, Money]]:
        totals: dict[int, int] = {}
        for entry in self._rows.rows("ledger_entries"):
            totals[entry.customer_id] = totals.get(entry.customer_id, 0) + entry.amount.pesewas
        below = sorted((c, Money(total)) for c, total in totals.items() if total < 0)
        return below[:limit]


class InMemoryOutboxRepository:
    """`attempts` counts the tries made, whatever their outcome."""

    def __init__(self, snapshot: _Snapshot) -> None:
        self._rows = snapshot

    async def add(self, message: OutboxMessage) -> None:
        """Store the message and give it its id."""
        stored = replace(message, next_attempt_at=message.next_attempt_at or message.created_at)
        message.id = self._rows.insert(
            "outbox", lambda new_id: OutboxRecord(replace(stored, id=new_id))
        )

    async def claim_due(
        self, now: datetime, limit: int, lease_until: datetime
    ) -> list[OutboxMessage]:
        # Read the latest rows and lock them, so that concurrent workers never share a message.
        latest = self._rows.latest_rows("outbox")
        due = [record for record in latest if _is_due(record, _aware(now))]
        due.sort(key=lambda record: (record.message.next_attempt_at, record.message.id))
        claimed: list[OutboxRecord] = []
        for record in due:
            if len(claimed) < limit and self._rows.lock("outbox", record.message.id):
                record.lease_until = _aware(lease_until)
                self._save(record)
                claimed.append(record)
        return [deepcopy(record.message) for record in claimed]

    async def mark_sent(self, message_ids: Sequence[int], now: datetime) -> None:
        records = [self._record(message_id) for message_id in set(message_ids)]
        for record in records:
            record.message.status = OutboxStatus.SENT
            record.message.sent_at = now
            self._finish_attempt(record)

    async def mark_retry(self, message_id: int, error: str, next_attempt_at: datetime) -> None:
        record = self._record(message_id)
        record.message.last_error = error
        record.message.next_attempt_at = next_attempt_at
        self._finish_attempt(record)

    async def mark_failed(self, message_id: int, error: str) -> None:
        record = self._record(message_id)
        record.message.status = OutboxStatus.FAILED
        record.message.last_error = error
        self._finish_attempt(record)

    def _records(self) -> list[OutboxRecord]:
        return list(self._rows.rows("outbox"))

    def _record(self, message_id: int) -> OutboxRecord:
        record: OutboxRecord | None = self._rows.get("outbox", message_id)
        if record is None:
            raise NotFound(f"outbox message {message_id}")
        return record

    def _finish_attempt(self, record: OutboxRecord) -> None:
        record.message.attempts += 1
        record.lease_until = None
        self._save(record)

    def _save(self, record: OutboxRecord) -> None:
        assert record.message.id is not None
        self._rows.put("outbox", record.message.id, record)

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(self, limit: int = 100) -> list[OutboxMessage]:
        """Newest first."""
        return [deepcopy(record.message) for record in reversed(self._records())][:limit]


def _is_due(record: OutboxRecord, now: datetime) -> bool:
    message = record.message
    return (
        message.status is OutboxStatus.PENDING
        and message.next_attempt_at is not None
        and message.next_attempt_at <= now
        and (record.lease_until is None or record.lease_until < now)
    )


@dataclass(frozen=True, slots=True)
class SessionOutcomeRecord:
    """One counted session end; the counts are the sums of these by key."""

    id: int
    day: date
    gateway: str
    status: SessionStatus
    screen: str


class InMemorySessionOutcomeRepository:
    """A row per increment, summed on reading: concurrent increments never overwrite each other,
    as the SQL upsert's never do."""

    def __init__(self, snapshot: _Snapshot) -> None:
        self._rows = snapshot

    async def increment(self, day: date, gateway: str, status: SessionStatus, screen: str) -> None:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"a day is a date, not {day!r}")
        self._rows.insert(
            "session_outcomes",
            lambda new_id: SessionOutcomeRecord(
                new_id, day, gateway, SessionStatus(status), screen
            ),
        )

    async def counts(self, since: date | None = None) -> list[SessionOutcomeCount]:
        totals: dict[tuple[date, str, SessionStatus, str], int] = {}
        for row in self._rows.rows("session_outcomes"):
            if since is None or row.day >= since:
                key = (row.day, row.gateway, row.status, row.screen)
                totals[key] = totals.get(key, 0) + 1
        return [SessionOutcomeCount(*key, count) for key, count in sorted(totals.items())]


class InMemoryPaymentCallbackRepository:
    def __init__(self, snapshot: _Snapshot) -> None:
        self._rows = snapshot

    async def add(self, callback: PaymentCallback) -> PaymentCallback:
        row_id = self._rows.insert("payment_callbacks", lambda new_id: replace(callback, id=new_id))
        return replace(callback, id=row_id)

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(
        self,
        reference: str | None = None,
        outcome: CallbackOutcome | None = None,
        limit: int = 50,
    ) -> list[PaymentCallback]:
        found = [
            c
            for c in self._rows.rows("payment_callbacks")
            if (reference is None or c.reference == reference)
            and (outcome is None or c.outcome is outcome)
        ]
        newest_first = sorted(found, key=lambda c: (c.received_at, c.id), reverse=True)
        return deepcopy(newest_first[:limit])


# ---------------------------------------------------------------- unit of work


class InMemoryUnitOfWork:
    """Works on a private copy taken on enter; commit() publishes the rows it wrote."""

    # Typed as the ports: the UnitOfWork protocol's attributes are invariant.
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

    def __init__(self, db: InMemoryDatabase) -> None:
        self.db = db
        self.committed = False
        self._snapshot: _Snapshot | None = None

    async def __aenter__(self) -> Self:
        if self._snapshot is not None:
            raise RuntimeError("this unit of work is already open")
        snapshot = self._snapshot = _Snapshot(self.db)
        self.customers = InMemoryCustomerRepository(snapshot)
        self.catalogue = InMemoryCatalogueRepository(snapshot)
        self.orders = InMemoryOrderRepository(snapshot)
        self.payments = InMemoryPaymentRepository(snapshot)
        self.ledger = InMemoryLedgerRepository(snapshot)
        self.tickets = InMemoryTicketRepository(snapshot)
        self.outbox = InMemoryOutboxRepository(snapshot)
        self.session_outcomes = InMemorySessionOutcomeRepository(snapshot)
        self.payment_callbacks = InMemoryPaymentCallbackRepository(snapshot)
        self.staff = InMemoryStaffRepository(snapshot)
        self.audit = InMemoryAuditLog(snapshot)
        self.api_keys = InMemoryApiKeyRepository(snapshot)
        self.figures = InMemoryFiguresRepository(snapshot)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._snapshot is not None:
            self._snapshot.release_locks()
        self._snapshot = None  # whatever was not committed is dropped with it

    async def commit(self) -> None:
        snapshot = self._open_snapshot()
        snapshot.publish()
        snapshot.reset()  # like the next transaction, see what others committed meanwhile
        self.committed = True

    async def rollback(self) -> None:
        self._open_snapshot().reset()

    def _open_snapshot(self) -> _Snapshot:
        if self._snapshot is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._snapshot


class InMemoryUnitOfWorkFactory:
    def __init__(self, db: InMemoryDatabase) -> None:
        self.db = db

    def __call__(self, read_only: bool = False) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.db)


def dialogue_services(
    uow: Any,
    clock: Any,
    messages: Any,
    providers: Any,
    brand: Any,
    care_uow: Any = None,
) -> Any:
    """Every use case the dialogue may call, wired on fakes as the container wires them."""
    from lpg_ussd.application.care import ReportGasLeak, RequestCallback
    from lpg_ussd.application.customers import (
        ChangeAddress,
        ChangeLanguage,
        ChangePin,
        RegisterCustomer,
        VerifyPin,
    )
    from lpg_ussd.application.orders import (
        CancelOrder,
        CheckBalance,
        GetOrder,
        ListCatalogue,
        ListOrders,
        PlaceOrder,
        TopUpWallet,
        WalletBalance,
    )
    from lpg_ussd.application.ussd.services import Services

    hasher = FakePinHasher()
    care_uow = care_uow or uow
    catalogue = ListCatalogue(uow, clock)
    return Services(
        register=RegisterCustomer(uow, clock, messages, auto_verify=False),
        pins=hasher,
        verify_pin=VerifyPin(uow, clock, hasher, messages),
        change_pin=ChangePin(uow, clock, messages),
        change_address=ChangeAddress(uow, clock, messages),
        catalogue=catalogue,
        wallet_balance=WalletBalance(uow),
        place_order=PlaceOrder(uow, clock, hasher, messages, providers, brand, catalogue),
        top_up=TopUpWallet(uow, clock, providers),
        list_orders=ListOrders(uow),
        get_order=GetOrder(uow),
        cancel_order=CancelOrder(uow, clock, hasher, messages),
        check_balance=CheckBalance(uow, clock, hasher, messages),
        request_callback=RequestCallback(care_uow, clock, messages),
        report_leak=ReportGasLeak(care_uow, clock, messages, ("+233200000901",)),
        change_language=ChangeLanguage(uow),
    )
