"""The console's secret key: the setting when given, else one file made once (mode 0600)
beside the SQLite database, read by every later start; building an app writes nothing."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from lpg_ussd.entrypoints.http.admin.secret import secret_file, secret_key
from lpg_ussd.entrypoints.http.app import create_app
from tests.web.admin_support import console_settings


def test_the_setting_wins(tmp_path: Path) -> None:
    assert secret_key(console_settings(tmp_path, secret_key="s" * 40)) == "s" * 40
    assert not (tmp_path / "secret-key").exists()


def test_without_it_one_key_is_made_kept_private_and_reused(tmp_path: Path) -> None:
    settings = console_settings(tmp_path)
    create_app(settings)
    assert not (tmp_path / "secret-key").exists()
    first = secret_key(settings)
    path = tmp_path / "secret-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 40 and secret_key(settings) == first


def test_the_file_is_beside_sqlite_or_under_var() -> None:
    assert secret_file("sqlite+aiosqlite:////srv/gas/line.db") == Path("/srv/gas/secret-key")
    assert secret_file("postgresql+psycopg://u@db/gas") == Path("var/secret-key")
    assert secret_file("sqlite+aiosqlite:///:memory:") == Path("var/secret-key")


def test_without_it_the_app_warns_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="lpg_ussd.console"):
        create_app(console_settings(tmp_path))
    warnings = [r for r in caplog.records if "LPG_USSD_SECRET_KEY" in r.getMessage()]
    assert len(warnings) == 1
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="lpg_ussd.console"):
        create_app(console_settings(tmp_path, secret_key="s" * 40))
    assert not [r for r in caplog.records if "LPG_USSD_SECRET_KEY" in r.getMessage()]
