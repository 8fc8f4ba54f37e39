"""Use cases of ordering gas: place an order, top up, follow and cancel orders, the balance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lpg_ussd.application.brand import Brand
from lpg_ussd.application.checkout import CheckoutRequest
from lpg_ussd.application.common import PinRefused, check_pin, require_customer
from lpg_ussd.application.messages import Messages
from lpg_ussd.application.ports import (
    Clock,
    PaymentProviders,
    PinHasher,
    UnitOfWork,
    UnitOfWorkFactory,
)
from lpg_ussd.domain.catalogue import CylinderType
from lpg_ussd.domain.customer import Customer
from lpg_ussd.domain.errors import AlreadyExists, InsufficientFunds, NotFound
from lpg_ussd.domain.ledger import EntryKind, credit, debit
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import (
    Order,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    new_order_reference,
)
from lpg_ussd.domain.outbox import OutboxMessage
from lpg_ussd.domain.payment import (
    Payment,
    PaymentPurpose,
    PaymentStatus,
    new_payment_reference,
)


@dataclass(frozen=True, slots=True)
class Contact:
    """Where a customer's messages go, and in which language."""

    msisdn: Msisdn
    language: str


@dataclass(frozen=True, slots=True)
class OrderPlaced:
    order: Order
    wallet_balance: Money | None = None
    payment_reference: str | None = None  # the mobile-money payment's, when there is one


@dataclass(frozen=True, slots=True)
class TopUpRequested:
    reference: str
    amount: Money


@dataclass(frozen=True, slots=True)
class OrderView:
    order: Order
    payment_pending: bool


@dataclass(frozen=True, slots=True)
class Balance:
    wallet: Money
    cylinders: int
    deposits: Money
    open_orders: int


@dataclass(frozen=True, slots=True)
class Cancelled:
    order: Order
    refund: Money


class NotCancellable(Exception):
    pass


REFERENCE_TRIES = 5


async def add_with_fresh_reference(
    uow: UnitOfWork,
    order: Order,
    prefix: str,
    notice: Callable[[Order], OutboxMessage] | None = None,
) -> Order:
    """Store the order under a new reference; a taken one (rare) is simply drawn again.

    `notice` writes the message telling the customer (it names the reference) with the order.
    """
    for attempt in range(REFERENCE_TRIES):
        order.reference = new_order_reference(prefix)
        try:
            return await uow.orders.add(order, notice(order) if notice is not None else None)
        except AlreadyExists:
            if attempt == REFERENCE_TRIES - 1:
                raise
    raise AssertionError("unreachable")


