"""Sessions in Redis, shared by every instance: one round trip to lock and read, one to write.

Each session is one msgpack record with a TTL under `<prefix>:{<msisdn>}:s`; its lock is
`<prefix>:{<msisdn>}:l`. The braces are a hash tag, so both keys of a session live on one
Redis Cluster slot and a pipeline over them works there too.

A hop holds one connection of the pool from taking the lock to writing the record, and sends
its two scripts on it directly: redis-py's per-command path (a pool checkout with a timeout,
retries, response callbacks) cost as much CPU as the rest of the session handling.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import redis.asyncio as redis
from redis.asyncio.connection import AbstractConnection as Connection
from redis.asyncio.sentinel import Sentinel
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from lpg_ussd.application.ports import SessionBusy
from lpg_ussd.application.ussd.session import SessionRecord, decode, encode

# Delete the lock only if it is still ours (it may have expired and been taken by another hop).
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
SENTINEL_SCHEMES = ("redis+sentinel://", "rediss+sentinel://")
# Take the lock and read the record in one script (one command, one round trip). A lock that
# is already ours was taken by a try whose answer was lost with its connection.
_TAKE = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
  or redis.call('get', KEYS[1]) == ARGV[1] then
  return {1, redis.call('get', KEYS[2])}
end
return {0}
"""
# Write the record and free the lock (if still ours) in one script.
_WRITE = """
redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2])
if ARGV[3] ~= '' and redis.call('get', KEYS[2]) == ARGV[3] then redis.call('del', KEYS[2]) end
return 1
"""
LOCK_TTL_MS = 10_000  # longer than any hop's deadline: a crashed hop frees its lock by itself
PING_TIMEOUT_SECONDS = 1.0  # readiness probes commonly give up after 1 s


class RedisSessionStore:
    def __init__(self, client: redis.Redis, prefix: str = "lpg") -> None:
        self._client = client
        self._prefix = prefix
        self._release = client.register_script(_RELEASE)
        self._take = client.register_script(_TAKE)
        self._write = client.register_script(_WRITE)
        # key -> (lock token, record read, the connection the hop holds)
        self._held: dict[str, tuple[str, bytes | None, Connection]] = {}

    @classmethod
    def from_url(cls, url: str, prefix: str = "lpg", **options: Any) -> RedisSessionStore:
        """`redis://`, `rediss://` (TLS) and `unix://` as redis-py reads them, and Sentinel."""
        if url.startswith(SENTINEL_SCHEMES):
            return cls(sentinel_client(url, **options), prefix)
        # Blocking: with every connection busy a command waits for one (the hop's deadline
        # bounds the wait) where redis-py's default pool fails it at once (MaxConnectionsError).
        pool = redis.BlockingConnectionPool.from_url(url, **options)
        return cls(redis.Redis.from_pool(pool), prefix)

    @property
    def client(self) -> redis.Redis:
        """The connection pool, shared with what else keeps state in the same Redis."""
        return self._client

    def _record_key(self, key: str) -> str:
        return f"{self._prefix}:{{{key}}}:s"

    def _lock_key(self, key: str) -> str:
        return f"{self._prefix}:{{{key}}}:l"

    async def get(self, key: str) -> SessionRecord | None:
        held = self._held.get(key)
        raw = held[1] if held is not None else await self._client.get(self._record_key(key))
        if not raw:
            return None
        return decode(raw if isinstance(raw, bytes) else raw.encode("latin-1"))

    async def put(self, key: str, record: SessionRecord, ttl_seconds: int) -> None:
        keys = [self._record_key(key), self._lock_key(key)]
        held = self._held.pop(key, None)
        if held is None:
            await self._write(keys=keys, args=[encode(record), ttl_seconds, ""])
            return
        await _run(held[2], self._write, keys, [encode(record), ttl_seconds, held[0]])

    @asynccontextmanager
    async def lock(self, key: str, timeout_seconds: float) -> AsyncIterator[None]:
        token = secrets.token_hex(8)
        deadline = time.monotonic() + timeout_seconds
        pause = 0.005
        pool = self._client.connection_pool
        connection = await pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            while True:
                keys = [self._lock_key(key), self._record_key(key)]
                taken = await _run(connection, self._take, keys, [token, LOCK_TTL_MS])
                if taken[0] == 1:
                    raw = taken[1] if len(taken) > 1 else None
                    break
                if time.monotonic() + pause > deadline:
                    raise SessionBusy(key)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.1)
            self._held[key] = (token, raw, connection)
            try:
                yield
            finally:
                held = self._held.pop(key, None)
                if held is not None:  # the hop ended without a write: free the lock now
                    await _run(connection, self._release, [self._lock_key(key)], [token])
        finally:
            await pool.release(connection)

    async def ping(self) -> bool:
        try:
            # Bounded: a Redis that takes the connection but never answers is down too.
            async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                return bool(await self._client.ping())
        except (redis.RedisError, OSError, TimeoutError):
            return False

    async def aclose(self) -> None:
        await self._client.aclose()


async def _run(
    connection: Connection, script: AsyncScript, keys: list[str], args: list[Any]
) -> Any:
    """One script on this connection: by its digest, or whole when Redis has forgotten it (a
    restart); once more on a fresh connection when a pooled one turns out to be dead (each
    script may safely run twice)."""
    try:
        return await _evaluate(connection, script, keys, args)
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        await connection.disconnect()  # the next command connects anew
        return await _evaluate(connection, script, keys, args)


async def _evaluate(
    connection: Connection, script: AsyncScript, keys: list[str], args: list[Any]
) -> Any:
    try:
        await connection.send_command("EVALSHA", script.sha, len(keys), *keys, *args)
        return await connection.read_response()
    except NoScriptError:
        await connection.send_command("EVAL", script.script, len(keys), *keys, *args)
        return await connection.read_response()


def sentinel_client(url: str, **options: Any) -> redis.Redis:
    """`redis+sentinel://[user:password@]host[:port][,host2[:port2]]/service[/db]`.

    redis-py has Sentinel but no URL form for it; this is the common convention. Sentinels
    default to port 26379; `rediss+sentinel://` speaks TLS to the data nodes.
    """
    parts = urlsplit(url)
    credentials, _, hosts = parts.netloc.rpartition("@")
    username, _, password = credentials.partition(":")
    sentinels = []
    for member in hosts.split(","):
        host, _, port = member.partition(":")
        sentinels.append((host, int(port or 26379)))
    path = [p for p in parts.path.split("/") if p]
    if not path:
        raise ValueError("a Sentinel URL names its service: redis+sentinel://host:26379/mymaster")
    service, db = path[0], int(path[1]) if len(path) > 1 else 0
    node_options: dict[str, Any] = {"db": db, **options}
    if username:
        node_options["username"] = unquote(username)
    if password:
        node_options["password"] = unquote(password)
    if parts.scheme.startswith("rediss"):
        node_options["ssl"] = True
    sentinel = Sentinel(sentinels, **node_options)  # type: ignore[no-untyped-call]
    return cast(redis.Redis, sentinel.master_for(service))
