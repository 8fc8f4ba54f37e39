"""MTN MoMo Open API, collections: request to pay, its status, and the (unsigned) callback.

MTN's own id for a request (`X-Reference-Id`) is a UUID derived from our payment reference,
so a retry of the same attempt sends the same id and MTN answers 409 instead of prompting the
payer twice. The access token is kept until a minute before it expires, and fetched afresh
once when MTN answers 401.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from lpg_ussd.adapters.payments.base import (
    CallbackNotice,
    amount_matches,
    check_url,
    json_object,
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

log = logging.getLogger("lpg_ussd.payments.mtn_momo")

SANDBOX_URL = "https://sandbox.momodeveloper.mtn.com"
PRODUCTION_URL = "https://proxy.momoapi.mtn.com"
MTN_NETWORK = "mtn"
TOKEN_PATH = "/collection/token/"
REQUEST_TO_PAY_PATH = "/collection/v1_0/requesttopay"
# Fixed for ever: changing it would give every pending payment a new MTN id.
REFERENCE_NAMESPACE = uuid.UUID("6f1c1d4e-2b7a-5c39-9d0e-4a8f3b2c1e57")
TOKEN_MARGIN_SECONDS = 60.0
DEFAULT_TOKEN_LIFETIME_SECONDS = 3600.0

FAILURE_REASONS = {
    "APPROVAL_REJECTED": FailureReason.DECLINED,
    "PAYMENT_NOT_APPROVED": FailureReason.DECLINED,
    "TRANSACTION_CANCELED": FailureReason.DECLINED,
    "EXPIRED": FailureReason.TIMED_OUT,
    "NOT_ENOUGH_FUNDS": FailureReason.NOT_ENOUGH_FUNDS,
    "PAYER_NOT_FOUND": FailureReason.PAYER_NOT_FOUND,
}


def momo_reference_id(reference: str) -> str:
    """MTN's `X-Reference-Id` for one attempt: the same reference gives the same UUID."""
    return str(uuid.uuid5(REFERENCE_NAMESPACE, reference))


class _TokenUnavailable(Exception):
    """The token could not be had now (network, 5xx): try again later."""


class _TokenRefused(Exception):
    """MTN refused our credentials: a set-up error, not worth retrying."""


