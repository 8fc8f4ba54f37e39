"""Each SMS provider behind the real outbox worker: a temporary failure is retried after the
back-off and the SMS goes out once; a permanent one is recorded and never retried; an SMS sent
is never sent again."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from lpg_ussd.adapters.payments.providers import ConfiguredPaymentProviders
from lpg_ussd.adapters.payments.simulated import SimulatedPaymentGateway
from lpg_ussd.adapters.sms.africastalking import AfricasTalkingSmsSender
from lpg_ussd.adapters.sms.arkesel import ArkeselSmsSender
from lpg_ussd.adapters.sms.hubtel import HubtelSmsSender
from lpg_ussd.application.brand import Brand
from lpg_ussd.application.messages import Messages
from lpg_ussd.application.outbox import DispatchOutbox
from lpg_ussd.application.payments import SendPaymentRequest
from lpg_ussd.application.ussd.texts import load_texts
from lpg_ussd.domain.outbox import OutboxMessage, OutboxStatus
from tests.contract.sms.conftest import TIMEOUT
from tests.contract.sms.providers import Delivered, FakeAfricasTalking, FakeArkesel, FakeHubtel
from tests.contract.sms.server import LocalServer
from tests.fakes import FixedClock, InMemoryDatabase, InMemoryUnitOfWorkFactory

NUMBER = "+233244123456"
TEXT = "Demo Gas: order NG-1234 is paid. Delivery tomorrow. Thank you!"
FIRST_WAIT = timedelta(seconds=5)  # the outbox's back-off after a first failure


@dataclass
class Provider:
    """A fake provider on the local server and the adapter that talks to it."""

    name: str
    fake: Any
    sender: Any
    refuse_our_number: Callable[[], None]

    @property
    def delivered(self) -> list[Delivered]:
        delivered: list[Delivered] = self.fake.delivered
        return delivered

    def run_out_of_credit(self) -> None:
        self.fake.credit = 0

    def top_up(self) -> None:
        self.fake.credit = None


def africastalking(url: str) -> Provider:
    fake = FakeAfricasTalking()
    sender = AfricasTalkingSmsSender(
        fake.username, fake.api_key, "DemoGas", base_url=url, timeout_seconds=TIMEOUT
    )
    return Provider("africastalking", fake, sender, lambda: fake.refuse.update({NUMBER: 403}))


def hubtel(url: str) -> Provider:
    fake = FakeHubtel()
    sender = HubtelSmsSender(
        fake.client_id, fake.client_secret, "DemoGas", base_url=url, timeout_seconds=TIMEOUT
    )
    bad_number = (400, 1, "invalid destination address")
    return Provider("hubtel", fake, sender, lambda: fake.refuse.update({NUMBER[1:]: bad_number}))


def arkesel(url: str) -> Provider:
    fake = FakeArkesel()
    sender = ArkeselSmsSender(fake.api_key, "DemoGas", base_url=url, timeout_seconds=TIMEOUT)

    def refuse() -> None:
        fake.refuse = frozenset({NUMBER[1:]})

    return Provider("arkesel", fake, sender, refuse)


@pytest.fixture(params=[africastalking, hubtel, arkesel], ids=lambda make: make.__name__)
async def provider(request: pytest.FixtureRequest, server: LocalServer) -> AsyncIterator[Provider]:
    made: Provider = request.param(server.url)
    server.install(made.fake)
    yield made
    await made.sender.aclose()


class Worker:
    """The real DispatchOutbox on the in-memory database, with a clock that moves when told."""

    def __init__(self, provider: Provider) -> None:
        self.clock = FixedClock()
        self.db = InMemoryDatabase(self.clock)
        self.uow = InMemoryUnitOfWorkFactory(self.db)
        brand = Brand("Demo Gas", "0302000000", "0302000999", "*384*303#")
        payments = ConfiguredPaymentProviders(
            {"simulated": SimulatedPaymentGateway()}, default="simulated"
        )
        send_request = SendPaymentRequest(
            self.uow, self.clock, payments, Messages(load_texts("en"), brand), brand.company
        )
        self.dispatch = DispatchOutbox(self.uow, self.clock, provider.sender, send_request)

    async def queue_sms(self, to: str = NUMBER, text: str = TEXT) -> None:
        async with self.uow() as uow:
            await uow.outbox.add(OutboxMessage.sms(to, text, self.clock.now()))
            await uow.commit()

    def message(self) -> OutboxMessage:
        (record,) = self.db.rows("outbox")
        message: OutboxMessage = record.message
        return message


@pytest.fixture
def worker(provider: Provider) -> Worker:
    return Worker(provider)


async def test_a_server_error_is_retried_after_the_back_off_and_sent_once(
    worker: Worker, provider: Provider, server: LocalServer
) -> None:
    await worker.queue_sms()
    server.faults.fail_next(500)
    start = worker.clock.now()

    assert await worker.dispatch.run_once() == 1

    message = worker.message()
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == start + FIRST_WAIT
    assert message.last_error and message.last_error.startswith(f"{provider.name}: HTTP 500")
    assert provider.delivered == []

    worker.clock.advance(FIRST_WAIT - timedelta(seconds=1))
    assert await worker.dispatch.run_once() == 0  # not due yet: nothing is asked of the provider
    assert len(server.requests) == 1

    worker.clock.advance(seconds=1)
    assert await worker.dispatch.run_once() == 1
    assert len(provider.delivered) == 1
    assert provider.delivered[0].text == TEXT
    assert worker.message().status is OutboxStatus.SENT
    assert worker.message().attempts == 2

    worker.clock.advance(days=1)
    assert await worker.dispatch.run_once() == 0
    assert len(server.requests) == 2
    assert len(provider.delivered) == 1


async def test_no_answer_in_time_is_retried_and_sent_once(
    worker: Worker, provider: Provider, server: LocalServer
) -> None:
    await worker.queue_sms()
    server.faults.stall_next(seconds=TIMEOUT * 3)

    assert await worker.dispatch.run_once() == 1
    assert worker.message().status is OutboxStatus.PENDING
    assert "no answer in time" in (worker.message().last_error or "")

    worker.clock.advance(FIRST_WAIT)
    assert await worker.dispatch.run_once() == 1
    assert worker.message().status is OutboxStatus.SENT
    assert len(provider.delivered) == 1


async def test_out_of_credit_is_retried_until_the_account_is_topped_up(
    worker: Worker, provider: Provider
) -> None:
    await worker.queue_sms()
    provider.run_out_of_credit()

    assert await worker.dispatch.run_once() == 1
    worker.clock.advance(FIRST_WAIT)
    assert await worker.dispatch.run_once() == 1
    assert worker.message().status is OutboxStatus.PENDING
    assert worker.message().attempts == 2

    provider.top_up()
    worker.clock.advance(FIRST_WAIT * 2)
    assert await worker.dispatch.run_once() == 1
    assert worker.message().status is OutboxStatus.SENT
    assert len(provider.delivered) == 1


async def test_a_permanent_failure_is_recorded_and_never_retried(
    worker: Worker, provider: Provider, server: LocalServer
) -> None:
    await worker.queue_sms()
    provider.refuse_our_number()

    assert await worker.dispatch.run_once() == 1

    message = worker.message()
    assert message.status is OutboxStatus.FAILED
    assert message.attempts == 1
    assert message.last_error and message.last_error.startswith(f"{provider.name}: ")
    assert NUMBER[4:] not in message.last_error  # no whole number in what is stored and logged
    worker.clock.advance(days=1)
    assert await worker.dispatch.run_once() == 0
    assert len(server.requests) == 1
    assert provider.delivered == []


async def test_an_sms_sent_is_never_sent_again(
    worker: Worker, provider: Provider, server: LocalServer
) -> None:
    await worker.queue_sms()

    assert await worker.dispatch.run_once() == 1
    assert worker.message().status is OutboxStatus.SENT
    assert worker.message().sent_at == worker.clock.now()

    for _ in range(3):
        worker.clock.advance(hours=1)
        assert await worker.dispatch.run_once() == 0
    assert len(server.requests) == 1
    assert len(provider.delivered) == 1
