"""The floor: the deposit journey's own input and output, and nothing else, on the same stack.

A bare Litestar app, as `bare_app`, that does on each hop exactly the Redis and PostgreSQL work
the line does for the deposit journey, through the same libraries, with no dialogue, no
session record to decode, no deadline, no metrics and no logs:

- every hop: the session lock taken and the record read (one Redis script), then the record
  written and the lock freed (a second script), on one pooled Redis connection;
- a journey's first hop: the customer read by number;
- its last hop: the pay-on-delivery order and its SMS, in one statement in a transaction.

The statements and scripts are the line's own. The database work goes through psycopg alone,
on connections kept open, which is cheaper than any unit of work: what this app reaches is a
ceiling for the line on this machine, not a target for it.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import psycopg
import redis.asyncio as redis
from litestar import Litestar, Request, Response, post

from lpg_ussd.adapters.persistence.repositories import (
    _CUSTOMER_BY_MSISDN,
    _INSERT_ORDER_AND_NOTICE,
)
from lpg_ussd.adapters.sessions.redis import _TAKE, _WRITE, LOCK_TTL_MS

LAST_STEP = 5  # the deposit journey's sixth hop (`1*1*2*1*5`) places the order
CONNECTIONS = 30  # as the line's pool


def order_values(customer_id: int, msisdn: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "reference": f"F{secrets.token_hex(6).upper()}",
        "customer_id": customer_id,
        "kind": "deposit",
        "cylinder_type_id": 1,
        "cylinder_label": "6 kg",
        "deposit_pesewas": 35000,
        "gas_price_pesewas": 9000,
        "payment_method": "on_delivery",
        "status": "pay_on_delivery",
        "amount_paid_pesewas": 0,
        "created_at": now,
        "status_changed_at": now,
        "expected_delivery": now,
        "n_kind": "sms",
        "n_payload": json.dumps({"to": msisdn, "text": "Your order is placed."}),
        "n_status": "pending",
        "n_attempts": 0,
        "n_next_attempt_at": now,
        "n_created_at": now,
        "n_sent_at": None,
        "n_last_error": None,
    }


def create_app() -> Litestar:
    client = redis.Redis.from_pool(
        redis.BlockingConnectionPool.from_url(
            os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
        )
    )
    prefix = os.environ.get("BENCH_REDIS_PREFIX", "bench-floor")
    database_url = os.environ["BENCH_DATABASE_URL"].replace(
        "postgresql+psycopg://", "postgresql://"
    )
    take, write = client.register_script(_TAKE), client.register_script(_WRITE)
    idle: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()
    customer_ids: dict[str, int] = {}

    async def script(connection: Any, sha: str, keys: list[str], args: list[Any]) -> Any:
        await connection.send_command("EVALSHA", sha, len(keys), *keys, *args)
        return await connection.read_response()

    async def database_work(phone: str, step: int) -> None:
        connection = await idle.get()
        try:
            if step == 0:
                async with connection.cursor() as cursor:
                    await cursor.execute(_CUSTOMER_BY_MSISDN, (phone,))
                    row = await cursor.fetchone()
                    assert row is not None, phone
                    customer_ids[phone] = row[0]
            else:
                async with connection.transaction(), connection.cursor() as cursor:
                    values = order_values(customer_ids[phone], phone)
                    await cursor.execute(_INSERT_ORDER_AND_NOTICE, values)
                    await cursor.fetchone()
        finally:
            idle.put_nowait(connection)

    @post("/ussd/africastalking/callback", status_code=200)
    async def hop(request: Request) -> Response[bytes]:  # type: ignore[type-arg]
        form = parse_qs((await request.body()).decode(), keep_blank_values=True)
        phone, text = form["phoneNumber"][0], form["text"][0]
        record_key, lock_key = f"{prefix}:{{{phone}}}:s", f"{prefix}:{{{phone}}}:l"
        token = secrets.token_hex(8)
        step = text.count("*") + 1 if text else 0
        connection = await client.connection_pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            await script(connection, take.sha, [lock_key, record_key], [token, LOCK_TTL_MS])
            if step in (0, LAST_STEP):
                await database_work(phone, step)
            record = text.encode() or b"-"
            await script(connection, write.sha, [record_key, lock_key], [record, 600, token])
        finally:
            await client.connection_pool.release(connection)
        return Response(b"END ok" if step == LAST_STEP else b"CON ok", media_type="text/plain")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await client.script_load(_TAKE)
        await client.script_load(_WRITE)
        for _ in range(CONNECTIONS):
            idle.put_nowait(await psycopg.AsyncConnection.connect(database_url, autocommit=True))
        yield
        while not idle.empty():
            await idle.get_nowait().close()
        await client.aclose()

    return Litestar(route_handlers=[hop], lifespan=[lifespan], openapi_config=None)
