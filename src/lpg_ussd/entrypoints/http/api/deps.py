"""The API's dependencies: each use case from the container, the caller's key, the currency.

A handler names a use case by its name in the container (`verify_customer`, ...); Litestar's
`Provide` cannot take a dependency-injector provider, so each is wrapped here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.datastructures import State
from litestar.di import Provide

from lpg_ussd.entrypoints.http.api.auth import provide_api_key

USE_CASES = (
    "list_customers",
    "customer_file",
    "verify_customer",
    "unlock_pin",
    "list_orders",
    "order_file",
    "move_order",
    "list_tickets",
    "assign_ticket",
    "resolve_ticket",
    "view_catalogue",
    "change_price",
    "set_cylinder_on_sale",
    "list_payments",
    "recheck_payment",
    "show_dashboard",
    "list_audit",
)


def _use_case(name: str) -> Callable[[State], Awaitable[Any]]:
    async def provide(state: State) -> Any:
        return getattr(state.container, name)()

    provide.__name__ = f"provide_{name}"
    return provide


async def provide_currency(state: State) -> str:
    return str(state.settings.currency)


def dependencies() -> dict[str, Provide]:
    """Fresh for each app: a cached value belongs to the app that resolved it."""
    provided = {name: Provide(_use_case(name), use_cache=True) for name in USE_CASES}
    provided["api_key"] = Provide(provide_api_key)
    provided["currency"] = Provide(provide_currency, use_cache=True)
    return provided
