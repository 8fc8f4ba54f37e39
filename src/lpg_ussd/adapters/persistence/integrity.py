"""Integrity errors of the database turned into domain errors."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Executable, UniqueConstraint
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from lpg_ussd.adapters.persistence.tables import metadata
from lpg_ussd.domain.errors import AlreadyExists, NotFound

_POSTGRES_UNIQUE_VIOLATION = "23505"
_POSTGRES_FOREIGN_KEY_VIOLATION = "23503"
# SQLite names the columns, not the constraint: "UNIQUE constraint failed: orders.reference".
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)")


def _unique_constraints_by_columns() -> dict[tuple[str, ...], str]:
    names: dict[tuple[str, ...], str] = {}
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint) and isinstance(constraint.name, str):
                key = tuple(f"{table.name}.{column.name}" for column in constraint.columns)
                names[key] = constraint.name
    return names


_UNIQUE_BY_COLUMNS = _unique_constraints_by_columns()
# Tables where a write can clash with a unique key: only those pay for a savepoint.
_GUARDED_TABLES = frozenset(
    table.name
    for table in metadata.tables.values()
    if any(isinstance(c, UniqueConstraint) for c in table.constraints)
)


def violated_unique_constraint(error: IntegrityError) -> str | None:
    """The name of the unique constraint an insert or update broke, or None if another rule."""
    origin = error.orig
    if getattr(origin, "sqlstate", None) == _POSTGRES_UNIQUE_VIOLATION:
        return getattr(getattr(origin, "diag", None), "constraint_name", None) or "unique"
    match = _SQLITE_UNIQUE.search(str(origin))
    if match is None:
        return None
    columns = tuple(match["columns"].split(", "))
    return _UNIQUE_BY_COLUMNS.get(columns, "uq_" + "_".join(columns).replace(".", "_"))


def is_foreign_key_violation(error: IntegrityError) -> bool:
    origin = error.orig
    if getattr(origin, "sqlstate", None) == _POSTGRES_FOREIGN_KEY_VIOLATION:
        return True
    return "FOREIGN KEY constraint failed" in str(origin)


def _may_clash(statement: Executable) -> bool:
    table = getattr(getattr(statement, "table", None), "name", None)
    if table is None:
        return True
    if table not in _GUARDED_TABLES:
        return False
    return bool(getattr(statement, "is_insert", False)) or table == "customers"


async def execute_write(connection: AsyncConnection, statement: Executable) -> CursorResult[Any]:
    """Run an insert or update, turning a unique violation into AlreadyExists.

    The savepoint keeps the surrounding transaction usable after a violation (PostgreSQL
    aborts the whole transaction otherwise), so a use case may retry, say, a fresh reference.
    Writes that cannot clash skip it (it costs two round trips): those to tables without a
    unique key, and updates of orders and payments, whose references never change.
    """
    if not _may_clash(statement):
        return await connection.execute(statement)
    try:
        async with connection.begin_nested():
            return await connection.execute(statement)
    except IntegrityError as error:
        constraint = violated_unique_constraint(error)
        if constraint is None:
            raise
        raise AlreadyExists(constraint) from error


async def execute_update(connection: AsyncConnection, statement: Executable, what: str) -> None:
    """Run an update of one stored row; NotFound when there was none to update."""
    result = await execute_write(connection, statement)
    if result.rowcount == 0:
        raise NotFound(what)
