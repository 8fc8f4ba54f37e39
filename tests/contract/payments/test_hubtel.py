"""HubtelPaymentGateway against a local fake of Hubtel Receive Money and its status check."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from lpg_ussd.adapters.payments.base import MalformedCallback
from lpg_ussd.adapters.payments.hubtel import HubtelPaymentGateway
from lpg_ussd.application.payments import PaymentRequestFailed, Settlement
from lpg_ussd.application.ports import PaymentRequestResult, ProviderStatus
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.payment import FailureReason, PaymentStatus
from tests.contract.payments.fake_hubtel import FakeHubtel
from tests.contract.payments.line import PAYER_NAME, PaymentsLine
from tests.contract.payments.server import LocalServer, Reply
from tests.fakes import FixedClock

CALLBACK = "https://lpg.example.com/payments/hubtel/callback"
CLIENT_TIMEOUT = 0.3
SLOW = 1.0


def make_gateway(server: LocalServer, fake: FakeHubtel, **changes: Any) -> HubtelPaymentGateway:
    options: dict[str, Any] = {
        "pos_sales_id": fake.pos_sales_id,
        "api_id": fake.api_id,
        "api_key": fake.api_key,
        "callback_url": CALLBACK,
        "base_url": server.url,
        "status_base_url": server.url,
        "timeout_seconds": CLIENT_TIMEOUT,
    }
    return HubtelPaymentGateway(**{**options, **changes})


@pytest.fixture
def clock() -> FixedClock:
    """The line's clock, and the gateway's: Unpaid turns final with the payment's age."""
    return FixedClock()


@pytest.fixture
async def gateway(
    hubtel_server: LocalServer, fake_hubtel: FakeHubtel, clock: FixedClock
) -> AsyncIterator[HubtelPaymentGateway]:
    gateway = make_gateway(hubtel_server, fake_hubtel, clock=clock.now)
    yield gateway
    await gateway.aclose()


@pytest.fixture
def line(gateway: HubtelPaymentGateway, clock: FixedClock) -> PaymentsLine:
    return PaymentsLine(gateway, clock)


# ---------------------------------------------------------------- the prompt


