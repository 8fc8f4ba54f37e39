"""`serve` migrates at every start, but skips Alembic when the database is at the newest
revision already: the head read from the migration files must be Alembic's own, and the
database's revision read right, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from lpg_ussd.adapters.persistence import migrate


def test_the_head_read_from_the_files_is_alembics() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("unused://"))
    assert migrate.head_revision() == script.get_current_head()


def test_two_heads_or_none_leave_the_decision_to_alembic(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text('revision = "a1"\ndown_revision = None\n')
    (tmp_path / "b.py").write_text('revision: str = "b1"\ndown_revision: str | None = None\n')
    assert migrate.head_revision(tmp_path) is None
    (tmp_path / "b.py").write_text('revision: str = "b1"\ndown_revision: str | None = "a1"\n')
    assert migrate.head_revision(tmp_path) == "b1"


def test_sqlite_is_migrated_once_then_left_alone(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'line.db'}"
    assert migrate.current_revision(url) is None
    assert migrate.upgrade_if_behind(url) is True
    assert migrate.current_revision(url) == migrate.head_revision()
    assert migrate.upgrade_if_behind(url) is False
    migrate.downgrade(url, "0001")
    assert migrate.current_revision(url) == "0001"
    assert migrate.upgrade_if_behind(url) is True
    assert migrate.current_revision(url) == migrate.head_revision()


def test_postgresql_is_migrated_once_then_left_alone(fresh_postgres_url: str) -> None:
    assert migrate.current_revision(fresh_postgres_url) is None
    assert migrate.upgrade_if_behind(fresh_postgres_url) is True
    assert migrate.current_revision(fresh_postgres_url) == migrate.head_revision()
    assert migrate.upgrade_if_behind(fresh_postgres_url) is False


def test_an_unreadable_database_is_handed_to_alembic(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_text("not a database")
    assert migrate.current_revision(f"sqlite+aiosqlite:///{broken}") is None
    assert migrate.current_revision("sqlite+aiosqlite:///:memory:") is None
