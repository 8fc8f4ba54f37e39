"""What the mobile-money adapters share: the callback notice, its refusal, and small helpers.

A provider's callback is a hint: it names our payment and the confirm-payment use case then
asks the provider's status query. Only a signature checked here makes a notice `trusted`,
and even then the use case verifies before delivering value.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from lpg_ussd.domain.money import Money
from lpg_ussd.domain.payment import Payment

log = logging.getLogger("lpg_ussd.payments")


@dataclass(frozen=True, slots=True)
class CallbackNotice:
    """What a provider's callback says, once read.

    `reference` is our payment reference (None when the body does not carry it: answer the
    provider without error and let the sweep settle the payment). `trusted` is True only when
    the body's signature was checked. `provider_reference` is the provider's own id, for logs.
    """

    reference: str | None
    trusted: bool
    provider_reference: str | None = None


class CallbackRejected(Exception):
    """A forged callback, or one unsigned where the provider signs: answer 401, do nothing."""


class MalformedCallback(CallbackRejected):
    """A callback body that cannot be read at all: answer 400, do nothing."""


@runtime_checkable
class PaymentCallbackParser(Protocol):
    """What the webhook route needs of a provider adapter besides the PaymentGateway port.

    Runtime-checkable, so the route can tell a gateway that reads callbacks from one that does
    not (the simulated gateway has no callback of its own)."""

    name: str

    async def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackNotice: ...


def check_url(url: str, what: str) -> str:
    """A wrong URL is a set-up error: refused at start-up, not payment by payment."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an http(s) URL, not {url!r}")
    return url.rstrip("/")


def require(value: str, what: str) -> str:
    if not value or not value.strip():
        raise ValueError(f"{what} is required")
    return value.strip()


def msisdn_digits(payment: Payment) -> str:
    """`+233244000001` -> `233244000001`, as MTN and Hubtel want it."""
    return payment.msisdn.e164.lstrip("+")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever its case (plain dicts in tests, multi-dicts in servers)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def json_object(body: bytes) -> dict[str, Any]:
    """A JSON object from a callback body; MalformedCallback for anything else."""
    try:
        decoded = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedCallback("callback body is not JSON") from error
    if not isinstance(decoded, dict):
        raise MalformedCallback("callback body is not a JSON object")
    return decoded


def text_field(data: Mapping[str, Any], *names: str) -> str | None:
    """The first of `names` present as a non-empty scalar, as text."""
    for name in names:
        value = data.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def amount_matches(expected: Money, reported: object, minor_units: bool = False) -> bool:
    """Whether a provider's amount equals ours; True when it reports none we can read.

    Providers report amounts as strings, floats or integer minor units; compared exactly.
    """
    if reported is None or isinstance(reported, bool):
        return True
    try:
        value = Decimal(str(reported))
    except InvalidOperation:
        return True
    if not value.is_finite() or value.adjusted() > 15:
        return False  # no real amount (or absurdly large): deliver nothing on it
    if minor_units:
        return value == expected.pesewas
    return value * 100 == expected.pesewas


def looks_duplicate(message: str | None) -> bool:
    """A provider's words for "this reference was already used"."""
    text = (message or "").lower()
    return "duplicate" in text or "already exist" in text or "already been used" in text


def plain_text(text: str, limit: int) -> str:
    """Letters, digits and spaces only, at most `limit` long: some networks refuse `&`, `%`,
    quotes and the like in the words shown on the payer's phone."""
    kept = "".join(ch if ch.isascii() and (ch.isalnum() or ch == " ") else " " for ch in text)
    return " ".join(kept.split())[:limit].strip()
