"""SMS through Hubtel: `POST {base}/v1/messages/send`, Basic auth, JSON `From`, `To`, `Content`.

Hubtel documents two forms of this one endpoint: a GET with `clientid`, `clientsecret`, `from`,
`to` and `content` in the query, and this POST with the same client id and secret as Basic
auth. The POST is used so that the client secret is never part of a URL: URLs end up in
proxy and server access logs, and httpx itself logs every request URL at INFO level.

Hubtel reports by HTTP status first (2xx: taken for delivery), with `status` in the body as a
sub-code (0 on success):

- 2xx with `status` 0, or with no readable status: sent (the HTTP status is Hubtel's word).
- 402 (no messaging credit), or sub-code 12 (payment required): temporary. The account ran
  dry, not the message: once an operator tops up, the outbox's retries go through.
- 400 with sub-codes 1 to 8 (bad destination, sender, length, route, content, parameters),
  401 (credentials refused), 403 (recipient has not approved messages), 404, other 4xx, and a
  2xx with any other non-zero sub-code: permanent.
- 408, 429, 5xx (500 failed, 502 no gateway), timeouts, network errors: temporary.
"""

from __future__ import annotations

import httpx

from lpg_ussd.adapters.sms._http import (
    DEFAULT_TIMEOUT_SECONDS,
    call,
    check_sender_id,
    failure,
    international_digits,
    is_temporary_http,
    json_or_none,
    log,
    make_client,
    recipient,
    require,
    snippet,
)

PROVIDER = "hubtel"
BASE_URL = "https://smsc.hubtel.com"
PATH = "/v1/messages/send"
PAYMENT_REQUIRED = 12  # the sub-code Hubtel gives when the account must be funded

SUB_CODES = {
    0: "request submitted",
    1: "invalid destination address",
    2: "invalid source address",
    3: "message body too long",
    4: "message not routable",
    4004: "message not routable",
    5: "invalid delivery time",
    6: "message content rejected",
    7: "parameters not allowed",
    8: "parameters not valid",
    12: "payment required",
}
HTTP_REASONS = {
    401: "credentials refused",
    402: "not enough messaging credit",
    403: "recipient has not approved messages",
    404: "not found",
}


class HubtelSmsSender:
    """`client_id` and `client_secret` are Hubtel's SMS API keys; `sender_id` is the `From`
    recipients see, at most 11 characters, approved on the Hubtel account."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        sender_id: str,
        base_url: str = BASE_URL,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        auth = httpx.BasicAuth(
            require(client_id, "Hubtel SMS client id"),
            require(client_secret, "Hubtel SMS client secret"),
        )
        self._sender_id = check_sender_id(sender_id, "Hubtel")
        self._client = make_client(
            base_url, timeout_seconds, transport, headers={"Accept": "application/json"}, auth=auth
        )

    async def send(self, to: str, text: str) -> None:
        number = recipient(to, PROVIDER)
        body = {"From": self._sender_id, "To": international_digits(number), "Content": text}
        response = await call(self._client, PROVIDER, PATH, json=body)
        answer = json_or_none(response)
        sub_code = _sub_code(answer)
        if response.is_success:
            if sub_code is None:
                if not isinstance(answer, dict) or "messageId" not in answer:
                    log.warning("hubtel took an SMS, answering %s", snippet(response.text))
                return
            if sub_code == 0:
                return
        reason = _reason(response.status_code, sub_code, answer)
        raise failure(PROVIDER, reason, permanent=_permanent(response.status_code, sub_code))

    async def aclose(self) -> None:
        await self._client.aclose()


def _sub_code(answer: object) -> int | None:
    """`status` (sometimes `Status`), a number or a string of digits."""
    if not isinstance(answer, dict):
        return None
    raw = answer.get("status", answer.get("Status"))
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def _permanent(status_code: int, sub_code: int | None) -> bool:
    out_of_credit = status_code == 402 or sub_code == PAYMENT_REQUIRED
    return not out_of_credit and not is_temporary_http(status_code)


def _reason(status_code: int, sub_code: int | None, answer: object) -> str:
    reason = f"HTTP {status_code}"
    if sub_code is not None:
        reason += f" status {sub_code}"
    known = SUB_CODES.get(sub_code) if sub_code is not None else None
    if known := known or HTTP_REASONS.get(status_code):
        reason += f" {known}"
    if isinstance(answer, dict) and (
        said := answer.get("statusDescription") or answer.get("message")
    ):
        reason += f" ({snippet(said)})"
    return reason
