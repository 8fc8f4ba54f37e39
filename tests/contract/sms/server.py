"""A real HTTP server on 127.0.0.1, run by uvicorn in a thread, with a fake provider behind it.

The fakes are plain ASGI: each request is read whole, recorded, and answered by the fake now
installed (`LocalServer.install`), so one server serves every test of a session.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs

import uvicorn

Scope = dict[str, Any]
Message = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request as the provider saw it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    header_names: tuple[str, ...]  # as sent, in order, lower-case
    body: bytes

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True, strict_parsing=True)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"

    @classmethod
    def of_json(cls, status: int, payload: Any) -> Reply:
        return cls(status, json.dumps(payload).encode())

    @classmethod
    def of_text(cls, status: int, text: str) -> Reply:
        return cls(status, text.encode(), "text/plain; charset=utf-8")


class Provider(Protocol):
    """What a fake provider does with a request: the wire contract, nothing more."""

    def answer(self, request: Recorded) -> Reply: ...


class StaticAnswer:
    """A provider that answers every request the same way: for answers off the contract."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply

    def answer(self, request: Recorded) -> Reply:
        return self.reply


@dataclass
class Faults:
    """Trouble to make on the next requests, before the provider sees them, in order."""

    queue: list[tuple[str, float]] = field(default_factory=list)

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        self.queue.extend([("status", float(status))] * times)

    def stall_next(self, seconds: float = 1.0, times: int = 1) -> None:
        """Answer nothing for `seconds`, then drop the request: the provider never took it."""
        self.queue.extend([("stall", seconds)] * times)

    def take(self) -> tuple[str, float] | None:
        return self.queue.pop(0) if self.queue else None


class Switchboard:
    """The ASGI app: records every request, applies faults, then asks the installed fake."""

    def __init__(self) -> None:
        self.provider: Provider | None = None
        self.faults = Faults()
        self.requests: list[Recorded] = []

    def reset(self, provider: Provider | None) -> None:
        self.provider = provider
        self.faults = Faults()
        self.requests = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = await _read(scope, receive)
        self.requests.append(request)
        fault = self.faults.take()
        if fault is not None and fault[0] == "stall":
            # Until the client gives up and disconnects, or the stall is over.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(receive(), fault[1])
            reply = Reply.of_text(504, "stalled")
        elif fault is not None:
            reply = Reply.of_text(int(fault[1]), "Internal Server Error")
        elif self.provider is None:
            reply = Reply.of_text(404, "no fake provider installed")
        else:
            reply = self.provider.answer(request)
        headers = [(b"content-type", reply.content_type.encode())]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})


async def _read(scope: Scope, receive: Any) -> Recorded:
    chunks: list[bytes] = []
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw_headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]
    return Recorded(
        method=scope["method"],
        path=scope["path"],
        query=scope.get("query_string", b"").decode(),
        headers=dict(raw_headers),
        header_names=tuple(name for name, _ in raw_headers),
        body=b"".join(chunks),
    )


class LocalServer:
    """uvicorn on a free port of 127.0.0.1, in a background thread, until `stop()`."""

    def __init__(self) -> None:
        self.app = Switchboard()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[Recorded]:
        return self.app.requests

    @property
    def faults(self) -> Faults:
        return self.app.faults

    def install(self, provider: Provider | None) -> None:
        self.app.reset(provider)

    def start(self) -> LocalServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the local fake provider did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


def closed_port_url() -> str:
    """A URL where nothing listens: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
