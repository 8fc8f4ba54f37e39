"""Faults on demand: a TCP proxy that can drop or blackhole what passes through it, and a
Redis server of the test's own that can be stopped and started again.

Neither touches the machine's own PostgreSQL or Redis: the proxy stands in front of the real
PostgreSQL, and the Redis server is a throwaway process on a free port.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import threading
import time
from enum import StrEnum
from pathlib import Path

import redis
from sqlalchemy import make_url

CHUNK = 65_536


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mode(StrEnum):
    FORWARD = "forward"
    DROP = "drop"  # every connection cut at once (RST), new ones cut as they come
    BLACKHOLE = "blackhole"  # nothing passes either way; connections stay open, silent


class TcpProxy:
    """A TCP forwarder on 127.0.0.1:<free port> to `target`, on an event loop of its own (a
    thread), so that whatever the code under test does with its own loop, the network
    between it and the server stays in the test's hands.

    `blackhole()` is a network partition: bytes in flight are held, not lost, and flow again
    on `forward()`, as when a partition heals. `drop()` is a server or firewall that resets.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.mode = Mode.FORWARD
        self.accepted = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._flowing: asyncio.Event | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    # -- what the test does ---------------------------------------------------------------

    def start(self) -> TcpProxy:
        self._thread.start()
        self._call(self._start())
        return self

    def forward(self) -> None:
        self._call(self._set(Mode.FORWARD))

    def drop(self) -> None:
        self._call(self._set(Mode.DROP))

    def blackhole(self) -> None:
        self._call(self._set(Mode.BLACKHOLE))

    def open_connections(self) -> int:
        return len(self._writers)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    # -- on the proxy's loop --------------------------------------------------------------

    def _call(self, coroutine: object) -> object:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)  # type: ignore[arg-type]
        return future.result(timeout=10)

    async def _start(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        self._cut_all()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _set(self, mode: Mode) -> None:
        assert self._flowing is not None
        self.mode = mode
        if mode is Mode.FORWARD:
            self._flowing.set()
            return
        self._flowing.clear()
        if mode is Mode.DROP:
            self._cut_all()

    def _cut_all(self) -> None:
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()

    async def _accept(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        assert self._flowing is not None
        self.accepted += 1
        if self.mode is Mode.DROP:
            _reset(client)
            return
        self._writers.add(client)
        # In a blackhole the connection is taken but goes nowhere until the network heals.
        await self._flowing.wait()
        if client not in self._writers:  # cut while it waited
            return
        try:
            server_reader, server = await asyncio.open_connection(*self.target)
        except OSError:
            self._writers.discard(client)
            _reset(client)
            return
        self._writers.add(server)
        pair = (client, server)
        await asyncio.gather(
            self._pipe(client_reader, server, pair), self._pipe(server_reader, client, pair)
        )

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    ) -> None:
        assert self._flowing is not None
        try:
            while True:
                await self._flowing.wait()
                data = await reader.read(CHUNK)
                if not data:
                    break
                # Read before a partition began: held until it heals, then delivered.
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            for end in pair:
                self._writers.discard(end)
                if not end.is_closing():
                    end.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST, as a crashed server or a firewall would."""
    transport = writer.transport
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
    transport.abort()


class RedisServer:
    """A throwaway `redis-server` on a free port, without persistence: stopped, it forgets."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def binary() -> str | None:
        return shutil.which("redis-server")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, seconds: float = 10) -> RedisServer:
        binary = self.binary()
        assert binary is not None, "redis-server is not installed"
        log = (self.workdir / f"redis-{self.port}.log").open("ab")
        self._process = subprocess.Popen(
            [
                binary,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                *("--dir", str(self.workdir)),
            ],
            cwd=self.workdir,
            stdout=log,
            stderr=log,
        )
        log.close()
        deadline = time.monotonic() + seconds
        while not self.answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.02)
        return self

    def answers(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and wait until it is gone."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def through(proxy: TcpProxy, database_url: str) -> str:
    """The same database, reached through the proxy."""
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    return url.render_as_string(hide_password=False)
