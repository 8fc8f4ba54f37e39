"""The repository ports over one `AsyncConnection`; the unit of work owns the transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from lpg_ussd.adapters.persistence import driver, mappers
from lpg_ussd.adapters.persistence.integrity import (
    execute_update,
    execute_write,
    is_foreign_key_violation,
)
from lpg_ussd.adapters.persistence.tables import (
    customers,
    cylinder_prices,
    cylinder_types,
    ledger_entries,
    orders,
    outbox,
    payment_callbacks,
    payments,
    session_outcomes,
)
from lpg_ussd.application.ports import (
    CallbackOutcome,
    PaymentCallback,
    SessionOutcomeCount,
    SessionStatus,
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


class SqlAlchemyCustomerRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, customer_id: int) -> Customer | None:
        return await self._first(customers.c.id == customer_id)

    async def get_by_msisdn(self, msisdn: Msisdn) -> Customer | None:
        if self._connection.dialect.name != "postgresql":
            return await self._first(customers.c.msisdn == msisdn.e164)
        # Every session's first hop: SQL as the driver takes it, no statement to build.
        row = await driver.fetch_one_mapping(self._connection, _CUSTOMER_BY_MSISDN, (msisdn.e164,))
        return mappers.customer_from_row(_times_in_utc(row)) if row is not None else None

    async def add(self, customer: Customer) -> Customer:
        statement = (
            insert(customers)
            .values(mappers.customer_values(customer))
            .returning(customers.c.id, customers.c.created_at)
        )
        row = (await execute_write(self._connection, statement)).one()
        return replace(customer, id=row.id, created_at=row.created_at)

    async def update(self, customer: Customer) -> None:
        statement = (
            update(customers)
            .where(customers.c.id == customer.id)
            .values(mappers.customer_values(customer))
        )
        await execute_update(self._connection, statement, f"customer {customer.id}")

    async def _first(self, condition: ColumnElement[bool]) -> Customer | None:
        result = await self._connection.execute(select(customers).where(condition))
        row = result.mappings().first()
        return mappers.customer_from_row(row) if row is not None else None

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(
        self, status: VerificationStatus | None = None, search: str | None = None, limit: int = 50
    ) -> list[Customer]:
        """Newest first; `search` matches part of the full name or of the number."""
        statement = select(customers).order_by(customers.c.id.desc()).limit(limit)
        if status is not None:
            statement = statement.where(customers.c.status == status.value)
        if search and search.strip():
            statement = statement.where(_customer_matches(search.strip()))
        result = await self._connection.execute(statement)
        return [mappers.customer_from_row(row) for row in result.mappings()]


_CUSTOMER_BY_MSISDN = (
    f"SELECT {', '.join(column.name for column in customers.c)} FROM customers WHERE msisdn = %s"
)


def _times_in_utc(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row read by the driver, its times made UTC as UtcDateTime makes them."""
    return {
        key: value.astimezone(UTC) if isinstance(value, datetime) else value
        for key, value in row.items()
    }


def _customer_matches(search: str) -> ColumnElement[bool]:
    full_name = customers.c.first_name + " " + customers.c.last_name
    return or_(
        full_name.icontains(search, autoescape=True),
        customers.c.msisdn.contains(search, autoescape=True),
    )


# Steel before composite within a size, as customers know the steel ones best.
_MATERIAL_RANK = case(
    {Material.STEEL.value: 0, Material.COMPOSITE.value: 1}, value=cylinder_types.c.material, else_=2
)


class SqlAlchemyCatalogueRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def list_active(self, at: datetime) -> list[CylinderType]:
        statement = (
            _priced_at(at)
            .where(cylinder_types.c.active.is_(True))
            .order_by(
                cylinder_types.c.size_kg,
                _MATERIAL_RANK,
                cylinder_types.c.sort_order,
                cylinder_types.c.id,
            )
        )
        result = await self._connection.execute(statement)
        return [mappers.cylinder_type_from_row(row) for row in result.mappings()]

    async def get(self, cylinder_type_id: int, at: datetime) -> CylinderType | None:
        """Active or not (an old order may name a retired type); None when unpriced at `at`."""
        statement = _priced_at(at).where(cylinder_types.c.id == cylinder_type_id)
        row = (await self._connection.execute(statement)).mappings().first()
        return mappers.cylinder_type_from_row(row) if row is not None else None

    async def add_price(self, change: PriceChange) -> None:
        statement = insert(cylinder_prices).values(mappers.price_values(change))
        try:
            await execute_write(self._connection, statement)
        except IntegrityError as error:
            if is_foreign_key_violation(error):
                raise NotFound(f"cylinder type {change.cylinder_type_id}") from error
            raise

    async def list_all(self, at: datetime) -> list[CylinderType]:
        statement = _priced_at(at).order_by(
            cylinder_types.c.sort_order, cylinder_types.c.size_kg, cylinder_types.c.id
        )
        result = await self._connection.execute(statement)
        return [mappers.cylinder_type_from_row(row) for row in result.mappings()]

    async def list_price_changes(self, after: datetime) -> list[PriceChange]:
        price = cylinder_prices.c
        statement = (
            select(cylinder_prices)
            .where(price.effective_from > after)
            .order_by(price.effective_from, price.id)
        )
        result = await self._connection.execute(statement)
        return [mappers.price_from_row(row) for row in result.mappings()]

    async def set_active(self, cylinder_type_id: int, active: bool) -> None:
        statement = (
            update(cylinder_types)
            .where(cylinder_types.c.id == cylinder_type_id)
            .values(active=active)
        )
        await execute_update(self._connection, statement, f"cylinder type {cylinder_type_id}")


def _priced_at(at: datetime) -> Select[Any]:
    """Cylinder types joined with their latest price whose effective_from <= at."""
    price = cylinder_prices.c
    newest_first = func.row_number().over(
        partition_by=price.cylinder_type_id,
        order_by=(price.effective_from.desc(), price.id.desc()),
    )
    in_force = (
        select(
            price.cylinder_type_id,
            price.deposit_pesewas,
            price.gas_price_pesewas,
            newest_first.label("rank"),
        )
        .where(price.effective_from <= at)
        .subquery()
    )
    return (
        select(cylinder_types, in_force.c.deposit_pesewas, in_force.c.gas_price_pesewas)
        .join(in_force, in_force.c.cylinder_type_id == cylinder_types.c.id)
        .where(in_force.c.rank == 1)
    )


class SqlAlchemyOrderRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, order: Order, notice: OutboxMessage | None = None) -> Order:
        if self._connection.dialect.name == "postgresql":
            return await self._add_in_one_statement(order, notice)
        statement = insert(orders).values(mappers.order_values(order)).returning(orders.c.id)
        order_id = (await execute_write(self._connection, statement)).scalar_one()
        if notice is not None:
            await SqlAlchemyOutboxRepository(self._connection).add(notice)
        return replace(order, id=order_id)

    async def _add_in_one_statement(self, order: Order, notice: OutboxMessage | None) -> Order:
        """One round trip, without a savepoint: a taken reference inserts nothing (ON
        CONFLICT DO NOTHING), so the transaction stays usable for another try."""
        values = _driver_values(mappers.order_values(order))
        if notice is None:
            sql = _INSERT_ORDER
        else:
            sql = _INSERT_ORDER_AND_NOTICE
            message = mappers.outbox_values(notice)
            message["payload"] = json.dumps(message["payload"])
            values.update({f"n_{key}": value for key, value in _driver_values(message).items()})
        row = await driver.fetch_one(self._connection, sql, values)
        if row is None:
            raise AlreadyExists(_ORDER_REFERENCE_KEY)
        if notice is not None:
            notice.id = row[1]
        return replace(order, id=row[0])

    async def get(self, order_id: int) -> Order | None:
        return await self._first(orders.c.id == order_id)

    async def get_by_reference(self, reference: str) -> Order | None:
        return await self._first(orders.c.reference == reference)

    async def update(self, order: Order) -> None:
        statement = (
            update(orders).where(orders.c.id == order.id).values(mappers.order_values(order))
        )
        await execute_update(self._connection, statement, f"order {order.id}")

    async def list_for_customer(self, customer_id: int, limit: int, offset: int = 0) -> list[Order]:
        statement = (
            _newest_orders_first()
            .where(orders.c.customer_id == customer_id)
            .limit(limit)
            .offset(offset)
        )
        return await self._all(statement)

    async def list_page(self, after_id: int, limit: int) -> list[Order]:
        statement = select(orders).where(orders.c.id > after_id).order_by(orders.c.id).limit(limit)
        return await self._all(statement)

    async def _first(self, condition: ColumnElement[bool]) -> Order | None:
        result = await self._connection.execute(select(orders).where(condition))
        row = result.mappings().first()
        return mappers.order_from_row(row) if row is not None else None

    async def _all(self, statement: Select[Any]) -> list[Order]:
        result = await self._connection.execute(statement)
        return [mappers.order_from_row(row) for row in result.mappings()]

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(self, status: OrderStatus | None = None, limit: int = 50) -> list[Order]:
        statement = _newest_orders_first().limit(limit)
        if status is not None:
            statement = statement.where(orders.c.status == status.value)
        return await self._all(statement)


