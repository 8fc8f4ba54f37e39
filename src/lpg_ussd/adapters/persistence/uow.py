"""One connection and one transaction per unit of work."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lpg_ussd.adapters.persistence.backoffice import (
    SqlAlchemyApiKeyRepository,
    SqlAlchemyAuditLog,
    SqlAlchemyFiguresRepository,
    SqlAlchemyStaffRepository,
    SqlAlchemyTicketRepository,
)
from lpg_ussd.adapters.persistence.repositories import (
    SqlAlchemyCatalogueRepository,
    SqlAlchemyCustomerRepository,
    SqlAlchemyLedgerRepository,
    SqlAlchemyOrderRepository,
    SqlAlchemyOutboxRepository,
    SqlAlchemyPaymentCallbackRepository,
    SqlAlchemyPaymentRepository,
    SqlAlchemySessionOutcomeRepository,
)
from lpg_ussd.application.ports import (
    ApiKeyRepository,
    AuditLog,
    CatalogueRepository,
    CustomerRepository,
    FiguresRepository,
    LedgerRepository,
    OrderRepository,
    OutboxRepository,
    PaymentCallbackRepository,
    PaymentRepository,
    SessionOutcomeRepository,
    StaffRepository,
    TicketRepository,
)


class SqlAlchemyUnitOfWork:
    """`async with uow:` opens a connection and a transaction; leaving without commit() rolls
    back. After commit() the unit may go on: the next statement begins a new transaction."""

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

    def __init__(self, engine: AsyncEngine, read_only: bool = False) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        # On PostgreSQL a unit that only reads runs without BEGIN and ROLLBACK: each costs a
        # round trip, and a single read needs no transaction. (SQLite keeps its transaction:
        # its BEGIN IMMEDIATE must always be ended.)
        self._autocommit = read_only and engine.dialect.name == "postgresql"

    async def __aenter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already open")
        connection = await self._engine.connect()
        if self._autocommit:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.begin()
        self._connection = connection
        self.customers = SqlAlchemyCustomerRepository(connection)
        self.catalogue = SqlAlchemyCatalogueRepository(connection)
        self.orders = SqlAlchemyOrderRepository(connection)
        self.payments = SqlAlchemyPaymentRepository(connection)
        self.ledger = SqlAlchemyLedgerRepository(connection)
        self.tickets = SqlAlchemyTicketRepository(connection)
        self.outbox = SqlAlchemyOutboxRepository(connection)
        self.session_outcomes = SqlAlchemySessionOutcomeRepository(connection)
        self.payment_callbacks = SqlAlchemyPaymentCallbackRepository(connection)
        self.staff = SqlAlchemyStaffRepository(connection)
        self.audit = SqlAlchemyAuditLog(connection)
        self.api_keys = SqlAlchemyApiKeyRepository(connection)
        self.figures = SqlAlchemyFiguresRepository(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._open_connection(), None
        try:
            if connection.in_transaction():
                await connection.rollback()
        finally:
            await connection.close()

    async def commit(self) -> None:
        await self._open_connection().commit()

    async def rollback(self) -> None:
        await self._open_connection().rollback()

    def _open_connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._connection


class SqlAlchemyUnitOfWorkFactory:
    """A new unit of work for each use of it; the engine is shared."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __call__(self, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._engine, read_only)
