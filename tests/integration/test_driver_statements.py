"""Statements psycopg runs itself on a unit of work's connection (a hop's customer read and
order): a hop cancelled in the middle of one leaves no busy connection behind."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine

from lpg_ussd.adapters.persistence import driver
from lpg_ussd.adapters.persistence.database import POOL_SIZE, create_engine


async def test_a_statement_cancelled_midway_leaves_no_busy_connection_in_the_pool(
    postgres_url: str,
) -> None:
    engine = create_async_engine(postgres_url, pool_size=1, max_overflow=0, pool_timeout=2)
    try:

        async def slow_hop() -> None:
            async with engine.connect() as connection:
                await driver.fetch_one(connection, "SELECT pg_sleep(3)", ())

        hop = asyncio.create_task(slow_hop())
        await asyncio.sleep(0.3)
        hop.cancel()  # as the dialogue cancels a hop past its deadline
        with contextlib.suppress(asyncio.CancelledError):
            await hop

        # The pool's only connection: answers at once, not after the abandoned statement.
        async with asyncio.timeout(1), engine.connect() as connection:
            assert await driver.fetch_one(connection, "SELECT 1", ()) == (1,)
            row = await driver.fetch_one_mapping(connection, "SELECT 2 AS two", ())
            assert row == {"two": 2}
    finally:
        await engine.dispose()


async def test_the_pool_keeps_the_connections_a_burst_opened(postgres_url: str) -> None:
    """Under load a hop must not pay for a new connection: once a burst has opened them, the
    next burst of as many units of work finds them all still open."""
    engine = create_engine(postgres_url)
    opened = 0

    def count(*_: object) -> None:
        nonlocal opened
        opened += 1

    event.listen(engine.sync_engine, "connect", count)
    try:

        async def burst() -> None:
            held = asyncio.Event()
            ready = 0

            async def unit() -> None:
                nonlocal ready
                async with engine.connect() as connection:
                    await driver.fetch_one(connection, "SELECT 1", ())
                    ready += 1
                    if ready == POOL_SIZE:
                        held.set()
                    await held.wait()  # every connection is in use at once

            async with asyncio.timeout(10):
                await asyncio.gather(*(unit() for _ in range(POOL_SIZE)))

        await burst()
        assert opened == POOL_SIZE
        await burst()
        assert opened == POOL_SIZE  # none closed on return, none opened again
    finally:
        await engine.dispose()
