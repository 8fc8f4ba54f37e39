"""The Litestar app factory. Route handlers translate and delegate; nothing more."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig

from lpg_ussd import __version__
from lpg_ussd.container import Container, build_container
from lpg_ussd.entrypoints.heap import freeze_start_up_heap
from lpg_ussd.entrypoints.http import admin as console
from lpg_ussd.entrypoints.http import checkout, events, health, metrics, payments, ussd
from lpg_ussd.entrypoints.http.admin_dashboard import routes as dashboard_routes
from lpg_ussd.entrypoints.http.api import api_components, api_router
from lpg_ussd.entrypoints.http.callback_auth import CallbackAuth
from lpg_ussd.entrypoints.http.deps import dependencies
from lpg_ussd.entrypoints.http.simulator import routes as simulator_routes
from lpg_ussd.entrypoints.http.web import static_files, template_config
from lpg_ussd.entrypoints.logs import configure as configure_logging
from lpg_ussd.settings import Settings

log = logging.getLogger("lpg_ussd.http")


def create_app(
    settings: Settings | None = None,
    container: Container | None = None,
    *,
    freeze_heap: bool = False,
) -> Litestar:
    """Build the container (unless given) and the app; reads the environment only here.

    `freeze_heap`, for a serving process: once started, what the process holds for its
    whole life is moved out of the garbage collector's sight (see `freeze_start_up_heap`)."""
    settings = settings or Settings.from_env()
    container = container or build_container(settings)
    callback_auth = CallbackAuth.from_settings(settings)
    callback_auth.open_routes(callback_routes(container))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = None
        if settings.run_worker:
            task = asyncio.create_task(container.worker().run_forever(stop), name="outbox-worker")
        if freeze_heap:
            ussd.hop_parts_of(app.state)  # built now, so that it is frozen with the rest
            freeze_start_up_heap()
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                with suppress(asyncio.CancelledError, TimeoutError):
                    await asyncio.wait_for(task, 5)
            await container.simulated_payments().drain()
            await container.db_engine().dispose()
            for client in [*container.payment_gateways().values(), container.sms_sender()]:
                client_close = getattr(client, "aclose", None)
                if client_close is not None:
                    await client_close()
            store_close = getattr(container.session_store(), "aclose", None)
            if store_close is not None:
                await store_close()

    return Litestar(
        route_handlers=[
            *ussd.routes,
            *events.routes,
            *checkout.routes,
            *payments.routes,
            *health.routes,
            *metrics.routes,
            api_router(),
            *simulator_routes,
            static_files(),
            console.router(settings, extra=dashboard_routes),
        ],
        stores=console.stores(settings, container),
        template_config=template_config(settings.company_name),
        dependencies=dependencies(),
        state=State({"container": container, "settings": settings, "callback_auth": callback_auth}),
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="lpg-ussd", version=__version__, path="/ussd/docs", components=api_components()
        ),
        logging_config=None,
    )


def callback_routes(container: Container) -> dict[str, list[str]]:
    """Each wired gateway's token-less routes: its hops, its notices when it sends any, and
    its checkout's fulfilment requests when that is on."""
    with_events = container.session_end_decoders()
    with_checkout = container.checkout_readers()
    return {
        gateway: [
            *ussd.callback_paths(gateway),
            *(events.event_paths(gateway) if gateway in with_events else []),
            *(checkout.fulfilment_paths(gateway) if gateway in with_checkout else []),
        ]
        for gateway in container.ussd_gateways()
    }


def create_app_from_env() -> Litestar:
    """For `uvicorn --factory` with several workers: each process builds its own app."""
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings, freeze_heap=True)
