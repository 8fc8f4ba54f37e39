"""Where the integration tests keep their data: in memory, a SQLite file, or PostgreSQL.

PostgreSQL takes part when LPG_USSD_TEST_POSTGRES_URL names a database the tests may wipe,
for example `postgresql+psycopg://lpg:lpg@localhost:5432/lpg_test`; its tests are marked
`integration`. Without the variable those params are not generated (and not skipped).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from lpg_ussd.adapters.persistence import migrate
from lpg_ussd.adapters.persistence.database import create_engine
from lpg_ussd.adapters.persistence.tables import metadata
from lpg_ussd.adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from lpg_ussd.application.ports import UnitOfWorkFactory
from tests.fakes import InMemoryDatabase, InMemoryUnitOfWorkFactory, seed_catalogue

POSTGRES_URL_VARIABLE = "LPG_USSD_TEST_POSTGRES_URL"

Backend = Callable[[Path], AbstractAsyncContextManager[UnitOfWorkFactory]]


def backend_params(*names: str) -> list[Any]:
    """Fixture params for the named backends, plus PostgreSQL when it is configured."""
    params = [pytest.param(name) for name in names]
    if os.environ.get(POSTGRES_URL_VARIABLE):
        params.append(pytest.param("postgresql", marks=pytest.mark.integration))
    return params


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def postgres_url() -> str:
    return os.environ[POSTGRES_URL_VARIABLE]


@asynccontextmanager
async def memory_backend(_: Path) -> AsyncIterator[UnitOfWorkFactory]:
    db = InMemoryDatabase()
    seed_catalogue(db)
    yield InMemoryUnitOfWorkFactory(db)


def sqlite_backend(migrated_template: Path) -> Backend:
    """Each test works on its own copy of a file migrated once."""

    @asynccontextmanager
    async def backend(tmp_path: Path) -> AsyncIterator[UnitOfWorkFactory]:
        path = tmp_path / "data" / "lpg.db"
        path.parent.mkdir()
        shutil.copyfile(migrated_template, path)
        engine = create_engine(sqlite_url(path))
        try:
            yield SqlAlchemyUnitOfWorkFactory(engine)
        finally:
            await engine.dispose()

    return backend


@asynccontextmanager
async def postgresql_backend(_: Path) -> AsyncIterator[UnitOfWorkFactory]:
    url = postgres_url()
    await empty_postgres(url)
    # Seed the default catalogue again: down past the seed revision, and back up.
    migrate.downgrade(url, "0001")
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        yield SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()


async def empty_postgres(url: str) -> None:
    """Migrated to head with every table empty, whatever an earlier run left behind."""
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            names = ", ".join(table.name for table in metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()
