"""The staff web console under /admin: server-rendered pages over the back office's use cases.

`create_app` registers `routes`, `console_guard` (app-wide: it acts on /admin paths only),
`exception_handlers`, `middleware(settings)` (session and CSRF, on /admin paths only) and
`stores(settings, container)`. A handler of another module under /admin is protected the same
way as long as it declares `opt={"permission": Permission.X}`."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.middleware import DefineMiddleware
from litestar.stores.base import Store

from lpg_ussd.entrypoints.http.admin import (
    auth,
    catalogue,
    customers,
    home,
    orders,
    payments,
    records,
    staff,
    tickets,
)
from lpg_ussd.entrypoints.http.admin.auth import console_guard, exception_handlers
from lpg_ussd.entrypoints.http.admin.session import (
    STORE_NAME,
    console_middleware,
    session_store,
)
from lpg_ussd.settings import Settings

handlers: list[Any] = [
    *auth.routes,
    *home.routes,
    *customers.routes,
    *orders.routes,
    *tickets.routes,
    *catalogue.routes,
    *payments.routes,
    *records.routes,
    *staff.routes,
]
routes = [Router("/", route_handlers=handlers, include_in_schema=False)]


def middleware(settings: Settings) -> list[DefineMiddleware]:
    return console_middleware(settings)


def stores(settings: Settings, container: Any) -> dict[str, Store]:
    return {STORE_NAME: session_store(settings, container.session_store())}


__all__ = ["console_guard", "exception_handlers", "middleware", "routes", "stores"]
