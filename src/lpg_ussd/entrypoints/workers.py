"""`serve --workers N`: N server processes, each listening on the port with a socket of its own.

uvicorn's own workers share one listening socket, and the process that wakes first accepts
every connection then waiting. Kept-alive connections opened together (an aggregator's, a
reverse proxy's, the benchmark's) so all landed on one worker, and a second worker added
nothing. With SO_REUSEPORT each process has a socket of its own on the same port and the
kernel spreads new connections across them.

The supervisor opens the sockets, one for each process, before any process starts: a
connection made while a process is still starting waits in its socket's queue rather than
going to the one process already up (a benchmark's or a proxy's kept-alive connections, opened
as soon as the first process answers, would all stay there). It starts the processes, starts
another on the same socket when one dies, and on SIGINT or SIGTERM stops them all (each
finishes the requests it has, as uvicorn does), then exits.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("lpg_ussd.serve")

STARTUP_FAILURE = 3  # the exit code of a process whose app could not start (as uvicorn's)
STOP_SECONDS = 30.0  # for the processes to finish their requests before they are killed
CHECK_SECONDS = 0.5
BACKLOG = 2048  # as uvicorn's


def spreads_connections() -> bool:
    """True where the kernel spreads connections over sockets sharing a port (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port beside the other workers' (SO_REUSEPORT)."""
    info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, protocol, _, address = info[0]
    sock = socket.socket(family, kind, protocol)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def serve_one(app: str, sock: socket.socket, options: dict[str, Any]) -> None:
    """One worker process: uvicorn on its socket until told to stop."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, **options))
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


Target = Callable[[str, socket.socket, dict[str, Any]], None]


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
    sockets: list[socket.socket] = []
    try:
        for _ in range(workers):
            sockets.append(listening_socket(host, port))
    except OSError as error:
        print(f"lpg-ussd: cannot listen on {host}:{port}: {error}", file=sys.stderr)
        for sock in sockets:
            sock.close()
        return 1
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, lambda number, frame: stop.set())

    def start(sock: socket.socket) -> multiprocessing.process.BaseProcess:
        process = context.Process(target=target, args=(app, sock, options))
        process.start()
        return process

    processes = [start(sock) for sock in sockets]
    failed = False
    while not stop.wait(CHECK_SECONDS):
        for index, process in enumerate(processes):
            if process.is_alive():
                continue
            if process.exitcode == STARTUP_FAILURE:
                log.error("server process %s could not start: stopping", process.pid)
                failed = True
                stop.set()
                break
            log.warning(
                "server process %s ended (exit code %s): starting another",
                process.pid,
                process.exitcode,
            )
            processes[index] = start(sockets[index])  # what waits in its queue is served
    _stop_all(processes)
    for sock in sockets:
        sock.close()
    return 1 if failed else 0


def _stop_all(processes: list[multiprocessing.process.BaseProcess]) -> None:
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
