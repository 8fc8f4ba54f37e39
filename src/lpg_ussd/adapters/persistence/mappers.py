"""Rows to domain entities and back, one small function each way.

Times need no care here: the `UtcDateTime` column type already reads and writes aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lpg_ussd.application.ports import CallbackOutcome, PaymentCallback
from lpg_ussd.domain.catalogue import CylinderType, Material, PriceChange
from lpg_ussd.domain.customer import Customer, DigitalAddress, VerificationStatus
from lpg_ussd.domain.ledger import EntryKind, LedgerEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderKind, OrderStatus, PaymentMethod
from lpg_ussd.domain.outbox import OutboxKind, OutboxMessage, OutboxStatus
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentPurpose, PaymentStatus
from lpg_ussd.domain.ticket import Ticket, TicketStatus, TicketTopic

Row = Mapping[Any, Any]  # a RowMapping, or a row the driver read
Values = dict[str, Any]


def customer_from_row(row: Row) -> Customer:
    address = row["digital_address"]
    return Customer(
        id=row["id"],
        msisdn=Msisdn(row["msisdn"]),
        first_name=row["first_name"],
        last_name=row["last_name"],
        town=row["town"],
        # Stored already normalised; DigitalAddress(...) keeps it as it is.
        digital_address=DigitalAddress(address) if address is not None else None,
        pin_hash=row["pin_hash"],
        status=VerificationStatus(row["status"]),
        pin_failures=row["pin_failures"],
        pin_locked_until=row["pin_locked_until"],
        language=row["language"],
        created_at=row["created_at"],
        verified_at=row["verified_at"],
        extra=dict(row["extra"]),
    )


def customer_values(customer: Customer) -> Values:
    values: Values = {
        "msisdn": customer.msisdn.e164,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "town": customer.town,
        "digital_address": customer.digital_address.value if customer.digital_address else None,
        "pin_hash": customer.pin_hash,
        "status": customer.status.value,
        "pin_failures": customer.pin_failures,
        "pin_locked_until": customer.pin_locked_until,
        "language": customer.language,
        "verified_at": customer.verified_at,
        "extra": dict(customer.extra),
    }
    # Without a time of its own, a new customer takes the database's clock.
    if customer.created_at is not None:
        values["created_at"] = customer.created_at
    return values


def cylinder_type_from_row(row: Row) -> CylinderType:
    """A row of cylinder_types joined with the price in force."""
    return CylinderType(
        id=row["id"],
        code=row["code"],
        size_kg=row["size_kg"],
        material=Material(row["material"]),
        deposit=Money(row["deposit_pesewas"]),
        gas_price=Money(row["gas_price_pesewas"]),
        active=bool(row["active"]),
    )


def price_from_row(row: Row) -> PriceChange:
    return PriceChange(
        cylinder_type_id=row["cylinder_type_id"],
        deposit=Money(row["deposit_pesewas"]),
        gas_price=Money(row["gas_price_pesewas"]),
        effective_from=row["effective_from"],
    )


def price_values(change: PriceChange) -> Values:
    return {
        "cylinder_type_id": change.cylinder_type_id,
        "deposit_pesewas": change.deposit.pesewas,
        "gas_price_pesewas": change.gas_price.pesewas,
        "effective_from": change.effective_from,
    }


def order_from_row(row: Row) -> Order:
    return Order(
        id=row["id"],
        reference=row["reference"],
        customer_id=row["customer_id"],
        kind=OrderKind(row["kind"]),
        cylinder_type_id=row["cylinder_type_id"],
        cylinder_label=row["cylinder_label"],
        deposit=Money(row["deposit_pesewas"]),
        gas_price=Money(row["gas_price_pesewas"]),
        payment_method=PaymentMethod(row["payment_method"]),
        status=OrderStatus(row["status"]),
        created_at=row["created_at"],
        status_changed_at=row["status_changed_at"],
        amount_paid=Money(row["amount_paid_pesewas"]),
        expected_delivery=row["expected_delivery"],
    )


# The columns order_values writes, in its order.
ORDER_COLUMNS = (
    "reference",
    "customer_id",
    "kind",
    "cylinder_type_id",
    "cylinder_label",
    "deposit_pesewas",
    "gas_price_pesewas",
    "payment_method",
    "status",
    "amount_paid_pesewas",
    "created_at",
    "status_changed_at",
    "expected_delivery",
)


def order_values(order: Order) -> Values:
    return {
        "reference": order.reference,
        "customer_id": order.customer_id,
        "kind": order.kind.value,
        "cylinder_type_id": order.cylinder_type_id,
        "cylinder_label": order.cylinder_label,
        "deposit_pesewas": order.deposit.pesewas,
        "gas_price_pesewas": order.gas_price.pesewas,
        "payment_method": order.payment_method.value,
        "status": order.status.value,
        "amount_paid_pesewas": order.amount_paid.pesewas,
        "created_at": order.created_at,
        "status_changed_at": order.status_changed_at,
        "expected_delivery": order.expected_delivery,
    }


def payment_from_row(row: Row) -> Payment:
    reason = row["failure_reason"]
    return Payment(
        id=row["id"],
        reference=row["reference"],
        customer_id=row["customer_id"],
        msisdn=Msisdn(row["msisdn"]),
        purpose=PaymentPurpose(row["purpose"]),
        order_id=row["order_id"],
        amount=Money(row["amount_pesewas"]),
        network=row["network"],
        provider=row["provider"],
        status=PaymentStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        failure_reason=FailureReason(reason) if reason is not None else None,
        provider_reference=row["provider_reference"],
    )


def payment_values(payment: Payment) -> Values:
    return {
        "reference": payment.reference,
        "customer_id": payment.customer_id,
        "msisdn": payment.msisdn.e164,
        "purpose": payment.purpose.value,
        "order_id": payment.order_id,
        "amount_pesewas": payment.amount.pesewas,
        "network": payment.network,
        "provider": payment.provider,
        "status": payment.status.value,
        "failure_reason": payment.failure_reason.value if payment.failure_reason else None,
        "provider_reference": payment.provider_reference,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
    }


def ledger_entry_from_row(row: Row) -> LedgerEntry:
    return LedgerEntry(
        id=row["id"],
        customer_id=row["customer_id"],
        amount=Money(row["amount_pesewas"]),
        kind=EntryKind(row["kind"]),
        created_at=row["created_at"],
        order_id=row["order_id"],
        payment_id=row["payment_id"],
    )


def ledger_entry_values(entry: LedgerEntry) -> Values:
    return {
        "customer_id": entry.customer_id,
        "amount_pesewas": entry.amount.pesewas,
        "kind": entry.kind.value,
        "order_id": entry.order_id,
        "payment_id": entry.payment_id,
        "created_at": entry.created_at,
    }


def ticket_from_row(row: Row) -> Ticket:
    return Ticket(
        id=row["id"],
        customer_id=row["customer_id"],
        msisdn=row["msisdn"],
        topic=TicketTopic(row["topic"]),
        urgent=bool(row["urgent"]),
        status=TicketStatus(row["status"]),
        created_at=row["created_at"],
        assigned_to=row["assigned_to"],
        resolved_at=row["resolved_at"],
    )


def ticket_values(ticket: Ticket) -> Values:
    return {
        "customer_id": ticket.customer_id,
        "msisdn": ticket.msisdn,
        "topic": ticket.topic.value,
        "urgent": ticket.urgent,
        "status": ticket.status.value,
        "created_at": ticket.created_at,
        "assigned_to": ticket.assigned_to,
        "resolved_at": ticket.resolved_at,
    }


def outbox_from_row(row: Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        kind=OutboxKind(row["kind"]),
        payload=dict(row["payload"]),
        created_at=row["created_at"],
        status=OutboxStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
        last_error=row["last_error"],
    )


# The columns outbox_values writes, in its order.
OUTBOX_COLUMNS = (
    "kind",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
    "sent_at",
    "last_error",
)


def outbox_values(message: OutboxMessage) -> Values:
    return {
        "kind": message.kind.value,
        "payload": message.payload,
        "status": message.status.value,
        "attempts": message.attempts,
        # A message with no time of its own is due as soon as it is written.
        "next_attempt_at": message.next_attempt_at or message.created_at,
        "created_at": message.created_at,
        "sent_at": message.sent_at,
        "last_error": message.last_error,
    }


def payment_callback_from_row(row: Row) -> PaymentCallback:
    return PaymentCallback(
        id=row["id"],
        provider=row["provider"],
        reference=row["reference"],
        provider_reference=row["provider_reference"],
        trusted=bool(row["trusted"]),
        outcome=CallbackOutcome(row["outcome"]),
        received_at=row["received_at"],
    )


def payment_callback_values(callback: PaymentCallback) -> Values:
    return {
        "provider": callback.provider,
        "reference": callback.reference,
        "provider_reference": callback.provider_reference,
        "trusted": callback.trusted,
        "outcome": callback.outcome.value,
        "received_at": callback.received_at,
    }
