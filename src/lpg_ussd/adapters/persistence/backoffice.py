"""Repositories of the back office: tickets, staff, the audit log, API keys and the
dashboard's figures. None of them is on a USSD hop's path but for adding a ticket."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from lpg_ussd.adapters.persistence import mappers
from lpg_ussd.adapters.persistence.integrity import execute_update, execute_write
from lpg_ussd.adapters.persistence.tables import (
    api_keys,
    audit_log,
    customers,
    orders,
    payments,
    staff_users,
    tickets,
)
from lpg_ussd.application.ports import DayCount, NetworkPayments
from lpg_ussd.domain.api_key import ApiKey
from lpg_ussd.domain.audit import AuditEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.payment import PaymentStatus
from lpg_ussd.domain.staff import Permission, Role, StaffUser
from lpg_ussd.domain.ticket import Ticket, TicketStatus


class SqlAlchemyTicketRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, ticket: Ticket) -> Ticket:
        statement = insert(tickets).values(mappers.ticket_values(ticket)).returning(tickets.c.id)
        ticket_id = (await execute_write(self._connection, statement)).scalar_one()
        return replace(ticket, id=ticket_id)

    async def get(self, ticket_id: int) -> Ticket | None:
        statement = select(tickets).where(tickets.c.id == ticket_id)
        row = (await self._connection.execute(statement)).mappings().first()
        return mappers.ticket_from_row(row) if row is not None else None

    async def update(self, ticket: Ticket) -> None:
        statement = (
            update(tickets).where(tickets.c.id == ticket.id).values(mappers.ticket_values(ticket))
        )
        await execute_update(self._connection, statement, f"ticket {ticket.id}")

    async def list_open(self, limit: int = 50) -> list[Ticket]:
        """Urgent tickets first, then the longest waiting."""
        return await self._all(
            tickets.c.status == TicketStatus.OPEN.value,
            (tickets.c.urgent.desc(), tickets.c.created_at, tickets.c.id),
            limit,
        )

    async def list_for_customer(self, customer_id: int, limit: int = 20) -> list[Ticket]:
        return await self._all(
            tickets.c.customer_id == customer_id,
            (tickets.c.created_at.desc(), tickets.c.id.desc()),
            limit,
        )

    async def list_resolved(self, limit: int = 50) -> list[Ticket]:
        return await self._all(
            tickets.c.status == TicketStatus.RESOLVED.value,
            (tickets.c.resolved_at.desc(), tickets.c.id.desc()),
            limit,
        )

    async def _all(
        self, condition: ColumnElement[bool], order: tuple[Any, ...], limit: int
    ) -> list[Ticket]:
        statement = select(tickets).where(condition).order_by(*order).limit(limit)
        result = await self._connection.execute(statement)
        return [mappers.ticket_from_row(row) for row in result.mappings()]


def _staff_from_row(row: Any) -> StaffUser:
    return StaffUser(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        password_hash=row["password_hash"],
        created_at=row["created_at"],
        active=bool(row["active"]),
        failed_sign_ins=row["failed_sign_ins"],
        locked_until=row["locked_until"],
        last_sign_in_at=row["last_sign_in_at"],
    )


def _staff_values(user: StaffUser) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name[:64],
        "role": user.role.value,
        "password_hash": user.password_hash,
        "active": user.active,
        "failed_sign_ins": user.failed_sign_ins,
        "locked_until": user.locked_until,
        "created_at": user.created_at,
        "last_sign_in_at": user.last_sign_in_at,
    }


class SqlAlchemyStaffRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, user: StaffUser) -> StaffUser:
        statement = insert(staff_users).values(_staff_values(user)).returning(staff_users.c.id)
        user_id = (await execute_write(self._connection, statement)).scalar_one()
        return replace(user, id=user_id)

    async def get(self, user_id: int) -> StaffUser | None:
        return await self._first(staff_users.c.id == user_id)

    async def get_by_username(self, username: str) -> StaffUser | None:
        return await self._first(staff_users.c.username == username)

    async def update(self, user: StaffUser) -> None:
        statement = (
            update(staff_users).where(staff_users.c.id == user.id).values(_staff_values(user))
        )
        await execute_update(self._connection, statement, f"staff {user.id}")

    async def count(self) -> int:
        statement = select(func.count()).select_from(staff_users)
        return int((await self._connection.execute(statement)).scalar_one())

    async def _first(self, condition: ColumnElement[bool]) -> StaffUser | None:
        statement = select(staff_users).where(condition)
        row = (await self._connection.execute(statement)).mappings().first()
        return _staff_from_row(row) if row is not None else None

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(self) -> list[StaffUser]:
        statement = select(staff_users).order_by(staff_users.c.username)
        result = await self._connection.execute(statement)
        return [_staff_from_row(row) for row in result.mappings()]


class SqlAlchemyAuditLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, entry: AuditEntry) -> None:
        values = {
            "actor": entry.actor[:64],
            "action": entry.action[:48],
            "subject": entry.subject[:64],
            "detail": entry.detail,
            "at": entry.at,
        }
        await execute_write(self._connection, insert(audit_log).values(values))

    async def list(
        self, actor: str | None = None, subject: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        statement = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        if actor is not None:
            statement = statement.where(audit_log.c.actor == actor)
        if subject is not None:
            statement = statement.where(audit_log.c.subject == subject)
        result = await self._connection.execute(statement.limit(limit))
        return [
            AuditEntry(
                row["actor"], row["action"], row["subject"], row["at"], row["detail"], row["id"]
            )
            for row in result.mappings()
        ]


def _key_from_row(row: Any) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        key_hash=row["key_hash"],
        scopes=frozenset(Permission(scope) for scope in row["scopes"].split()),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )


def _key_values(key: ApiKey) -> dict[str, Any]:
    return {
        "name": key.name,
        "prefix": key.prefix,
        "key_hash": key.key_hash,
        "scopes": " ".join(sorted(key.scopes)),
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
    }


class SqlAlchemyApiKeyRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, key: ApiKey) -> ApiKey:
        statement = insert(api_keys).values(_key_values(key)).returning(api_keys.c.id)
        key_id = (await execute_write(self._connection, statement)).scalar_one()
        return replace(key, id=key_id)

    async def get_by_prefix(self, prefix: str) -> ApiKey | None:
        statement = select(api_keys).where(api_keys.c.prefix == prefix)
        row = (await self._connection.execute(statement)).mappings().first()
        return _key_from_row(row) if row is not None else None

    async def update(self, key: ApiKey) -> None:
        statement = update(api_keys).where(api_keys.c.id == key.id).values(_key_values(key))
        await execute_update(self._connection, statement, f"api key {key.id}")

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(self) -> list[ApiKey]:
        statement = select(api_keys).order_by(api_keys.c.created_at.desc(), api_keys.c.id.desc())
        result = await self._connection.execute(statement)
        return [_key_from_row(row) for row in result.mappings()]


class SqlAlchemyFiguresRepository:
    """Counts by UTC day, grouped in the database."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    def _day(self, column: Any) -> Any:
        if self._connection.dialect.name == "postgresql":
            return cast(func.timezone("UTC", column), Date)
        return func.date(column)  # SQLite keeps UTC times as text

    async def _per_day(
        self, column: Any, amount: Any, since: date, *conditions: ColumnElement[bool]
    ) -> list[DayCount]:
        day = self._day(column).label("day")
        start = datetime.combine(since, time(), tzinfo=UTC)
        statement = (
            select(day, func.count().label("n"), func.coalesce(func.sum(amount), 0).label("sum"))
            .where(column >= start, *conditions)
            .group_by(day)
            .order_by(day)
        )
        result = await self._connection.execute(statement)
        return [
            DayCount(_as_date(row["day"]), int(row["n"]), Money(int(row["sum"])))
            for row in result.mappings()
        ]

    async def registrations_per_day(self, since: date) -> list[DayCount]:
        return await self._per_day(customers.c.created_at, 0, since)

    async def orders_per_day(self, since: date) -> list[DayCount]:
        worth = orders.c.deposit_pesewas + orders.c.gas_price_pesewas
        return await self._per_day(orders.c.created_at, worth, since)

    async def revenue_per_day(self, since: date) -> list[DayCount]:
        return await self._per_day(
            payments.c.updated_at,
            payments.c.amount_pesewas,
            since,
            payments.c.status == PaymentStatus.SUCCESSFUL.value,
        )

    async def payments_by_network(self, since: date) -> list[NetworkPayments]:
        start = datetime.combine(since, time(), tzinfo=UTC)
        statement = (
            select(payments.c.network, payments.c.status, func.count().label("n"))
            .where(payments.c.created_at >= start)
            .group_by(payments.c.network, payments.c.status)
            .order_by(payments.c.network, payments.c.status)
        )
        result = await self._connection.execute(statement)
        return [
            NetworkPayments(row["network"], PaymentStatus(row["status"]), int(row["n"]))
            for row in result.mappings()
        ]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
