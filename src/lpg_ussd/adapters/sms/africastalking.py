"""SMS through Africa's Talking: `POST {base}/version1/messaging`, a form, header `apiKey`.

The HTTP status says whether the request was understood (201 when it was); whether the SMS
was taken is each recipient's `statusCode` in `SMSMessageData.Recipients`:

- 100 Processed, 101 Sent, 102 Queued: sent.
- 405 InsufficientBalance: temporary. The account ran dry, not the message: once an operator
  tops up, the outbox's retries go through (it gives up after its last attempt anyway).
- 401 RiskHold, 402 InvalidSenderId, 403 InvalidPhoneNumber, 404 UnsupportedNumberType,
  406 UserInBlacklist, 407 CouldNotRoute, 409 DoNotDisturbRejection, and any other 4xx: permanent.
- 500 InternalServerError, 501 GatewayError, 502 RejectedByGateway, and any other 5xx: temporary.

HTTP 401/403 (credentials refused) and other 4xx are permanent; 408, 429, 5xx, timeouts and
network errors are temporary. A 2xx answer whose recipients cannot be read is retried: it does
not say the SMS was taken.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from lpg_ussd.adapters.sms._http import (
    DEFAULT_TIMEOUT_SECONDS,
    call,
    failure,
    is_balance_problem,
    is_temporary_http,
    json_or_none,
    make_client,
    recipient,
    require,
    snippet,
    unexpected,
)

PROVIDER = "africastalking"
PRODUCTION_BASE_URL = "https://api.africastalking.com"
SANDBOX_BASE_URL = "https://api.sandbox.africastalking.com"
SANDBOX_USERNAME = "sandbox"
PATH = "/version1/messaging"

STATUS_NAMES = {
    100: "Processed",
    101: "Sent",
    102: "Queued",
    401: "RiskHold",
    402: "InvalidSenderId",
    403: "InvalidPhoneNumber",
    404: "UnsupportedNumberType",
    405: "InsufficientBalance",
    406: "UserInBlacklist",
    407: "CouldNotRoute",
    409: "DoNotDisturbRejection",
    500: "InternalServerError",
    501: "GatewayError",
    502: "RejectedByGateway",
}
SENT = frozenset({100, 101, 102})
TEMPORARY = frozenset({405})  # besides every 5xx
_SANDBOX_HOST = urlsplit(SANDBOX_BASE_URL).hostname
_PRODUCTION_HOST = urlsplit(PRODUCTION_BASE_URL).hostname
_CODE_OF_NAME = {name.lower(): code for code, name in STATUS_NAMES.items()}
_SENT_NAMES = {"success", "sent", "queued", "processed"}


class AfricasTalkingSmsSender:
    """`username` is the app's name (`sandbox` on the sandbox host); `sender_id`, when given,
    is sent as `from` (an approved alphanumeric or short code), else the account's default."""

    def __init__(
        self,
        username: str,
        api_key: str,
        sender_id: str = "",
        base_url: str = PRODUCTION_BASE_URL,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._username = require(username, "Africa's Talking username")
        api_key = require(api_key, "Africa's Talking API key")
        _check_sandbox(base_url, self._username)
        self._sender_id = sender_id.strip()
        self._client = make_client(
            base_url,
            timeout_seconds,
            transport,
            headers={"apiKey": api_key, "Accept": "application/json"},
        )

    async def send(self, to: str, text: str) -> None:
        number = recipient(to, PROVIDER)
        form = {"username": self._username, "to": number.e164, "message": text}
        if self._sender_id:
            form["from"] = self._sender_id
        response = await call(self._client, PROVIDER, PATH, data=form)
        if not response.is_success:
            permanent = not is_temporary_http(response.status_code)
            raise failure(PROVIDER, _refused_request(response), permanent=permanent)
        _check_recipient(response, number.e164)

    async def aclose(self) -> None:
        await self._client.aclose()


def _check_sandbox(base_url: str, username: str) -> None:
    """Africa's Talking's sandbox host takes the username `sandbox` only, and its production
    host never does; any other host (a proxy, a test double) is left alone."""
    host = urlsplit(base_url).hostname or ""
    sandbox = username == SANDBOX_USERNAME
    if (host == _SANDBOX_HOST and not sandbox) or (host == _PRODUCTION_HOST and sandbox):
        raise ValueError(
            f"Africa's Talking: the username 'sandbox' goes with {SANDBOX_BASE_URL} only; "
            f"{PRODUCTION_BASE_URL} takes your app's username"
        )


def _refused_request(response: httpx.Response) -> str:
    if response.status_code in (401, 403):
        return f"credentials refused (HTTP {response.status_code})"
    return f"HTTP {response.status_code} {snippet(response.text)}".strip()


def _check_recipient(response: httpx.Response, number: str) -> None:
    data = json_or_none(response)
    message_data = data.get("SMSMessageData") if isinstance(data, dict) else None
    if not isinstance(message_data, dict) or not isinstance(
        recipients := message_data.get("Recipients"), list
    ):
        raise unexpected(PROVIDER, response)
    if not recipients:
        # How it refuses a whole request, e.g. {"Message": "InvalidSenderId", "Recipients": []}.
        summary = snippet(message_data.get("Message")) or "no recipient taken"
        raise failure(PROVIDER, summary, permanent=not is_balance_problem(summary))
    ours = [r for r in recipients if isinstance(r, dict) and r.get("number") == number]
    entry = ours[0] if ours else recipients[0]
    if not isinstance(entry, dict):
        raise unexpected(PROVIDER, response)
    code = _status_code(entry)
    if code is None or not 100 <= code < 600 or 200 <= code < 400:
        raise unexpected(PROVIDER, response)
    if code in SENT or code < 200:
        return
    reason = f"{code} {STATUS_NAMES.get(code) or snippet(entry.get('status'))}"
    raise failure(PROVIDER, reason, permanent=code < 500 and code not in TEMPORARY)


def _status_code(entry: dict[str, object]) -> int | None:
    """`statusCode` as a number or a string of digits; else the `status` name, if known."""
    raw = entry.get("statusCode")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    status = str(entry.get("status") or "").strip().lower()
    if status in _SENT_NAMES:
        return 101
    return _CODE_OF_NAME.get(status)


__all__ = [
    "PRODUCTION_BASE_URL",
    "SANDBOX_BASE_URL",
    "SANDBOX_USERNAME",
    "AfricasTalkingSmsSender",
]
