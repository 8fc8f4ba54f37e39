"""One local HTTP server for the session; each test installs the fake provider it talks to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from lpg_ussd.adapters.sms.africastalking import AfricasTalkingSmsSender
from lpg_ussd.adapters.sms.arkesel import ArkeselSmsSender
from lpg_ussd.adapters.sms.hubtel import HubtelSmsSender
from tests.contract.sms.providers import FakeAfricasTalking, FakeArkesel, FakeHubtel
from tests.contract.sms.server import LocalServer

TIMEOUT = 0.5  # seconds the adapters wait for the fake; a stall lasts longer


@pytest.fixture(scope="session")
def local_server() -> Iterator[LocalServer]:
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(local_server: LocalServer) -> Iterator[LocalServer]:
    yield local_server
    local_server.install(None)


@pytest.fixture
def at(server: LocalServer) -> FakeAfricasTalking:
    fake = FakeAfricasTalking()
    server.install(fake)
    return fake


@pytest.fixture
def hubtel(server: LocalServer) -> FakeHubtel:
    fake = FakeHubtel()
    server.install(fake)
    return fake


@pytest.fixture
def arkesel(server: LocalServer) -> FakeArkesel:
    fake = FakeArkesel()
    server.install(fake)
    return fake


@pytest.fixture
async def at_sender(
    server: LocalServer, at: FakeAfricasTalking
) -> AsyncIterator[AfricasTalkingSmsSender]:
    sender = AfricasTalkingSmsSender(
        username=at.username,
        api_key=at.api_key,
        sender_id="DemoGas",
        base_url=server.url,
        timeout_seconds=TIMEOUT,
    )
    yield sender
    await sender.aclose()


@pytest.fixture
async def hubtel_sender(server: LocalServer, hubtel: FakeHubtel) -> AsyncIterator[HubtelSmsSender]:
    sender = HubtelSmsSender(
        client_id=hubtel.client_id,
        client_secret=hubtel.client_secret,
        sender_id="DemoGas",
        base_url=server.url,
        timeout_seconds=TIMEOUT,
    )
    yield sender
    await sender.aclose()


@pytest.fixture
async def arkesel_sender(
    server: LocalServer, arkesel: FakeArkesel
) -> AsyncIterator[ArkeselSmsSender]:
    sender = ArkeselSmsSender(
        api_key=arkesel.api_key, sender_id="DemoGas", base_url=server.url, timeout_seconds=TIMEOUT
    )
    yield sender
    await sender.aclose()
