"""Hops allowed per minute, per phone number and per source address.

In Redis the counters are shared by every instance (one pipelined round trip per hop); in
memory they belong to one process, for the embedded default. A limit of 0 turns it off.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis.asyncio as redis

WINDOW_SECONDS = 60


class InMemoryRateLimiter:
    def __init__(
        self,
        phone_per_minute: int,
        source_per_minute: int,
        clock: Callable[[], float] = time.time,
        max_keys: int = 100_000,
    ) -> None:
        self._limits = {"phone": phone_per_minute, "source": source_per_minute}
        self.active = bool(phone_per_minute or source_per_minute)
        self._clock = clock
        self._counts: dict[tuple[str, str, int], int] = {}
        self._max_keys = max_keys

    async def allow(self, phone: str | None, source: str | None) -> bool:
        window = int(self._clock()) // WINDOW_SECONDS
        if len(self._counts) > self._max_keys:
            self._counts = {k: v for k, v in self._counts.items() if k[2] == window}
        allowed = True
        for kind, value in (("phone", phone), ("source", source)):
            limit = self._limits[kind]
            if not limit or not value:
                continue
            key = (kind, value, window)
            self._counts[key] = self._counts.get(key, 0) + 1
            allowed = allowed and self._counts[key] <= limit
        return allowed


class RedisRateLimiter:
    """Fixed one-minute windows: INCR and EXPIRE of each counter, in one pipeline."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        phone_per_minute: int,
        source_per_minute: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._limits = {"phone": phone_per_minute, "source": source_per_minute}
        self.active = bool(phone_per_minute or source_per_minute)
        self._clock = clock

    async def allow(self, phone: str | None, source: str | None) -> bool:
        window = int(self._clock()) // WINDOW_SECONDS
        checks = [
            (kind, value, self._limits[kind])
            for kind, value in (("phone", phone), ("source", source))
            if self._limits[kind] and value
        ]
        if not checks:
            return True
        async with self._client.pipeline(transaction=False) as pipe:
            for kind, value, _ in checks:
                key = f"{self._prefix}:rl:{kind}:{{{value}}}:{window}"
                pipe.incr(key)
                pipe.expire(key, WINDOW_SECONDS * 2)
            results = await pipe.execute()
        counts = results[0::2]
        return all(count <= limit for count, (_, _, limit) in zip(counts, checks, strict=True))
