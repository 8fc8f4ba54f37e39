"""Real `lpg-ussd serve` processes on one PostgreSQL and one Redis, and handsets that spread
each session's hops over them as a load balancer would."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import msgspec

from tests import processes
from tests.faults.faults import free_port

BIN = Path(sys.executable).parent / "lpg-ussd"
AT_CALLBACK = "/ussd/africastalking/callback"
ARKESEL_CALLBACK = "/ussd/arkesel/callback"


@dataclass
class Server:
    popen: subprocess.Popen[bytes]
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def server_env(database_url: str, redis_url: str, prefix: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("LPG_USSD_")}
    return {
        **inherited,
        "LPG_USSD_DATABASE_URL": database_url,
        "LPG_USSD_REDIS_URL": redis_url,
        "LPG_USSD_REDIS_KEY_PREFIX": prefix,
        "LPG_USSD_PIN_HASH_TIME_COST": "1",
        "LPG_USSD_PIN_HASH_MEMORY_KIB": "1024",
        "LPG_USSD_AUTO_MIGRATE": "false",
        "LPG_USSD_SMS_PROVIDER": "console",
        "LPG_USSD_LOG_LEVEL": "WARNING",
    }


@contextmanager
def serving(env: dict[str, str], workdir: Path, count: int = 2) -> Iterator[list[Server]]:
    """`count` servers started at once, each ready before this yields; stopped at the end."""
    servers: list[Server] = []
    try:
        for n in range(count):
            port = free_port()
            log = workdir / f"server-{n}.log"
            with log.open("wb") as sink:
                popen = subprocess.Popen(
                    [str(BIN), "serve", "--port", str(port)],
                    cwd=workdir,
                    env=env,
                    stdout=sink,
                    stderr=sink,
                )
            servers.append(Server(popen, f"http://127.0.0.1:{port}", log))
        for server in servers:
            wait_ready(server)
        yield servers
    finally:
        for server in servers:
            if server.popen.poll() is None:
                server.popen.terminate()
        for server in servers:
            try:
                server.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.popen.kill()
                server.popen.wait()


def wait_ready(server: Server, seconds: float = 30) -> None:
    processes.wait_ready(server.base, server.popen, server.output, seconds)


async def post(base: str, path: str, body: bytes, content_type: str) -> tuple[int, str]:
    """One HTTP/1.1 POST on a connection of its own: what a gateway sends, at a small cost
    (httpx's pool spends more CPU than two servers do once hundreds of requests are open)."""
    parts = urlsplit(base)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + body)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length = None
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        payload = await (reader.readexactly(length) if length is not None else reader.read())
        return status, payload.decode()
    finally:
        writer.close()


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    seconds: float


@dataclass
class Handset:
    """A phone on Africa's Talking; hop n of a session goes to server n mod the count."""

    servers: list[str]
    phone: str
    session_id: str = ""
    answers: list[str] = field(default_factory=list)
    hops: int = 0
    replies: list[Reply] = field(default_factory=list)

    async def dial(self) -> str:
        self.session_id, self.answers = "ATUid_" + uuid.uuid4().hex, []
        return await self.send()

    async def enter(self, answer: str) -> str:
        self.answers.append(answer)
        return await self.send()

    async def walk(self, steps: list[tuple[str, str]]) -> str:
        screen = ""
        for answer, expected in steps:
            screen = await self.enter(answer)
            assert expected in screen, (
                f"{self.phone}: after {answer!r}, {expected!r} not in {screen!r}"
            )
        return screen

    async def send(self) -> str:
        server = self.servers[self.hops % len(self.servers)]
        self.hops += 1
        reply = await self.post(server)
        return reply.body

    async def at_once(self, answer: str, copies: int) -> list[Reply]:
        """One hop sent `copies` times at the same moment, spread over the servers."""
        self.answers.append(answer)
        targets = [self.servers[(self.hops + n) % len(self.servers)] for n in range(copies)]
        self.hops += copies
        return list(await asyncio.gather(*(self.post(server) for server in targets)))

    async def post(self, server: str) -> Reply:
        form = {
            "sessionId": self.session_id,
            "phoneNumber": self.phone,
            "serviceCode": "*384*303#",
            "networkCode": "62001",
            "text": "*".join(self.answers),
        }
        started = time.monotonic()
        status, text = await post(
            server, AT_CALLBACK, urlencode(form).encode(), "application/x-www-form-urlencoded"
        )
        reply = Reply(status, text, time.monotonic() - started)
        self.replies.append(reply)
        assert reply.status == 200, reply
        assert reply.body.startswith(("CON ", "END ")), reply
        return reply


@dataclass
class ArkeselHandset:
    """A phone on Arkesel: each hop carries that screen's input alone, and hops are not
    numbered, so two different inputs of one session can arrive at once."""

    servers: list[str]
    phone: str
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    hops: int = 0

    async def send(self, user_data: str, new: bool = False, server: int | None = None) -> Reply:
        chosen = self.servers[(self.hops if server is None else server) % len(self.servers)]
        self.hops += 1
        body = {
            "sessionID": self.session_id,
            "userID": "lpg",
            "newSession": new,
            "msisdn": self.phone.lstrip("+"),
            "userData": user_data,
            "network": "MTN",
        }
        started = time.monotonic()
        status, text = await post(
            chosen, ARKESEL_CALLBACK, msgspec.json.encode(body), "application/json"
        )
        took = time.monotonic() - started
        assert status == 200, text
        answer = msgspec.json.decode(text)
        prefix = "CON " if answer["continueSession"] else "END "
        return Reply(status, prefix + answer["message"], took)
