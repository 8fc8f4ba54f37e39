"""`lpg-ussd serve --workers 2`: both processes take connections, a process that dies is
replaced on its socket, and SIGTERM stops them all.

Runs the real command on the embedded default. Which process holds a connection is read from
/proc (the kernel's own table of sockets), so these tests run on Linux only.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lpg_ussd.entrypoints.workers import spreads_connections

pytestmark = pytest.mark.skipif(not spreads_connections(), reason="SO_REUSEPORT spreading: Linux")

BIN = Path(sys.executable).parent / "lpg-ussd"
HOP = "/ussd/africastalking/callback"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Line:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        """The server processes the supervisor runs now."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid and b"spawn_main" in command:
                found.append(int(entry.name))
        return sorted(found)

    def wait_for_workers(self, count: int, besides: frozenset[int] = frozenset()) -> list[int]:
        """The processes, once `count` run (none of them in `besides`). One still starting
        up already has its socket: what arrives there waits for it."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pids = self.workers()
            if len(pids) == count and not besides & set(pids):
                return pids
            time.sleep(0.1)
        pytest.fail(f"{count} server processes did not start: {self.log.read_text()}")

    def connections_by_process(self, pids: list[int]) -> Counter[int]:
        """How many established connections on the port each process holds."""
        inodes: dict[str, int] = {}
        for pid in pids:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes[target[8:-1]] = pid
        held: Counter[int] = Counter()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for row in Path(table).read_text().splitlines()[1:]:
                fields = row.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == self.port and fields[3] == "01" and fields[9] in inodes:
                    held[inodes[fields[9]]] += 1
        return held


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Line]:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN), "serve", "--port", str(port), "--workers", "2"],
            cwd=tmp_path,
            env={**os.environ, "LPG_USSD_PIN_HASH_MEMORY_KIB": "1024"},
            stdout=out,
            stderr=out,
        )
    served = Line(process, port, log)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{served.base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the server did not become ready: {log.read_text()}")
        yield served
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for pid in served.workers():
            os.kill(pid, signal.SIGKILL)


def hop(client: httpx.Client, base: str, session: str) -> None:
    form = {"sessionId": session, "phoneNumber": "+233244000001", "text": ""}
    answer = client.post(f"{base}{HOP}", data=form, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.text.startswith("CON "), answer.text


def raw_hop(sock: socket.socket, session: str) -> None:
    """One hop on an open connection, HTTP/1.1 kept alive, as a load generator sends it."""
    body = f"sessionId={session}&phoneNumber=%2B233244000001&text=".encode()
    sock.sendall(
        b"POST " + HOP.encode() + b" HTTP/1.1\r\nHost: line\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    sock.settimeout(10)
    answer = b""
    while b"CON " not in answer:
        chunk = sock.recv(4096)
        assert chunk, answer
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer


def test_both_processes_take_connections_and_stop_on_sigterm(line: Line) -> None:
    pids = line.wait_for_workers(2)
    # Kept-alive connections opened all at once, as a load generator or a proxy opens them:
    # on one shared socket, the process that wakes first would accept every one.
    connections = [socket.create_connection(("127.0.0.1", line.port)) for _ in range(32)]
    try:
        for index, sock in enumerate(connections):
            raw_hop(sock, f"spread-{index}")
        held = line.connections_by_process(pids)
        assert sum(held.values()) == 32
        assert all(held[pid] >= 4 for pid in pids), held  # 16 each on average
    finally:
        for sock in connections:
            sock.close()

    line.process.send_signal(signal.SIGTERM)
    assert line.process.wait(timeout=40) == 0
    assert line.workers() == []


def test_a_process_that_dies_is_replaced_and_no_connection_is_refused(line: Line) -> None:
    first, second = line.wait_for_workers(2)
    os.kill(first, signal.SIGKILL)
    # New connections, some of them to the dead process's socket: they wait for its successor.
    for index in range(16):
        with httpx.Client() as client:
            hop(client, line.base, f"after-{index}")
    pids = line.wait_for_workers(2, besides=frozenset({first}))
    assert second in pids
    assert line.process.poll() is None


def test_a_port_already_taken_is_said_and_exits(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(BIN), "serve", "--port", str(port), "--workers", "2"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