def _driver_values(values: dict[str, Any]) -> dict[str, Any]:
    """Values for SQL run by the driver itself: times checked and made UTC, as UtcDateTime
    does for statements SQLAlchemy compiles."""
    return {
        key: _utc(value) if isinstance(value, datetime) else value for key, value in values.items()
    }


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: the domain uses aware UTC times")
    return value.astimezone(UTC)


def _columns_and_params(
    names: Sequence[str], prefix: str = "", casts: dict[str, str] | None = None
) -> tuple[str, str]:
    casts = casts or {}
    params = (f"%({prefix}{name})s{casts.get(name, '')}" for name in names)
    return ", ".join(names), ", ".join(params)


# PostgreSQL only (psycopg's parameter style); the columns are those the mappers write.
_ORDER_REFERENCE_KEY = "uq_orders_reference"
_ORDER_COLUMNS, _ORDER_PARAMS = _columns_and_params(mappers.ORDER_COLUMNS)
_NOTICE_COLUMNS, _NOTICE_PARAMS = _columns_and_params(
    mappers.OUTBOX_COLUMNS, "n_", {"payload": "::jsonb"}
)
_INSERT_ORDER = (
    f"INSERT INTO orders ({_ORDER_COLUMNS}) VALUES ({_ORDER_PARAMS}) "
    "ON CONFLICT (reference) DO NOTHING RETURNING id"
)
# The notice is written only if the order was (SELECT ... FROM new_order).
_INSERT_ORDER_AND_NOTICE = (
    f"WITH new_order AS ({_INSERT_ORDER}), "
    f"notice AS (INSERT INTO outbox ({_NOTICE_COLUMNS}) SELECT {_NOTICE_PARAMS} FROM new_order "
    "RETURNING id) "
    "SELECT new_order.id, notice.id FROM new_order LEFT JOIN notice ON true"
)


def _newest_orders_first() -> Select[Any]:
    # The id breaks ties between orders placed within the same clock tick.
    return select(orders).order_by(orders.c.created_at.desc(), orders.c.id.desc())


class SqlAlchemyPaymentRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, payment: Payment) -> Payment:
        """Store and return with id; AlreadyExists when the reference is taken."""
        statement = (
            insert(payments).values(mappers.payment_values(payment)).returning(payments.c.id)
        )
        payment_id = (await execute_write(self._connection, statement)).scalar_one()
        return replace(payment, id=payment_id)

    async def get_by_reference(self, reference: str, *, for_update: bool = False) -> Payment | None:
        statement = select(payments).where(payments.c.reference == reference)
        if for_update and self._connection.dialect.name == "postgresql":
            statement = statement.with_for_update()
        # SQLite needs no lock: a transaction here holds the write lock from BEGIN IMMEDIATE.
        result = await self._connection.execute(statement)
        row = result.mappings().first()
        return mappers.payment_from_row(row) if row is not None else None

    async def update(self, payment: Payment) -> None:
        statement = (
            update(payments)
            .where(payments.c.id == payment.id)
            .values(mappers.payment_values(payment))
        )
        await execute_update(self._connection, statement, f"payment {payment.id}")

    async def list_pending_before(self, before: datetime, limit: int = 100) -> list[Payment]:
        """Pending payments created before `before`, oldest first."""
        statement = (
            select(payments)
            .where(payments.c.status == PaymentStatus.PENDING.value)
            .where(payments.c.created_at < before)
            .order_by(payments.c.created_at, payments.c.id)
            .limit(limit)
        )
        return await self._all(statement)

    async def has_pending_for_order(self, order_id: int) -> bool:
        pending = select(payments.c.id).where(
            payments.c.order_id == order_id, payments.c.status == PaymentStatus.PENDING.value
        )
        return bool((await self._connection.execute(select(pending.exists()))).scalar_one())

    async def list_page(self, after_id: int, limit: int) -> list[Payment]:
        statement = (
            select(payments).where(payments.c.id > after_id).order_by(payments.c.id).limit(limit)
        )
        return await self._all(statement)

    async def list_for_orders(self, order_ids: Sequence[int]) -> list[Payment]:
        if not order_ids:
            return []
        statement = (
            select(payments).where(payments.c.order_id.in_(list(order_ids))).order_by(payments.c.id)
        )
        return await self._all(statement)

    async def list_for_customer(self, customer_id: int, limit: int = 20) -> list[Payment]:
        statement = (
            select(payments)
            .where(payments.c.customer_id == customer_id)
            .order_by(payments.c.created_at.desc(), payments.c.id.desc())
            .limit(limit)
        )
        return await self._all(statement)

    async def _all(self, statement: Select[Any]) -> list[Payment]:
        result = await self._connection.execute(statement)
        return [mappers.payment_from_row(row) for row in result.mappings()]

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(self, status: PaymentStatus | None = None, limit: int = 50) -> list[Payment]:
        """Newest first."""
        newest_first = (payments.c.created_at.desc(), payments.c.id.desc())
        statement = select(payments).order_by(*newest_first).limit(limit)
        if status is not None:
            statement = statement.where(payments.c.status == status.value)
        return await self._all(statement)


class SqlAlchemyLedgerRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, entry: LedgerEntry) -> None:
        await execute_write(
            self._connection, insert(ledger_entries).values(mappers.ledger_entry_values(entry))
        )

    async def balance(self, customer_id: int) -> Money:
        statement = select(func.coalesce(func.sum(ledger_entries.c.amount_pesewas), 0)).where(
            ledger_entries.c.customer_id == customer_id
        )
        total = (await self._connection.execute(statement)).scalar_one()
        # PostgreSQL sums integers as bigint or numeric; pesewas stay whole either way.
        return Money(int(total))

    async def list_for(
        self, order_ids: Sequence[int] = (), payment_ids: Sequence[int] = ()
    ) -> list[LedgerEntry]:
        conditions = []
        if order_ids:
            conditions.append(ledger_entries.c.order_id.in_(list(order_ids)))
        if payment_ids:
            conditions.append(ledger_entries.c.payment_id.in_(list(payment_ids)))
        if not conditions:
            return []
        statement = select(ledger_entries).where(or_(*conditions)).order_by(ledger_entries.c.id)
        result = await self._connection.execute(statement)
        return [mappers.ledger_entry_from_row(row) for row in result.mappings()]

    async def negative_balances(self, limit: int = 100) -> list[tuple[int, Money]]:
        balance = func.sum(ledger_entries.c.amount_pesewas)
        statement = (
            select(ledger_entries.c.customer_id, balance.label("balance"))
            .group_by(ledger_entries.c.customer_id)
            .having(balance < 0)
            .order_by(ledger_entries.c.customer_id)
            .limit(limit)
        )
        result = await self._connection.execute(statement)
        return [(row.customer_id, Money(int(row.balance))) for row in result]


