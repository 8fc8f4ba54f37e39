"""Orders and their status machine."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from lpg_ussd.domain.errors import TransitionNotAllowed
from lpg_ussd.domain.money import Money

# Easy to read aloud: no 0/O, 1/I/L.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6


def new_order_reference(prefix: str) -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{prefix}-{body}"


class OrderKind(StrEnum):
    DEPOSIT = "deposit"  # a new cylinder: deposit plus the first gas
    REFILL = "refill"


class PaymentMethod(StrEnum):
    MTN = "mtn"
    TELECEL = "telecel"
    AIRTELTIGO = "airteltigo"
    WALLET = "wallet"
    ON_DELIVERY = "on_delivery"

    @property
    def is_mobile_money(self) -> bool:
        return self in MOBILE_MONEY


MOBILE_MONEY = (PaymentMethod.MTN, PaymentMethod.TELECEL, PaymentMethod.AIRTELTIGO)


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAYMENT_FAILED = "payment_failed"
    PAID = "paid"
    PAY_ON_DELIVERY = "pay_on_delivery"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


_NEXT: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.AWAITING_PAYMENT: frozenset(
        {OrderStatus.PAID, OrderStatus.PAYMENT_FAILED, OrderStatus.CANCELLED}
    ),
    OrderStatus.PAYMENT_FAILED: frozenset(
        {OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID, OrderStatus.CANCELLED}
    ),
    OrderStatus.PAID: frozenset({OrderStatus.DISPATCHED, OrderStatus.CANCELLED}),
    OrderStatus.PAY_ON_DELIVERY: frozenset({OrderStatus.DISPATCHED, OrderStatus.CANCELLED}),
    OrderStatus.DISPATCHED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# A failed payment closes the order for the customer, who is told to order again.
CLOSED_STATUSES = frozenset(
    {OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.PAYMENT_FAILED}
)
OPEN_STATUSES = frozenset(s for s in OrderStatus if s not in CLOSED_STATUSES)
PAYABLE = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.PAYMENT_FAILED})
HELD_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.DISPATCHED})
CANCELLABLE = frozenset(s for s, nxt in _NEXT.items() if OrderStatus.CANCELLED in nxt)


@dataclass(slots=True)
class Order:
    id: int | None
    reference: str
    customer_id: int
    kind: OrderKind
    cylinder_type_id: int
    cylinder_label: str
    deposit: Money
    gas_price: Money
    payment_method: PaymentMethod
    status: OrderStatus
    created_at: datetime
    status_changed_at: datetime
    amount_paid: Money = field(default_factory=Money.zero)
    expected_delivery: datetime | None = None

    @property
    def total(self) -> Money:
        return self.deposit + self.gas_price

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def can_cancel(self) -> bool:
        return self.status in CANCELLABLE

    @property
    def holds_cylinder(self) -> bool:
        """A deposit order whose cylinder the customer holds (or has paid for)."""
        if self.kind is not OrderKind.DEPOSIT:
            return False
        if self.status is OrderStatus.DELIVERED:
            return True
        return self.status in HELD_STATUSES and self.amount_paid >= self.total

    def move_to(self, status: OrderStatus, now: datetime) -> None:
        if status not in _NEXT[self.status]:
            raise TransitionNotAllowed(f"{self.status} -> {status}")
        self.status = status
        self.status_changed_at = now

    def mark_paid(self, amount: Money, now: datetime) -> None:
        self.move_to(OrderStatus.PAID, now)
        self.amount_paid = amount

    def mark_delivered(self, now: datetime) -> None:
        self.move_to(OrderStatus.DELIVERED, now)
        if self.payment_method is PaymentMethod.ON_DELIVERY:
            self.amount_paid = self.total  # collected at the door

    def cancel(self, now: datetime) -> Money:
        """Cancel and return what must be refunded to the wallet."""
        self.move_to(OrderStatus.CANCELLED, now)
        refund, self.amount_paid = self.amount_paid, Money(0)
        return refund
