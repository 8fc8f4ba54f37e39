"""The real server for browser tests: `lpg-ussd serve` in a subprocess, on a free port, with a
SQLite file of its own and sessions in memory, ready when `/health/ready` says so."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests import processes

BIN = Path(sys.executable).parent / "lpg-ussd"
READY_SECONDS = 30
# Quick PIN hashes, no waiting on simulated payments, a log a person can read.
TEST_ENV = {
    "LPG_USSD_PIN_HASH_TIME_COST": "1",
    "LPG_USSD_PIN_HASH_MEMORY_KIB": "1024",
    "LPG_USSD_SIMULATED_PAYMENT_DELAY_SECONDS": "0",
    "LPG_USSD_LOG_FORMAT": "text",
    "LPG_USSD_REDIS_URL": "",
}


@dataclass(frozen=True)
class LiveServer:
    url: str
    workdir: Path
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(workdir: Path, settings: Mapping[str, str]) -> dict[str, str]:
    """The environment less the developer's own LPG_USSD_* settings, plus the test's."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("LPG_USSD_") or name.startswith("LPG_USSD_TEST_")
    }
    database = workdir / "lpg-ussd.db"
    return {
        **env,
        **TEST_ENV,
        "LPG_USSD_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        **settings,
    }


@contextmanager
def serve(workdir: Path, settings: Mapping[str, str] | None = None) -> Iterator[LiveServer]:
    """Serve in `workdir` with `settings` (LPG_USSD_* variables) until the block ends."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = workdir / "serve.log"
    server = LiveServer(f"http://127.0.0.1:{port}", workdir, log_path)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            env=server_env(workdir, settings or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_ready(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def wait_ready(server: LiveServer, process: subprocess.Popen[bytes]) -> None:
    processes.wait_ready(server.url, process, server.log_text, READY_SECONDS)
