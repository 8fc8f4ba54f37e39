"""Each fake provider runs as a real HTTP server on 127.0.0.1, once per test session, and is
reset before every test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract.payments.fake_hubtel import FakeHubtel
from tests.contract.payments.fake_mtn_momo import FakeMtnMomo
from tests.contract.payments.fake_paystack import FakePaystack
from tests.contract.payments.server import FakeProvider, LocalServer


def _serve(app: FakeProvider) -> Iterator[LocalServer]:
    server = LocalServer(app).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mtn_server() -> Iterator[LocalServer]:
    yield from _serve(FakeMtnMomo())


@pytest.fixture(scope="session")
def hubtel_server() -> Iterator[LocalServer]:
    yield from _serve(FakeHubtel())


@pytest.fixture(scope="session")
def paystack_server() -> Iterator[LocalServer]:
    yield from _serve(FakePaystack())


@pytest.fixture
def fake_mtn(mtn_server: LocalServer) -> FakeMtnMomo:
    assert isinstance(mtn_server.app, FakeMtnMomo)
    mtn_server.app.reset()
    return mtn_server.app


@pytest.fixture
def fake_hubtel(hubtel_server: LocalServer) -> FakeHubtel:
    assert isinstance(hubtel_server.app, FakeHubtel)
    hubtel_server.app.reset()
    return hubtel_server.app


@pytest.fixture
def fake_paystack(paystack_server: LocalServer) -> FakePaystack:
    assert isinstance(paystack_server.app, FakePaystack)
    paystack_server.app.reset()
    return paystack_server.app
