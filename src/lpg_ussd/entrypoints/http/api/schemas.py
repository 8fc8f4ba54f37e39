"""The JSON API's bodies, as msgspec Structs: what other systems send and what they get back.

Money is integer pesewas with the amount written out; times are ISO 8601 in UTC; phone
numbers E.164. The `from_*` functions turn domain objects into these, nothing more.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from lpg_ussd.application.catalogue_admin import CatalogueView
from lpg_ussd.application.figures import Dashboard, FunnelStep, NetworkSuccess
from lpg_ussd.application.ports import DayCount
from lpg_ussd.application.staff import CustomerFile
from lpg_ussd.domain.audit import AuditEntry
from lpg_ussd.domain.catalogue import CylinderType, PriceChange
from lpg_ussd.domain.customer import Customer
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.order import Order, OrderStatus
from lpg_ussd.domain.payment import Payment
from lpg_ussd.domain.ticket import Ticket

MAX_PESEWAS = 10_000_000  # GHS 100,000: the use case's own ceiling on a price
# Printable text only: a NUL or another control character is refused, not stored.
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"


class Error(msgspec.Struct):
    """Every refusal: what went wrong, in words, and for bad input the fields at fault."""

    error: str
    details: list[str] = []


class Amount(msgspec.Struct):
    pesewas: int
    formatted: str  # `GHS 1,234.50`


def amount(money: Money, currency: str = "GHS") -> Amount:
    return Amount(money.pesewas, money.format(currency))


def utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Customers ------------------------------------------------------------------------------


class CustomerOut(msgspec.Struct):
    phone: str
    first_name: str
    last_name: str
    town: str
    digital_address: str | None
    status: str  # unverified, verified, rejected
    language: str
    pin_locked_until: datetime | None
    created_at: datetime | None
    verified_at: datetime | None


class CustomerList(msgspec.Struct):
    customers: list[CustomerOut]


def customer_out(customer: Customer) -> CustomerOut:
    address = customer.digital_address
    return CustomerOut(
        phone=customer.msisdn.e164,
        first_name=customer.first_name,
        last_name=customer.last_name,
        town=customer.town,
        digital_address=str(address) if address else None,
        status=customer.status.value,
        language=customer.language,
        pin_locked_until=utc(customer.pin_locked_until),
        created_at=utc(customer.created_at),
        verified_at=utc(customer.verified_at),
    )


# Orders ---------------------------------------------------------------------------------


class OrderOut(msgspec.Struct):
    reference: str
    kind: str  # deposit or refill
    cylinder_type_id: int
    cylinder: str
    deposit: Amount
    gas_price: Amount
    total: Amount
    amount_paid: Amount
    payment_method: str
    status: str
    created_at: datetime
    status_changed_at: datetime
    expected_delivery: datetime | None


class OrderList(msgspec.Struct):
    orders: list[OrderOut]


def order_out(order: Order, currency: str) -> OrderOut:
    return OrderOut(
        reference=order.reference,
        kind=order.kind.value,
        cylinder_type_id=order.cylinder_type_id,
        cylinder=order.cylinder_label,
        deposit=amount(order.deposit, currency),
        gas_price=amount(order.gas_price, currency),
        total=amount(order.total, currency),
        amount_paid=amount(order.amount_paid, currency),
        payment_method=order.payment_method.value,
        status=order.status.value,
        created_at=_utc(order.created_at),
        status_changed_at=_utc(order.status_changed_at),
        expected_delivery=utc(order.expected_delivery),
    )


class OrderMove(StrEnum):
    """The moves staff make; `cancelled` cancels with a refund of what was paid."""

    PAID = OrderStatus.PAID.value
    DISPATCHED = OrderStatus.DISPATCHED.value
    DELIVERED = OrderStatus.DELIVERED.value
    CANCELLED = OrderStatus.CANCELLED.value


class MoveOrderIn(msgspec.Struct, forbid_unknown_fields=True):
    status: OrderMove


# Payments -------------------------------------------------------------------------------


class PaymentOut(msgspec.Struct):
    reference: str
    phone: str
    purpose: str  # order or topup
    amount: Amount
    network: str
    provider: str
    status: str  # pending, successful, failed
    failure_reason: str | None
    provider_reference: str | None
    created_at: datetime
    updated_at: datetime


class PaymentList(msgspec.Struct):
    payments: list[PaymentOut]


def payment_out(payment: Payment, currency: str) -> PaymentOut:
    reason = payment.failure_reason
    return PaymentOut(
        reference=payment.reference,
        phone=payment.msisdn.e164,
        purpose=payment.purpose.value,
        amount=amount(payment.amount, currency),
        network=payment.network,
        provider=payment.provider,
        status=payment.status.value,
        failure_reason=reason.value if reason else None,
        provider_reference=payment.provider_reference,
        created_at=_utc(payment.created_at),
        updated_at=_utc(payment.updated_at),
    )


class RecheckOut(msgspec.Struct):
    reference: str
    settlement: str  # unknown, already_final, still_pending, succeeded, failed


# Tickets --------------------------------------------------------------------------------


class TicketOut(msgspec.Struct):
    id: int
    number: str
    phone: str
    topic: str
    urgent: bool
    status: str  # open or resolved
    assigned_to: str | None
    created_at: datetime
    resolved_at: datetime | None


class TicketList(msgspec.Struct):
    tickets: list[TicketOut]


def ticket_out(ticket: Ticket) -> TicketOut:
    return TicketOut(
        id=ticket.id or 0,
        number=ticket.number,
        phone=ticket.msisdn,
        topic=ticket.topic.value,
        urgent=ticket.urgent,
        status=ticket.status.value,
        assigned_to=ticket.assigned_to,
        created_at=_utc(ticket.created_at),
        resolved_at=utc(ticket.resolved_at),
    )


Username = Annotated[str, msgspec.Meta(pattern=r"^([a-z][a-z0-9._-]{1,31})?$", max_length=32)]


class AssignTicketIn(msgspec.Struct, forbid_unknown_fields=True):
    assignee: Username  # a staff username; empty to unassign


class ResolveTicketIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=200, pattern=PLAIN_TEXT)] = ""


# Customer file --------------------------------------------------------------------------


class CustomerFileOut(msgspec.Struct):
    customer: CustomerOut
    balance: Amount
    orders: list[OrderOut]
    payments: list[PaymentOut]
    tickets: list[TicketOut]


def customer_file_out(file: CustomerFile, currency: str) -> CustomerFileOut:
    return CustomerFileOut(
        customer=customer_out(file.customer),
        balance=amount(file.balance, currency),
        orders=[order_out(o, currency) for o in file.orders],
        payments=[payment_out(p, currency) for p in file.payments],
        tickets=[ticket_out(t) for t in file.tickets],
    )


class OrderFileOut(msgspec.Struct):
    order: OrderOut
    customer: CustomerOut | None
    payments: list[PaymentOut]


# Catalogue ------------------------------------------------------------------------------


class CylinderOut(msgspec.Struct):
    id: int
    code: str
    label: str
    size_kg: int
    material: str
    deposit: Amount
    gas_price: Amount
    deposit_total: Amount  # a new cylinder: deposit plus the first gas
    on_sale: bool


class PriceChangeOut(msgspec.Struct):
    cylinder_type_id: int
    deposit: Amount
    gas_price: Amount
    effective_from: datetime


class CatalogueOut(msgspec.Struct):
    cylinders: list[CylinderOut]
    upcoming: list[PriceChangeOut]  # price changes that take effect later


def cylinder_out(cylinder: CylinderType, currency: str) -> CylinderOut:
    return CylinderOut(
        id=cylinder.id,
        code=cylinder.code,
        label=cylinder.label,
        size_kg=cylinder.size_kg,
        material=cylinder.material.value,
        deposit=amount(cylinder.deposit, currency),
        gas_price=amount(cylinder.gas_price, currency),
        deposit_total=amount(cylinder.deposit_total, currency),
        on_sale=cylinder.active,
    )


def price_change_out(change: PriceChange, currency: str) -> PriceChangeOut:
    return PriceChangeOut(
        cylinder_type_id=change.cylinder_type_id,
        deposit=amount(change.deposit, currency),
        gas_price=amount(change.gas_price, currency),
        effective_from=_utc(change.effective_from),
    )


def catalogue_out(view: CatalogueView, currency: str) -> CatalogueOut:
    return CatalogueOut(
        [cylinder_out(c, currency) for c in view.cylinders],
        [price_change_out(c, currency) for c in view.upcoming],
    )


Pesewas = Annotated[int, msgspec.Meta(ge=1, le=MAX_PESEWAS)]


class ChangePriceIn(msgspec.Struct, forbid_unknown_fields=True):
    deposit_pesewas: Pesewas
    gas_price_pesewas: Pesewas
    # With a time zone; absent: from now.
    effective_from: Annotated[datetime, msgspec.Meta(tz=True)] | None = None


class OnSaleIn(msgspec.Struct, forbid_unknown_fields=True):
    on_sale: bool


# Figures --------------------------------------------------------------------------------


class DayCountOut(msgspec.Struct):
    day: date
    count: int


class DayRevenueOut(msgspec.Struct):
    day: date
    count: int
    amount: Amount


class FunnelStepOut(msgspec.Struct):
    screen: str
    reached: int
    dropped: int
    completed: int
    failed: int


class NetworkOut(msgspec.Struct):
    network: str
    succeeded: int
    failed: int
    pending: int
    success_rate: float | None  # succeeded among the settled; null when none is settled


class FiguresOut(msgspec.Struct):
    days: list[date]
    sessions: list[DayCountOut]
    registrations: list[DayCountOut]
    orders: list[DayCountOut]
    revenue: list[DayRevenueOut]
    funnels: dict[str, list[FunnelStepOut]]  # journey -> its screens in order
    networks: list[NetworkOut]


def _counts(counts: list[DayCount]) -> list[DayCountOut]:
    return [DayCountOut(c.day, c.count) for c in counts]


def _step(step: FunnelStep) -> FunnelStepOut:
    return FunnelStepOut(step.screen, step.reached, step.dropped, step.completed, step.failed)


def _network(n: NetworkSuccess) -> NetworkOut:
    return NetworkOut(n.network, n.succeeded, n.failed, n.pending, n.rate)


def figures_out(board: Dashboard, currency: str) -> FiguresOut:
    return FiguresOut(
        days=board.days,
        sessions=_counts(board.sessions),
        registrations=_counts(board.registrations),
        orders=_counts(board.orders),
        revenue=[DayRevenueOut(c.day, c.count, amount(c.amount, currency)) for c in board.revenue],
        funnels={name: [_step(s) for s in steps] for name, steps in board.funnels.items()},
        networks=[_network(n) for n in board.networks],
    )


# Audit ----------------------------------------------------------------------------------


class AuditOut(msgspec.Struct):
    id: int | None
    actor: str  # `api:<key name>`, `staff:<username>`, `cli`
    action: str
    subject: str
    at: datetime
    detail: str


class AuditList(msgspec.Struct):
    entries: list[AuditOut]


def audit_out(entry: AuditEntry) -> AuditOut:
    return AuditOut(
        entry.id, entry.actor, entry.action, entry.subject, _utc(entry.at), entry.detail
    )


class OnSaleOut(msgspec.Struct):
    cylinder_type_id: int
    on_sale: bool
