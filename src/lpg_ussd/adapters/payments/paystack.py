"""Paystack mobile money (Ghana): the charge, its verification, and the signed webhook.

Our payment reference is Paystack's `reference`, so a retry of the same attempt is refused as
a duplicate rather than charged twice. The webhook is signed (HMAC-SHA512 of the raw body
with the secret key); even a signed one only names the payment, and the verification decides.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from lpg_ussd.adapters.payments.base import (
    CallbackNotice,
    CallbackRejected,
    amount_matches,
    check_url,
    header,
    json_object,
    looks_duplicate,
    msisdn_digits,
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

log = logging.getLogger("lpg_ussd.payments.paystack")

PRODUCTION_URL = "https://api.paystack.co"
SIGNATURE_HEADER = "x-paystack-signature"
PROVIDERS = {"mtn": "mtn", "telecel": "vod", "airteltigo": "atl"}
WAITING = frozenset({"pay_offline", "pending", "send_otp", "ongoing", "processing", "queued"})
# Words of `gateway_response` / `message`, first match wins.
REASON_WORDS = (
    (("insufficient", "not enough"), FailureReason.NOT_ENOUGH_FUNDS),
    (("timeout", "timed out", "expired", "abandoned"), FailureReason.TIMED_OUT),
    (("declin", "reject", "cancel", "not approved"), FailureReason.DECLINED),
    (
        ("not found", "not registered", "invalid number", "invalid phone"),
        FailureReason.PAYER_NOT_FOUND,
    ),
)


class PaystackPaymentGateway:
    name = "paystack"

    def __init__(
        self,
        *,
        secret_key: str,
        base_url: str = PRODUCTION_URL,
        currency: str = "GHS",
        email_domain: str = "customers.invalid",
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        secret_key = require(secret_key, "the Paystack secret key")
        self._secret = secret_key.encode()
        self._currency = require(currency, "the Paystack currency").upper()
        self._email_domain = require(email_domain, "the placeholder email domain").lstrip("@")
        self._client = httpx.AsyncClient(
            base_url=check_url(base_url, "the Paystack base URL"),
            timeout=timeout(timeout_seconds),
            transport=transport,
            headers={"Authorization": f"Bearer {secret_key}"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- the port -------------------------------------------------------------------------

    async def request_payment(self, payment: Payment, payer_name: str) -> PaymentRequestResult:
        provider = PROVIDERS.get(payment.network)
        if provider is None:
            log.error("Paystack has no provider for network %r", payment.network)
            return PaymentRequestResult(accepted=False, failure_reason=FailureReason.ERROR)
        body = {
            "amount": payment.amount.pesewas,
            "email": self.placeholder_email(payment),
            "currency": self._currency,
            "reference": payment.reference,
            "mobile_money": {"phone": _local_phone(payment), "provider": provider},
        }
        try:
            response = await self._client.post("/charge", json=body)
        except TRANSPORT_ERRORS as error:
            log.warning("Paystack charge %s not sent: %r", payment.reference, error)
            return PaymentRequestResult(accepted=False, retryable=True)
        return _charge_result(payment, response)

    async def query_status(self, payment: Payment) -> ProviderStatus:
        try:
            response = await self._client.get(f"/transaction/verify/{payment.reference}")
        except TRANSPORT_ERRORS as error:
            log.warning("Paystack status of %s unknown: %r", payment.reference, error)
            return ProviderStatus(PaymentStatus.PENDING)
        if response.status_code != httpx.codes.OK:
            log.warning("Paystack verify %s: HTTP %s", payment.reference, response.status_code)
            return ProviderStatus(PaymentStatus.PENDING)
        return self._verified(payment, _mapping(answer_json(response).get("data")))

    def placeholder_email(self, payment: Payment) -> str:
        """Paystack requires an email; a USSD customer has none: one stable per phone."""
        return f"{msisdn_digits(payment)}@{self._email_domain}"

    # -- the webhook ----------------------------------------------------------------------

    async def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackNotice:
        """Checks the signature on the raw body first: CallbackRejected when it is not ours."""
        signature = (header(headers, SIGNATURE_HEADER) or "").strip().lower()
        expected = hmac.new(self._secret, body, hashlib.sha512).hexdigest()
        if not signature or not hmac.compare_digest(signature, expected):
            raise CallbackRejected("missing or wrong x-paystack-signature")
        data = json_object(body)
        event = text_field(data, "event") or ""
        inner = _mapping(data.get("data"))
        if not event.startswith("charge."):
            log.info("Paystack event %r is not about a charge", event)
            return CallbackNotice(reference=None, trusted=True)
        return CallbackNotice(
            reference=text_field(inner, "reference"),
            trusted=True,
            provider_reference=text_field(inner, "id"),
        )

    # -- reading answers ------------------------------------------------------------------

    def _verified(self, payment: Payment, data: Mapping[str, Any]) -> ProviderStatus:
        status = (text_field(data, "status") or "").lower()
        if status == "success":
            currency = text_field(data, "currency")
            same_currency = currency is None or currency.upper() == self._currency.upper()
            if not same_currency or not amount_matches(
                payment.amount, data.get("amount"), minor_units=True
            ):
                log.error(
                    "Paystack reports %s paid with %r %r",
                    payment.reference,
                    data.get("amount"),
                    currency,
                )
                return ProviderStatus(PaymentStatus.PENDING)
            return ProviderStatus(
                PaymentStatus.SUCCESSFUL, provider_reference=text_field(data, "id")
            )
        if status in ("failed", "reversed"):
            return ProviderStatus(PaymentStatus.FAILED, _reason(data))
        if status == "abandoned":
            # Checked only on a webhook (a charge that succeeded) or by the sweep, after the
            # prompt has long expired: abandoned is then final.
            return ProviderStatus(PaymentStatus.FAILED, FailureReason.TIMED_OUT)
        if status not in WAITING:
            log.warning("Paystack status %r for %s read as pending", status, payment.reference)
        return ProviderStatus(PaymentStatus.PENDING)


def _charge_result(payment: Payment, response: httpx.Response) -> PaymentRequestResult:
    status = response.status_code
    answer = answer_json(response)
    data = _mapping(answer.get("data"))
    message = text_field(answer, "message")
    charge_status = (text_field(data, "status") or "").lower()
    provider_reference = text_field(data, "id")
    if status >= httpx.codes.INTERNAL_SERVER_ERROR or status == httpx.codes.TOO_MANY_REQUESTS:
        log.warning("Paystack charge %s: HTTP %s", payment.reference, status)
        return PaymentRequestResult(accepted=False, retryable=True)
    if looks_duplicate(message):
        # Our reference again: the first charge of this attempt went through.
        log.info("Paystack already has %s: %s", payment.reference, message)
        return PaymentRequestResult(accepted=True, provider_reference=provider_reference)
    if charge_status == "send_otp":
        # Paystack wants an OTP the customer cannot type into a USSD session: the charge
        # stays pending and the sweep settles it.
        log.warning("Paystack asks an OTP for %s: left pending", payment.reference)
        return PaymentRequestResult(accepted=True, provider_reference=provider_reference)
    if charge_status in WAITING or charge_status == "success":
        return PaymentRequestResult(accepted=True, provider_reference=provider_reference)
    if charge_status == "failed":
        return PaymentRequestResult(accepted=False, failure_reason=_reason(data, message))
    if status >= httpx.codes.BAD_REQUEST:
        log.error("Paystack refused charge %s: HTTP %s %s", payment.reference, status, message)
        return PaymentRequestResult(accepted=False, failure_reason=_reason(data, message))
    # A 2xx we cannot read may still have prompted the payer: the verification will tell.
    log.warning("Paystack charge %s: status %r read as pending", payment.reference, charge_status)
    return PaymentRequestResult(accepted=True, provider_reference=provider_reference)


def _reason(data: Mapping[str, Any], message: str | None = None) -> FailureReason:
    words = " ".join(
        filter(None, (text_field(data, "gateway_response", "message", "display_text"), message))
    ).lower()
    for needles, reason in REASON_WORDS:
        if any(needle in words for needle in needles):
            return reason
    return FailureReason.ERROR


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _local_phone(payment: Payment) -> str:
    """Paystack's Ghana examples give the wallet number in local form: `0551234987`."""
    digits = msisdn_digits(payment)
    return "0" + digits[3:] if digits.startswith("233") else digits
