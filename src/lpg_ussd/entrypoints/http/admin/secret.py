"""The console's secret key: from LPG_USSD_SECRET_KEY, or made once and kept in a file that
every worker on the machine reads, so a restart or `--workers N` signs alike."""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from lpg_ussd.settings import Settings

log = logging.getLogger("lpg_ussd.console")

FILE_NAME = "secret-key"
DEFAULT_FOLDER = Path("var")


def secret_key(settings: Settings) -> str:
    return settings.secret_key or read_or_make(secret_file(settings.database_url))


def warn_without_key(settings: Settings) -> None:
    if not settings.secret_key:
        log.warning(
            "LPG_USSD_SECRET_KEY is not set: the staff console keeps a key of its own in %s; "
            "set LPG_USSD_SECRET_KEY in production",
            secret_file(settings.database_url),
        )


def secret_file(database_url: str) -> Path:
    """Beside the SQLite database when there is one, else under var/."""
    url = make_url(database_url)
    database = url.database or ""
    on_disk = database not in ("", ":memory:") and not database.startswith("file:")
    if url.get_backend_name() == "sqlite" and on_disk:
        return Path(database).parent / FILE_NAME
    return DEFAULT_FOLDER / FILE_NAME


def read_or_make(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return _read(path)


def _read(path: Path) -> str:
    # Another worker may have created the file an instant ago and not yet written it.
    for _ in range(50):
        text = path.read_text().strip()
        if text:
            return text
        time.sleep(0.02)
    raise RuntimeError(f"the secret key file {path} is empty")