async def test_a_prompt_is_accepted_with_the_documented_body(
    gateway: HubtelPaymentGateway, fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    payment = await line.pending_topup(cedis=12, pesewas=50)

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result.accepted
    assert result.provider_reference == fake_hubtel.transactions[payment.reference].transaction_id
    (request,) = fake_hubtel.seen("request")
    assert request.headers["authorization"].startswith("Basic ")
    body = request.json()
    assert body["CustomerName"] == PAYER_NAME
    assert body["CustomerMsisdn"] == "233244000001"
    assert body["Channel"] == "mtn-gh"
    assert body["Amount"] == 12.5
    assert b'"Amount": 12.5' in request.body  # a JSON number, two decimals at most
    assert body["PrimaryCallbackUrl"] == CALLBACK
    assert payment.reference in body["Description"]
    assert body["ClientReference"] == payment.reference


@pytest.mark.parametrize(
    ("network", "channel"),
    [("mtn", "mtn-gh"), ("telecel", "vodafone-gh"), ("airteltigo", "tigo-gh")],
)
async def test_the_channel_follows_the_payment_s_network_not_the_prefix(
    gateway: HubtelPaymentGateway,
    fake_hubtel: FakeHubtel,
    line: PaymentsLine,
    network: str,
    channel: str,
) -> None:
    payment = await line.pending_topup(network=network)  # an MTN prefix, ported or not

    assert (await gateway.request_payment(payment, PAYER_NAME)).accepted

    (request,) = fake_hubtel.seen("request")
    assert request.json()["Channel"] == channel


async def test_an_unknown_network_is_refused_before_calling_hubtel(
    gateway: HubtelPaymentGateway, fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    payment = await line.pending_topup(network="glo")

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
    assert fake_hubtel.requests == []


@pytest.mark.parametrize(
    ("code", "http_status"),
    [("4000", 400), ("4070", 400), ("4101", 401), ("4103", 403), ("4101", 200), ("4103", 200)],
)
async def test_set_up_and_validation_errors_are_not_retried(
    gateway: HubtelPaymentGateway,
    fake_hubtel: FakeHubtel,
    line: PaymentsLine,
    code: str,
    http_status: int,
) -> None:
    fake_hubtel.refuse(code, http_status)
    payment = await line.pending_topup()

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)


async def test_a_refused_prompt_through_the_use_case_fails_the_payment(
    fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    fake_hubtel.refuse("4070")
    payment = await line.pending_topup()

    await line.send_request(payment.reference)

    failed = line.payment(payment.reference)
    assert failed.status is PaymentStatus.FAILED
    assert failed.failure_reason is FailureReason.ERROR
    assert line.ledger() == []
    assert len(line.sms()) == 1


async def test_wrong_credentials_are_not_retried(
    hubtel_server: LocalServer, fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    gateway = make_gateway(hubtel_server, fake_hubtel, api_key="wrong")
    try:
        payment = await line.pending_topup()
        result = await gateway.request_payment(payment, PAYER_NAME)
        status = await gateway.query_status(payment)
    finally:
        await gateway.aclose()

    assert result == PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
    assert status == ProviderStatus(PaymentStatus.PENDING)


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_server_errors_are_retryable(
    gateway: HubtelPaymentGateway, fake_hubtel: FakeHubtel, line: PaymentsLine, status: int
) -> None:
    fake_hubtel.fail_next("request", status)
    payment = await line.pending_topup()

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, retryable=True)
    assert fake_hubtel.transactions == {}


async def test_a_prompt_that_times_out_is_retryable(
    gateway: HubtelPaymentGateway, fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    fake_hubtel.slow_next("request", SLOW)
    payment = await line.pending_topup()

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, retryable=True)


@pytest.mark.parametrize(
    "duplicate",
    [
        Reply(400, {"ResponseCode": "4000", "Message": "Duplicate ClientReference"}),
        Reply(409, {"Message": "Conflict"}),
        Reply(200, {"ResponseCode": "4000", "Message": "ClientReference already exists"}),
    ],
)
async def test_a_reused_client_reference_counts_as_accepted(
    gateway: HubtelPaymentGateway,
    fake_hubtel: FakeHubtel,
    line: PaymentsLine,
    duplicate: Reply,
) -> None:
    fake_hubtel.duplicate_reply = duplicate
    payment = await line.pending_topup()

    first = await gateway.request_payment(payment, PAYER_NAME)
    again = await gateway.request_payment(payment, PAYER_NAME)

    assert first.accepted and again.accepted
    assert len(fake_hubtel.seen("request")) == 2
    assert list(fake_hubtel.transactions) == [payment.reference]


async def test_a_network_error_is_retried_with_the_same_reference(
    fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    fake_hubtel.slow_next("request", SLOW)  # Hubtel prompts, but its answer comes too late

    with pytest.raises(PaymentRequestFailed):
        await line.send_request(payment.reference)
    await line.send_request(payment.reference)  # the outbox's retry: a duplicate, accepted

    first, retry = fake_hubtel.seen("request")
    assert first.json()["ClientReference"] == retry.json()["ClientReference"] == payment.reference
    assert len(fake_hubtel.transactions) == 1
    assert line.payment(payment.reference).status is PaymentStatus.PENDING


# ---------------------------------------------------------------- status


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Unpaid", ProviderStatus(PaymentStatus.PENDING)),
        ("Refunded", ProviderStatus(PaymentStatus.FAILED, FailureReason.ERROR)),
        ("Failed", ProviderStatus(PaymentStatus.FAILED, FailureReason.DECLINED)),
        ("Expired", ProviderStatus(PaymentStatus.FAILED, FailureReason.TIMED_OUT)),
        ("Something new", ProviderStatus(PaymentStatus.PENDING)),
    ],
)
async def test_the_status_maps_to_ours(
    gateway: HubtelPaymentGateway,
    fake_hubtel: FakeHubtel,
    line: PaymentsLine,
    answer: str,
    expected: ProviderStatus,
) -> None:
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)
    fake_hubtel.will(payment.reference, answer)

    assert await gateway.query_status(payment) == expected


async def test_paid_is_successful_with_hubtel_s_transaction_id(
    gateway: HubtelPaymentGateway, fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)
    fake_hubtel.will(payment.reference, "Paid")

    status = await gateway.query_status(payment)

    transaction_id = fake_hubtel.transactions[payment.reference].transaction_id
    assert status == ProviderStatus(PaymentStatus.SUCCESSFUL, provider_reference=transaction_id)
    (query,) = fake_hubtel.seen("status")
    assert query.query == {"clientReference": payment.reference}
    assert query.headers["authorization"].startswith("Basic ")


async def test_paid_for_another_amount_is_not_taken(
    gateway: HubtelPaymentGateway, fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)
    fake_hubtel.will(payment.reference, "Paid")
    fake_hubtel.reported_amount = 0.5

    assert await gateway.query_status(payment) == ProviderStatus(PaymentStatus.PENDING)


@pytest.mark.parametrize("trouble", ["500", "timeout", "unknown reference"])
async def test_a_status_hubtel_cannot_give_reads_as_pending(
    gateway: HubtelPaymentGateway, fake_hubtel: FakeHubtel, line: PaymentsLine, trouble: str
) -> None:
    payment = await line.pending_topup()
    if trouble != "unknown reference":
        await gateway.request_payment(payment, PAYER_NAME)
    if trouble == "500":
        fake_hubtel.fail_next("status", 500)
    if trouble == "timeout":
        fake_hubtel.slow_next("status", SLOW)

    assert await gateway.query_status(payment) == ProviderStatus(PaymentStatus.PENDING)


async def test_unpaid_turns_final_once_the_prompt_is_long_expired(
    gateway: HubtelPaymentGateway, fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)
    fake_hubtel.will(payment.reference, "Unpaid")

    line.later(minutes=14)
    assert await gateway.query_status(payment) == ProviderStatus(PaymentStatus.PENDING)
    line.later(minutes=1)
    assert await gateway.query_status(payment) == ProviderStatus(
        PaymentStatus.FAILED, FailureReason.TIMED_OUT
    )


