"""Hubtel Receive Money (direct mobile-money prompt), its status check and unsigned callback.

Our payment reference is Hubtel's `ClientReference`, so a retry of the same attempt names the
same transaction. Hubtel's callbacks are unsigned and may come twice: only the status check
decides.

The status check knows only Paid, Unpaid and Refunded: a prompt the payer declined, or left
to expire, stays Unpaid for ever. So Unpaid is taken as final (timed out) once the payment
is older than `UNPAID_IS_FINAL_AFTER`, long after any prompt has expired; before that it is
pending, and the sweep asks again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from lpg_ussd.adapters.payments.base import (
    CallbackNotice,
    amount_matches,
    check_url,
    json_object,
    looks_duplicate,
    msisdn_digits,
    plain_text,
    require,
    text_field,
)
from lpg_ussd.adapters.payments.http import (
    DEFAULT_TIMEOUT_SECONDS,
    TRANSPORT_ERRORS,
    answer_json,
    timeout,
)
from lpg_ussd.application.ports import PaymentRequestResult, ProviderStatus
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentStatus

log = logging.getLogger("lpg_ussd.payments.hubtel")

RECEIVE_URL = "https://rmp.hubtel.com"
STATUS_URL = "https://api-txnstatus.hubtel.com"
CHANNELS = {"mtn": "mtn-gh", "telecel": "vodafone-gh", "airteltigo": "tigo-gh"}
PENDING_CODE = "0001"
SUCCESS_CODE = "0000"
SETUP_ERROR_CODES = frozenset({"4000", "4070", "4101", "4103"})
MAX_CLIENT_REFERENCE = 36
# `data.status` of the status check; Paid, Unpaid and Refunded are documented, the rest is
# read defensively.
PAID = frozenset({"paid", "success", "successful"})
NOT_PAID = frozenset({"failed", "cancelled", "canceled", "expired", "declined", "refunded"})
# Well past the sweep's five minutes, so that a payment approved at the last moment and
# reported late by the network still has several status checks to show as Paid.
UNPAID_IS_FINAL_AFTER = timedelta(minutes=15)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class HubtelPaymentGateway:
    name = "hubtel"

    def __init__(
        self,
        *,
        pos_sales_id: str,
        api_id: str,
        api_key: str,
        callback_url: str,
        base_url: str = RECEIVE_URL,
        status_base_url: str = STATUS_URL,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._clock = clock
        pos = require(pos_sales_id, "the Hubtel POS Sales ID")
        receive = check_url(base_url, "the Hubtel receive-money base URL")
        status = check_url(status_base_url, "the Hubtel status base URL")
        self._receive_url = f"{receive}/merchantaccount/merchants/{pos}/receive/mobilemoney"
        self._status_url = f"{status}/transactions/{pos}/status"
        self._callback_url = check_url(callback_url, "the Hubtel callback URL")
        auth = httpx.BasicAuth(
            require(api_id, "the Hubtel API id"), require(api_key, "the Hubtel API key")
        )
        self._client = httpx.AsyncClient(
            timeout=timeout(timeout_seconds),
            transport=transport,
            auth=auth,
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- the port -------------------------------------------------------------------------

    async def request_payment(self, payment: Payment, payer_name: str) -> PaymentRequestResult:
        channel = CHANNELS.get(payment.network)
        if channel is None or not _valid_client_reference(payment.reference):
            log.error("Hubtel cannot take %s (network %r)", payment.reference, payment.network)
            return PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
        body = {
            "CustomerName": plain_text(payer_name, 60),
            "CustomerMsisdn": msisdn_digits(payment),
            "Channel": channel,
            "Amount": _two_decimals(payment.amount.pesewas),
            "PrimaryCallbackUrl": self._callback_url,
            "Description": plain_text(f"Payment {payment.reference}", 60),
            "ClientReference": payment.reference,
        }
        try:
            response = await self._client.post(
                self._receive_url,
                content=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
        except TRANSPORT_ERRORS as error:
            log.warning("Hubtel prompt for %s not sent: %r", payment.reference, error)
            return PaymentRequestResult(accepted=False, retryable=True)
        return _request_result(payment, response)

    async def query_status(self, payment: Payment) -> ProviderStatus:
        try:
            response = await self._client.get(
                self._status_url, params={"clientReference": payment.reference}
            )
        except TRANSPORT_ERRORS as error:
            log.warning("Hubtel status of %s unknown: %r", payment.reference, error)
            return ProviderStatus(PaymentStatus.PENDING)
        if response.status_code != httpx.codes.OK:
            log.warning("Hubtel status of %s: HTTP %s", payment.reference, response.status_code)
            return ProviderStatus(PaymentStatus.PENDING)
        return _status(payment, answer_json(response), self._clock())

    # -- the callback ---------------------------------------------------------------------

    async def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackNotice:
        """Hubtel's callback is unsigned and may come twice: a hint, never trusted."""
        data = json_object(body)
        inner = _mapping(data.get("Data") or data.get("data"))
        code = text_field(data, "ResponseCode", "responseCode")
        if code not in (SUCCESS_CODE, "2001"):
            log.warning("Hubtel callback with ResponseCode %r", code)
        return CallbackNotice(
            reference=text_field(inner, "ClientReference", "clientReference"),
            trusted=False,
            provider_reference=text_field(inner, "TransactionId", "transactionId"),
        )


