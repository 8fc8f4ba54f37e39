"""SMS through Arkesel: `POST {base}/api/v2/sms/send`, header `api-key`, JSON `sender`,
`message`, `recipients` (a list of `233...` numbers; we send one).

The answer's `status` says it: `"success"` (with `data`, one entry per recipient) is sent;
anything else is a refusal, explained by `message`. By HTTP status and that `message`:

- 2xx with `status` `"success"`: sent.
- Out of credit (HTTP 402, or a `message` about the balance or credit): temporary. The account
  ran dry, not the message: once an operator tops up, the outbox's retries go through.
- 401/403 (API key refused), 400/422 (invalid sender id, number or message), 404, other 4xx,
  and a 2xx with another `status`: permanent.
- 408, 429, 5xx, timeouts, network errors, and a 2xx without a readable `status`: temporary.
"""

from __future__ import annotations

import httpx

from lpg_ussd.adapters.sms._http import (
    DEFAULT_TIMEOUT_SECONDS,
    call,
    check_sender_id,
    failure,
    international_digits,
    is_balance_problem,
    is_temporary_http,
    json_or_none,
    make_client,
    recipient,
    require,
    snippet,
    unexpected,
)

PROVIDER = "arkesel"
BASE_URL = "https://sms.arkesel.com"
PATH = "/api/v2/sms/send"


class ArkeselSmsSender:
    """`api_key` is the account's SMS API key; `sender_id` is the approved `sender`, at most
    11 characters."""

    def __init__(
        self,
        api_key: str,
        sender_id: str,
        base_url: str = BASE_URL,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        api_key = require(api_key, "Arkesel API key")
        self._sender_id = check_sender_id(sender_id, "Arkesel")
        self._client = make_client(
            base_url,
            timeout_seconds,
            transport,
            headers={"api-key": api_key, "Accept": "application/json"},
        )

    async def send(self, to: str, text: str) -> None:
        number = recipient(to, PROVIDER)
        body = {
            "sender": self._sender_id,
            "message": text,
            "recipients": [international_digits(number)],
        }
        response = await call(self._client, PROVIDER, PATH, json=body)
        answer = json_or_none(response)
        status = answer.get("status") if isinstance(answer, dict) else None
        said = snippet(answer.get("message")) if isinstance(answer, dict) else ""
        if response.is_success:
            if not isinstance(status, str):
                raise unexpected(PROVIDER, response)
            if status.strip().lower() == "success":
                return
        reason = f"HTTP {response.status_code} {said or snippet(status) or 'refused'}"
        raise failure(PROVIDER, reason, permanent=_permanent(response.status_code, said))

    async def aclose(self) -> None:
        await self._client.aclose()


def _permanent(status_code: int, said: str) -> bool:
    if status_code in (401, 403):
        return True  # an API key refused stays refused, whatever the text says
    out_of_credit = status_code == 402 or is_balance_problem(said)
    return not out_of_credit and not is_temporary_http(status_code)
