"""Fixtures of the fault and concurrency tests: real PostgreSQL and Redis, never disturbed.

- `databases`: a database migrated once for the session, and copies of it; `database_url`:
  such a copy of the test's own, dropped after it.
- `redis_url` and `redis_prefix`: the machine's Redis, under a key prefix of the test's own.
- `redis_server`: a throwaway `redis-server` on a free port, for tests that stop it.
- `pg_proxy`: a TCP proxy in front of the real PostgreSQL, for tests that cut it off.

A service that cannot be reached skips these tests, or fails them when `CI` is set (the
helpers of tests/integration/services.py decide).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import NullPool, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from lpg_ussd.adapters.persistence import migrate
from tests.faults.faults import RedisServer, TcpProxy
from tests.integration import services


class Databases:
    """Copies of one migrated database, each made for one test and dropped after it: a copy
    (`CREATE DATABASE ... TEMPLATE`) takes a fraction of the time migrating takes."""

    def __init__(self, server: services.PostgresServer) -> None:
        self.server = server
        self.template = server.create_database()
        migrate.upgrade(self.template)
        self._admin = create_engine(
            make_url(server.admin_url), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )

    def copy(self) -> str:
        name = services.DATABASE_PREFIX + secrets.token_hex(6)
        template = make_url(self.template).database
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return self.server.url_of(name)

    def drop(self, url: str) -> None:
        self.server.drop_database(url)


@pytest.fixture(scope="session")
def databases() -> Iterator[Databases]:
    admin_url = services.postgres_admin_url()
    server = services.PostgresServer(admin_url)
    try:
        server.check()
    except (SQLAlchemyError, OSError) as error:
        services.unavailable(
            "PostgreSQL", services.POSTGRES_ADMIN_URL_VARIABLE, admin_url, error.__cause__ or error
        )
    try:
        made = Databases(server)
        yield made
    finally:
        server.drop_all()  # the template and any copy left behind


@pytest.fixture
def database_url(databases: Databases) -> Iterator[str]:
    """A migrated database of this test's own."""
    url = databases.copy()
    yield url
    databases.drop(url)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = services.redis_url()
    try:
        services.check_redis(url)
    except (redis.RedisError, OSError) as error:
        services.unavailable("Redis", services.REDIS_URL_VARIABLE, url, error)
    return url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    prefix = services.new_redis_prefix()
    yield prefix
    services.delete_redis_keys(redis_url, prefix)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, which the test may stop and start."""
    if RedisServer.binary() is None:
        services.unavailable(
            "redis-server", "PATH", "redis://127.0.0.1", FileNotFoundError("redis-server")
        )
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def pg_proxy(databases: Databases) -> Iterator[TcpProxy]:
    """A proxy in front of the real PostgreSQL, forwarding until told otherwise."""
    url = make_url(databases.template)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    yield proxy
    proxy.stop()
