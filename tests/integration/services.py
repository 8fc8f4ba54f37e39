"""The real services of the integration tests: databases of their own on a PostgreSQL server,
and a Redis key space of their own, so that they never touch a developer's data and two runs
at once never meet.

PostgreSQL: `LPG_USSD_TEST_POSTGRES_ADMIN_URL` names a server and its maintenance database,
where the tests CREATE and DROP `lpg_test_<random hex>` databases. Redis:
`LPG_USSD_TEST_REDIS_URL`; each test writes under a key prefix of its own.

A service that cannot be reached skips the tests that need it, or fails them when `CI` is set:
in CI a missing service is a broken build, not a reason to pass.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any, NoReturn

import pytest
import redis
from sqlalchemy import Engine, NullPool, Table, make_url, text
from sqlalchemy import create_engine as create_sync_engine

from lpg_ussd.adapters.persistence import migrate
from lpg_ussd.adapters.persistence.tables import metadata

POSTGRES_ADMIN_URL_VARIABLE = "LPG_USSD_TEST_POSTGRES_ADMIN_URL"
DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL_VARIABLE = "LPG_USSD_TEST_REDIS_URL"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DATABASE_PREFIX = "lpg_test_"
REDIS_PREFIX = "lpgtest-"
CONNECT_TIMEOUT_SECONDS = 3


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(service: str, variable: str, url: str, error: BaseException) -> NoReturn:
    """Skip the test that needs `service`, or fail it in CI."""
    shown = make_url(url).render_as_string()  # a password shows as ***
    said = " ".join(str(error).split())
    reason = f"{service} unreachable at {shown} ({error.__class__.__name__}: {said})"
    reason += f"; {variable} names another"
    if in_ci():
        pytest.fail(f"{reason}. CI is set, so the integration tests must run.", pytrace=False)
    pytest.skip(reason)


def postgres_admin_url() -> str:
    return os.environ.get(POSTGRES_ADMIN_URL_VARIABLE) or DEFAULT_POSTGRES_ADMIN_URL


def redis_url() -> str:
    return os.environ.get(REDIS_URL_VARIABLE) or DEFAULT_REDIS_URL


class PostgresServer:
    """Creates databases through the maintenance database and drops them all at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._admin: Engine = create_sync_engine(
            make_url(admin_url),
            isolation_level="AUTOCOMMIT",  # CREATE and DROP DATABASE refuse a transaction
            poolclass=NullPool,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        )
        self._created: list[str] = []

    def check(self) -> None:
        """Raises when the server cannot be reached or refuses us."""
        with self._admin.connect() as connection:
            connection.execute(text("SELECT 1"))

    def create_database(self) -> str:
        """A new empty database; its URL."""
        name = DATABASE_PREFIX + secrets.token_hex(6)
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self._created.append(name)
        return self.url_of(name)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        assert name is not None and name.startswith(DATABASE_PREFIX), name
        # FORCE ends the connections a test (or a server process it started) left open.
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self._created:
            self._created.remove(name)

    def drop_all(self) -> None:
        for name in list(self._created):
            self.drop_database(self.url_of(name))
        self._admin.dispose()

    def url_of(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)


class MigratedPostgres:
    """One database migrated to head once; `reset()` brings it back to just after migrating.

    Faster than a new database per test: TRUNCATE every table, put back what the migrations
    seeded (the default catalogue, with its ids) and set each id sequence after those rows.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        migrate.upgrade(url)
        self._engine = create_sync_engine(make_url(url), poolclass=NullPool)
        with self._engine.connect() as connection:
            self._seeded: dict[Table, list[dict[str, Any]]] = {
                table: [dict(row) for row in connection.execute(table.select()).mappings()]
                for table in metadata.sorted_tables
            }

    def reset(self) -> None:
        names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        with self._engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            for table, rows in self._seeded.items():
                if not rows:
                    continue
                connection.execute(table.insert(), rows)
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                    {"table": table.name, "last": max(row["id"] for row in rows)},
                )

    def dispose(self) -> None:
        self._engine.dispose()


def check_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def new_redis_prefix() -> str:
    return REDIS_PREFIX + secrets.token_hex(8)


def delete_redis_keys(url: str, prefix: str) -> int:
    """Delete every key under `prefix`; how many there were."""
    client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)
    deleted = 0
    try:
        batch: list[bytes] = []
        for key in client.scan_iter(match=f"{prefix}*", count=500):
            batch.append(key)
            if len(batch) >= 500:
                deleted += int(client.unlink(*batch))
                batch = []
        if batch:
            deleted += int(client.unlink(*batch))
    finally:
        client.close()
    return deleted
