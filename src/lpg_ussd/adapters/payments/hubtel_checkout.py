"""Hubtel's own checkout (Programmable Services): its fulfilment request, report and status.

When a USSD session ends with a `Release` carrying `Item` (see ussd_gateways/hubtel.py),
Hubtel prompts the customer itself, then posts a service fulfilment request to our Service
Fulfilment URL:

    {"SessionId": "...", "OrderId": "...", "ExtraData": {...},
     "OrderInfo": {"CustomerMobileNumber": "233...", "Status": "Paid", "OrderDate": "...",
                   "Currency": "GHS", "Subtotal": 234.0, "Items": [{"Name", "Quantity",
                   "UnitPrice", ...}],
                   "Payment": {"PaymentType": "mobilemoney", "AmountPaid": 234.0,
                               "AmountAfterCharges": 232.0, "PaymentDate": "...",
                               "PaymentDescription": "...", "IsSuccessful": true}}}

and expects the outcome reported back by a POST to its fulfilment callback URL
(`https://gs-callback.hubtel.com:9055/callback` in its documents, reached from allow-listed
IPs only) with `sessionId`, `orderId`, `transactionId`, `description`, `serviceStatus`
(`success` or `failed`) and `metaData`, as Hubtel's .NET SDK sends them. A session whose
fulfilment has not come within 5 minutes is checked with Hubtel's transaction status API,
whose `clientReference` is the session id: the sweep of pending payments does that here.

Field names are read in either case and every field defensively: what cannot be read at all
is refused (HTTP 400), and a success whose amount cannot be read is left for staff.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx

from lpg_ussd.adapters.payments.base import (
    CallbackNotice,
    CallbackRejected,
    MalformedCallback,
    check_url,
    json_object,
    text_field,
)
from lpg_ussd.adapters.payments.http import (
    DEFAULT_TIMEOUT_SECONDS,
    TRANSPORT_ERRORS,
    answer_json,
    timeout,
)
from lpg_ussd.adapters.payments.hubtel import NOT_PAID, PAID, STATUS_URL
from lpg_ussd.application.checkout import CheckoutOutcome
from lpg_ussd.application.ports import (
    CheckoutReport,
    CheckoutReportFailed,
    PaymentRequestResult,
    ProviderStatus,
)
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentStatus

log = logging.getLogger("lpg_ussd.payments.hubtel_checkout")

NAME = "hubtel_checkout"
CALLBACK_URL = "https://gs-callback.hubtel.com:9055/callback"
PAID_WORDS = frozenset({"paid", "success", "successful", "completed"})
UNPAID_WORDS = frozenset({"unpaid", "failed", "cancelled", "canceled", "declined", "expired"})
MAX_EXTRA_REFERENCES = 5
MAX_REFERENCE = 36


class HubtelCheckoutPaymentGateway:
    """The payment gateway port for payments Hubtel's checkout collects, and its reporter.

    No request is ever sent (Hubtel prompts the customer); the status query is Hubtel's
    transaction status check by session id, when the POS Sales ID and API keys are set.
    """

    name = NAME

    def __init__(
        self,
        *,
        callback_url: str = CALLBACK_URL,
        pos_sales_id: str = "",
        api_id: str = "",
        api_key: str = "",
        status_base_url: str = STATUS_URL,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._callback_url = check_url(callback_url, "the Hubtel checkout callback URL")
        status = check_url(status_base_url, "the Hubtel status base URL")
        pos = pos_sales_id.strip()
        self._status_url = f"{status}/transactions/{pos}/status" if pos else None
        self._auth = httpx.BasicAuth(api_id.strip(), api_key.strip()) if api_id.strip() else None
        if self._status_url is None or self._auth is None:
            log.warning(
                "Hubtel checkout without LPG_USSD_HUBTEL_POS_SALES_ID and API keys: a payment "
                "whose fulfilment never comes cannot be checked and stays pending"
            )
        self._client = httpx.AsyncClient(
            timeout=timeout(timeout_seconds),
            transport=transport,
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- the payment gateway port -------------------------------------------------------

    async def request_payment(self, payment: Payment, payer_name: str) -> PaymentRequestResult:
        """Never needed: Hubtel's checkout prompts the customer itself."""
        log.warning("no request is sent for checkout payment %s", payment.reference)
        return PaymentRequestResult(accepted=True, provider_reference=payment.provider_reference)

    async def query_status(self, payment: Payment) -> ProviderStatus:
        """Hubtel's status check, whose client reference is the session (kept as the
        payment's provider reference while it is pending)."""
        session_id = payment.provider_reference
        if self._status_url is None or self._auth is None or not session_id:
            return ProviderStatus(PaymentStatus.PENDING)
        try:
            response = await self._client.get(
                self._status_url, params={"clientReference": session_id}, auth=self._auth
            )
        except TRANSPORT_ERRORS as error:
            log.warning("Hubtel status of checkout %s unknown: %r", payment.reference, error)
            return ProviderStatus(PaymentStatus.PENDING)
        if response.status_code != httpx.codes.OK:
            log.warning("Hubtel status of %s: HTTP %s", payment.reference, response.status_code)
            return ProviderStatus(PaymentStatus.PENDING)
        return _status(payment, answer_json(response))

    async def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackNotice:
        """The checkout reports through the fulfilment URL only, never the payments webhook."""
        raise CallbackRejected("Hubtel's checkout posts to /ussd/hubtel/fulfilment")

    # -- the fulfilment request and its report ------------------------------------------

    def read_fulfilment(self, body: bytes) -> CheckoutOutcome:
        """Hubtel's service fulfilment request; MalformedCallback when it cannot be read."""
        data = json_object(body)
        session_id = text_field(data, "SessionId", "sessionId")
        order_id = text_field(data, "OrderId", "orderId")
        references = _extra_references(data.get("ExtraData", data.get("extraData")))
        if not session_id and not references:
            raise MalformedCallback("the fulfilment names no session")
        info = _object(data, "OrderInfo", "orderInfo")
        payment = _object(info, "Payment", "payment")
        return CheckoutOutcome(
            session_id=session_id,
            order_id=order_id,
            successful=_successful(payment, info),
            amount_paid_pesewas=_pesewas(_field(payment, "AmountPaid", "amountPaid")),
            currency=text_field(info, "Currency", "currency"),
            references=references,
        )

    async def report(self, report: CheckoutReport) -> None:
        """POST the outcome to Hubtel; CheckoutReportFailed, permanent for a refusal."""
        body = {
            "sessionId": report.session_id,
            "orderId": report.order_id,
            "transactionId": report.reference,
            "description": report.description,
            "serviceStatus": "success" if report.delivered else "failed",
            "metaData": None,
        }
        try:
            response = await self._client.post(
                self._callback_url,
                content=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
        except TRANSPORT_ERRORS as error:
            raise CheckoutReportFailed(f"Hubtel fulfilment callback: {error!r}") from error
        status = response.status_code
        if status < httpx.codes.MULTIPLE_CHOICES:
            log.info("reported order %s to Hubtel: %s", report.order_id, body["serviceStatus"])
            return
        retry = status >= httpx.codes.INTERNAL_SERVER_ERROR or status in (
            httpx.codes.REQUEST_TIMEOUT,
            httpx.codes.TOO_MANY_REQUESTS,
        )
        raise CheckoutReportFailed(
            f"Hubtel fulfilment callback answered HTTP {status}: {response.text[:200]}",
            permanent=not retry,
        )


def _object(data: Mapping[str, Any], *names: str) -> Mapping[str, Any]:
    """A nested object by any of its names; {} when missing; MalformedCallback when not one."""
    value = _field(data, *names)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MalformedCallback(f"{names[0]} is not an object")
    return value


def _field(data: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if data.get(name) is not None:
            return data[name]
    return None


def _successful(payment: Mapping[str, Any], info: Mapping[str, Any]) -> bool:
    """`Payment.IsSuccessful` decides; without it, `OrderInfo.Status` (`Paid`, ...)."""
    flag = _field(payment, "IsSuccessful", "isSuccessful")
    if isinstance(flag, bool):
        return flag
    word = (text_field({"v": flag}, "v") or "").lower()
    if word in ("true", "false"):
        return word == "true"
    status = (text_field(info, "Status", "status") or "").lower()
    if status in PAID_WORDS:
        return True
    if status in UNPAID_WORDS:
        return False
    raise MalformedCallback("the fulfilment says neither IsSuccessful nor a known Status")


MAX_CEDI_DIGITS = 12


def _pesewas(value: Any) -> int | None:
    """A number of cedis (a number or digits) as whole pesewas, rounded down; None when it
    is missing or not a number."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        cedis = Decimal(str(value).strip())
        # Beyond a trillion cedis is no payment: refuse before any arithmetic on the
        # exponent (a 14-byte "9e999990" would otherwise take the event loop for seconds).
        if not cedis.is_finite() or cedis < 0 or cedis.adjusted() > MAX_CEDI_DIGITS:
            return None
        return int(cedis * 100)
    except ArithmeticError:
        return None


def _extra_references(extra: Any) -> tuple[str, ...]:
    """Payment references `ExtraData` may carry (our `ServiceData`, if Hubtel passes it on)."""
    if not isinstance(extra, Mapping):
        return ()
    found = []
    for value in extra.values():
        text = value.strip() if isinstance(value, str) else ""
        if text and text.isascii() and text.isalnum() and len(text) <= MAX_REFERENCE:
            found.append(text)
    return tuple(found[:MAX_EXTRA_REFERENCES])


def _status(payment: Payment, data: dict[str, Any]) -> ProviderStatus:
    inner = data.get("data") or data.get("Data")
    fields: Mapping[str, Any] = inner if isinstance(inner, Mapping) else {}
    status = (text_field(fields, "status", "Status") or "").lower()
    if status in PAID:
        # The amount may include Hubtel's charges when the customer bears them: at least ours.
        paid = _pesewas(fields.get("amount"))
        if paid is not None and paid < payment.amount.pesewas:
            log.error("Hubtel reports %s paid with %r", payment.reference, fields.get("amount"))
            return ProviderStatus(PaymentStatus.PENDING)
        return ProviderStatus(
            PaymentStatus.SUCCESSFUL,
            provider_reference=text_field(fields, "transactionId", "TransactionId"),
        )
    if status in NOT_PAID:
        reasons = {"expired": FailureReason.TIMED_OUT, "refunded": FailureReason.ERROR}
        return ProviderStatus(PaymentStatus.FAILED, reasons.get(status, FailureReason.DECLINED))
    if status and status != "unpaid":
        log.warning("Hubtel status %r for %s read as pending", status, payment.reference)
    return ProviderStatus(PaymentStatus.PENDING)