class ListCatalogue:
    """The cylinders on sale with today's prices, kept for a short while: every deposit and
    refill shows them, and they change a few times a month."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, keep_seconds: float = 30) -> None:
        self._uow = uow
        self._clock = clock
        self._keep = timedelta(seconds=keep_seconds)
        self._cached: tuple[datetime, list[CylinderType]] | None = None

    async def __call__(self) -> list[CylinderType]:
        now = self._clock.now()
        if self._cached is not None and now - self._cached[0] < self._keep:
            return self._cached[1]
        async with self._uow(read_only=True) as uow:
            cylinders = await uow.catalogue.list_active(now)
        self._cached = (now, cylinders)
        return cylinders


@dataclass(frozen=True, slots=True)
class WalletBalance:
    uow: UnitOfWorkFactory

    async def __call__(self, customer_id: int) -> Money:
        async with self.uow(read_only=True) as uow:
            return await uow.ledger.balance(customer_id)


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    """A cylinder deposit or a refill, paid by mobile money, wallet, or on delivery."""

    uow: UnitOfWorkFactory
    clock: Clock
    hasher: PinHasher
    messages: Messages
    providers: PaymentProviders
    brand: Brand
    catalogue: ListCatalogue
    delivery_days: int = 1

    async def __call__(
        self,
        customer_id: int,
        cylinder_type_id: int,
        kind: OrderKind,
        method: PaymentMethod,
        pin: str | None = None,
        checkout: CheckoutRequest | None = None,
        contact: Contact | None = None,
    ) -> OrderPlaced | PinRefused:
        """Raises InsufficientFunds for a short wallet, NotFound for an unknown cylinder.

        `checkout`: a mobile-money payment is left to the aggregator's own checkout.
        `contact`: the customer's number and language as the caller already knows them (the
        dialogue's session); an order paid without a PIN then reads no customer."""
        now = self.clock.now()
        # The price the customer was shown: the catalogue as the dialogue read it.
        cylinder = next((c for c in await self.catalogue() if c.id == cylinder_type_id), None)
        if cylinder is None:
            raise NotFound("cylinder")
        order = Order(
            id=None,
            reference="",  # drawn when stored
            customer_id=customer_id,
            kind=kind,
            cylinder_type_id=cylinder.id,
            cylinder_label=cylinder.label,
            deposit=cylinder.deposit if kind is OrderKind.DEPOSIT else Money(0),
            gas_price=cylinder.gas_price,
            payment_method=method,
            status=OrderStatus.AWAITING_PAYMENT,
            created_at=now,
            status_changed_at=now,
        )
        async with self.uow() as uow:
            if method is PaymentMethod.WALLET:
                customer = await require_customer(uow, customer_id)
                refused = await check_pin(uow, customer, pin or "", self.hasher, self.messages, now)
                if refused is not None:
                    await uow.commit()  # the refusal counts
                    return refused
                balance = await self._pay_from_wallet(uow, customer, order)
                await uow.commit()
                return OrderPlaced(order, balance)
            if contact is None:
                customer = await require_customer(uow, customer_id)
                contact = Contact(customer.msisdn, customer.language)
            payment_reference = None
            if method is PaymentMethod.ON_DELIVERY:
                order.status = OrderStatus.PAY_ON_DELIVERY
                order.expected_delivery = now + timedelta(days=self.delivery_days)
                order = await add_with_fresh_reference(
                    uow, order, self.brand.order_prefix, self._on_delivery_notice(contact, now)
                )
            else:
                order = await add_with_fresh_reference(uow, order, self.brand.order_prefix)
                payment = await _start_payment(
                    uow,
                    self.providers,
                    customer_id,
                    contact.msisdn,
                    order.total,
                    method,
                    now,
                    order.id,
                    checkout,
                )
                payment_reference = payment.reference
            await uow.commit()
        return OrderPlaced(order, None, payment_reference)

    def _on_delivery_notice(
        self, contact: Contact, now: datetime
    ) -> Callable[[Order], OutboxMessage]:
        words = self.messages.speaking(contact.language)

        def notice(order: Order) -> OutboxMessage:
            return OutboxMessage.sms(contact.msisdn.e164, words.on_delivery(order), now)

        return notice

    async def _pay_from_wallet(self, uow: UnitOfWork, customer: Customer, order: Order) -> Money:
        now = order.created_at
        balance = await uow.ledger.balance(order.customer_id)
        if balance < order.total:
            raise InsufficientFunds((order.total - balance).pesewas)
        order.mark_paid(order.total, now)
        order.expected_delivery = now + timedelta(days=self.delivery_days)
        stored = await add_with_fresh_reference(uow, order, self.brand.order_prefix)
        order.id = stored.id
        await uow.ledger.add(
            debit(order.customer_id, balance, order.total, EntryKind.ORDER_PAYMENT, now, order.id)
        )
        remaining = balance - order.total
        text = self.messages.speaking(customer.language).wallet_paid(order, remaining)
        await uow.outbox.add(OutboxMessage.sms(customer.msisdn.e164, text, now))
        return remaining


async def _start_payment(
    uow: UnitOfWork,
    providers: PaymentProviders,
    customer_id: int,
    msisdn: Msisdn,
    amount: Money,
    method: PaymentMethod,
    now: datetime,
    order_id: int | None,
    checkout: CheckoutRequest | None = None,
) -> Payment:
    """Write the payment as pending and its request to the outbox, in the caller's transaction.

    With `checkout`, the aggregator prompts the customer itself: the payment is kept under
    its checkout, with the session as the provider's reference, and no request is sent."""
    payment = Payment(
        id=None,
        reference=checkout.reference if checkout else new_payment_reference(),
        customer_id=customer_id,
        msisdn=msisdn,
        purpose=PaymentPurpose.ORDER if order_id is not None else PaymentPurpose.TOPUP,
        order_id=order_id,
        amount=amount,
        network=method.value,
        provider=checkout.provider if checkout else providers.for_network(method.value).name,
        status=PaymentStatus.PENDING,
        created_at=now,
        updated_at=now,
        provider_reference=checkout.session_id if checkout else None,
    )
    payment = await uow.payments.add(payment)
    if checkout is None:
        await uow.outbox.add(OutboxMessage.payment_request(payment.reference, now))
    return payment


