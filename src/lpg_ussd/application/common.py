"""Pieces several use cases share: the PIN check with its lock-out rule, loading a customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lpg_ussd.application.messages import Messages
from lpg_ussd.application.ports import PinHasher, UnitOfWork
from lpg_ussd.domain.customer import Customer
from lpg_ussd.domain.errors import NotFound
from lpg_ussd.domain.outbox import OutboxMessage


@dataclass(frozen=True, slots=True)
class PinRefused:
    """The PIN was wrong (`attempts_left` > 0) or PIN actions are locked."""

    locked: bool
    attempts_left: int = 0


async def check_pin(
    uow: UnitOfWork,
    customer: Customer,
    pin: str,
    hasher: PinHasher,
    messages: Messages,
    now: datetime,
) -> PinRefused | None:
    """None when the PIN is right. A refusal is recorded; the caller must commit it."""
    if customer.pin_locked(now):
        return PinRefused(locked=True)
    if await hasher.verify(customer.pin_hash, pin):
        if customer.pin_failures:
            customer.record_pin_success()
            await uow.customers.update(customer)
        return None
    left = customer.record_pin_failure(now)
    await uow.customers.update(customer)
    if left == 0:
        text = messages.speaking(customer.language).pin_locked()
        await uow.outbox.add(OutboxMessage.sms(customer.msisdn.e164, text, now))
        return PinRefused(locked=True)
    return PinRefused(locked=False, attempts_left=left)


async def require_customer(uow: UnitOfWork, customer_id: int) -> Customer:
    customer = await uow.customers.get(customer_id)
    if customer is None:
        raise NotFound("customer")
    return customer
