"""The API fuzzed from its own OpenAPI document (schemathesis, in process): no 500, anywhere.

Every operation of `/ussd/docs/openapi.json` (the aggregators' callbacks, whose bodies the
document describes per aggregator, their end-of-session notices, Hubtel's checkout fulfilment,
the payment providers' callbacks, health) gets requests that fit the document and requests that
do not; the JSON API's (`/api/v1`) go with a key holding every scope, to get past its guard.
`LPG_USSD_FUZZ_EXAMPLES` sets the examples per operation (default 50).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi

from lpg_ussd.adapters.payments.hubtel_checkout import HubtelCheckoutPaymentGateway
from lpg_ussd.adapters.persistence.migrate import upgrade
from lpg_ussd.container import build_container
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.app import create_app
from lpg_ussd.settings import CALLBACK_GATEWAYS, Settings
from tests.acceptance.harness import TEST_SETTINGS

OPENAPI = "/ussd/docs/openapi.json"
EXAMPLES = int(os.environ.get("LPG_USSD_FUZZ_EXAMPLES", "50"))
NOWHERE = "http://127.0.0.1:9"  # no provider may be reached from a test: refused at once
FUZZ_SETTINGS: dict[str, Any] = {
    **TEST_SETTINGS,
    # Every route on: Hubtel's checkout (its fulfilment URL), pointing at no real host.
    "hubtel_checkout": True,
    "hubtel_checkout_callback_url": f"{NOWHERE}/callback",
    "hubtel_status_base_url": NOWHERE,
    "hubtel_base_url": NOWHERE,
    "hubtel_pos_sales_id": "2000000",
    "hubtel_api_id": "fuzz-id",
    "hubtel_api_key": "fuzz-key",
    "provider_timeout_seconds": 1.0,
}
# The rate limits, where the settings have them: every request comes from one test client.
FUZZ_SETTINGS.update(
    {
        name: 0
        for name in ("rate_limit_phone_per_minute", "rate_limit_source_per_minute")
        if name in Settings.__struct_fields__
    }
)
# The path parameters that name a gateway or a payment provider, and the names this app knows.
STEERED = {
    "gateway": CALLBACK_GATEWAYS,
    "provider": ("simulated", HubtelCheckoutPaymentGateway.name),
}


def line_settings(database: Path) -> Settings:
    return Settings.from_env({}, database_url=f"sqlite+aiosqlite:///{database}", **FUZZ_SETTINGS)


def openapi_document() -> dict[str, Any]:
    """The document as the app serves it; rendering it opens no database."""
    app = create_app(line_settings(Path("unused.db")))
    return app.openapi_schema.to_schema()


# Loaded at import, as schemathesis's pytest plugin needs; the requests go to the `app` fixture.
# (`schemathesis.pytest.from_fixture` would load it from a fixture, but reads a node attribute
# pytest 9.2 no longer has.)
schema = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Litestar]:
    settings_ = line_settings(tmp_path_factory.mktemp("fuzz") / "line.db")
    upgrade(settings_.database_url)
    line = create_app(settings_)
    line.state.api_headers = {"Authorization": f"Bearer {all_scopes_key(settings_)}"}
    yield line
    asgi.shutdown_lifespans()  # schemathesis started the app's lifespan on its own loop


def all_scopes_key(settings_: Settings) -> str:
    """A key for the JSON API, made on a container of its own (the app's loop is not running)."""

    async def create() -> str:
        container = build_container(settings_)
        try:
            _, secret = await container.create_api_key()("fuzz", list(Permission), "test")
        finally:
            await container.db_engine().dispose()
        return secret

    return asyncio.run(create())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a 500 is reported as found
    database=None,
)
def test_no_operation_answers_500(app: Litestar, case: Any) -> None:
    headers = app.state.api_headers if case.path.startswith("/api/") else None
    case.call_and_validate(app=app, headers=headers, checks=[not_a_server_error])
    # A random name is only a 404: the same request goes to every gateway and provider too.
    for name, values in STEERED.items():
        if name in (case.path_parameters or {}):
            generated = case.path_parameters[name]
            for value in values:
                if value != generated:
                    case.path_parameters[name] = value
                    case.call_and_validate(app=app, headers=headers, checks=[not_a_server_error])
            case.path_parameters[name] = generated
