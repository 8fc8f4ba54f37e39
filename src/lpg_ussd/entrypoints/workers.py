"""`serve --workers N`: N server processes, each listening on the port with a socket of its own.

uvicorn's own workers share one listening socket, and the process that wakes first accepts
every connection then waiting. Kept-alive connections opened together (an aggregator's, a
reverse proxy's, the benchmark's) so all landed on one worker, and a second worker added
nothing. With SO_REUSEPORT each process has a socket of its own on the same port and the
kernel spreads new connections across them.

The supervisor opens the sockets, one for each process, before any process starts: a
connection made while a process is still starting waits in its socket's queue rather than
going to the one process already up (a benchmark's or a proxy's kept-alive connections, opened
as soon as the first process answers, would all stay there). It refuses a port something else
already listens on (SO_REUSEPORT would otherwise share it, with an older release say). Then:

- a process that dies is replaced on the same socket, after a pause when it keeps dying young;
- SIGHUP replaces the processes one at a time (new code, same sockets, no connection refused);
- SIGINT or SIGTERM stops them all, each finishing the requests it has, as uvicorn does;
- a process whose supervisor is gone stops by itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

log = logging.getLogger("lpg_ussd.serve")

STARTUP_FAILURE = 3  # the exit code of a process whose app could not start (as uvicorn's)
STOP_SECONDS = 30.0  # for the processes to finish their requests before they are killed
CHECK_SECONDS = 0.5
BACKLOG = 2048  # as uvicorn's
YOUNG_SECONDS = 5.0  # a process that dies younger than this is restarted after a pause
LONGEST_PAUSE_SECONDS = 30.0


def spreads_connections() -> bool:
    """True where the kernel spreads connections over sockets sharing a port (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn chooses


def port_is_free(host: str, port: int) -> bool:
    """Nothing listens on host:port yet (a socket without SO_REUSEPORT cannot share it)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port beside the other workers' (SO_REUSEPORT)."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def serve_one(app: str, sock: socket.socket, options: dict[str, Any]) -> None:
    """One worker process: uvicorn on its socket until told to stop, or until the supervisor
    is gone. Exits with STARTUP_FAILURE when the app never started."""
    import uvicorn

    _stop_with_parent()
    server = uvicorn.Server(uvicorn.Config(app, **options))
    try:
        server.run(sockets=[sock])
    finally:
        if not server.started:
            # uvicorn exits with 1 when the app factory raises: say it could not start, so
            # that the supervisor stops rather than starting it again and again.
            raise SystemExit(STARTUP_FAILURE)


def _stop_with_parent() -> None:
    """SIGTERM to this process (uvicorn's graceful stop) when the supervisor goes."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-with-supervisor", daemon=True).start()


Target = Callable[[str, socket.socket, dict[str, Any]], None]


@dataclass
class _Slot:
    """One socket and the process serving it."""

    sock: socket.socket
    process: BaseProcess | None = None
    started_at: float = 0.0
    young_deaths: int = 0
    not_before: float = 0.0  # no restart before this time (a process dying young)


@dataclass
class _Signals:
    received: list[int] = field(default_factory=list)
    wake: threading.Event = field(default_factory=threading.Event)

    def handle(self, number: int, frame: object) -> None:
        self.received.append(number)
        self.wake.set()

    def take(self) -> list[int]:
        """The signals received so far; one arriving meanwhile goes to the next take."""
        taken, self.received = self.received, []
        return taken


def supervise(
    app: str,
    workers: int,
    host: str,
    port: int,
    options: dict[str, Any],
    target: Target = serve_one,
) -> int:
    """Run `workers` processes of `target` until SIGINT or SIGTERM; 0 then, 1 when the port
    cannot be had or a process could not start (the next would fail the same way)."""
    if not port_is_free(host, port):
        print(f"lpg-ussd: cannot listen on {host}:{port}: already in use", file=sys.stderr)
        return 1
    slots: list[_Slot] = []
    try:
        for _ in range(workers):
            slots.append(_Slot(listening_socket(host, port)))
    except OSError as error:
        print(f"lpg-ussd: cannot listen on {host}:{port}: {error}", file=sys.stderr)
        for slot in slots:
            slot.sock.close()
        return 1
    signals = _Signals()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signals.handle)
    context = multiprocessing.get_context("spawn")

    def start(slot: _Slot) -> None:
        slot.process = context.Process(target=target, args=(app, slot.sock, options))
        slot.process.start()
        slot.started_at = time.monotonic()

    for slot in slots:
        start(slot)
    scheme_host = f"[{host}]" if ":" in host else host
    log.info("serving on http://%s:%s with %d processes", scheme_host, port, workers)
    failed = False
    while True:
        signals.wake.wait(CHECK_SECONDS)
        signals.wake.clear()
        received = signals.take()
        if any(number != signal.SIGHUP for number in received):
            log.info("received %s: stopping", signal.Signals(received[-1]).name)
            break
        if received:
            log.info("received SIGHUP: replacing the processes one at a time")
            for slot in slots:
                _replace(slot, start)
        if not _keep_alive(slots, start):
            failed = True
            break
    _stop_all([slot.process for slot in slots if slot.process is not None])
    for slot in slots:
        slot.sock.close()
    log.info("stopped")
    return 1 if failed else 0


def _keep_alive(slots: list[_Slot], start: Callable[[_Slot], None]) -> bool:
    """Start again what died; False when one could not start at all."""
    now = time.monotonic()
    for slot in slots:
        process = slot.process
        if process is not None and process.is_alive():
            continue
        if process is not None:
            if process.exitcode == STARTUP_FAILURE:
                log.error("server process %s could not start: stopping", process.pid)
                return False
            log.warning("server process %s %s", process.pid, _how_it_ended(process.exitcode))
            slot.process = None
            if now - slot.started_at < YOUNG_SECONDS:
                slot.young_deaths += 1
                pause = min(2.0**slot.young_deaths, LONGEST_PAUSE_SECONDS)
                slot.not_before = now + pause
                log.warning("it died young: the next one starts in %.0f s", pause)
            else:
                slot.young_deaths = 0
        if now >= slot.not_before:
            start(slot)
    return True


def _replace(slot: _Slot, start: Callable[[_Slot], None]) -> None:
    """A new process on the slot's socket, then the old one stopped: both accept from the
    same queue meanwhile, so no connection is refused."""
    old = slot.process
    start(slot)
    if old is not None:
        _stop_all([old])


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"was killed by {signal.Signals(-exitcode).name}: starting another"
    return f"exited with {exitcode}: starting another"


def _stop_all(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests it has
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(deadline - time.monotonic(), 0))
        if process.is_alive():
            log.warning("server process %s did not stop in time: killed", process.pid)
            process.kill()
            process.join()
