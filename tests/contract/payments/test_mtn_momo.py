"""MtnMomoPaymentGateway against a local fake of MTN MoMo's collection API."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from lpg_ussd.adapters.payments.base import CallbackRejected, MalformedCallback
from lpg_ussd.adapters.payments.mtn_momo import MtnMomoPaymentGateway, momo_reference_id
from lpg_ussd.application.payments import PaymentRequestFailed, Settlement
from lpg_ussd.application.ports import PaymentRequestResult, ProviderStatus
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.payment import FailureReason, PaymentStatus
from tests.contract.payments.fake_mtn_momo import FakeMtnMomo
from tests.contract.payments.line import PAYER_NAME, PaymentsLine
from tests.contract.payments.server import LocalServer

PARTY = "233244000001"
CALLBACK = "https://lpg.example.com/payments/mtn_momo/callback"
CLIENT_TIMEOUT = 0.3
SLOW = 1.0  # the fake answers this late: past the client's timeout


class Ticker:
    """The gateway's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


def make_gateway(
    server: LocalServer, fake: FakeMtnMomo, ticker: Ticker, **changes: Any
) -> MtnMomoPaymentGateway:
    options: dict[str, Any] = {
        "api_user": fake.api_user,
        "api_key": fake.api_key,
        "subscription_key": fake.subscription_key,
        "base_url": server.url,
        "target_environment": "sandbox",
        "currency": "EUR",
        "callback_url": CALLBACK,
        "timeout_seconds": CLIENT_TIMEOUT,
        "clock": ticker,
    }
    return MtnMomoPaymentGateway(**{**options, **changes})


@pytest.fixture
async def gateway(
    mtn_server: LocalServer, fake_mtn: FakeMtnMomo, ticker: Ticker
) -> AsyncIterator[MtnMomoPaymentGateway]:
    gateway = make_gateway(mtn_server, fake_mtn, ticker)
    yield gateway
    await gateway.aclose()


@pytest.fixture
def line(gateway: MtnMomoPaymentGateway) -> PaymentsLine:
    return PaymentsLine(gateway)


# ---------------------------------------------------------------- request to pay