async def test_a_declined_prompt_is_failed_by_the_sweep_once_long_unpaid(
    fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    fake_hubtel.will(payment.reference, "Unpaid")  # what Hubtel says of a declined prompt

    line.later(minutes=6)
    assert await line.sweep() == 1
    assert line.payment(payment.reference).status is PaymentStatus.PENDING
    line.later(minutes=10)
    assert await line.sweep() == 1

    settled = line.payment(payment.reference)
    assert settled.status is PaymentStatus.FAILED
    assert settled.failure_reason is FailureReason.TIMED_OUT
    assert line.wallet() == Money.zero()
    assert [text for text in line.sms() if "failed" in text]


# ---------------------------------------------------------------- callbacks, end to end


async def test_unpaid_then_paid_settles_once(fake_hubtel: FakeHubtel, line: PaymentsLine) -> None:
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    fake_hubtel.will(payment.reference, "Unpaid", "Paid")

    assert await line.confirm(payment.reference) is Settlement.STILL_PENDING
    assert await line.confirm(payment.reference) is Settlement.SUCCEEDED
    assert await line.confirm(payment.reference) is Settlement.ALREADY_FINAL

    assert line.wallet() == Money.cedis(50)
    assert len(line.ledger()) == 1


async def test_a_callback_that_never_comes_the_sweep_asks_hubtel(
    fake_hubtel: FakeHubtel, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    fake_hubtel.will(payment.reference, "Paid")

    assert await line.sweep() == 0
    line.later()
    assert await line.sweep() == 1

    assert line.payment(payment.reference).status is PaymentStatus.SUCCESSFUL
    assert line.wallet() == Money.cedis(50)
    assert len(fake_hubtel.seen("status")) == 1


@pytest.mark.parametrize(
    ("paid", "settled"), [(True, Settlement.SUCCEEDED), (False, Settlement.FAILED)]
)
async def test_a_callback_that_comes_twice_settles_once(
    gateway: HubtelPaymentGateway,
    fake_hubtel: FakeHubtel,
    line: PaymentsLine,
    paid: bool,
    settled: Settlement,
) -> None:
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    fake_hubtel.will(payment.reference, "Paid" if paid else "Failed")
    body = fake_hubtel.callback_body(payment.reference, paid=paid)

    first = await gateway.parse_callback(body, {})
    second = await gateway.parse_callback(body, {})

    assert first == second
    assert first.reference == payment.reference
    assert first.trusted is False
    assert await line.confirm(payment.reference) is settled
    assert await line.confirm(payment.reference) is Settlement.ALREADY_FINAL
    assert line.wallet() == (Money.cedis(50) if paid else Money.zero())
    assert len(line.sms()) == 1


@pytest.mark.parametrize(
    ("truth", "expected", "status"),
    [
        ("Unpaid", Settlement.STILL_PENDING, PaymentStatus.PENDING),
        ("Refunded", Settlement.FAILED, PaymentStatus.FAILED),
    ],
)
async def test_a_forged_success_callback_delivers_nothing(
    gateway: HubtelPaymentGateway,
    fake_hubtel: FakeHubtel,
    line: PaymentsLine,
    truth: str,
    expected: Settlement,
    status: PaymentStatus,
) -> None:
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    fake_hubtel.will(payment.reference, truth)
    forged = json.dumps(
        {
            "ResponseCode": "0000",
            "Message": "success",
            "Data": {"ClientReference": payment.reference, "Amount": 50.0, "TransactionId": "x"},
        }
    ).encode()

    notice = await gateway.parse_callback(forged, {})
    assert notice.reference == payment.reference and notice.trusted is False
    assert await line.confirm(payment.reference) is expected

    assert line.payment(payment.reference).status is status
    assert line.ledger() == []


async def test_a_callback_without_a_client_reference_names_no_payment(
    gateway: HubtelPaymentGateway,
) -> None:
    notice = await gateway.parse_callback(b'{"ResponseCode": "0000", "Data": {}}', {})
    assert notice.reference is None


@pytest.mark.parametrize("body", [b"", b"<xml/>", b'"text"'])
async def test_an_unreadable_callback_is_refused(
    gateway: HubtelPaymentGateway, body: bytes
) -> None:
    with pytest.raises(MalformedCallback):
        await gateway.parse_callback(body, {})


async def test_bad_settings_are_refused_at_start_up() -> None:
    good: dict[str, Any] = {
        "pos_sales_id": "11684",
        "api_id": "id",
        "api_key": "key",
        "callback_url": CALLBACK,
    }
    with pytest.raises(ValueError):
        HubtelPaymentGateway(**{**good, "pos_sales_id": " "})
    with pytest.raises(ValueError):
        HubtelPaymentGateway(**{**good, "callback_url": ""})
    with pytest.raises(ValueError):
        HubtelPaymentGateway(**good, status_base_url="ftp://example.com")
