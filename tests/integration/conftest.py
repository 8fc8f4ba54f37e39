"""Fixtures of the integration tests: PostgreSQL databases and Redis key spaces of their own.

- `postgres_url`: a database created empty for this test session, dropped at its end.
- `fresh_postgres_url`: a database created empty for one test, dropped after it.
- `redis_url_and_prefix`: the Redis URL and a key prefix of this test's own; every key under
  the prefix is deleted after the test.
- `uow_factory`: the repository backends, each test on a clean copy (see backends.py).

See services.py for the environment variables, and for skip-or-fail when a service is down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy.exc import SQLAlchemyError

from lpg_ussd.adapters.persistence import migrate
from lpg_ussd.application.ports import UnitOfWorkFactory
from tests.integration import services
from tests.integration.backends import (
    Backend,
    backend_params,
    memory_backend,
    postgresql_backend,
    sqlite_backend,
    sqlite_url,
)

# A test that asks for one of these (directly or through another fixture) needs a real server.
SERVICE_FIXTURES = frozenset({"postgres_server", "redis_url"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVICE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[services.PostgresServer]:
    admin_url = services.postgres_admin_url()
    server = services.PostgresServer(admin_url)
    try:
        server.check()
    except (SQLAlchemyError, OSError) as error:
        services.unavailable(
            "PostgreSQL", services.POSTGRES_ADMIN_URL_VARIABLE, admin_url, error.__cause__ or error
        )
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: services.PostgresServer) -> str:
    """An empty database of this session's own (shared by the tests that ask for it)."""
    return postgres_server.create_database()


@pytest.fixture
def fresh_postgres_url(postgres_server: services.PostgresServer) -> Iterator[str]:
    """An empty database of this test's own."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(scope="session")
def migrated_postgres(
    postgres_server: services.PostgresServer,
) -> Iterator[services.MigratedPostgres]:
    database = services.MigratedPostgres(postgres_server.create_database())
    yield database
    database.dispose()


# ---------------------------------------------------------------- SQLite and the backends


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "lpg.db"
    migrate.upgrade(sqlite_url(path))
    return path


@pytest.fixture(params=backend_params("memory", "sqlite"))
async def uow_factory(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite_file: Path
) -> AsyncIterator[UnitOfWorkFactory]:
    backend: Backend
    if request.param == "memory":
        backend = memory_backend
    elif request.param == "sqlite":
        backend = sqlite_backend(migrated_sqlite_file)
    else:
        # Asked for only here, so that a missing server skips only the PostgreSQL params.
        backend = postgresql_backend(request.getfixturevalue("migrated_postgres"))
    async with backend(tmp_path) as factory:
        yield factory


# ---------------------------------------------------------------- Redis


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = services.redis_url()
    try:
        services.check_redis(url)
    except (redis.RedisError, OSError) as error:
        services.unavailable("Redis", services.REDIS_URL_VARIABLE, url, error)
    return url


@pytest.fixture
def redis_url_and_prefix(redis_url: str) -> Iterator[tuple[str, str]]:
    """Redis, and a key prefix no other test (nor another run) uses; its keys go afterwards."""
    prefix = services.new_redis_prefix()
    yield redis_url, prefix
    services.delete_redis_keys(redis_url, prefix)
