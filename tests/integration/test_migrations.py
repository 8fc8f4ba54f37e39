"""Migrations: each revision goes up, down and up again, and head matches the tables.

On SQLite, and on PostgreSQL: each test on a new empty database (see conftest.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from lpg_ussd.adapters.persistence import migrate
from lpg_ussd.adapters.persistence.database import create_engine
from lpg_ussd.adapters.persistence.tables import metadata
from tests.integration.backends import POSTGRESQL, backend_params, sqlite_url

APP_TABLES = set(metadata.tables)


def revisions() -> list[Any]:
    script = ScriptDirectory.from_config(migrate.alembic_config("unused://"))
    return list(reversed(list(script.walk_revisions())))  # oldest first


@pytest.fixture(params=backend_params("sqlite"))
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables yet: a new SQLite file (in a folder still to be made), or a
    new PostgreSQL database."""
    if request.param == POSTGRESQL:
        url: str = request.getfixturevalue("fresh_postgres_url")
        return url
    return sqlite_url(tmp_path / "fresh" / "lpg.db")


def run(database_url: str, inspect_connection: Any) -> Any:
    """Look at the database through a plain synchronous call on the engine's connection."""

    async def look() -> Any:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(inspect_connection)
        finally:
            await engine.dispose()

    return asyncio.run(look())


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def catalogue_codes(connection: Connection) -> list[str]:
    rows = connection.execute(text("SELECT code FROM cylinder_types ORDER BY id"))
    return [code for (code,) in rows]


def schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


@pytest.mark.parametrize("revision", revisions(), ids=lambda revision: revision.revision)
def test_stairway(database_url: str, revision: Any) -> None:
    """Up to the revision, back down one step, and up again: every downgrade undoes its upgrade."""
    migrate.upgrade(database_url, revision.revision)
    migrate.downgrade(database_url, revision.down_revision or "base")
    migrate.upgrade(database_url, revision.revision)


def test_upgrade_downgrade_upgrade_on_a_fresh_file(database_url: str) -> None:
    migrate.upgrade(database_url)
    assert run(database_url, table_names) == APP_TABLES
    migrate.downgrade(database_url, "base")
    assert run(database_url, table_names) == set()
    migrate.upgrade(database_url)
    assert run(database_url, table_names) == APP_TABLES


def test_head_matches_the_tables_module(database_url: str) -> None:
    migrate.upgrade(database_url)
    assert run(database_url, schema_differences) == []


def test_seed_revision_adds_and_removes_the_default_catalogue(database_url: str) -> None:
    migrate.upgrade(database_url)
    assert run(database_url, catalogue_codes) == [
        "3kg-steel",
        "6kg-steel",
        "12kg-steel",
        "6kg-composite",
        "12kg-composite",
    ]
    migrate.downgrade(database_url, "0001")
    assert run(database_url, catalogue_codes) == []


async def test_upgrade_also_works_while_an_event_loop_runs(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(table_names) == APP_TABLES
    finally:
        await engine.dispose()
