"""Use cases of mobile-money payments: settling them, sending the request, the sweep."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lpg_ussd.application.messages import Messages
from lpg_ussd.application.ports import (
    Clock,
    PaymentProviders,
    ProviderStatus,
    UnitOfWork,
    UnitOfWorkFactory,
)
from lpg_ussd.domain.ledger import EntryKind, credit
from lpg_ussd.domain.order import PAYABLE, OrderStatus
from lpg_ussd.domain.outbox import OutboxMessage
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentPurpose, PaymentStatus

log = logging.getLogger("lpg_ussd.payments")

PENDING_SWEEP_AFTER = timedelta(minutes=5)
# A prompt expires within minutes; a payment the provider still calls pending (or has never
# heard of) a day later is failed, so it stops waiting and leaves room in the sweep.
PENDING_GIVE_UP_AFTER = timedelta(hours=24)
DELIVERY_DAYS = 1  # the settings' default; the container passes LPG_USSD_DELIVERY_DAYS


class Settlement(StrEnum):
    UNKNOWN = "unknown"
    ALREADY_FINAL = "already_final"
    STILL_PENDING = "still_pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


async def settle(
    uow: UnitOfWork,
    payment: Payment,
    outcome: ProviderStatus,
    messages: Messages,
    now: datetime,
    delivery_days: int = DELIVERY_DAYS,
) -> Settlement:
    """Apply a provider's final word to a pending payment, its order or wallet, and SMS."""
    customer = await uow.customers.get(payment.customer_id)
    messages = messages.speaking(customer.language if customer is not None else None)
    if payment.is_final:
        return Settlement.ALREADY_FINAL
    if outcome.status is PaymentStatus.PENDING:
        return Settlement.STILL_PENDING
    if outcome.status is PaymentStatus.SUCCESSFUL:
        payment.succeed(now, outcome.provider_reference)
        await uow.payments.update(payment)
        await _deliver_value(uow, payment, messages, now, delivery_days)
        return Settlement.SUCCEEDED
    payment.fail(outcome.failure_reason or FailureReason.ERROR, now)
    await uow.payments.update(payment)
    await _report_failure(uow, payment, messages, now)
    return Settlement.FAILED


async def _deliver_value(
    uow: UnitOfWork, payment: Payment, messages: Messages, now: datetime, delivery_days: int
) -> None:
    to = payment.msisdn.e164
    if payment.purpose is PaymentPurpose.TOPUP:
        await uow.ledger.add(
            credit(payment.customer_id, payment.amount, EntryKind.TOPUP, now, payment_id=payment.id)
        )
        balance = await uow.ledger.balance(payment.customer_id)
        await uow.outbox.add(
            OutboxMessage.sms(to, messages.topup_paid(payment.amount, balance), now)
        )
        return
    order = await uow.orders.get(payment.order_id) if payment.order_id is not None else None
    if order is None:
        log.error("successful payment %s has no order", payment.reference)
        return
    if order.status not in PAYABLE:
        # Paid after the order was cancelled or settled otherwise (staff marked it paid):
        # the money goes to the wallet, never lost.
        await uow.ledger.add(
            credit(
                order.customer_id,
                payment.amount,
                EntryKind.REFUND,
                now,
                order_id=order.id,
                payment_id=payment.id,
            )
        )
        balance = await uow.ledger.balance(order.customer_id)
        if order.status is OrderStatus.CANCELLED:
            text = messages.refunded(order, payment.amount, balance)
        else:
            text = messages.paid_to_wallet(order, payment.amount, balance)
        await uow.outbox.add(OutboxMessage.sms(to, text, now))
        return
    order.mark_paid(payment.amount, now)
    # Delivery is promised from payment, as for a wallet payment or staff marking it paid.
    order.expected_delivery = now + timedelta(days=delivery_days)
    await uow.orders.update(order)
    await uow.outbox.add(OutboxMessage.sms(to, messages.order_paid(order), now))


async def _report_failure(
    uow: UnitOfWork, payment: Payment, messages: Messages, now: datetime
) -> None:
    to = payment.msisdn.e164
    if payment.purpose is PaymentPurpose.TOPUP:
        text = messages.topup_failed(payment.amount, payment.failure_reason)
        await uow.outbox.add(OutboxMessage.sms(to, text, now))
        return
    order = await uow.orders.get(payment.order_id) if payment.order_id is not None else None
    if order is None or order.status is not OrderStatus.AWAITING_PAYMENT:
        return
    order.move_to(OrderStatus.PAYMENT_FAILED, now)
    await uow.orders.update(order)
    text = messages.order_failed(order, payment.failure_reason)
    await uow.outbox.add(OutboxMessage.sms(to, text, now))