class SqlAlchemyOutboxRepository:
    """`attempts` counts the tries made, whatever their outcome."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, message: OutboxMessage) -> None:
        """Store the message and give it its id."""
        statement = insert(outbox).values(mappers.outbox_values(message)).returning(outbox.c.id)
        message.id = (await execute_write(self._connection, statement)).scalar_one()

    async def claim_due(
        self, now: datetime, limit: int, lease_until: datetime
    ) -> list[OutboxMessage]:
        due = (
            select(outbox.c.id)
            .where(_due(now))
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
        )
        if self._connection.dialect.name == "postgresql":
            # Concurrent workers each take different rows instead of waiting on each other.
            due = due.with_for_update(skip_locked=True)
        # Two statements, not UPDATE ... WHERE id IN (locking subquery): PostgreSQL may run
        # such a subquery again for each row and then lease more than `limit` messages.
        # SQLite needs no lock: a transaction here holds the write lock from BEGIN IMMEDIATE.
        due_ids = list((await self._connection.execute(due)).scalars())
        if not due_ids:
            return []
        claim = (
            update(outbox)
            .where(outbox.c.id.in_(due_ids))
            .values(lease_until=lease_until)
            .returning(*outbox.c)
        )
        result = await self._connection.execute(claim)
        claimed = [mappers.outbox_from_row(row) for row in result.mappings()]
        return sorted(claimed, key=lambda message: (message.next_attempt_at, message.id))

    async def mark_sent(self, message_ids: Sequence[int], now: datetime) -> None:
        wanted = set(message_ids)
        statement = (
            update(outbox)
            .where(outbox.c.id.in_(wanted))
            .values(
                lease_until=None,
                status=OutboxStatus.SENT.value,
                sent_at=now,
                attempts=outbox.c.attempts + 1,
            )
        )
        result = await execute_write(self._connection, statement)
        if result.rowcount != len(wanted):
            raise NotFound(f"outbox messages {sorted(wanted)}")

    async def mark_retry(self, message_id: int, error: str, next_attempt_at: datetime) -> None:
        await self._set(
            message_id,
            last_error=error,
            next_attempt_at=next_attempt_at,
            attempts=outbox.c.attempts + 1,
        )

    async def mark_failed(self, message_id: int, error: str) -> None:
        await self._set(
            message_id,
            status=OutboxStatus.FAILED.value,
            last_error=error,
            attempts=outbox.c.attempts + 1,
        )

    async def _set(self, message_id: int, **values: Any) -> None:
        # Whatever the outcome, the lease ends: the message is no longer being worked on.
        statement = (
            update(outbox).where(outbox.c.id == message_id).values(lease_until=None, **values)
        )
        await execute_update(self._connection, statement, f"outbox message {message_id}")

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(self, limit: int = 100) -> list[OutboxMessage]:
        """Newest first."""
        statement = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
        result = await self._connection.execute(statement)
        return [mappers.outbox_from_row(row) for row in result.mappings()]


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        outbox.c.status == OutboxStatus.PENDING.value,
        outbox.c.next_attempt_at <= now,
        or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now),
    )


class SqlAlchemySessionOutcomeRepository:
    """One row per day, gateway, status and screen, counted up by INSERT ... ON CONFLICT."""

    _KEY = ("day", "gateway", "status", "screen")

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def increment(self, day: date, gateway: str, status: SessionStatus, screen: str) -> None:
        # One atomic statement: concurrent increments of one row all count on both backends.
        key = {"day": day, "gateway": gateway, "status": status.value, "screen": screen}
        first = _insert_with_upsert(self._connection.dialect.name).values(**key, count=1)
        statement = first.on_conflict_do_update(
            index_elements=list(self._KEY), set_={"count": session_outcomes.c.count + 1}
        )
        await self._connection.execute(statement)

    async def counts(self, since: date | None = None) -> list[SessionOutcomeCount]:
        columns = session_outcomes.c
        statement = select(session_outcomes).order_by(
            columns.day, columns.gateway, columns.status, columns.screen
        )
        if since is not None:
            statement = statement.where(columns.day >= since)
        result = await self._connection.execute(statement)
        return [
            SessionOutcomeCount(
                row.day, row.gateway, SessionStatus(row.status), row.screen, row.count
            )
            for row in result.mappings()
        ]


def _insert_with_upsert(dialect: str) -> postgresql.Insert | sqlite.Insert:
    if dialect == "postgresql":
        return postgresql.insert(session_outcomes)
    if dialect == "sqlite":
        return sqlite.insert(session_outcomes)
    raise RuntimeError(f"no upsert for {dialect}: the line runs on SQLite or PostgreSQL")


class SqlAlchemyPaymentCallbackRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, callback: PaymentCallback) -> PaymentCallback:
        statement = (
            insert(payment_callbacks)
            .values(mappers.payment_callback_values(callback))
            .returning(payment_callbacks.c.id)
        )
        callback_id = (await execute_write(self._connection, statement)).scalar_one()
        return replace(callback, id=callback_id)

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(
        self,
        reference: str | None = None,
        outcome: CallbackOutcome | None = None,
        limit: int = 50,
    ) -> list[PaymentCallback]:
        columns = payment_callbacks.c
        statement = (
            select(payment_callbacks)
            .order_by(columns.received_at.desc(), columns.id.desc())
            .limit(limit)
        )
        if reference is not None:
            statement = statement.where(columns.reference == reference)
        if outcome is not None:
            statement = statement.where(columns.outcome == outcome.value)
        result = await self._connection.execute(statement)
        return [mappers.payment_callback_from_row(row) for row in result.mappings()]
