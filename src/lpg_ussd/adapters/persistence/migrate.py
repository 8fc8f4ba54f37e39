"""Alembic run from code: no alembic.ini, the URL comes from the settings.

Call from synchronous code (the CLI, before the server starts). The migrations' env.py runs
its own event loop; when a loop is already running in this thread (a test, say), the command
runs on a worker thread and this call blocks until it is done.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config

from lpg_ussd.adapters.persistence.database import ensure_sqlite_directory

MIGRATIONS_DIR_VARIABLE = "LPG_USSD_MIGRATIONS_DIR"
DATABASE_URL_ATTRIBUTE = "database_url"


def migrations_dir() -> Path:
    configured = os.environ.get(MIGRATIONS_DIR_VARIABLE)
    if configured:
        return Path(configured)
    # src/lpg_ussd/adapters/persistence/migrate.py -> the repository root
    return Path(__file__).resolve().parents[4] / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # Through attributes, not options: configparser would choke on a '%' in a password.
    config.attributes[DATABASE_URL_ATTRIBUTE] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    ensure_sqlite_directory(database_url)
    _run(command.upgrade, alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    _run(command.downgrade, alembic_config(database_url), revision)


def _run(alembic_command: Callable[[Config, str], None], config: Config, revision: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        alembic_command(config, revision)
        return
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(alembic_command, config, revision).result()