async def test_a_request_to_pay_is_accepted_with_the_documented_headers_and_body(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    payment = await line.pending_topup(cedis=12, pesewas=50)

    result = await gateway.request_payment(payment, PAYER_NAME)

    reference_id = momo_reference_id(payment.reference)
    assert result == PaymentRequestResult(accepted=True, provider_reference=reference_id)
    (token,) = fake_mtn.seen("token")
    assert token.headers["authorization"].startswith("Basic ")
    (request,) = fake_mtn.seen("request")
    assert request.headers["x-reference-id"] == reference_id
    assert request.headers["x-target-environment"] == "sandbox"
    assert request.headers["x-callback-url"] == CALLBACK
    assert request.headers["ocp-apim-subscription-key"] == fake_mtn.subscription_key
    assert request.headers["authorization"] == "Bearer token-1"
    body = request.json()
    assert body["amount"] == "12.50"
    assert body["currency"] == "EUR"
    assert body["externalId"] == payment.reference
    assert body["payer"] == {"partyIdType": "MSISDN", "partyId": PARTY}
    assert payment.reference in body["payerMessage"]
    assert payment.reference in body["payeeNote"]


async def test_the_reference_id_is_a_uuid_derived_from_our_reference_alone() -> None:
    first = momo_reference_id("PABCDEFGHJK2")
    assert first == momo_reference_id("PABCDEFGHJK2")
    assert first != momo_reference_id("PABCDEFGHJK3")
    assert uuid.UUID(first).version == 5


async def test_no_callback_url_is_sent_when_none_is_configured(
    mtn_server: LocalServer, fake_mtn: FakeMtnMomo, ticker: Ticker, line: PaymentsLine
) -> None:
    gateway = make_gateway(mtn_server, fake_mtn, ticker, callback_url="")
    try:
        payment = await line.pending_topup()
        assert (await gateway.request_payment(payment, PAYER_NAME)).accepted
    finally:
        await gateway.aclose()
    (request,) = fake_mtn.seen("request")
    assert "x-callback-url" not in request.headers


async def test_a_reused_reference_gets_409_and_counts_as_accepted(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()

    first = await gateway.request_payment(payment, PAYER_NAME)
    again = await gateway.request_payment(payment, PAYER_NAME)

    assert first.accepted and again.accepted
    assert again.provider_reference == momo_reference_id(payment.reference)
    assert len(fake_mtn.seen("request")) == 2
    assert list(fake_mtn.transactions) == [momo_reference_id(payment.reference)]  # one prompt


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_on_the_request_are_retryable(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine, status: int
) -> None:
    payment = await line.pending_topup()
    fake_mtn.fail_next("request", status)

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, retryable=True)
    assert fake_mtn.transactions == {}


async def test_a_token_server_error_is_retryable(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    fake_mtn.fail_next("token", 503)

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, retryable=True)
    assert fake_mtn.seen("request") == []


async def test_a_request_that_times_out_is_retryable(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    fake_mtn.slow_next("request", SLOW)

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, retryable=True)


async def test_a_request_mtn_refuses_is_not_retried_and_fails_the_payment(
    mtn_server: LocalServer, fake_mtn: FakeMtnMomo, ticker: Ticker, line: PaymentsLine
) -> None:
    # The fake runs in EUR like MTN's sandbox: GHS there is refused with 400 INVALID_CURRENCY.
    gateway = make_gateway(mtn_server, fake_mtn, ticker, currency="GHS")
    try:
        payment = await line.pending_topup()
        result = await gateway.request_payment(payment, PAYER_NAME)
    finally:
        await gateway.aclose()

    assert result == PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
    assert fake_mtn.transactions == {}


async def test_a_refused_request_through_the_use_case_fails_the_payment_and_says_so(
    mtn_server: LocalServer, fake_mtn: FakeMtnMomo, ticker: Ticker
) -> None:
    gateway = make_gateway(mtn_server, fake_mtn, ticker, target_environment="mtnghana")
    line = PaymentsLine(gateway)
    try:
        payment = await line.pending_topup()
        await line.send_request(payment.reference)
    finally:
        await gateway.aclose()

    failed = line.payment(payment.reference)
    assert failed.status is PaymentStatus.FAILED
    assert failed.failure_reason is FailureReason.ERROR
    assert line.ledger() == []
    (text,) = line.sms()
    assert "GHS 50.00" in text


async def test_a_payer_on_another_network_is_refused_before_calling_mtn(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    payment = await line.pending_topup(network="telecel")

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
    assert fake_mtn.requests == []


# ---------------------------------------------------------------- status


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("PENDING", ProviderStatus(PaymentStatus.PENDING)),
        (
            ("FAILED", "APPROVAL_REJECTED"),
            ProviderStatus(PaymentStatus.FAILED, FailureReason.DECLINED),
        ),
        (("FAILED", "EXPIRED"), ProviderStatus(PaymentStatus.FAILED, FailureReason.TIMED_OUT)),
        (
            ("FAILED", "NOT_ENOUGH_FUNDS"),
            ProviderStatus(PaymentStatus.FAILED, FailureReason.NOT_ENOUGH_FUNDS),
        ),
        (
            ("FAILED", "PAYER_NOT_FOUND"),
            ProviderStatus(PaymentStatus.FAILED, FailureReason.PAYER_NOT_FOUND),
        ),
        (
            ("FAILED", "INTERNAL_PROCESSING_ERROR"),
            ProviderStatus(PaymentStatus.FAILED, FailureReason.ERROR),
        ),
        (("FAILED", None), ProviderStatus(PaymentStatus.FAILED, FailureReason.ERROR)),
        (
            ("FAILED", {"code": "APPROVAL_REJECTED", "message": "rejected by the payer"}),
            ProviderStatus(PaymentStatus.FAILED, FailureReason.DECLINED),
        ),
    ],
)
async def test_the_status_and_reason_map_to_ours(
    gateway: MtnMomoPaymentGateway,
    fake_mtn: FakeMtnMomo,
    line: PaymentsLine,
    outcome: Any,
    expected: ProviderStatus,
) -> None:
    fake_mtn.will(PARTY, outcome)
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)

    assert await gateway.query_status(payment) == expected


async def test_a_successful_status_carries_mtn_s_transaction_id(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    fake_mtn.will(PARTY, "SUCCESSFUL")
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)

    status = await gateway.query_status(payment)

    assert status.status is PaymentStatus.SUCCESSFUL
    assert status.provider_reference is not None and status.provider_reference.isdigit()
    (query,) = fake_mtn.seen("status")
    assert query.path.endswith("/" + momo_reference_id(payment.reference))
    assert query.headers["x-target-environment"] == "sandbox"