@dataclass(frozen=True, slots=True)
class TopUpWallet:
    """The wallet is credited only when the provider confirms."""

    uow: UnitOfWorkFactory
    clock: Clock
    providers: PaymentProviders

    async def __call__(
        self,
        customer_id: int,
        amount: Money,
        method: PaymentMethod,
        checkout: CheckoutRequest | None = None,
    ) -> TopUpRequested:
        """`checkout`: the payment is left to the aggregator's own checkout."""
        if not method.is_mobile_money:
            raise ValueError("a top-up is paid by mobile money")
        now = self.clock.now()
        async with self.uow() as uow:
            customer = await require_customer(uow, customer_id)
            payment = await _start_payment(
                uow,
                self.providers,
                customer_id,
                customer.msisdn,
                amount,
                method,
                now,
                None,
                checkout,
            )
            await uow.commit()
        return TopUpRequested(payment.reference, amount)


@dataclass(frozen=True, slots=True)
class ListOrders:
    uow: UnitOfWorkFactory

    async def __call__(self, customer_id: int, limit: int = 20) -> list[Order]:
        async with self.uow(read_only=True) as uow:
            return await uow.orders.list_for_customer(customer_id, limit=limit)


@dataclass(frozen=True, slots=True)
class GetOrder:
    uow: UnitOfWorkFactory

    async def __call__(self, customer_id: int, reference: str) -> OrderView:
        async with self.uow(read_only=True) as uow:
            order = await uow.orders.get_by_reference(reference)
            if order is None or order.customer_id != customer_id:
                raise NotFound("order")
            pending = False
            if order.status is OrderStatus.AWAITING_PAYMENT and order.id is not None:
                pending = await uow.payments.has_pending_for_order(order.id)
        return OrderView(order, pending)


@dataclass(frozen=True, slots=True)
class CancelOrder:
    """Cancel before dispatch, behind the PIN; what was paid goes back to the wallet."""

    uow: UnitOfWorkFactory
    clock: Clock
    hasher: PinHasher
    messages: Messages

    async def __call__(self, customer_id: int, reference: str, pin: str) -> Cancelled | PinRefused:
        now = self.clock.now()
        async with self.uow() as uow:
            customer = await require_customer(uow, customer_id)
            refused = await check_pin(uow, customer, pin, self.hasher, self.messages, now)
            if refused is not None:
                await uow.commit()
                return refused
            order = await uow.orders.get_by_reference(reference)
            if order is None or order.customer_id != customer_id:
                raise NotFound("order")
            if not order.can_cancel:
                raise NotCancellable(reference)
            refund = await cancel_and_refund(uow, order, self.messages, now)
            await uow.commit()
        return Cancelled(order, refund)


async def cancel_and_refund(
    uow: UnitOfWork, order: Order, messages: Messages, now: datetime
) -> Money:
    """Cancel an order, credit what was paid to the wallet, and tell the customer."""
    refund = order.cancel(now)
    await uow.orders.update(order)
    customer = await require_customer(uow, order.customer_id)
    if refund:
        await uow.ledger.add(
            credit(order.customer_id, refund, EntryKind.REFUND, now, order_id=order.id)
        )
        balance = await uow.ledger.balance(order.customer_id)
        text = messages.speaking(customer.language).refunded(order, refund, balance)
    else:
        text = messages.speaking(customer.language).status_changed(order) or ""
    await uow.outbox.add(OutboxMessage.sms(customer.msisdn.e164, text, now))
    return refund


@dataclass(frozen=True, slots=True)
class CheckBalance:
    uow: UnitOfWorkFactory
    clock: Clock
    hasher: PinHasher
    messages: Messages

    async def __call__(self, customer_id: int, pin: str) -> Balance | PinRefused:
        now = self.clock.now()
        async with self.uow() as uow:
            customer = await require_customer(uow, customer_id)
            refused = await check_pin(uow, customer, pin, self.hasher, self.messages, now)
            if refused is not None:
                await uow.commit()
                return refused
            wallet = await uow.ledger.balance(customer_id)
            orders = await uow.orders.list_for_customer(customer_id, limit=1000)
            await uow.commit()
        held = [o for o in orders if o.holds_cylinder]
        deposits = sum((o.deposit for o in held), Money(0))
        open_orders = sum(1 for o in orders if o.is_open)
        return Balance(wallet, len(held), deposits, open_orders)
