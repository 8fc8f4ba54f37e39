"""One connection and one transaction per unit of work."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

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
            # No transaction to begin: each statement stands alone.
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        else:
            await connection.begin()
        for name in _REPOSITORIES:  # a unit used again gets repositories on its new connection
            self.__dict__.pop(name, None)
        self._connection = connection
        return self

    def __getattr__(self, name: str) -> Any:
        """A repository, made on first use: a hop's unit uses one or two of the thirteen."""
        make = _REPOSITORIES.get(name)
        connection = self.__dict__.get("_connection")
        if make is None or connection is None:
            raise AttributeError(name)
        repository = make(connection)
        setattr(self, name, repository)
        return repository

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


_REPOSITORIES: dict[str, Callable[[AsyncConnection], object]] = {
    "customers": SqlAlchemyCustomerRepository,
    "catalogue": SqlAlchemyCatalogueRepository,
    "orders": SqlAlchemyOrderRepository,
    "payments": SqlAlchemyPaymentRepository,
    "ledger": SqlAlchemyLedgerRepository,
    "tickets": SqlAlchemyTicketRepository,
    "outbox": SqlAlchemyOutboxRepository,
    "session_outcomes": SqlAlchemySessionOutcomeRepository,
    "payment_callbacks": SqlAlchemyPaymentCallbackRepository,
    "staff": SqlAlchemyStaffRepository,
    "audit": SqlAlchemyAuditLog,
    "api_keys": SqlAlchemyApiKeyRepository,
    "figures": SqlAlchemyFiguresRepository,
}


class SqlAlchemyUnitOfWorkFactory:
    """A new unit of work for each use of it; the engine is shared."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __call__(self, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._engine, read_only)