@dataclass(frozen=True, slots=True)
class ConfirmPayment:
    """A provider said something about a payment: ask the provider, then settle once.

    Callbacks are not trusted on their word: the provider's status query decides. A
    duplicate or late callback finds the payment final and changes nothing.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    providers: PaymentProviders
    messages: Messages
    delivery_days: int = DELIVERY_DAYS

    async def __call__(self, reference: str, give_up_if_pending: bool = False) -> Settlement:
        """`give_up_if_pending`: a provider's "still pending" fails the payment (timed out)."""
        async with self.uow() as uow:
            payment = await uow.payments.get_by_reference(reference)
        if payment is None:
            log.warning("payment callback for unknown reference %s", reference)
            return Settlement.UNKNOWN
        if payment.is_final:
            return Settlement.ALREADY_FINAL
        gateway = self.providers.by_name(payment.provider)
        if gateway is None:
            log.error("payment %s names unknown provider %s", reference, payment.provider)
            return Settlement.STILL_PENDING
        outcome = await gateway.query_status(payment)
        if give_up_if_pending and outcome.status is PaymentStatus.PENDING:
            log.warning("payment %s still pending after a day: failed as timed out", reference)
            outcome = ProviderStatus(PaymentStatus.FAILED, FailureReason.TIMED_OUT)
        async with self.uow() as uow:
            # Locked: a second callback for the same payment waits here, then finds it final.
            fresh = await uow.payments.get_by_reference(reference, for_update=True)
            if fresh is None:
                return Settlement.UNKNOWN
            now = self.clock.now()
            result = await settle(uow, fresh, outcome, self.messages, now, self.delivery_days)
            await uow.commit()
        return result


class PaymentRequestFailed(Exception):
    """The provider could not take the request now; the outbox tries again later."""


@dataclass(frozen=True, slots=True)
class SendPaymentRequest:
    """Ask the provider to prompt the customer; runs in the worker, after the USSD answer."""

    uow: UnitOfWorkFactory
    clock: Clock
    providers: PaymentProviders
    messages: Messages
    payer_name: str

    async def __call__(self, reference: str) -> None:
        async with self.uow() as uow:
            # Locked, as it may be settled here while a callback settles it elsewhere.
            payment = await uow.payments.get_by_reference(reference, for_update=True)
            if payment is None or payment.is_final:
                return
            if await self._order_cancelled(uow, payment):
                # No prompt for an order the customer has already cancelled.
                withdrawn = ProviderStatus(PaymentStatus.FAILED, FailureReason.CANCELLED)
                await settle(uow, payment, withdrawn, self.messages, self.clock.now())
                await uow.commit()
                return
        gateway = self.providers.by_name(payment.provider)
        if gateway is None:
            raise PaymentRequestFailed(f"no provider named {payment.provider}")
        result = await gateway.request_payment(payment, self.payer_name)
        if result.accepted:
            return
        if result.retryable:
            raise PaymentRequestFailed(str(result.failure_reason or "provider unavailable"))
        refused = ProviderStatus(PaymentStatus.FAILED, result.failure_reason or FailureReason.ERROR)
        async with self.uow() as uow:
            fresh = await uow.payments.get_by_reference(reference, for_update=True)
            if fresh is not None:
                await settle(uow, fresh, refused, self.messages, self.clock.now())
                await uow.commit()

    @staticmethod
    async def _order_cancelled(uow: UnitOfWork, payment: Payment) -> bool:
        if payment.order_id is None:
            return False
        order = await uow.orders.get(payment.order_id)
        return order is not None and order.status is OrderStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class SweepPendingPayments:
    """Payments still pending after five minutes are checked with the provider."""

    uow: UnitOfWorkFactory
    clock: Clock
    confirm: ConfirmPayment

    async def __call__(self) -> int:
        now = self.clock.now()
        async with self.uow() as uow:
            pending = await uow.payments.list_pending_before(now - PENDING_SWEEP_AFTER)
        for payment in pending:
            too_old = payment.created_at < now - PENDING_GIVE_UP_AFTER
            try:
                await self.confirm(payment.reference, give_up_if_pending=too_old)
            except Exception:
                log.exception("status check failed for %s", payment.reference)
        return len(pending)