async def test_a_success_for_another_amount_is_not_taken(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    fake_mtn.will(PARTY, "SUCCESSFUL")
    fake_mtn.reported_amount = "1.00"
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)

    assert await gateway.query_status(payment) == ProviderStatus(PaymentStatus.PENDING)


@pytest.mark.parametrize("trouble", ["500", "timeout", "unknown reference"])
async def test_a_status_mtn_cannot_give_reads_as_pending(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine, trouble: str
) -> None:
    fake_mtn.will(PARTY, "SUCCESSFUL")
    payment = await line.pending_topup()
    if trouble != "unknown reference":
        await gateway.request_payment(payment, PAYER_NAME)
    if trouble == "500":
        fake_mtn.fail_next("status", 500)
    if trouble == "timeout":
        fake_mtn.slow_next("status", SLOW)

    assert await gateway.query_status(payment) == ProviderStatus(PaymentStatus.PENDING)


# ---------------------------------------------------------------- the token


async def test_the_token_is_reused_until_a_minute_before_it_expires(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine, ticker: Ticker
) -> None:
    fake_mtn.token_lifetime = 3600
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)
    await gateway.query_status(payment)
    ticker.now += 3600 - 61
    await gateway.query_status(payment)
    assert len(fake_mtn.seen("token")) == 1

    ticker.now += 2  # now within the last minute
    await gateway.query_status(payment)

    assert len(fake_mtn.seen("token")) == 2
    used = [r.headers["authorization"] for r in fake_mtn.seen("request") + fake_mtn.seen("status")]
    assert used == ["Bearer token-1"] * 3 + ["Bearer token-2"]


