"""What the tests that run the real `lpg-ussd` command share: a free port, and waiting for
a server to answer ready."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(
    base: str,
    process: subprocess.Popen[bytes],
    output: Callable[[], str],
    seconds: float = 30,
) -> None:
    """Until `base/health/ready` answers 200; fails the test with the server's output when it
    exits first or takes longer than `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    pytest.fail(f"{base} did not become ready:\n{output()}")
