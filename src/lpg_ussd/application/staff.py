"""Use cases of the company's staff: verify customers, unlock PINs, move orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lpg_ussd.application.messages import Messages
from lpg_ussd.application.orders import cancel_and_refund
from lpg_ussd.application.ports import Clock, UnitOfWorkFactory
from lpg_ussd.domain.customer import Customer
from lpg_ussd.domain.errors import NotFound
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderStatus
from lpg_ussd.domain.outbox import OutboxMessage


@dataclass(frozen=True, slots=True)
class VerifyCustomer:
    uow: UnitOfWorkFactory
    clock: Clock
    messages: Messages

    async def __call__(self, msisdn: Msisdn, approve: bool = True) -> Customer:
        now = self.clock.now()
        async with self.uow() as uow:
            customer = await uow.customers.get_by_msisdn(msisdn)
            if customer is None:
                raise NotFound(str(msisdn))
            if approve:
                customer.verify(now)
                text = self.messages.speaking(customer.language).verified(customer)
            else:
                customer.reject()
                text = self.messages.speaking(customer.language).rejected()
            await uow.customers.update(customer)
            await uow.outbox.add(OutboxMessage.sms(customer.msisdn.e164, text, now))
            await uow.commit()
        return customer


@dataclass(frozen=True, slots=True)
class UnlockPin:
    uow: UnitOfWorkFactory

    async def __call__(self, msisdn: Msisdn) -> Customer:
        async with self.uow() as uow:
            customer = await uow.customers.get_by_msisdn(msisdn)
            if customer is None:
                raise NotFound(str(msisdn))
            customer.unlock_pin()
            await uow.customers.update(customer)
            await uow.commit()
        return customer


@dataclass(frozen=True, slots=True)
class MoveOrder:
    """Staff move an order on; each change sends the customer an SMS."""

    uow: UnitOfWorkFactory
    clock: Clock
    messages: Messages
    delivery_days: int = 1

    async def __call__(self, reference: str, status: OrderStatus) -> Order:
        """Raises NotFound, or TransitionNotAllowed for a move the status machine refuses."""
        now = self.clock.now()
        async with self.uow() as uow:
            order = await uow.orders.get_by_reference(reference)
            if order is None:
                raise NotFound(reference)
            if status is OrderStatus.CANCELLED:
                await cancel_and_refund(uow, order, self.messages, now)
                await uow.commit()
                return order
            if status is OrderStatus.DELIVERED:
                order.mark_delivered(now)
            elif status is OrderStatus.PAID:
                order.mark_paid(order.total, now)
                order.expected_delivery = now + timedelta(days=self.delivery_days)
            else:
                order.move_to(status, now)
            await uow.orders.update(order)
            customer = await uow.customers.get(order.customer_id)
            messages = self.messages.speaking(customer.language if customer else None)
            text = messages.status_changed(order) or (
                messages.order_paid(order) if status is OrderStatus.PAID else None
            )
            if customer is not None and text:
                await uow.outbox.add(OutboxMessage.sms(customer.msisdn.e164, text, now))
            await uow.commit()
        return order


@dataclass(frozen=True, slots=True)
class ListOrders:
    uow: UnitOfWorkFactory

    async def __call__(self, status: OrderStatus | None = None, limit: int = 50) -> list[Order]:
        async with self.uow(read_only=True) as uow:
            return await uow.orders.list(status=status, limit=limit)
