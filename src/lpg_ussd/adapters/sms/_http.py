"""What the SMS adapters share: their HTTP client, the number forms, and how a failure is told
apart as permanent (sending it again cannot help) or temporary (the outbox retries it later).

Every failure leaves as `SmsError`, never as an httpx exception, and its text never carries a
credential or a whole phone number: the outbox stores it and logs it.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import httpx

from lpg_ussd.application.ports import SmsError
from lpg_ussd.domain.errors import InvalidValue
from lpg_ussd.domain.msisdn import Msisdn

log = logging.getLogger("lpg_ussd.sms")

DEFAULT_TIMEOUT_SECONDS = 10.0
# Statuses worth another try: the provider was busy, slow or broken, not the message.
_TEMPORARY_HTTP = frozenset({408, 425, 429})
# Words a provider uses when the account has run out of credit: see `is_balance_problem`.
_BALANCE = re.compile(r"balance|credit|fund|payment required", re.IGNORECASE)
_LONG_DIGITS = re.compile(r"\d{6,}")


def make_client(
    base_url: str,
    timeout_seconds: float,
    transport: httpx.AsyncBaseTransport | None,
    headers: dict[str, str] | None = None,
    auth: httpx.BasicAuth | None = None,
) -> httpx.AsyncClient:
    """A client bound to one provider; `transport` lets tests put a fake in the provider's place."""
    check_base_url(base_url)
    if timeout_seconds <= 0:
        raise ValueError("the SMS timeout must be a positive number of seconds")
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/"),
        timeout=httpx.Timeout(timeout_seconds),
        transport=transport,
        headers=headers,
        auth=auth,
        follow_redirects=False,
    )


def check_base_url(base_url: str) -> None:
    """A wrong base URL is a set-up error: refuse it at start-up, not message by message."""
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"SMS base URL must be an http(s) URL, not {base_url!r}")


def require(value: str, what: str) -> str:
    if not value or not value.strip():
        raise ValueError(f"{what} is required")
    return value.strip()


def check_sender_id(sender_id: str, provider: str) -> str:
    """An alphanumeric sender id: 1 to 11 characters, as the networks allow."""
    sender_id = require(sender_id, f"{provider} sender id")
    if len(sender_id) > 11:
        raise ValueError(f"{provider} sender id {sender_id!r} is longer than 11 characters")
    if not sender_id.isprintable():
        raise ValueError(f"{provider} sender id {sender_id!r} has control characters")
    return sender_id


def recipient(to: str, provider: str) -> Msisdn:
    """The E.164 number the outbox holds; a malformed one can never be sent."""
    try:
        return Msisdn(to)
    except InvalidValue as error:
        raise SmsError(f"{provider}: invalid recipient number", permanent=True) from error


def international_digits(number: Msisdn) -> str:
    """`+233244123456` -> `233244123456`, the form Ghanaian providers take."""
    return number.e164.removeprefix("+")


async def call(
    client: httpx.AsyncClient,
    provider: str,
    path: str,
    *,
    data: dict[str, str] | None = None,
    json: object = None,
) -> httpx.Response:
    """One POST; no answer in time or a broken connection is a temporary failure.

    A timeout after the provider took the message would send it twice on the retry: no
    provider here documents an idempotency key, so the outbox can only choose between a
    rare duplicate and a lost message, and the outbox chooses the duplicate.
    """
    try:
        return await client.post(path, data=data, json=json)
    except httpx.TimeoutException as error:
        reason = f"no answer in time ({type(error).__name__})"
        raise failure(provider, reason, permanent=False) from error
    except httpx.TransportError as error:
        reason = f"network error ({type(error).__name__})"
        raise failure(provider, reason, permanent=False) from error


def is_temporary_http(status_code: int) -> bool:
    return status_code in _TEMPORARY_HTTP or status_code >= 500


def is_balance_problem(text: str) -> bool:
    """Out of credit is the account's state, not the message's: an operator tops up and the
    retries go through. Outbox back-off gives up after MAX_ATTEMPTS (about ten minutes)."""
    return bool(_BALANCE.search(text or ""))


def json_or_none(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def snippet(text: object, limit: int = 120) -> str:
    """Part of a provider's answer for an error text: one line, short, without long numbers."""
    flat = " ".join(str(text or "").split())
    flat = _LONG_DIGITS.sub("…", flat)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def failure(provider: str, reason: str, *, permanent: bool) -> SmsError:
    """The error for the outbox, which logs permanent failures itself and retries the rest."""
    if not permanent:
        log.warning("%s could not take an SMS now: %s", provider, reason)
    return SmsError(f"{provider}: {reason}", permanent=permanent)


def unexpected(provider: str, response: httpx.Response) -> SmsError:
    """An answer outside the documented contract: logged, and retried, as nothing says the
    provider took the message."""
    log.warning(
        "%s answered outside its documented contract: HTTP %s %s",
        provider,
        response.status_code,
        snippet(response.text),
    )
    return SmsError(f"{provider}: unexpected answer (HTTP {response.status_code})")
