"""A provider's fake as a real HTTP server on 127.0.0.1, started by the tests themselves.

`FakeProvider` is a tiny ASGI app: it records every request, answers from its own state
through `handle`, and can be told to fail (`fail_next`) or to answer late (`slow_next`), the
latter after the request has taken effect, as when a provider's answer is lost on the way.
`LocalServer` serves it with uvicorn in a background thread on a free port.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Trouble:
    kind: str  # which requests: a name `route` gives, or "*"
    times: int
    status: int = 0  # answer this instead (0: answer normally, only late)
    delay: float = 0.0


class FakeProvider:
    """Subclasses answer in `route` (which name this request is) and `handle`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        self._troubles: list[_Trouble] = []

    def reset(self) -> None:
        with self._lock:
            self.requests = []
            self._troubles = []

    # -- what tests ask of it ---------------------------------------------------------

    def fail_next(self, kind: str, status: int = 500, times: int = 1) -> None:
        """The next `times` requests of `kind` get `status` and change nothing."""
        with self._lock:
            self._troubles.append(_Trouble(kind, times, status=status))

    def slow_next(self, kind: str, seconds: float, times: int = 1) -> None:
        """The next `times` requests of `kind` take effect, then are answered `seconds` late."""
        with self._lock:
            self._troubles.append(_Trouble(kind, times, delay=seconds))

    def seen(self, kind: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if self.route(r) == kind]

    # -- for subclasses -----------------------------------------------------------------

    def route(self, request: Request) -> str:
        raise NotImplementedError

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    # -- ASGI ---------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = await _read(scope, receive)
        with self._lock:
            self.requests.append(request)
            trouble = self._take_trouble(self.route(request))
            if trouble is not None and trouble.status:
                reply = Reply(trouble.status, {"message": "fake trouble"})
            else:
                reply = self.handle(request)
        if trouble is not None and trouble.delay:
            await asyncio.sleep(trouble.delay)
        await _write(send, reply)

    def _take_trouble(self, kind: str) -> _Trouble | None:
        for trouble in self._troubles:
            if trouble.kind in (kind, "*") and trouble.times > 0:
                trouble.times -= 1
                return trouble
        return None


async def _read(scope: Scope, receive: Receive) -> Request:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw_headers = scope.get("headers") or []
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw_headers}
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    return Request(scope["method"], scope["path"], query, headers, b"".join(chunks))


async def _write(send: Send, reply: Reply) -> None:
    body = b"" if reply.body is None else json.dumps(reply.body).encode()
    headers = [(b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    headers += [(k.encode(), v.encode()) for k, v in reply.headers.items()]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class LocalServer:
    """`app` served on http://127.0.0.1:<free port> until `stop()`."""

    def __init__(self, app: FakeProvider) -> None:
        self.app = app
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake provider's server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
