"""Where the integration tests keep their data: in memory, a SQLite file, or PostgreSQL.

PostgreSQL is always one of the params, marked `integration`: the tests run on a database of
their own (see services.py and conftest.py), skipped when the server is unreachable, failed
when it is unreachable in CI. Each test starts from the state just after migrating.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from lpg_ussd.adapters.persistence.database import create_engine
from lpg_ussd.adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from lpg_ussd.application.ports import UnitOfWorkFactory
from tests.fakes import InMemoryDatabase, InMemoryUnitOfWorkFactory, seed_catalogue
from tests.integration.services import MigratedPostgres

POSTGRESQL = "postgresql"

Backend = Callable[[Path], AbstractAsyncContextManager[UnitOfWorkFactory]]


def backend_params(*names: str) -> list[Any]:
    """Fixture params for the named backends, and PostgreSQL."""
    params = [pytest.param(name) for name in names]
    params.append(pytest.param(POSTGRESQL, marks=pytest.mark.integration))
    return params


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


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


def postgresql_backend(database: MigratedPostgres) -> Backend:
    """Each test works on the session's migrated database, emptied and re-seeded first."""

    @asynccontextmanager
    async def backend(_: Path) -> AsyncIterator[UnitOfWorkFactory]:
        database.reset()
        engine = create_engine(database.url)
        try:
            yield SqlAlchemyUnitOfWorkFactory(engine)
        finally:
            await engine.dispose()

    return backend
