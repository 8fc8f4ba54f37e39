"""Use cases of the company's staff: verify customers, unlock PINs, move orders.

Each change is written to the audit log, in its own unit of work, with who made it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lpg_ussd.application.audit import record
from lpg_ussd.application.messages import Messages
from lpg_ussd.application.orders import cancel_and_refund
from lpg_ussd.application.ports import Clock, UnitOfWorkFactory
from lpg_ussd.domain.customer import Customer
from lpg_ussd.domain.errors import NotFound
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderStatus
from lpg_ussd.domain.outbox import OutboxMessage
from lpg_ussd.domain.payment import Payment
from lpg_ussd.domain.ticket import Ticket


@dataclass(frozen=True, slots=True)
class VerifyCustomer:
    uow: UnitOfWorkFactory
    clock: Clock
    messages: Messages

    async def __call__(
        self, msisdn: Msisdn, approve: bool = True, *, actor: str = "cli"
    ) -> Customer:
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
            action = "customer.verify" if approve else "customer.reject"
            await record(uow, actor, action, customer.msisdn.e164, now)
            await uow.commit()
        return customer


@dataclass(frozen=True, slots=True)
class UnlockPin:
    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, msisdn: Msisdn, *, actor: str = "cli") -> Customer:
        async with self.uow() as uow:
            customer = await uow.customers.get_by_msisdn(msisdn)
            if customer is None:
                raise NotFound(str(msisdn))
            customer.unlock_pin()
            await uow.customers.update(customer)
            await record(uow, actor, "customer.unlock_pin", customer.msisdn.e164, self.clock.now())
            await uow.commit()
        return customer


@dataclass(frozen=True, slots=True)
class MoveOrder:
    """Staff move an order on; each change sends the customer an SMS."""

    uow: UnitOfWorkFactory
    clock: Clock
    messages: Messages
    delivery_days: int = 1

    async def __call__(self, reference: str, status: OrderStatus, *, actor: str = "cli") -> Order:
        """Raises NotFound, or TransitionNotAllowed for a move the status machine refuses."""
        now = self.clock.now()
        async with self.uow() as uow:
            order = await uow.orders.get_by_reference(reference)
            if order is None:
                raise NotFound(reference)
            before = order.status
            if status is OrderStatus.CANCELLED:
                await cancel_and_refund(uow, order, self.messages, now)
                await record(uow, actor, "order.cancel", reference, now, before.value)
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
            detail = f"{before.value} -> {order.status.value}"
            await record(uow, actor, "order.move", reference, now, detail)
            await uow.commit()
        return order


@dataclass(frozen=True, slots=True)
class ListOrders:
    uow: UnitOfWorkFactory

    async def __call__(self, status: OrderStatus | None = None, limit: int = 50) -> list[Order]:
        async with self.uow(read_only=True) as uow:
            return await uow.orders.list(status=status, limit=limit)


@dataclass(frozen=True, slots=True)
class CustomerFile:
    """Everything staff see of one customer."""

    customer: Customer
    balance: Money
    orders: list[Order]
    payments: list[Payment]
    tickets: list[Ticket]


@dataclass(frozen=True, slots=True)
class GetCustomerFile:
    uow: UnitOfWorkFactory

    async def __call__(self, msisdn: Msisdn) -> CustomerFile:
        async with self.uow(read_only=True) as uow:
            customer = await uow.customers.get_by_msisdn(msisdn)
            if customer is None or customer.id is None:
                raise NotFound(str(msisdn))
            return CustomerFile(
                customer,
                await uow.ledger.balance(customer.id),
                await uow.orders.list_for_customer(customer.id, limit=20),
                await uow.payments.list_for_customer(customer.id, limit=20),
                await uow.tickets.list_for_customer(customer.id, limit=20),
            )


@dataclass(frozen=True, slots=True)
class GetOrderFile:
    """An order with its payments, for staff."""

    uow: UnitOfWorkFactory

    async def __call__(self, reference: str) -> tuple[Order, Customer | None, list[Payment]]:
        async with self.uow(read_only=True) as uow:
            order = await uow.orders.get_by_reference(reference)
            if order is None or order.id is None:
                raise NotFound(reference)
            customer = await uow.customers.get(order.customer_id)
            return order, customer, await uow.payments.list_for_orders([order.id])
