"""The staff web console under /admin: server-rendered pages over the back office's use cases.

`create_app` registers `router(settings, extra)` and `stores(settings, container)`. The
router carries the console's session and CSRF middleware, its guard and its exception handlers,
so no other request (a USSD hop above all) pays for them. A handler of another module under
/admin (the dashboard) is protected the same way when given to `router` as `extra` and
declaring `opt={"permission": Permission.X}`."""

from __future__ import annotations

from typing import Any

from litestar import Router
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
from lpg_ussd.entrypoints.http.admin.secret import warn_without_key
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


def router(settings: Settings, extra: list[Any]) -> Router:
    warn_without_key(settings)
    return Router(
        "/",
        route_handlers=[*handlers, *extra],
        include_in_schema=False,
        middleware=console_middleware(settings),
        guards=[console_guard],
        exception_handlers=exception_handlers,
    )


def stores(settings: Settings, container: Any) -> dict[str, Store]:
    return {STORE_NAME: session_store(settings, container.session_store())}


__all__ = ["router", "stores"]
