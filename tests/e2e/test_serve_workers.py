"""`lpg-ussd serve --workers 2`: both processes take connections, a process that dies is
replaced on its socket, SIGHUP replaces them all, SIGTERM stops them, and a process whose
supervisor is gone stops by itself.

Runs the real command on the embedded default, in a process group of its own (killed whole
when a test ends). Which process holds a connection is read from /proc, the kernel's own
table of sockets, so these tests run on Linux only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lpg_ussd.entrypoints.workers import spreads_connections
from tests.processes import free_port, wait_ready

pytestmark = pytest.mark.skipif(not spreads_connections(), reason="SO_REUSEPORT spreading: Linux")

BIN = Path(sys.executable).parent / "lpg-ussd"
HOP = "/ussd/africastalking/callback"


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
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            pids = self.workers()
            if len(pids) == count and not besides & set(pids):
                return pids
            time.sleep(0.1)
        pytest.fail(f"{count} server processes did not start:\n{self.log.read_text()}")

    def connections_by_process(self, pids: list[int]) -> Counter[int]:
        """How many established connections on the port each process holds."""
        inodes: dict[str, int] = {}
        for pid in pids:
            try:
                descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
            except OSError:
                continue  # gone meanwhile
            for fd in descriptors:
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


def until(check: Callable[[], bool], what: str, log: Path, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {seconds} s\n{log.read_text()}")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has stopped; only its parent's wait is missing


def start(tmp_path: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    with (tmp_path / "serve.log").open("ab") as out:
        return subprocess.Popen(
            [str(BIN), "serve", "--port", str(port), *extra],
            cwd=tmp_path,
            env={**os.environ, "LPG_USSD_PIN_HASH_MEMORY_KIB": "1024"},
            stdout=out,
            stderr=out,
            start_new_session=True,  # its own process group, workers included
        )


@contextlib.contextmanager
def stopped_at_the_end(
    process: subprocess.Popen[bytes],
) -> Iterator[subprocess.Popen[bytes]]:
    """The process and its workers are killed when the block ends, whatever happened."""
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Line]:
    port = free_port()
    process = start(tmp_path, port, "--workers", "2")
    served = Line(process, port, tmp_path / "serve.log")
    with stopped_at_the_end(process):
        wait_ready(served.base, process, served.log.read_text)
        yield served


def hop(client: httpx.Client, base: str, session: str) -> None:
    form = {"sessionId": session, "phoneNumber": "+233244000001", "text": ""}
    answer = client.post(f"{base}{HOP}", data=form, timeout=20)
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
    sock.settimeout(20)
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
    assert not any(alive(pid) for pid in pids)
    assert "received SIGTERM: stopping" in line.log.read_text()


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
    assert "was killed by SIGKILL: starting another" in line.log.read_text()


def test_sighup_replaces_every_process_and_hops_are_answered_throughout(line: Line) -> None:
    old = line.wait_for_workers(2)
    line.process.send_signal(signal.SIGHUP)
    for index in range(20):  # a new connection each: a kept-alive one is closed by its process
        with httpx.Client() as client:
            hop(client, line.base, f"during-{index}")
        time.sleep(0.1)
    new = line.wait_for_workers(2, besides=frozenset(old))
    until(lambda: not any(alive(pid) for pid in old), "the old processes stopping", line.log)
    with httpx.Client() as client:
        hop(client, line.base, "after-sighup")
    assert line.process.poll() is None
    assert len(new) == 2


def test_the_processes_stop_when_their_supervisor_is_killed(line: Line) -> None:
    pids = line.wait_for_workers(2)
    os.kill(line.process.pid, signal.SIGKILL)
    line.process.wait(timeout=10)
    until(lambda: not any(alive(pid) for pid in pids), "orphaned processes stopping", line.log)


def test_a_port_already_in_use_is_said_and_exits(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start(tmp_path, port, "--workers", "2")
        assert process.wait(timeout=60) == 1
    assert (
        f"cannot listen on 127.0.0.1:{port}: already in use" in (tmp_path / "serve.log").read_text()
    )


def test_a_line_already_serving_the_port_is_not_joined(line: Line, tmp_path: Path) -> None:
    """SO_REUSEPORT would let a second `serve` share the port with the first (an older
    release, orphaned processes): it is refused instead."""
    second = tmp_path / "second"
    second.mkdir()
    with stopped_at_the_end(start(second, line.port, "--workers", "2")) as process:
        assert process.wait(timeout=60) == 1
    assert "already in use" in (second / "serve.log").read_text()


# A small app for the supervisor on its own: its answer is the serving process's id, and it
# cannot start while a file named `broken` lies in its folder (a bad release).
TOY_APP = """
import os

def app():
    if os.path.exists("broken"):
        raise RuntimeError("this release cannot start")

    async def asgi(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(os.getpid()).encode()})

    return asgi
"""


def supervise_toy(folder: Path, port: int) -> subprocess.Popen[bytes]:
    (folder / "toyapp.py").write_text(TOY_APP)
    program = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.INFO, format='%(message)s')\n"
        "from lpg_ussd.entrypoints.workers import supervise\n"
        f"sys.exit(supervise('toyapp:app', 2, '127.0.0.1', {port}, {{'factory': True}}))\n"
    )
    with (folder / "serve.log").open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", program],
            cwd=folder,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )


def serving_process(port: int) -> int:
    """The id of the process that answered, on a new connection."""
    with httpx.Client() as client:
        answer = client.get(f"http://127.0.0.1:{port}/", timeout=20)
    assert answer.status_code == 200, answer.text
    return int(answer.text)


def test_an_app_that_cannot_start_stops_the_supervisor_saying_why(tmp_path: Path) -> None:
    """Not started again and again: the next would fail the same way."""
    (tmp_path / "broken").touch()
    with stopped_at_the_end(supervise_toy(tmp_path, free_port())) as process:
        assert process.wait(timeout=60) == 1
    output = (tmp_path / "serve.log").read_text()
    assert "this release cannot start" in output
    assert "could not start: stopping" in output


def test_sighup_with_a_release_that_cannot_start_leaves_the_old_processes_serving(
    tmp_path: Path,
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with stopped_at_the_end(supervise_toy(tmp_path, port)) as process:
        until(lambda: _answers(port), "the toy line serving", log)
        before = {serving_process(port) for _ in range(20)}
        (tmp_path / "broken").touch()
        process.send_signal(signal.SIGHUP)
        until(lambda: "the old ones go on serving" in log.read_text(), "the roll given up", log)
        after = {serving_process(port) for _ in range(20)}
        assert after <= before, (before, after)
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0


def _answers(port: int) -> bool:
    try:
        serving_process(port)
    except (httpx.HTTPError, AssertionError):
        return False
    return True