async def test_concurrent_calls_share_one_token(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    payments = [await line.pending_topup() for _ in range(3)]

    results = await asyncio.gather(*(gateway.request_payment(p, PAYER_NAME) for p in payments))

    assert all(r.accepted for r in results)
    assert len(fake_mtn.seen("token")) == 1


async def test_a_401_fetches_a_new_token_once_and_goes_on(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    fake_mtn.will(PARTY, "SUCCESSFUL")
    payment = await line.pending_topup()
    await gateway.request_payment(payment, PAYER_NAME)
    fake_mtn.revoke_tokens()  # as when MTN drops a token before its time

    status = await gateway.query_status(payment)

    assert status.status is PaymentStatus.SUCCESSFUL
    assert len(fake_mtn.seen("token")) == 2
    assert [r.headers["authorization"] for r in fake_mtn.seen("status")] == [
        "Bearer token-1",
        "Bearer token-2",
    ]


async def test_a_second_401_gives_up_without_looping(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    fake_mtn.fail_next("request", 401, times=2)

    result = await gateway.request_payment(payment, PAYER_NAME)

    assert result == PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
    assert len(fake_mtn.seen("token")) == 2
    assert len(fake_mtn.seen("request")) == 2


async def test_wrong_credentials_are_a_set_up_error_not_retried(
    mtn_server: LocalServer, fake_mtn: FakeMtnMomo, ticker: Ticker, line: PaymentsLine
) -> None:
    gateway = make_gateway(mtn_server, fake_mtn, ticker, api_key="wrong")
    try:
        payment = await line.pending_topup()
        result = await gateway.request_payment(payment, PAYER_NAME)
        status = await gateway.query_status(payment)
    finally:
        await gateway.aclose()

    assert result == PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
    assert status == ProviderStatus(PaymentStatus.PENDING)
    assert fake_mtn.seen("request") == []


# ---------------------------------------------------------------- callbacks, end to end


async def test_pending_then_success_settles_once(fake_mtn: FakeMtnMomo, line: PaymentsLine) -> None:
    fake_mtn.will(PARTY, "PENDING", "PENDING", "SUCCESSFUL")
    payment = await line.pending_topup()
    await line.send_request(payment.reference)

    assert await line.confirm(payment.reference) is Settlement.STILL_PENDING
    assert await line.confirm(payment.reference) is Settlement.STILL_PENDING
    assert await line.confirm(payment.reference) is Settlement.SUCCEEDED
    assert await line.confirm(payment.reference) is Settlement.ALREADY_FINAL

    assert line.payment(payment.reference).status is PaymentStatus.SUCCESSFUL
    assert line.wallet() == Money.cedis(50)
    assert len(line.ledger()) == 1
    assert len(line.sms()) == 1
    assert len(fake_mtn.seen("status")) == 3  # a final payment is not asked about again


async def test_a_callback_that_never_comes_the_sweep_asks_mtn(
    fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    fake_mtn.will(PARTY, "SUCCESSFUL")
    payment = await line.pending_topup()
    await line.send_request(payment.reference)

    assert await line.sweep() == 0  # not yet five minutes
    assert fake_mtn.seen("status") == []
    line.later()
    assert await line.sweep() == 1

    assert line.payment(payment.reference).status is PaymentStatus.SUCCESSFUL
    assert line.wallet() == Money.cedis(50)
    assert await line.sweep() == 0


async def test_a_callback_that_comes_twice_credits_once(
    gateway: MtnMomoPaymentGateway, fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    fake_mtn.will(PARTY, "SUCCESSFUL")
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    body = fake_mtn.callback_body(momo_reference_id(payment.reference))

    first = await gateway.parse_callback(body, {"content-type": "application/json"})
    second = await gateway.parse_callback(body, {"content-type": "application/json"})

    assert first == second
    assert first.reference == payment.reference
    assert first.provider_reference == momo_reference_id(payment.reference)
    assert first.trusted is False  # unsigned: the status query decides
    assert first.reference is not None
    assert await line.confirm(first.reference) is Settlement.SUCCEEDED
    assert await line.confirm(first.reference) is Settlement.ALREADY_FINAL
    assert line.wallet() == Money.cedis(50)
    assert len(line.ledger()) == 1


@pytest.mark.parametrize(
    ("truth", "expected", "status"),
    [
        ("PENDING", Settlement.STILL_PENDING, PaymentStatus.PENDING),
        (("FAILED", "APPROVAL_REJECTED"), Settlement.FAILED, PaymentStatus.FAILED),
    ],
)
async def test_a_forged_success_callback_delivers_nothing(
    gateway: MtnMomoPaymentGateway,
    fake_mtn: FakeMtnMomo,
    line: PaymentsLine,
    truth: Any,
    expected: Settlement,
    status: PaymentStatus,
) -> None:
    fake_mtn.will(PARTY, truth)
    payment = await line.pending_topup()
    await line.send_request(payment.reference)
    forged = json.dumps(
        {
            "externalId": payment.reference,
            "status": "SUCCESSFUL",
            "amount": "50.00",
            "financialTransactionId": "123456789",
        }
    ).encode()

    notice = await gateway.parse_callback(forged, {})
    assert notice.reference is not None
    settlement = await line.confirm(notice.reference)

    assert settlement is expected
    assert line.payment(payment.reference).status is status
    assert line.ledger() == []
    assert line.wallet() == Money.zero()


async def test_a_callback_without_our_reference_names_no_payment(
    gateway: MtnMomoPaymentGateway,
) -> None:
    notice = await gateway.parse_callback(b'{"referenceId": "abc", "status": "SUCCESSFUL"}', {})
    assert notice.reference is None
    assert notice.provider_reference == "abc"


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]"])
async def test_an_unreadable_callback_is_refused(
    gateway: MtnMomoPaymentGateway, body: bytes
) -> None:
    with pytest.raises(MalformedCallback):
        await gateway.parse_callback(body, {})
    assert issubclass(MalformedCallback, CallbackRejected)


async def test_a_network_error_is_retried_with_the_same_reference(
    fake_mtn: FakeMtnMomo, line: PaymentsLine
) -> None:
    payment = await line.pending_topup()
    fake_mtn.slow_next("request", SLOW)  # MTN takes it, but its answer comes too late

    with pytest.raises(PaymentRequestFailed):
        await line.send_request(payment.reference)
    assert line.payment(payment.reference).status is PaymentStatus.PENDING
    await line.send_request(payment.reference)  # the outbox's retry: 409, taken as accepted

    first, retry = fake_mtn.seen("request")
    assert first.headers["x-reference-id"] == retry.headers["x-reference-id"]
    assert first.json() == retry.json()
    assert len(fake_mtn.transactions) == 1
    assert line.payment(payment.reference).status is PaymentStatus.PENDING


async def test_bad_settings_are_refused_at_start_up(ticker: Ticker) -> None:
    good: dict[str, Any] = {"api_user": "u", "api_key": "k", "subscription_key": "s"}
    with pytest.raises(ValueError):
        MtnMomoPaymentGateway(**{**good, "api_key": ""})
    with pytest.raises(ValueError):
        MtnMomoPaymentGateway(**good, base_url="proxy.momoapi.mtn.com")
    with pytest.raises(ValueError):
        MtnMomoPaymentGateway(**good, timeout_seconds=0)