def _request_result(payment: Payment, response: httpx.Response) -> PaymentRequestResult:
    status = response.status_code
    data = answer_json(response)
    code = text_field(data, "ResponseCode", "responseCode")
    message = text_field(data, "Message", "message")
    transaction_id = text_field(_mapping(data.get("Data")), "TransactionId")
    if code in (PENDING_CODE, SUCCESS_CODE):
        return PaymentRequestResult(accepted=True, provider_reference=transaction_id)
    if status == httpx.codes.CONFLICT or looks_duplicate(message):
        # Our ClientReference again: the first request of this attempt went through.
        log.info("Hubtel already has %s: %s", payment.reference, message)
        return PaymentRequestResult(accepted=True, provider_reference=transaction_id)
    if status >= httpx.codes.INTERNAL_SERVER_ERROR or status == httpx.codes.TOO_MANY_REQUESTS:
        log.warning("Hubtel prompt for %s: HTTP %s", payment.reference, status)
        return PaymentRequestResult(accepted=False, retryable=True)
    if code in SETUP_ERROR_CODES or status >= httpx.codes.BAD_REQUEST:
        log.error("Hubtel refused %s: HTTP %s, %s %s", payment.reference, status, code, message)
        return PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
    if code == "2001":
        return PaymentRequestResult(accepted=False, failure_reason=FailureReason.DECLINED)
    # A 2xx we cannot read may still have prompted the payer: the status check will tell.
    log.warning(
        "Hubtel answered %s for %s with %r: read as pending", status, payment.reference, code
    )
    return PaymentRequestResult(accepted=True, provider_reference=transaction_id)


def _status(payment: Payment, data: dict[str, Any], now: datetime) -> ProviderStatus:
    inner = _mapping(data.get("data") or data.get("Data"))
    status = (text_field(inner, "status", "Status") or "").lower()
    if status in PAID:
        if not amount_matches(payment.amount, inner.get("amount")):
            log.error("Hubtel reports %s paid with amount %r", payment.reference, inner["amount"])
            return ProviderStatus(PaymentStatus.PENDING)
        return ProviderStatus(
            PaymentStatus.SUCCESSFUL,
            provider_reference=text_field(inner, "transactionId", "TransactionId"),
        )
    if status in NOT_PAID:
        reason = FailureReason.TIMED_OUT if status == "expired" else FailureReason.DECLINED
        if status == "refunded":
            reason = FailureReason.ERROR
        return ProviderStatus(PaymentStatus.FAILED, reason)
    if status == "unpaid" and now - payment.created_at >= UNPAID_IS_FINAL_AFTER:
        log.info("Hubtel still has %s unpaid: the prompt has expired", payment.reference)
        return ProviderStatus(PaymentStatus.FAILED, FailureReason.TIMED_OUT)
    if status != "unpaid":
        log.warning("Hubtel status %r for %s read as pending", status, payment.reference)
    return ProviderStatus(PaymentStatus.PENDING)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _two_decimals(pesewas: int) -> float:
    """`Amount` as a JSON number with at most two decimals (1250 -> 12.5)."""
    return round(pesewas / 100, 2)


def _valid_client_reference(reference: str) -> bool:
    return reference.isascii() and reference.isalnum() and len(reference) <= MAX_CLIENT_REFERENCE
