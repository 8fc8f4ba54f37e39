"""An aggregator's own checkout (Hubtel's), as the use cases see it, with in-memory fakes.

Placing an order or a top-up for the checkout writes a pending payment under the checkout's
name and no payment request; the fulfilment settles it once, through the same `settle` as
every provider, and queues one report back; the worker sends that report.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from lpg_ussd.adapters.payments.providers import ConfiguredPaymentProviders
from lpg_ussd.application.checkout import (
    CheckoutOutcome,
    CheckoutRequest,
    ReportCheckout,
    SettleCheckout,
    report_from_payload,
)
from lpg_ussd.application.orders import OrderPlaced
from lpg_ussd.application.outbox import DispatchOutbox
from lpg_ussd.application.payments import Settlement
from lpg_ussd.application.ports import CheckoutReport, CheckoutReportFailed
from lpg_ussd.domain.ledger import EntryKind
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.order import OrderKind, OrderStatus, PaymentMethod
from lpg_ussd.domain.outbox import OutboxKind, OutboxStatus
from lpg_ussd.domain.payment import (
    REFERENCE_ALPHABET,
    Payment,
    PaymentStatus,
    checkout_reference,
)
from tests.unit.test_use_cases import PHONE, STEEL_6KG, STEEL_6KG_TOTAL, Line

CHECKOUT = "hubtel_checkout"
SESSION = "8d440a43a98b4614b9df22b79c8190b8"
ORDER_ID = "hubtel-order-1"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


class RecordingReporter:
    """A checkout that takes reports, failing the first `fail` of them as told."""

    name = CHECKOUT

    def __init__(self, fail: int = 0, permanent: bool = False) -> None:
        self.reports: list[CheckoutReport] = []
        self.fail = fail
        self.permanent = permanent

    async def report(self, report: CheckoutReport) -> None:
        if self.fail:
            self.fail -= 1
            raise CheckoutReportFailed("Hubtel is down", permanent=self.permanent)
        self.reports.append(report)


class CheckoutLine(Line):
    def settle_checkout(self) -> SettleCheckout:
        return SettleCheckout(self.uow, self.clock, self.messages)

    def payments(self) -> list[Payment]:
        return self.db.rows("payments")

    def payment(self, reference: str) -> Payment:
        (found,) = [p for p in self.payments() if p.reference == reference]
        return found

    def reports(self) -> list[dict[str, Any]]:
        return [m.payload for m in self.outbox(OutboxKind.CHECKOUT_REPORT)]

    async def checkout_order(self, session_id: str = SESSION) -> OrderPlaced:
        customer = await self.customer()
        placed = await self.place_order(
            customer,
            STEEL_6KG,
            OrderKind.DEPOSIT,
            PaymentMethod.MTN,
            checkout=CheckoutRequest(CHECKOUT, session_id),
        )
        assert isinstance(placed, OrderPlaced)
        return placed


def paid(pesewas: int = STEEL_6KG_TOTAL.pesewas, **changes: Any) -> CheckoutOutcome:
    values: dict[str, Any] = {
        "session_id": SESSION,
        "order_id": ORDER_ID,
        "successful": True,
        "amount_paid_pesewas": pesewas,
        "currency": "GHS",
    }
    return CheckoutOutcome(**{**values, **changes})


# -- the reference drawn from the session ---------------------------------------------------


def test_the_checkout_reference_is_drawn_from_the_session() -> None:
    reference = checkout_reference(SESSION)

    assert reference == checkout_reference(SESSION)
    assert reference != checkout_reference(SESSION + "x")
    assert len(reference) == 12 and reference[0] == "C"
    assert set(reference[1:]) <= set(REFERENCE_ALPHABET)
    assert CheckoutRequest(CHECKOUT, SESSION).reference == reference


# -- placing for the checkout -----------------------------------------------------------------


def test_an_order_for_the_checkout_is_pending_without_a_payment_request() -> None:
    line = CheckoutLine()
    placed = run(line.checkout_order())

    assert placed.order.status is OrderStatus.AWAITING_PAYMENT
    assert placed.payment_reference == checkout_reference(SESSION)
    payment = line.payment(checkout_reference(SESSION))
    assert (payment.provider, payment.provider_reference) == (CHECKOUT, SESSION)
    assert payment.status is PaymentStatus.PENDING
    assert payment.amount == STEEL_6KG_TOTAL and payment.order_id == placed.order.id
    assert line.outbox(OutboxKind.PAYMENT_REQUEST) == []
    assert line.gateway.requests == []


def test_an_order_by_mobile_money_without_checkout_is_unchanged() -> None:
    line = CheckoutLine()
    customer = run(line.customer())
    placed = run(line.place_order(customer, STEEL_6KG, OrderKind.DEPOSIT, PaymentMethod.MTN))

    assert isinstance(placed, OrderPlaced)
    (payment,) = line.payments()
    assert payment.provider == "fake" and payment.reference.startswith("P")
    assert placed.payment_reference == payment.reference
    assert len(line.outbox(OutboxKind.PAYMENT_REQUEST)) == 1


def test_a_top_up_for_the_checkout_is_pending_without_a_payment_request() -> None:
    line = CheckoutLine()
    customer = run(line.customer())
    requested = run(
        line.top_up(
            customer, Money.cedis(50), PaymentMethod.TELECEL, CheckoutRequest(CHECKOUT, SESSION)
        )
    )

    assert requested.reference == checkout_reference(SESSION)
    payment = line.payment(requested.reference)
    assert (payment.provider, payment.network, payment.order_id) == (CHECKOUT, "telecel", None)
    assert line.outbox(OutboxKind.PAYMENT_REQUEST) == []


# -- settling the fulfilment -------------------------------------------------------------------


def test_a_paid_fulfilment_pays_the_order_sends_the_receipt_and_queues_one_report() -> None:
    line = CheckoutLine()
    placed = run(line.checkout_order())

    assert run(line.settle_checkout()(CHECKOUT, paid())) is Settlement.SUCCEEDED

    order = line.order(placed.order.reference)
    assert order.status is OrderStatus.PAID and order.amount_paid == STEEL_6KG_TOTAL
    payment = line.payment(checkout_reference(SESSION))
    assert payment.status is PaymentStatus.SUCCESSFUL
    assert payment.provider_reference == ORDER_ID
    assert any("received for order" in text for text in line.sms_to(PHONE))
    (report,) = line.reports()
    assert report == {
        "provider": CHECKOUT,
        "session_id": SESSION,
        "order_id": ORDER_ID,
        "reference": checkout_reference(SESSION),
        "delivered": True,
        "description": f"Payment {checkout_reference(SESSION)} delivered",
    }


def test_a_charge_on_top_is_still_paid() -> None:
    line = CheckoutLine()
    run(line.checkout_order())

    outcome = paid(STEEL_6KG_TOTAL.pesewas + 235)  # Hubtel's charges borne by the customer

    assert run(line.settle_checkout()(CHECKOUT, outcome)) is Settlement.SUCCEEDED


def test_a_failed_fulfilment_fails_the_order_and_reports_failed() -> None:
    line = CheckoutLine()
    placed = run(line.checkout_order())

    result = run(line.settle_checkout()(CHECKOUT, paid(successful=False, amount_paid_pesewas=0)))

    assert result is Settlement.FAILED
    assert line.order(placed.order.reference).status is OrderStatus.PAYMENT_FAILED
    assert line.payment(checkout_reference(SESSION)).status is PaymentStatus.FAILED
    assert any("declined" in text.lower() for text in line.sms_to(PHONE)), line.sms_to(PHONE)
    (report,) = line.reports()
    assert report["delivered"] is False


def test_a_repeated_fulfilment_changes_nothing() -> None:
    line = CheckoutLine()
    run(line.checkout_order())
    settle = line.settle_checkout()
    run(settle(CHECKOUT, paid()))
    before = (line.payments(), line.orders(), line.outbox(), line.db.rows("ledger_entries"))

    assert run(settle(CHECKOUT, paid())) is Settlement.ALREADY_FINAL
    assert run(settle(CHECKOUT, paid(successful=False))) is Settlement.ALREADY_FINAL

    after = (line.payments(), line.orders(), line.outbox(), line.db.rows("ledger_entries"))
    assert after == before


def test_a_payment_the_status_check_settled_is_reported_once_when_the_fulfilment_comes() -> None:
    line = CheckoutLine()
    run(line.checkout_order())
    line.providers = ConfiguredPaymentProviders(
        {"fake": line.gateway, CHECKOUT: line.gateway}, default="fake"
    )
    line.gateway.will_succeed("HUBTEL-TXN-1")
    assert run(line.confirm(checkout_reference(SESSION))) is Settlement.SUCCEEDED
    assert line.reports() == []

    settle = line.settle_checkout()
    assert run(settle(CHECKOUT, paid())) is Settlement.ALREADY_FINAL
    assert run(settle(CHECKOUT, paid())) is Settlement.ALREADY_FINAL

    (report,) = line.reports()
    assert report["delivered"] is True and report["order_id"] == ORDER_ID
    assert len([t for t in line.sms_to(PHONE) if "received for order" in t]) == 1


def test_a_top_up_fulfilment_credits_the_wallet_once() -> None:
    line = CheckoutLine()
    customer = run(line.customer())
    run(
        line.top_up(
            customer, Money.cedis(50), PaymentMethod.MTN, CheckoutRequest(CHECKOUT, SESSION)
        )
    )
    settle = line.settle_checkout()

    run(settle(CHECKOUT, paid(5000)))
    run(settle(CHECKOUT, paid(5000)))

    credits = [e for e in line.db.rows("ledger_entries") if e.kind is EntryKind.TOPUP]
    assert [e.amount for e in credits] == [Money.cedis(50)]
    assert len(line.reports()) == 1


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"amount_paid_pesewas": STEEL_6KG_TOTAL.pesewas - 1}, id="one pesewa short"),
        pytest.param({"amount_paid_pesewas": None}, id="no amount"),
        pytest.param({"currency": "USD"}, id="another currency"),
    ],
)
def test_a_success_that_does_not_cover_the_payment_is_left_pending(changes: Any) -> None:
    line = CheckoutLine()
    placed = run(line.checkout_order())

    assert run(line.settle_checkout()(CHECKOUT, paid(**changes))) is Settlement.STILL_PENDING

    assert line.order(placed.order.reference).status is OrderStatus.AWAITING_PAYMENT
    assert line.payment(checkout_reference(SESSION)).status is PaymentStatus.PENDING
    assert line.reports() == []


def test_the_currency_is_compared_in_any_case() -> None:
    line = CheckoutLine()
    run(line.checkout_order())

    assert run(line.settle_checkout()(CHECKOUT, paid(currency="ghs"))) is Settlement.SUCCEEDED


@pytest.mark.parametrize(
    "outcome",
    [
        pytest.param(paid(session_id="another-session"), id="another session"),
        pytest.param(paid(session_id=None), id="no session"),
        pytest.param(paid(session_id=None, references=("PUNKNOWN12345",)), id="unknown ref"),
    ],
)
def test_a_fulfilment_for_an_unknown_payment_changes_nothing(outcome: CheckoutOutcome) -> None:
    line = CheckoutLine()
    run(line.checkout_order())
    before = line.outbox()

    assert run(line.settle_checkout()(CHECKOUT, outcome)) is Settlement.UNKNOWN
    assert line.outbox() == before


def test_a_payment_of_another_provider_is_not_settled_by_a_checkout() -> None:
    line = CheckoutLine()
    placed = run(line.checkout_order())

    assert run(line.settle_checkout()("another_checkout", paid())) is Settlement.UNKNOWN
    assert line.order(placed.order.reference).status is OrderStatus.AWAITING_PAYMENT


def test_our_reference_found_in_the_request_is_enough() -> None:
    line = CheckoutLine()
    run(line.checkout_order())

    outcome = paid(session_id=None, references=("junk", checkout_reference(SESSION)))

    assert run(line.settle_checkout()(CHECKOUT, outcome)) is Settlement.SUCCEEDED
    assert line.reports()[0]["session_id"] == ""


def test_a_fulfilment_without_an_order_id_settles_but_reports_nothing() -> None:
    line = CheckoutLine()
    run(line.checkout_order())

    assert run(line.settle_checkout()(CHECKOUT, paid(order_id=None))) is Settlement.SUCCEEDED
    assert line.reports() == []


# -- the report, sent by the worker -------------------------------------------------------------


def dispatcher(line: CheckoutLine, reporter: RecordingReporter | None) -> DispatchOutbox:
    report = ReportCheckout({CHECKOUT: reporter} if reporter else {})
    return DispatchOutbox(line.uow, line.clock, line.sms, line.send_request, report_checkout=report)


def test_the_worker_sends_the_report_once() -> None:
    line = CheckoutLine()
    run(line.checkout_order())
    run(line.settle_checkout()(CHECKOUT, paid()))
    reporter = RecordingReporter()
    worker = dispatcher(line, reporter)

    run(worker.run_once())
    run(worker.run_once())

    (sent,) = reporter.reports
    assert (sent.session_id, sent.order_id, sent.delivered) == (SESSION, ORDER_ID, True)
    (message,) = line.outbox(OutboxKind.CHECKOUT_REPORT)
    assert message.status is OutboxStatus.SENT


def test_a_report_that_fails_is_sent_again_after_a_short_wait() -> None:
    line = CheckoutLine()
    run(line.checkout_order())
    run(line.settle_checkout()(CHECKOUT, paid()))
    reporter = RecordingReporter(fail=1)
    worker = dispatcher(line, reporter)

    run(worker.run_once())
    assert reporter.reports == []
    line.clock.advance(timedelta(seconds=6))
    run(worker.run_once())

    assert len(reporter.reports) == 1


@pytest.mark.parametrize("reporter", [RecordingReporter(fail=1, permanent=True), None])
def test_a_report_refused_for_good_is_recorded_as_failed(
    reporter: RecordingReporter | None,
) -> None:
    line = CheckoutLine()
    run(line.checkout_order())
    run(line.settle_checkout()(CHECKOUT, paid()))

    run(dispatcher(line, reporter).run_once())

    (message,) = line.outbox(OutboxKind.CHECKOUT_REPORT)
    assert message.status is OutboxStatus.FAILED


def test_a_report_without_a_reporter_configured_fails_for_good() -> None:
    line = CheckoutLine()
    run(line.checkout_order())
    run(line.settle_checkout()(CHECKOUT, paid()))

    run(DispatchOutbox(line.uow, line.clock, line.sms, line.send_request).run_once())

    (message,) = line.outbox(OutboxKind.CHECKOUT_REPORT)
    assert message.status is OutboxStatus.FAILED


def test_an_unreadable_report_is_refused_for_good() -> None:
    with pytest.raises(CheckoutReportFailed) as raised:
        report_from_payload({"provider": CHECKOUT})

    assert raised.value.permanent
