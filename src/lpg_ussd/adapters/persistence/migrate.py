"""Alembic run from code: no alembic.ini, the URL comes from the settings.

Call from synchronous code (the CLI, before the server starts). The migrations' env.py runs
its own event loop; when a loop is already running in this thread (a test, say), the command
runs on a worker thread and this call blocks until it is done.

`upgrade_if_behind` is what `serve` calls at every start: when the database already names the
newest revision it returns without importing Alembic at all (a fifth of the start-up time).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from lpg_ussd.adapters.persistence.database import ensure_sqlite_directory

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR_VARIABLE = "LPG_USSD_MIGRATIONS_DIR"
DATABASE_URL_ATTRIBUTE = "database_url"


def migrations_dir() -> Path:
    configured = os.environ.get(MIGRATIONS_DIR_VARIABLE)
    if configured:
        return Path(configured)
    # src/lpg_ussd/adapters/persistence/migrate.py -> the repository root
    return Path(__file__).resolve().parents[4] / "migrations"


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # Through attributes, not options: configparser would choke on a '%' in a password.
    config.attributes[DATABASE_URL_ATTRIBUTE] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    ensure_sqlite_directory(database_url)
    _run(command.upgrade, alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    from alembic import command

    _run(command.downgrade, alembic_config(database_url), revision)


def upgrade_if_behind(database_url: str) -> bool:
    """Upgrade to the newest revision unless the database is there already; True when
    Alembic ran. Any doubt (no version table, an unreadable database) runs it."""
    if current_revision(database_url) == head_revision():
        return False
    upgrade(database_url)
    return True


_REVISION = re.compile(r"""^(down_revision|revision)\b[^=]*=\s*["']?(\w+)["']?""", re.MULTILINE)


def head_revision(folder: Path | None = None) -> str | None:
    """The one revision no other names as its `down_revision`, read from the migration files
    as text; None when that is not exactly one (Alembic then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (folder or migrations_dir() / "versions").glob("*.py"):
        for name, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if name == "revision" else parents).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(database_url: str) -> str | None:
    """The revision the database's alembic_version names, or None when it cannot tell."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:") or not Path(url.database).exists():
            return None
        url = url.set(drivername="sqlite")
    elif url.drivername not in ("postgresql+psycopg", "postgresql"):
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    return str(rows[0][0]) if len(rows) == 1 else None


def _run(alembic_command: Callable[[Config, str], None], config: Config, revision: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        alembic_command(config, revision)
        return
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(alembic_command, config, revision).result()
