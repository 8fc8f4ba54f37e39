"""The baseline: a bare Litestar app that reads and writes one Redis key per hop.

Whatever the line does beyond this is the cost of its features; the benchmark reports both.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs

import redis.asyncio as redis
from litestar import Litestar, Request, Response, post


def create_app() -> Litestar:
    client = redis.from_url(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    prefix = os.environ.get("BENCH_REDIS_PREFIX", "bench-bare")

    @post("/ussd/africastalking/callback", status_code=200)
    async def hop(request: Request) -> Response[bytes]:  # type: ignore[type-arg]
        form = parse_qs((await request.body()).decode())
        key = f"{prefix}:{{{form['phoneNumber'][0]}}}"
        await client.get(key)
        await client.set(key, form.get("text", [""])[0].encode() or b"-", ex=600)
        return Response(b"CON ok", media_type="text/plain")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return Litestar(route_handlers=[hop], lifespan=[lifespan], openapi_config=None)
