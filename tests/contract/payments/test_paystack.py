"""PaystackPaymentGateway against a local fake of Paystack's charge, verify and webhook."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from lpg_ussd.adapters.payments.base import (
    CallbackRejected,
    MalformedCallback,
    PaymentCallbackParser,
)
from lpg_ussd.adapters.payments.hubtel import HubtelPaymentGateway
from lpg_ussd.adapters.payments.mtn_momo import MtnMomoPaymentGateway
from lpg_ussd.adapters.payments.paystack import PaystackPaymentGateway
from lpg_ussd.adapters.payments.simulated import SimulatedPaymentGateway
from lpg_ussd.application.payments import PaymentRequestFailed, Settlement
from lpg_ussd.application.ports import PaymentRequestResult, ProviderStatus
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.payment import FailureReason, PaymentStatus
from tests.contract.payments.fake_paystack import FakePaystack
from tests.contract.payments.line import PAYER_NAME, PaymentsLine
from tests.contract.payments.server import LocalServer

CLIENT_TIMEOUT = 0.3
SLOW = 1.0


def make_gateway(server: LocalServer, fake: FakePaystack, **changes: Any) -> PaystackPaymentGateway:
    options: dict[str, Any] = {
        "secret_key": fake.secret_key,
        "base_url": server.url,
        "timeout_seconds": CLIENT_TIMEOUT,
    }
    return PaystackPaymentGateway(**{**options, **changes})


@pytest.fixture
async def gateway(
    paystack_server: LocalServer, fake_paystack: FakePaystack
) -> AsyncIterator[PaystackPaymentGateway]:
    gateway = make_gateway(paystack_server, fake_paystack)
    yield gateway
    await gateway.aclose()


@pytest.fixture
def line(gateway: PaystackPaymentGateway) -> PaymentsLine:
    return PaymentsLine(gateway)


# ---------------------------------------------------------------- the charge


async def test_a_charge_is_accepted_with_the_documented_body(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    payment = await line.pending_topup(cedis=12, pesewas=50)

    result = await gateway.request_payment(payment, PAYER_NAME)

    transaction = fake_paystack.transactions[payment.reference]
    assert result == PaymentRequestResult(accepted=True, provider_reference=str(transaction.id))
    (request,) = fake_paystack.seen("charge")
    assert request.headers["authorization"] == f"Bearer {fake_paystack.secret_key}"
    assert request.json() == {
        "amount": 1250,
        "email": "233244000001@customers.invalid",
        "currency": "GHS",
        "reference": payment.reference,
        "mobile_money": {"phone": "0244000001", "provider": "mtn"},
    }


async def test_the_placeholder_email_is_stable_per_phone_and_its_domain_configurable(
    paystack_server: LocalServer, fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    gateway = make_gateway(paystack_server, fake_paystack, email_domain="pay.demogas.example")
    try:
        first, second = await line.pending_topup(), await line.pending_topup()
        assert gateway.placeholder_email(first) == gateway.placeholder_email(second)
        assert gateway.placeholder_email(first) == "233244000001@pay.demogas.example"
        other = await line.pending_topup(phone="+233201112223")
        assert gateway.placeholder_email(other) != gateway.placeholder_email(first)
    finally:
        await gateway.aclose()


@pytest.mark.parametrize(
    ("network", "provider"), [("mtn", "mtn"), ("telecel", "vod"), ("airteltigo", "atl")]
)
async def test_the_provider_follows_the_payment_s_network(
    gateway: PaystackPaymentGateway,
    fake_paystack: FakePaystack,
    line: PaymentsLine,
    network: str,
    provider: str,
) -> None:
    payment = await line.pending_topup(network=network)

    assert (await gateway.request_payment(payment, PAYER_NAME)).accepted

    (request,) = fake_paystack.seen("charge")
    assert request.json()["mobile_money"]["provider"] == provider


@pytest.mark.parametrize("status", ["pay_offline", "pending", "send_otp", "success"])
async def test_a_charge_underway_or_done_is_accepted(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack, line: PaymentsLine, status: str
) -> None:
    fake_paystack.charge_status = status
    payment = await line.pending_topup()

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result.accepted
    assert result.retryable is False


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("Declined", FailureReason.DECLINED),
        ("Insufficient funds in wallet", FailureReason.NOT_ENOUGH_FUNDS),
        ("Transaction timed out", FailureReason.TIMED_OUT),
        ("Something else went wrong", FailureReason.ERROR),
    ],
)
async def test_a_failed_charge_is_refused_with_a_reason(
    gateway: PaystackPaymentGateway,
    fake_paystack: FakePaystack,
    line: PaymentsLine,
    message: str,
    reason: FailureReason,
) -> None:
    fake_paystack.charge_status = "failed"
    fake_paystack.charge_message = message
    payment = await line.pending_topup()

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, failure_reason=reason)


async def test_a_failed_charge_through_the_use_case_fails_the_payment_and_says_why(
    fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    fake_paystack.charge_status = "failed"
    fake_paystack.charge_message = "Insufficient funds"
    payment = await line.pending_topup()

    await line.send_request(payment.reference)

    failed = line.payment(payment.reference)
    assert failed.status is PaymentStatus.FAILED
    assert failed.failure_reason is FailureReason.NOT_ENOUGH_FUNDS
    assert line.ledger() == []
    (text,) = line.sms()
    assert "not enough money" in text


async def test_a_wrong_secret_key_is_not_retried(
    paystack_server: LocalServer, fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    gateway = make_gateway(paystack_server, fake_paystack, secret_key="sk_test_wrong")
    try:
        payment = await line.pending_topup()
        result = await gateway.request_payment(payment, PAYER_NAME)
    finally:
        await gateway.aclose()

    assert result == PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_server_errors_are_retryable(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack, line: PaymentsLine, status: int
) -> None:
    fake_paystack.fail_next("charge", status)
    payment = await line.pending_topup()

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, retryable=True)
    assert fake_paystack.transactions == {}


async def test_a_charge_that_times_out_is_retryable(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    fake_paystack.slow_next("charge", SLOW)
    payment = await line.pending_topup()

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, retryable=True)


async def test_a_reused_reference_counts_as_accepted(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()

    first = await gateway.request_payment(payment, PAYER_NAME)
    again = await gateway.request_payment(payment, PAYER_NAME)

    assert first.accepted and again.accepted
    assert len(fake_paystack.seen("charge")) == 2
    assert list(fake_paystack.transactions) == [payment.reference]


async def test_a_network_error_is_retried_with_the_same_reference(
    fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    fake_paystack.slow_next("charge", SLOW)  # Paystack charges, but its answer comes too late

    with pytest.raises(PaymentRequestFailed):
        await line.send_request(payment.reference)
    await line.send_request(payment.reference)  # the outbox's retry: a duplicate, accepted

    first, retry = fake_paystack.seen("charge")
    assert first.json()["reference"] == retry.json()["reference"] == payment.reference
    assert len(fake_paystack.transactions) == 1
    assert line.payment(payment.reference).status is PaymentStatus.PENDING


# ---------------------------------------------------------------- verify


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("pending", ProviderStatus(PaymentStatus.PENDING)),
        ("ongoing", ProviderStatus(PaymentStatus.PENDING)),
        ("pay_offline", ProviderStatus(PaymentStatus.PENDING)),
        (("failed", "Declined"), ProviderStatus(PaymentStatus.FAILED, FailureReason.DECLINED)),
        (
            ("failed", "Insufficient Funds"),
            ProviderStatus(PaymentStatus.FAILED, FailureReason.NOT_ENOUGH_FUNDS),
        ),
        (("failed", "Error"), ProviderStatus(PaymentStatus.FAILED, FailureReason.ERROR)),
        (("abandoned", "Abandoned"), ProviderStatus(PaymentStatus.FAILED, FailureReason.TIMED_OUT)),
        ("something new", ProviderStatus(PaymentStatus.PENDING)),
    ],
)
async def test_verify_maps_to_ours(
    gateway: PaystackPaymentGateway,
    fake_paystack: FakePaystack,
    line: PaymentsLine,
    outcome: Any,
    expected: ProviderStatus,
) -> None:
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)
    fake_paystack.will(payment.reference, outcome)

    assert await gateway.query_status(payment) == expected


async def test_success_carries_paystack_s_transaction_id(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)
    fake_paystack.will(payment.reference, "success")

    status = await gateway.query_status(payment)

    transaction = fake_paystack.transactions[payment.reference]
    assert status == ProviderStatus(
        PaymentStatus.SUCCESSFUL, provider_reference=str(transaction.id)
    )
    (query,) = fake_paystack.seen("verify")
    assert query.path == f"/transaction/verify/{payment.reference}"


async def test_success_for_another_amount_is_not_taken(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)
    fake_paystack.will(payment.reference, "success")
    fake_paystack.reported_amount = 100

    assert await gateway.query_status(payment) == ProviderStatus(PaymentStatus.PENDING)


@pytest.mark.parametrize("trouble", ["500", "timeout", "unknown reference"])
async def test_a_verification_paystack_cannot_give_reads_as_pending(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack, line: PaymentsLine, trouble: str
) -> None:
    payment = await line.pending_topup()
    if trouble != "unknown reference":
        await gateway.request_payment(payment, PAYER_NAME)
    if trouble == "500":
        fake_paystack.fail_next("verify", 500)
    if trouble == "timeout":
        fake_paystack.slow_next("verify", SLOW)

    assert await gateway.query_status(payment) == ProviderStatus(PaymentStatus.PENDING)


# ---------------------------------------------------------------- the webhook, end to end


async def test_pending_then_success_settles_once(
    fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    fake_paystack.will(payment.reference, "pending", "success")

    assert await line.confirm(payment.reference) is Settlement.STILL_PENDING
    assert await line.confirm(payment.reference) is Settlement.SUCCEEDED
    assert await line.confirm(payment.reference) is Settlement.ALREADY_FINAL

    assert line.wallet() == Money.cedis(50)
    assert len(line.ledger()) == 1


async def test_a_webhook_that_never_comes_the_sweep_verifies(
    fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    fake_paystack.will(payment.reference, "success")

    assert await line.sweep() == 0
    line.later()
    assert await line.sweep() == 1

    assert line.payment(payment.reference).status is PaymentStatus.SUCCESSFUL
    assert line.wallet() == Money.cedis(50)


async def test_a_signed_webhook_that_comes_twice_credits_once(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    fake_paystack.will(payment.reference, "success")
    body, signature = fake_paystack.webhook(payment.reference)

    first = await gateway.parse_callback(body, {"X-Paystack-Signature": signature})
    second = await gateway.parse_callback(body, {"x-paystack-signature": signature})

    assert first == second
    assert first.reference == payment.reference
    assert first.trusted is True
    assert await line.confirm(payment.reference) is Settlement.SUCCEEDED
    assert await line.confirm(payment.reference) is Settlement.ALREADY_FINAL
    assert line.wallet() == Money.cedis(50)
    assert len(fake_paystack.seen("verify")) == 1  # trusted or not, the use case verifies


@pytest.mark.parametrize("signature", [None, "", "00" * 64, "not-hex"])
async def test_a_webhook_with_a_missing_or_wrong_signature_is_rejected(
    gateway: PaystackPaymentGateway,
    fake_paystack: FakePaystack,
    line: PaymentsLine,
    signature: str | None,
) -> None:
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    body, _ = fake_paystack.webhook(payment.reference)
    headers = {} if signature is None else {"x-paystack-signature": signature}

    with pytest.raises(CallbackRejected):
        await gateway.parse_callback(body, headers)


async def test_a_forged_webhook_signed_with_another_key_or_altered_is_rejected(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    body, signature = fake_paystack.webhook(payment.reference)
    forger = FakePaystack(secret_key="sk_test_someone_else")

    with pytest.raises(CallbackRejected):
        await gateway.parse_callback(body, {"x-paystack-signature": forger.sign(body)})
    altered = body.replace(b'"amount": 5000', b'"amount": 500000')
    assert altered != body
    with pytest.raises(CallbackRejected):
        await gateway.parse_callback(altered, {"x-paystack-signature": signature})
    assert line.ledger() == []
    assert fake_paystack.seen("verify") == []


async def test_a_signed_webhook_about_something_else_names_no_payment(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack
) -> None:
    body = json.dumps({"event": "transfer.success", "data": {"reference": "T123"}}).encode()

    notice = await gateway.parse_callback(body, {"x-paystack-signature": fake_paystack.sign(body)})

    assert notice.reference is None
    assert notice.trusted is True


async def test_a_signed_but_unreadable_webhook_is_malformed(
    gateway: PaystackPaymentGateway, fake_paystack: FakePaystack
) -> None:
    body = b"not json"
    with pytest.raises(MalformedCallback):
        await gateway.parse_callback(body, {"x-paystack-signature": fake_paystack.sign(body)})


async def test_bad_settings_are_refused_at_start_up() -> None:
    with pytest.raises(ValueError):
        PaystackPaymentGateway(secret_key="")
    with pytest.raises(ValueError):
        PaystackPaymentGateway(secret_key="sk", base_url="api.paystack.co")


async def test_every_real_gateway_reads_callbacks(gateway: PaystackPaymentGateway) -> None:
    assert isinstance(gateway, PaymentCallbackParser)
    for cls in (HubtelPaymentGateway, MtnMomoPaymentGateway):
        assert callable(getattr(cls, "parse_callback", None))
    assert not isinstance(SimulatedPaymentGateway(), PaymentCallbackParser)