class MtnMomoPaymentGateway:
    name = "mtn_momo"

    def __init__(
        self,
        *,
        api_user: str,
        api_key: str,
        subscription_key: str,
        base_url: str = PRODUCTION_URL,
        target_environment: str = "mtnghana",
        currency: str = "GHS",
        callback_url: str = "",
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api_user = require(api_user, "the MTN MoMo API user")
        self._api_key = require(api_key, "the MTN MoMo API key")
        self._target_environment = require(target_environment, "the MTN target environment")
        self._currency = require(currency, "the MTN MoMo currency").upper()
        self._callback_url = check_url(callback_url, "the MTN callback URL") if callback_url else ""
        self._clock = clock
        self._client = httpx.AsyncClient(
            base_url=check_url(base_url, "the MTN MoMo base URL"),
            timeout=timeout(timeout_seconds),
            transport=transport,
            headers={
                "Ocp-Apim-Subscription-Key": require(subscription_key, "the MTN subscription key")
            },
        )
        self._token: str | None = None
        self._token_good_until = 0.0
        self._token_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- the port -------------------------------------------------------------------------

    async def request_payment(self, payment: Payment, payer_name: str) -> PaymentRequestResult:
        if payment.network != MTN_NETWORK:
            # MTN's API reaches MTN wallets only: a set-up error in the choice of provider.
            log.error("MTN MoMo cannot take %s on network %r", payment.reference, payment.network)
            return PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
        reference_id = momo_reference_id(payment.reference)
        headers = {"X-Reference-Id": reference_id, "X-Target-Environment": self._target_environment}
        if self._callback_url:
            headers["X-Callback-Url"] = self._callback_url
        body = {
            "amount": payment.amount.decimal_string(),
            "currency": self._currency,
            "externalId": payment.reference,
            "payer": {"partyIdType": "MSISDN", "partyId": msisdn_digits(payment)},
            "payerMessage": plain_text(f"{payer_name} payment {payment.reference}", 80),
            "payeeNote": plain_text(f"USSD payment {payment.reference}", 80),
        }
        try:
            response = await self._call("POST", REQUEST_TO_PAY_PATH, headers, body)
        except _TokenRefused:
            return PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
        except (_TokenUnavailable, *TRANSPORT_ERRORS) as error:
            log.warning("MTN request to pay %s not sent: %r", payment.reference, error)
            return PaymentRequestResult(accepted=False, retryable=True)
        return self._request_result(payment, reference_id, response)

    async def query_status(self, payment: Payment) -> ProviderStatus:
        reference_id = momo_reference_id(payment.reference)
        headers = {"X-Target-Environment": self._target_environment}
        path = f"{REQUEST_TO_PAY_PATH}/{reference_id}"
        try:
            response = await self._call("GET", path, headers)
        except (_TokenRefused, _TokenUnavailable, *TRANSPORT_ERRORS) as error:
            log.warning("MTN status of %s unknown: %r", payment.reference, error)
            return ProviderStatus(PaymentStatus.PENDING)
        if response.status_code != httpx.codes.OK:
            log.warning("MTN status of %s: HTTP %s", payment.reference, response.status_code)
            return ProviderStatus(PaymentStatus.PENDING)
        return self._status(payment, answer_json(response))

    # -- the callback ---------------------------------------------------------------------

    async def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackNotice:
        """MTN's callback (PUT, sometimes POST) is unsigned: never trusted on its word."""
        data = json_object(body)
        return CallbackNotice(
            reference=text_field(data, "externalId"),
            trusted=False,
            provider_reference=text_field(data, "referenceId", "financialTransactionId"),
        )

    # -- reading answers ------------------------------------------------------------------

    def _request_result(
        self, payment: Payment, reference_id: str, response: httpx.Response
    ) -> PaymentRequestResult:
        status = response.status_code
        if status == httpx.codes.ACCEPTED:
            return PaymentRequestResult(accepted=True, provider_reference=reference_id)
        if status == httpx.codes.CONFLICT:
            # The same X-Reference-Id again: the first request of this attempt went through.
            log.info("MTN already has request %s for %s", reference_id, payment.reference)
            return PaymentRequestResult(accepted=True, provider_reference=reference_id)
        if status >= httpx.codes.INTERNAL_SERVER_ERROR:
            log.warning("MTN request to pay %s: HTTP %s", payment.reference, status)
            return PaymentRequestResult(accepted=False, retryable=True)
        if httpx.codes.OK <= status < httpx.codes.MULTIPLE_CHOICES:
            log.warning("MTN request to pay %s: unexpected HTTP %s", payment.reference, status)
            return PaymentRequestResult(accepted=True, provider_reference=reference_id)
        code = _error_code(answer_json(response))
        log.error("MTN refused request to pay %s: HTTP %s %s", payment.reference, status, code)
        reason = FAILURE_REASONS.get(code or "", FailureReason.ERROR)
        return PaymentRequestResult(accepted=False, failure_reason=reason)

    def _status(self, payment: Payment, data: dict[str, Any]) -> ProviderStatus:
        status = (text_field(data, "status") or "").upper()
        if status == "SUCCESSFUL":
            if not amount_matches(payment.amount, data.get("amount")):
                log.error("MTN reports %s paid with amount %r", payment.reference, data["amount"])
                return ProviderStatus(PaymentStatus.PENDING)
            return ProviderStatus(
                PaymentStatus.SUCCESSFUL,
                provider_reference=text_field(data, "financialTransactionId"),
            )
        if status == "FAILED":
            code = _error_code({"code": data.get("reason")})
            return ProviderStatus(
                PaymentStatus.FAILED, FAILURE_REASONS.get(code or "", FailureReason.ERROR)
            )
        if status != "PENDING":
            log.warning("MTN status %r for %s read as pending", status, payment.reference)
        return ProviderStatus(PaymentStatus.PENDING)

    # -- calls with a token ---------------------------------------------------------------

    async def _call(
        self, method: str, path: str, headers: dict[str, str], body: object = None
    ) -> httpx.Response:
        """Send with the cached token; on 401, fetch a new token and send once more."""
        token = await self._access_token()
        response = await self._send(method, path, headers, body, token)
        if response.status_code != httpx.codes.UNAUTHORIZED:
            return response
        log.info("MTN answered 401: fetching a new token")
        token = await self._access_token(stale=token)
        return await self._send(method, path, headers, body, token)

    async def _send(
        self, method: str, path: str, headers: dict[str, str], body: object, token: str
    ) -> httpx.Response:
        return await self._client.request(
            method, path, headers={**headers, "Authorization": f"Bearer {token}"}, json=body
        )

    async def _access_token(self, stale: str | None = None) -> str:
        """The cached token, unless near expiry or `stale` (the one MTN just refused)."""
        async with self._token_lock:
            fresh = self._token is not None and self._clock() < self._token_good_until
            if self._token is not None and fresh and self._token != stale:
                return self._token
            self._token, lifetime = await self._fetch_token()
            self._token_good_until = self._clock() + max(lifetime - TOKEN_MARGIN_SECONDS, 0.0)
            return self._token

    async def _fetch_token(self) -> tuple[str, float]:
        try:
            response = await self._client.post(TOKEN_PATH, auth=(self._api_user, self._api_key))
        except TRANSPORT_ERRORS as error:
            raise _TokenUnavailable(repr(error)) from error
        if response.status_code >= httpx.codes.INTERNAL_SERVER_ERROR:
            raise _TokenUnavailable(f"HTTP {response.status_code}")
        data = answer_json(response)
        token = text_field(data, "access_token")
        if response.status_code != httpx.codes.OK or token is None:
            log.error(
                "MTN refused a token: HTTP %s, check the API user and key and the subscription key",
                response.status_code,
            )
            raise _TokenRefused(f"HTTP {response.status_code}")
        return token, _lifetime(data.get("expires_in"))


def _lifetime(value: object) -> float:
    try:
        seconds = float(str(value))
    except ValueError:
        return DEFAULT_TOKEN_LIFETIME_SECONDS
    return seconds if seconds > 0 else DEFAULT_TOKEN_LIFETIME_SECONDS


def _error_code(data: Mapping[str, Any]) -> str | None:
    """MTN's reason or error code, given as `"CODE"` or as `{"code": "CODE", ...}`."""
    code = data.get("code")
    if isinstance(code, Mapping):
        code = code.get("code")
    return str(code).strip().upper() if isinstance(code, str) and code.strip() else None
