"""The async engine: SQLite (aiosqlite) for one small server, PostgreSQL (psycopg) beyond."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
POOL_SIZE = 30  # per process: PostgreSQL's max_connections must allow 30 for each (README)


def create_engine(url: str) -> AsyncEngine:
    """An engine for `sqlite+aiosqlite:///path` or `postgresql+psycopg://...`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    # A USSD hop has seconds, not minutes: give up on an unreachable server quickly.
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 5}
    return create_async_engine(
        parsed,
        # No ping before each checkout (it doubles the round trips of a short unit of work):
        # a connection found dead fails one statement, and SQLAlchemy then replaces the pool.
        pool_pre_ping=False,
        # Thirty connections at most, as before, but all kept: an overflow connection is closed
        # when handed back to a pool that holds its size, so under load every burst past the
        # size paid a new connection (a server process forked by PostgreSQL) again and again.
        pool_size=POOL_SIZE,
        max_overflow=0,
        pool_timeout=5,
        pool_recycle=1800,
        connect_args=connect_args,
    )


def ensure_sqlite_directory(url: str | URL) -> None:
    """Create the folder of a SQLite file, which SQLite will not do itself."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: URL) -> AsyncEngine:
    ensure_sqlite_directory(url)
    engine = create_async_engine(url)
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own BEGIN handling skips SELECTs and breaks savepoints; we emit BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _begin_immediate(connection: Any) -> None:
    # Take the write lock up front: a read-then-write transaction (check a balance, then debit)
    # would otherwise fail with SQLITE_BUSY instead of waiting for busy_timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


PING_TIMEOUT_SECONDS = 1.0


async def ping(engine: AsyncEngine, within: float = PING_TIMEOUT_SECONDS) -> bool:
    """True when the database answers a trivial query within `within` seconds.

    Like a hop, the check is left to unwind in the background when it takes too long: a
    hung server makes the driver wait long before it gives up.
    """
    check = asyncio.ensure_future(_select_one(engine))
    done, _ = await asyncio.wait({check}, timeout=within)
    if not done:
        check.cancel()
        check.add_done_callback(lambda task: task.cancelled() or task.exception())
        log.warning("database ping timed out")
        return False
    try:
        check.result()
    except (SQLAlchemyError, OSError) as error:
        log.warning("database ping failed: %s", error)
        return False
    return True


async def _select_one(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
