"""A handset in the browser at GET /simulator: the page's script speaks each aggregator's own
wire format to the real callback route, so what it shows is what a phone would show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from litestar import get
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.response import Template

from lpg_ussd.entrypoints.http.callback_auth import CallbackAuth
from lpg_ussd.entrypoints.http.web import PAGE_HEADERS
from lpg_ussd.settings import CALLBACK_GATEWAYS

# The wire formats static/simulator.js can speak, in the order the page offers them.
LABELS = {
    "africastalking": "Africa's Talking (form)",
    "hubtel": "Hubtel (JSON)",
    "arkesel": "Arkesel (JSON)",
    "nalo": "Nalo (JSON)",
}


@dataclass(frozen=True, slots=True)
class Line:
    """One aggregator's line as the page offers it, with what its callback route asks for."""

    gateway: str
    label: str
    screen_limit: int | None
    needs_token: bool
    needs_basic: bool
    networks: bool


def lines(gateways: Iterable[str], limits: dict[str, Any], auth: CallbackAuth) -> list[Line]:
    wired = set(gateways)
    found = []
    for gateway in (name for name in CALLBACK_GATEWAYS if name in wired and name in LABELS):
        policy = auth.policies.get(gateway)
        found.append(
            Line(
                gateway=gateway,
                label=LABELS[gateway],
                screen_limit=limits.get(gateway),
                needs_token=bool(policy and policy.token),
                needs_basic=bool(policy and policy.user),
                networks=bool(policy and policy.networks),
            )
        )
    return found


async def simulator_enabled(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if not connection.app.state.settings.simulator:
        raise NotFoundException()


@get(
    "/simulator",
    guards=[simulator_enabled],
    include_in_schema=False,
    response_headers=PAGE_HEADERS,
)
async def simulator_page(state: State) -> Template:
    gateways = state.container.ussd_gateways()
    limits = {name: getattr(adapter, "screen_limit", None) for name, adapter in gateways.items()}
    return Template(
        template_name="simulator.html",
        context={
            "lines": lines(gateways, limits, state.callback_auth),
            "service_code": state.container.brand().service_code,
        },
    )


routes = [simulator_page]
