"""An aggregator's own checkout: the aggregator collects the money, then asks us to fulfil.

Where the aggregator offers it (Hubtel's Programmable Services), the dialogue ends a
mobile-money payment by handing the customer to the aggregator's checkout instead of sending
a payment request of ours. The payment is written as pending under the checkout's provider
name and a reference drawn from the session (`checkout_reference`), with no request in the
outbox: the aggregator prompts the customer itself. Its fulfilment request, read by its
adapter into a `CheckoutOutcome`, settles the payment through the same `settle` as any
provider's word, once; the aggregator is then told what became of it through the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from lpg_ussd.application.messages import Messages
from lpg_ussd.application.payments import DELIVERY_DAYS, Settlement, settle
from lpg_ussd.application.ports import (
    CheckoutReport,
    CheckoutReporter,
    CheckoutReportFailed,
    Clock,
    ProviderStatus,
    UnitOfWork,
    UnitOfWorkFactory,
)
from lpg_ussd.domain.outbox import OutboxMessage
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentStatus, checkout_reference

log = logging.getLogger("lpg_ussd.checkout")


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """Pay through the aggregator's checkout: `provider` is the name the payment is kept
    under, `session_id` the USSD session the checkout belongs to."""

    provider: str
    session_id: str

    @property
    def reference(self) -> str:
        return checkout_reference(self.session_id)


@dataclass(frozen=True, slots=True)
class CheckoutOutcome:
    """An aggregator's fulfilment request, as its adapter read it.

    `session_id` names the session whose checkout was paid; `references` are any of our
    payment references the request also carries (a fallback when it names no session).
    `amount_paid_pesewas` is what the customer paid, None when the request does not say;
    `currency` likewise.
    """

    session_id: str | None
    order_id: str | None
    successful: bool
    amount_paid_pesewas: int | None = None
    currency: str | None = None
    references: tuple[str, ...] = ()

    def candidate_references(self) -> list[str]:
        found = [checkout_reference(self.session_id)] if self.session_id else []
        return [*found, *(r for r in self.references if r not in found)]


@dataclass(frozen=True, slots=True)
class SettleCheckout:
    """Settle the payment an aggregator's checkout collected, once, and queue the report.

    A repeated request finds the payment final and changes nothing; the report for a given
    aggregator order is queued once (the order id is kept as the payment's provider
    reference). A success is delivered only when the amount paid covers the payment in its
    currency; otherwise the payment stays pending for staff, and nothing is reported.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    messages: Messages
    currency: str = "GHS"
    delivery_days: int = DELIVERY_DAYS

    async def __call__(self, provider: str, outcome: CheckoutOutcome) -> Settlement:
        async with self.uow() as uow:
            payment = await _find(uow, provider, outcome)
            if payment is None:
                log.warning(
                    "%s fulfilment for an unknown payment (session %s, order %s)",
                    provider,
                    outcome.session_id,
                    outcome.order_id,
                )
                return Settlement.UNKNOWN
            now = self.clock.now()
            if payment.is_final:
                result = Settlement.ALREADY_FINAL
                if outcome.order_id and payment.provider_reference != outcome.order_id:
                    # Settled before this order was reported (by the status check): report it.
                    payment.provider_reference = outcome.order_id
                    await uow.payments.update(payment)
                    await _queue_report(uow, payment, outcome, now)
            else:
                word = self._word(payment, outcome)
                if word is None:
                    return Settlement.STILL_PENDING
                if outcome.order_id:
                    payment.provider_reference = outcome.order_id
                result = await settle(uow, payment, word, self.messages, now, self.delivery_days)
                if outcome.order_id:
                    await _queue_report(uow, payment, outcome, now)
                else:
                    log.warning("%s fulfilment without an order id: not reported", provider)
            await uow.commit()
        return result

    def _word(self, payment: Payment, outcome: CheckoutOutcome) -> ProviderStatus | None:
        """What the request says of the payment; None when a success cannot be believed."""
        if not outcome.successful:
            return ProviderStatus(PaymentStatus.FAILED, FailureReason.DECLINED)
        currency_ok = outcome.currency is None or outcome.currency.upper() == self.currency.upper()
        paid = outcome.amount_paid_pesewas
        if not currency_ok or paid is None or paid < payment.amount.pesewas:
            log.error(
                "checkout payment %s reported paid with %r %s (due %s): left pending",
                payment.reference,
                paid,
                outcome.currency,
                payment.amount.pesewas,
            )
            return None
        return ProviderStatus(PaymentStatus.SUCCESSFUL, provider_reference=outcome.order_id)


async def _find(uow: UnitOfWork, provider: str, outcome: CheckoutOutcome) -> Payment | None:
    for reference in outcome.candidate_references():
        # Locked: a second copy of the request waits here, then finds the payment final.
        payment = await uow.payments.get_by_reference(reference, for_update=True)
        if payment is not None and payment.provider == provider:
            return payment
    return None


async def _queue_report(
    uow: UnitOfWork, payment: Payment, outcome: CheckoutOutcome, now: datetime
) -> None:
    delivered = payment.status is PaymentStatus.SUCCESSFUL
    report = CheckoutReport(
        provider=payment.provider,
        session_id=outcome.session_id or "",
        order_id=outcome.order_id or "",
        reference=payment.reference,
        delivered=delivered,
        description=f"Payment {payment.reference} {'delivered' if delivered else 'failed'}",
    )
    await uow.outbox.add(OutboxMessage.checkout_report(asdict(report), now))


def report_from_payload(payload: Mapping[str, Any]) -> CheckoutReport:
    """The report an outbox message holds; CheckoutReportFailed (permanent) when unreadable."""
    try:
        return CheckoutReport(
            provider=str(payload["provider"]),
            session_id=str(payload["session_id"]),
            order_id=str(payload["order_id"]),
            reference=str(payload["reference"]),
            delivered=bool(payload["delivered"]),
            description=str(payload.get("description", "")),
        )
    except (KeyError, TypeError) as error:
        raise CheckoutReportFailed(f"unreadable checkout report: {error!r}", True) from error


@dataclass(frozen=True, slots=True)
class ReportCheckout:
    """Send one queued report to the aggregator whose checkout it concerns (in the worker)."""

    reporters: Mapping[str, CheckoutReporter]

    async def __call__(self, payload: Mapping[str, Any]) -> None:
        report = report_from_payload(payload)
        reporter = self.reporters.get(report.provider)
        if reporter is None:
            raise CheckoutReportFailed(f"no checkout named {report.provider}", permanent=True)
        await reporter.report(report)
