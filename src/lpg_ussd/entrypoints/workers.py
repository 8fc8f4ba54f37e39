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

- a process that dies is replaced on the same socket; one that dies young again and again is
  restarted after a growing pause, its socket closed meanwhile so that the others take its
  share of the connections;
- SIGHUP replaces the processes one at a time, each old one stopped only once its successor
  serves (a release that cannot start leaves the old processes serving);
- SIGINT or SIGTERM closes the sockets (new connections are refused, not left waiting) and
  stops the processes, each finishing the requests it has, as uvicorn does;
- a process whose supervisor is gone stops by itself.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import multiprocessing
import multiprocessing.connection
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from typing import Any

log = logging.getLogger("lpg_ussd.serve")

STARTUP_FAILURE = 3  # the exit code of a process whose app could not start (as uvicorn's)
STOP_SECONDS = 30  # for the processes to finish their requests before they are stopped
START_SECONDS = 60.0  # for a replacement to serve before a SIGHUP gives up on it
CHECK_SECONDS = 0.5
BACKLOG = 2048  # as uvicorn's
YOUNG_SECONDS = 5.0  # a process dying younger than this, twice in a row, is restarted later
LONGEST_PAUSE_SECONDS = 30.0
STOPPING = (signal.SIGINT, signal.SIGTERM)


def spreads_connections() -> bool:
    """True where the kernel spreads connections over sockets sharing a port (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn chooses


def port_in_use(host: str, port: int) -> bool:
    """Something listens on host:port already (a socket without SO_REUSEPORT cannot share
    it). Other errors (an address not on this machine, say) are raised."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
    return False


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


