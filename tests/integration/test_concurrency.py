"""What must hold when several processes work on one database at the same moment.

Each test runs its contenders at once (asyncio.gather, a unit of work each) on every backend
that takes part: on PostgreSQL the row locks do the work, on SQLite the write lock every
transaction takes (BEGIN IMMEDIATE), in memory the fakes' locks.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from lpg_ussd.adapters.payments.providers import ConfiguredPaymentProviders
from lpg_ussd.application.brand import Brand
from lpg_ussd.application.messages import Messages
from lpg_ussd.application.payments import ConfirmPayment, SendPaymentRequest, Settlement
from lpg_ussd.application.ports import PaymentRequestResult, ProviderStatus, UnitOfWorkFactory
from lpg_ussd.application.ussd.texts import load_texts
from lpg_ussd.domain.customer import Customer
from lpg_ussd.domain.errors import AlreadyExists
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.outbox import OutboxKind, OutboxMessage
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentPurpose, PaymentStatus
from tests.fakes import FixedClock
from tests.integration.backends import backend_params

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PHONE = "+233244000001"
REFERENCE = "P0001"
TOP_UP = Money(5000)
BRAND = Brand(
    company="Demo Gas",
    care_number="0302000000",
    emergency_number="0302000999",
    service_code="*384*303#",
)


class RendezvousGateway:
    """A provider that answers nobody until every caller has asked: then they go on at once."""

    name = "simulated"

    def __init__(self, callers: int = 2) -> None:
        self._barrier = asyncio.Barrier(callers)
        self.queries = 0
        self.requests = 0

    async def query_status(self, payment: Payment) -> ProviderStatus:
        self.queries += 1
        await self._all_here()
        return ProviderStatus(PaymentStatus.SUCCESSFUL, provider_reference="MTN-0001")

    async def request_payment(self, payment: Payment, payer_name: str) -> PaymentRequestResult:
        self.requests += 1
        await self._all_here()
        return PaymentRequestResult(accepted=False, failure_reason=FailureReason.PAYER_NOT_FOUND)

    async def _all_here(self) -> None:
        async with asyncio.timeout(5):
            await self._barrier.wait()


def providers(gateway: RendezvousGateway) -> ConfiguredPaymentProviders:
    return ConfiguredPaymentProviders({gateway.name: gateway}, default=gateway.name)


def messages() -> Messages:
    return Messages(load_texts("en"), BRAND)


def a_customer(number: str = PHONE, first_name: str = "Ama") -> Customer:
    return Customer(
        id=None,
        msisdn=Msisdn(number),
        first_name=first_name,
        last_name="Mensah",
        town="Kumasi",
        digital_address=None,
        pin_hash="hashed:1357",
        created_at=NOW,
    )


async def pending_top_up(uow_factory: UnitOfWorkFactory) -> int:
    """A customer with a pending top-up of GHS 50; the customer's id."""
    async with uow_factory() as uow:
        customer = await uow.customers.add(a_customer())
        assert customer.id is not None
        await uow.payments.add(
            Payment(
                id=None,
                reference=REFERENCE,
                customer_id=customer.id,
                msisdn=customer.msisdn,
                purpose=PaymentPurpose.TOPUP,
                order_id=None,
                amount=TOP_UP,
                network="mtn",
                provider=RendezvousGateway.name,
                status=PaymentStatus.PENDING,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        await uow.commit()
    return customer.id


async def wallet_and_outbox(
    uow_factory: UnitOfWorkFactory, customer_id: int
) -> tuple[Money, list[OutboxMessage], Payment | None]:
    async with uow_factory() as uow:
        return (
            await uow.ledger.balance(customer_id),
            await uow.outbox.list(),
            await uow.payments.get_by_reference(REFERENCE),
        )


# ---------------------------------------------------------------- payments


async def test_two_callbacks_for_one_top_up_at_once_credit_the_wallet_once(
    uow_factory: UnitOfWorkFactory,
) -> None:
    customer_id = await pending_top_up(uow_factory)
    gateway = RendezvousGateway(callers=2)
    confirm = ConfirmPayment(uow_factory, FixedClock(NOW), providers(gateway), messages())

    # Both callbacks have asked the provider before either settles: they settle at once.
    results = await asyncio.gather(confirm(REFERENCE), confirm(REFERENCE))

    assert gateway.queries == 2
    assert sorted(results) == sorted([Settlement.SUCCEEDED, Settlement.ALREADY_FINAL])
    balance, outbox, payment = await wallet_and_outbox(uow_factory, customer_id)
    assert balance == TOP_UP, "the wallet is credited once"
    assert [message.kind for message in outbox] == [OutboxKind.SMS], "one SMS"
    assert payment is not None and payment.status is PaymentStatus.SUCCESSFUL


async def test_a_refused_payment_request_sent_twice_at_once_fails_the_payment_once(
    uow_factory: UnitOfWorkFactory,
) -> None:
    customer_id = await pending_top_up(uow_factory)
    gateway = RendezvousGateway(callers=2)
    send = SendPaymentRequest(
        uow_factory, FixedClock(NOW), providers(gateway), messages(), BRAND.company
    )

    await asyncio.gather(send(REFERENCE), send(REFERENCE))

    assert gateway.requests == 2
    balance, outbox, payment = await wallet_and_outbox(uow_factory, customer_id)
    assert balance == Money(0)
    assert [message.kind for message in outbox] == [OutboxKind.SMS], "one failure SMS"
    assert payment is not None and payment.failure_reason is FailureReason.PAYER_NOT_FOUND


# ---------------------------------------------------------------- outbox


async def test_workers_claiming_in_rounds_at_once_take_every_message_exactly_once(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        for n in range(40):
            await uow.outbox.add(OutboxMessage.sms(PHONE, f"message {n}", NOW))
        await uow.commit()

    async def worker() -> list[int]:
        taken: list[int] = []
        while True:
            async with uow_factory() as uow:
                lease = NOW + timedelta(minutes=5)
                claimed = await uow.outbox.claim_due(NOW, limit=3, lease_until=lease)
                await asyncio.sleep(0.005)  # hold the rows while the others claim
                await uow.commit()
            if not claimed:
                return taken
            taken.extend(message.id for message in claimed if message.id is not None)

    taken = await asyncio.gather(*(worker() for _ in range(4)))

    every_claim = [message_id for claims in taken for message_id in claims]
    assert len(every_claim) == 40
    assert len(set(every_claim)) == 40, "no message is claimed twice"


# ---------------------------------------------------------------- unique keys


@pytest.mark.parametrize("uow_factory", backend_params("sqlite"), indirect=True)
async def test_two_registrations_of_one_number_at_once_one_already_exists(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """The database's unique key decides, even between transactions that overlap."""

    async def register(first_name: str, pause: float) -> str:
        async with uow_factory() as uow:
            try:
                await uow.customers.add(a_customer(first_name=first_name))
            except AlreadyExists as error:
                return f"already exists: {error}"
            await asyncio.sleep(pause)  # the other insert comes while this one is open
            await uow.commit()
        return "registered"

    outcomes = await asyncio.gather(register("Ama", 0.05), register("Kofi", 0.0))

    assert sorted(outcomes) == ["already exists: uq_customers_msisdn", "registered"]
    async with uow_factory() as uow:
        assert len(await uow.customers.list()) == 1
