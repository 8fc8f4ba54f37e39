"""The quick start as a new user lives it: serve, register by `dial`, verify, order, follow it.

Runs the real `lpg-ussd` command in its own folder, on the embedded default.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import free_port, wait_ready

BIN = Path(sys.executable).parent / "lpg-ussd"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    env = {
        **os.environ,
        "LPG_USSD_SIMULATED_PAYMENT_DELAY_SECONDS": "0",
        "LPG_USSD_PIN_HASH_MEMORY_KIB": "1024",
    }
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)], cwd=tmp_path, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process, (tmp_path / "serve.log").read_text)
        yield base, {**env, "PWD": str(tmp_path)}
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def dial(base: str, phone: str, answers: list[str], cwd: str, env: dict[str, str]) -> str:
    url = f"{base}/ussd/africastalking/callback"
    typed = "\n".join(answers) + "\nq\n"
    result = subprocess.run(
        [str(BIN), "dial", "--url", url, "--phone", phone],
        input=typed,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=True,
    )
    return result.stdout


def staff(args: list[str], cwd: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60, check=True
    )
    return result.stdout


def test_register_verify_order_on_delivery_and_follow_it(
    server: tuple[str, dict[str, str]],
) -> None:
    base, env = server
    cwd = env["PWD"]
    screens = dial(
        base,
        "0244000001",
        ["1", "Ama", "Mensah", "Accra", "GA-183-8164", "4826", "4826", "1"],
        cwd,
        env,
    )
    assert "Welcome to Demo Gas" in screens
    assert "will be verified" in screens

    assert "under review" in dial(base, "0244000001", [], cwd, env)
    assert "+233244000001  unverified" in staff(["customers", "list"], cwd, env)
    assert "verified" in staff(["customers", "verify", "0244000001"], cwd, env)

    screens = dial(base, "0244000001", ["1", "1", "2", "1", "5"], cwd, env)
    assert "Hi Ama" in screens
    placed = [line for line in screens.splitlines() if "placed" in line]
    assert placed, screens
    reference = placed[0].split("Order ", 1)[1].split(" ", 1)[0]

    screens = dial(base, "0244000001", ["2"], cwd, env)
    assert f"{reference} 6kg steel Pay on delivery" in screens
    assert reference in staff(["orders", "list"], cwd, env)
