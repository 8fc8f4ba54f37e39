"""Use cases about who a customer is: registration, lookup, PIN and address."""

from __future__ import annotations

from dataclasses import dataclass

from lpg_ussd.application.common import PinRefused, check_pin, require_customer
from lpg_ussd.application.messages import Messages
from lpg_ussd.application.ports import Clock, PinHasher, UnitOfWorkFactory
from lpg_ussd.application.ussd.session import CustomerCard
from lpg_ussd.domain.customer import Customer, DigitalAddress, VerificationStatus
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.outbox import OutboxMessage


@dataclass(frozen=True, slots=True)
class Registration:
    msisdn: Msisdn
    first_name: str
    last_name: str
    town: str
    digital_address: DigitalAddress | None
    pin_hash: str
    language: str = "en"


class RegisterCustomer:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, messages: Messages, auto_verify: bool
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._messages = messages
        self._auto_verify = auto_verify

    async def __call__(self, registration: Registration) -> Customer:
        """Store the new customer and the SMS that confirms it; AlreadyExists if taken."""
        now = self._clock.now()
        customer = Customer(
            id=None,
            msisdn=registration.msisdn,
            first_name=registration.first_name,
            last_name=registration.last_name,
            town=registration.town,
            digital_address=registration.digital_address,
            pin_hash=registration.pin_hash,
            language=registration.language,
            created_at=now,
        )
        if self._auto_verify:
            customer.verify(now)
        async with self._uow() as uow:
            customer = await uow.customers.add(customer)
            messages = self._messages.speaking(customer.language)
            text = (
                messages.verified(customer) if self._auto_verify else messages.registered(customer)
            )
            await uow.outbox.add(OutboxMessage.sms(customer.msisdn.e164, text, now))
            await uow.commit()
        return customer


class FindCustomerCard:
    """What the dialogue keeps of a customer for the whole session: one read per session."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, msisdn: str) -> CustomerCard | None:
        async with self._uow(read_only=True) as uow:
            customer = await uow.customers.get_by_msisdn(Msisdn(msisdn))
        if customer is None or customer.id is None:
            return None
        return CustomerCard(
            id=customer.id,
            first_name=customer.first_name,
            status=customer.status.value,
            language=customer.language,
        )


class VerifyPin:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, hasher: PinHasher, messages: Messages
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher
        self._messages = messages

    async def __call__(self, customer_id: int, pin: str) -> PinRefused | None:
        now = self._clock.now()
        async with self._uow() as uow:
            customer = await require_customer(uow, customer_id)
            refused = await check_pin(uow, customer, pin, self._hasher, self._messages, now)
            await uow.commit()
        return refused


class ChangePin:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, messages: Messages) -> None:
        self._uow = uow
        self._clock = clock
        self._messages = messages

    async def __call__(self, customer_id: int, new_pin_hash: str) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            customer = await require_customer(uow, customer_id)
            customer.pin_hash = new_pin_hash
            customer.record_pin_success()
            await uow.customers.update(customer)
            await uow.outbox.add(
                OutboxMessage.sms(
                    customer.msisdn.e164,
                    self._messages.speaking(customer.language).pin_changed(),
                    now,
                )
            )
            await uow.commit()


class ChangeAddress:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, messages: Messages) -> None:
        self._uow = uow
        self._clock = clock
        self._messages = messages

    async def __call__(
        self, customer_id: int, town: str, address: DigitalAddress | None
    ) -> Customer:
        now = self._clock.now()
        async with self._uow() as uow:
            customer = await require_customer(uow, customer_id)
            customer.town = town
            customer.digital_address = address
            await uow.customers.update(customer)
            text = self._messages.speaking(customer.language).address_changed(customer)
            await uow.outbox.add(OutboxMessage.sms(customer.msisdn.e164, text, now))
            await uow.commit()
        return customer


class ListCustomers:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self, status: VerificationStatus | None = None, search: str | None = None, limit: int = 50
    ) -> list[Customer]:
        async with self._uow(read_only=True) as uow:
            return await uow.customers.list(status=status, search=search, limit=limit)


class ChangeLanguage:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, customer_id: int, language: str) -> None:
        async with self._uow() as uow:
            customer = await require_customer(uow, customer_id)
            customer.language = language
            await uow.customers.update(customer)
            await uow.commit()
