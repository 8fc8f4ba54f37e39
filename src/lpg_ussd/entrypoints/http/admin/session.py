"""The console's session and CSRF protection, on the console's own router only.

The session is server-side: the cookie holds a random id, the store (Redis when the line
has one, else files beside the database, shared by the workers of one machine) holds the
signed-in staff member's id. Its id is renewed at sign-in, so no one can plant one before.
CSRF is Litestar's double submit: a signed token in a cookie and in every form."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.types import (
    ASGIApp,
    Empty,
    Message,
    Receive,
    Scope,
    ScopeSession,
    Send,
)

from lpg_ussd.adapters.sessions.redis import RedisSessionStore
from lpg_ussd.entrypoints.http.admin.secret import secret_file, secret_key
from lpg_ussd.settings import Settings

SESSION_COOKIE = "lpg_staff"
CSRF_COOKIE = "lpg_csrf"
STORE_NAME = "console_sessions"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
_RENEW = "lpg_renew_session"
_RENEWED = "lpg_renewed_session_id"


def renew_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Give the session a new id when the response is sent (call it at sign-in)."""
    connection.scope[_RENEW] = True  # type: ignore[literal-required]


class RenewingSessionBackend(ServerSideSessionBackend):
    """Litestar's server-side sessions, plus: a new id on demand, and no cookie or stored
    record for a visitor who has no session."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        renewed: str | None = connection.scope.get(_RENEWED)  # type: ignore[assignment]
        return renewed or super().get_session_id(connection)

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        had_cookie = bool(connection.cookies.get(self.config.key))
        empty = scope_session is Empty or not scope_session
        if empty and not had_cookie:
            return
        if connection.scope.get(_RENEW) and not connection.scope.get(_RENEWED):
            if had_cookie:
                store = self.config.get_store_from_app(connection.scope["app"])
                await self.delete(connection.cookies[self.config.key], store)
            connection.scope[_RENEWED] = self.generate_session_id()  # type: ignore[literal-required]
        await super().store_in_message(Empty if empty else scope_session, message, connection)


class RenewingSessionConfig(ServerSideSessionConfig):
    _backend_class = RenewingSessionBackend


class SecureCookies:
    """Marks the console's cookies Secure when the settings ask, or, with "auto", unless the
    request came to localhost (the quick start over http://127.0.0.1 must work)."""

    def __init__(self, app: ASGIApp, mode: str) -> None:
        self.app = app
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not self._secure(scope):
            await self.app(scope, receive, send)
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                cookies = headers.getall("set-cookie", [])
                if cookies:
                    del headers["set-cookie"]
                    for cookie in cookies:
                        secure = "; secure" in cookie.lower()
                        headers.add("set-cookie", cookie if secure else f"{cookie}; Secure")
            await send(message)

        await self.app(scope, receive, send_secure)

    def _secure(self, scope: Scope) -> bool:
        if self.mode != "auto":
            return self.mode == "true"
        if scope.get("scheme") == "https":
            return True
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        return _hostname(host) not in LOOPBACK_HOSTS


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name.lower()


def session_store(settings: Settings, sessions: object) -> Store:
    if isinstance(sessions, RedisSessionStore):
        return RedisStore(sessions.client, namespace=f"{settings.redis_key_prefix}_console")
    folder = secret_file(settings.database_url).parent / "console-sessions"
    # The files are named by session id: only this user may list them.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return FileStore(folder, create_directories=True)


def console_middleware(settings: Settings) -> list[DefineMiddleware]:
    """Outermost first: the Secure flag, CSRF, then the session."""
    max_age = max(int(settings.staff_session_hours * 3600), 60)
    session = RenewingSessionConfig(
        key=SESSION_COOKIE,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        path="/admin",
        store=STORE_NAME,
    )
    return [
        DefineMiddleware(SecureCookies, mode=settings.secure_cookies),
        DefineMiddleware(ConsoleCsrf, settings=settings),
        session.middleware,
    ]


class ConsoleCsrf:
    """Litestar's CSRF middleware, built at the first request: the secret key may have to be
    made and written, and building an app (tests, the OpenAPI document) writes nothing."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.inner: CSRFMiddleware | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.inner is None:
            config = CSRFConfig(
                secret=secret_key(self.settings),
                cookie_name=CSRF_COOKIE,
                cookie_path="/admin",
                cookie_httponly=True,
                cookie_samesite="lax",
            )
            self.inner = CSRFMiddleware(self.app, config)
        await self.inner(scope, receive, send)
