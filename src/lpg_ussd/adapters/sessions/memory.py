"""Sessions in this process's memory: the embedded default, for one process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from lpg_ussd.application.ports import SessionBusy
from lpg_ussd.application.ussd.session import SessionRecord, decode, encode


class InMemorySessionStore:
    """Keeps records encoded, as Redis would, so nothing leaks between hops by reference."""

    def __init__(self, max_sessions: int = 100_000) -> None:
        self._records: dict[str, tuple[float, bytes]] = {}
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # lock, hops using it
        self._max = max_sessions

    async def get(self, key: str) -> SessionRecord | None:
        entry = self._records.get(key)
        if entry is None:
            return None
        expires, raw = entry
        if expires < time.monotonic():
            del self._records[key]
            return None
        return decode(raw)

    async def put(self, key: str, record: SessionRecord, ttl_seconds: int) -> None:
        if len(self._records) >= self._max and key not in self._records:
            self._evict_expired()
        self._records[key] = (time.monotonic() + ttl_seconds, encode(record))

    @asynccontextmanager
    async def lock(self, key: str, timeout_seconds: float) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            try:
                await asyncio.wait_for(lock.acquire(), timeout_seconds)
            except TimeoutError as error:
                raise SessionBusy(key) from error
            try:
                yield
            finally:
                lock.release()
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def _evict_expired(self) -> None:
        now = time.monotonic()
        for key in [k for k, (expires, _) in self._records.items() if expires < now]:
            del self._records[key]
        while len(self._records) >= self._max:
            self._records.pop(next(iter(self._records)))