def serve_one(app: str, sock: socket.socket, options: dict[str, Any], started: Event) -> None:
    """One worker process: uvicorn on its socket until told to stop, or until the supervisor
    is gone; `started` is set once it serves. Exits with STARTUP_FAILURE when the app never
    started, having printed why."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                started.set()

    # A terminal's hangup is the supervisor's to handle (it replaces the processes).
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    _stop_with_parent()
    server = Server(uvicorn.Config(app, **{"timeout_graceful_shutdown": STOP_SECONDS, **options}))
    try:
        server.run(sockets=[sock])
    except SystemExit:
        if not server.started:  # uvicorn has said why (it exits 1 when the factory raises)
            raise SystemExit(STARTUP_FAILURE) from None
        raise
    except BaseException:
        if not server.started:
            traceback.print_exc()
            raise SystemExit(STARTUP_FAILURE) from None
        raise
    if not server.started:
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


Target = Callable[[str, socket.socket, dict[str, Any], Event], None]


@dataclass
class _Slot:
    """One socket and the process serving it."""

    sock: socket.socket | None
    process: BaseProcess | None = None
    # The process's "serving" event, kept while it runs: the child opens it by name when it
    # starts, and it is removed once the supervisor lets go of it.
    started: Event | None = None
    started_at: float = 0.0
    young_deaths: int = 0
    not_before: float = 0.0  # no restart before this time (a process dying young)


class _Signals:
    """Signals as bytes on a socket (signal.set_wakeup_fd): the handlers themselves do
    nothing, so no lock is ever taken inside one."""

    def __init__(self, numbers: tuple[signal.Signals, ...]) -> None:
        self._read, self._write = socket.socketpair()
        self._read.setblocking(False)
        self._write.setblocking(False)
        signal.set_wakeup_fd(self._write.fileno(), warn_on_full_buffer=False)
        for number in numbers:
            signal.signal(number, lambda number, frame: None)
        self.pending: list[int] = []

    def wait(self, seconds: float) -> list[int]:
        """The signals received, waiting up to `seconds` for one."""
        if not self.pending:
            readable, _, _ = select.select([self._read], [], [], seconds)
            if readable:
                with contextlib.suppress(BlockingIOError):
                    self.pending.extend(self._read.recv(256))
        taken, self.pending = self.pending, []
        return taken

    def stop_asked(self, seconds: float = 0) -> int | None:
        """A stopping signal received (kept for the main loop), or None."""
        for number in self.wait(seconds):
            self.pending.append(number)
            if number in STOPPING:
                return number
        return None

    def close(self) -> None:
        signal.set_wakeup_fd(-1)
        self._read.close()
        self._write.close()


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
    slots: list[_Slot] = []
    try:
        if port_in_use(host, port):
            raise OSError(errno.EADDRINUSE, "already in use")
        for _ in range(workers):
            slots.append(_Slot(listening_socket(host, port)))
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"lpg-ussd: cannot listen on {host}:{port}: {reason}", file=sys.stderr)
        _close_sockets(slots)
        return 1
    signals = _Signals((*STOPPING, signal.SIGHUP))
    context = multiprocessing.get_context("spawn")

    def launch(sock: socket.socket) -> tuple[BaseProcess, Event]:
        """A process serving `sock`, and the event it sets once it serves."""
        started = context.Event()
        process = context.Process(target=target, args=(app, sock, options, started))
        process.start()
        return process, started

    def start(slot: _Slot) -> None:
        if slot.sock is None:
            slot.sock = listening_socket(host, port)  # closed during a pause
        slot.started_at = time.monotonic()
        slot.process, slot.started = launch(slot.sock)

    failed = False
    try:
        for slot in slots:
            start(slot)
        where = f"[{host}]" if ":" in host else host
        log.info("serving on http://%s:%s with %d processes", where, port, workers)
        while True:
            received = signals.wait(CHECK_SECONDS)
            stop = next((number for number in received if number in STOPPING), None)
            if stop is not None:
                log.info("received %s: stopping", _signal_name(stop))
                break
            if received:
                log.info("received SIGHUP: replacing the processes one at a time")
                if _replace_all(slots, launch, signals) is not None:
                    log.info("received a stop signal: stopping")
                    break
            if not _keep_alive(slots, start):
                failed = True
                break
    finally:
        _close_sockets(slots)  # new connections are refused from now, not left waiting
        _stop_all([slot.process for slot in slots if slot.process is not None])
        signals.close()
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
            slot.young_deaths = (
                slot.young_deaths + 1 if now - slot.started_at < YOUNG_SECONDS else 0
            )
            if slot.young_deaths >= 2:
                pause = min(2.0 ** min(slot.young_deaths - 1, 5), LONGEST_PAUSE_SECONDS)
                slot.not_before = now + pause
                log.warning(
                    "it keeps dying young: the next one starts in %.0f s, its socket closed "
                    "meanwhile",
                    pause,
                )
                _close_sockets([slot])
        if now >= slot.not_before:
            try:
                start(slot)
            except OSError as error:
                slot.not_before = now + LONGEST_PAUSE_SECONDS
                log.error(
                    "cannot listen again: %s; trying again in %.0f s", error, LONGEST_PAUSE_SECONDS
                )
    return True


def _replace_all(
    slots: list[_Slot],
    launch: Callable[[socket.socket], tuple[BaseProcess, Event]],
    signals: _Signals,
) -> int | None:
    """Each slot's process replaced in turn, the old one stopped once the new one serves
    (both take connections from the same socket meanwhile). A replacement that does not
    start ends the round with the old processes serving. A stopping signal, returned, ends
    it too."""
    for slot in slots:
        old = slot.process
        if old is None or slot.sock is None:
            continue  # dead or paused: the main loop starts it anew
        launched_at = time.monotonic()
        new, started = launch(slot.sock)
        deadline = launched_at + START_SECONDS
        while not started.is_set() and new.is_alive() and time.monotonic() < deadline:
            stop = signals.stop_asked(0.1)
            if stop is not None:
                _stop_all([new])
                return stop
        if not started.is_set():
            log.error(
                "the new server process %s did not start: the old ones go on serving", new.pid
            )
            _stop_all([new])
            return None
        slot.process, slot.started, slot.started_at = new, started, launched_at
        _stop_all([old])
        stop = signals.stop_asked()
        if stop is not None:
            return stop
    return None


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"was killed by {_signal_name(-exitcode)}: starting another"
    return f"exited with {exitcode}: starting another"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _close_sockets(slots: list[_Slot]) -> None:
    for slot in slots:
        if slot.sock is not None:
            slot.sock.close()
            slot.sock = None


def _stop_all(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests it has
    deadline = time.monotonic() + STOP_SECONDS + 5
    for process in processes:
        process.join(max(deadline - time.monotonic(), 0))
        if process.is_alive():
            log.warning("server process %s did not stop in time: killed", process.pid)
            process.kill()
            process.join()
