"""SQL run by psycopg itself on a unit of work's connection, for the few statements of a hop.

SQLAlchemy's execution path (a greenlet switch, an execution context, result metadata built
anew for text SQL) cost twice what the round trip itself costs; the statements a hop runs
(a session's customer read, a pay-on-delivery order) are fixed strings, so nothing of it is
needed. They share the connection, and so the transaction, of the unit of work: psycopg
begins it on the first statement whichever way that is sent, and the unit commits it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg.rows import AsyncRowFactory, dict_row, tuple_row
from sqlalchemy.ext.asyncio import AsyncConnection


async def fetch_one(
    connection: AsyncConnection, sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The first row of the statement's result, or None."""
    row: tuple[Any, ...] | None = await _first_row(connection, sql, params, tuple_row)
    return row


async def fetch_one_mapping(
    connection: AsyncConnection, sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> dict[str, Any] | None:
    """The first row as a dict of column names, or None."""
    row: dict[str, Any] | None = await _first_row(connection, sql, params, dict_row)
    return row


async def _first_row(
    connection: AsyncConnection,
    sql: str,
    params: Sequence[Any] | Mapping[str, Any],
    row_factory: AsyncRowFactory[Any],
) -> Any:
    driver = await _driver(connection)
    try:
        async with driver.cursor(row_factory=row_factory) as cursor:
            await cursor.execute(sql, params)
            return await cursor.fetchone()
    except psycopg.Error:
        await _forget_if_broken(connection, driver)
        raise
    except BaseException:
        await _forget(connection)
        raise


async def _driver(connection: AsyncConnection) -> psycopg.AsyncConnection[Any]:
    raw = await connection.get_raw_connection()
    driver: psycopg.AsyncConnection[Any] = raw.driver_connection  # type: ignore[assignment]
    if not driver.autocommit and not connection.in_transaction():
        # After a commit(), SQLAlchemy begins anew only for its own statements: tell it, so
        # that the unit's next commit() commits what psycopg is about to begin.
        await connection.begin()
    return driver


async def _forget(connection: AsyncConnection) -> None:
    """Cancelled mid-statement (a hop past its deadline): the connection may still be busy
    with it, so it is closed rather than handed back, as SQLAlchemy does for its own
    statements; its transaction is never committed."""
    await asyncio.shield(connection.invalidate())


async def _forget_if_broken(
    connection: AsyncConnection, driver: psycopg.AsyncConnection[Any]
) -> None:
    """A connection lost mid-statement is not handed to the next unit of work (SQLAlchemy
    does this for the statements it runs)."""
    if driver.broken or driver.closed:
        await _forget(connection)
