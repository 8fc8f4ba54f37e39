"""The JSON API for the company's other systems, under /api/v1, behind API keys with scopes.

The same operations as the staff console: customers, orders, tickets, catalogue, payments,
figures and the audit log. Each route declares `opt={"permission": ...}`; the router's guard
checks it against the key's scopes.
"""

from __future__ import annotations

from litestar import Router

from lpg_ussd.entrypoints.http.api import catalogue, customers, orders, payments, reports, tickets
from lpg_ussd.entrypoints.http.api.auth import SECURITY, require_scope
from lpg_ussd.entrypoints.http.api.auth import openapi_components as api_components
from lpg_ussd.entrypoints.http.api.deps import dependencies
from lpg_ussd.entrypoints.http.api.errors import EXCEPTION_HANDLERS

__all__ = ["api_components", "api_router"]

PREFIX = "/api/v1"

_RESOURCES = {
    "API: customers": customers.routes,
    "API: orders": orders.routes,
    "API: tickets": tickets.routes,
    "API: catalogue": catalogue.routes,
    "API: payments": payments.routes,
    "API: figures and audit": reports.routes,
}


def api_router() -> Router:
    """A fresh router for each app, each resource's operations under a tag of its own."""
    return Router(
        PREFIX,
        route_handlers=[
            Router("/", route_handlers=list(handlers), tags=[tag])
            for tag, handlers in _RESOURCES.items()
        ],
        guards=[require_scope],
        dependencies=dependencies(),
        exception_handlers=EXCEPTION_HANDLERS,
        security=SECURITY,
        # Other systems send no CSRF token: a key in a header is not something a browser
        # adds by itself, so cross-site forgery has nothing to ride on.
        opt={"exclude_from_csrf": True},
    )
