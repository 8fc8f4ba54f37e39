"""What every aggregator adapter does: its wire format <-> the neutral request and reply."""

from __future__ import annotations

import hashlib
from typing import Protocol

from lpg_ussd.application.ussd.engine import UssdReply, UssdRequest

MAX_SESSION_ID = 128


class MalformedRequest(ValueError):
    """The aggregator's request cannot be read: answered with HTTP 400."""


class UssdGateway(Protocol):
    name: str
    media_type: str

    def decode(self, body: bytes, content_type: str) -> UssdRequest: ...

    def encode(self, reply: UssdReply, request: UssdRequest | None) -> bytes: ...


def hop_key(*parts: str) -> str:
    """A short fingerprint of what identifies a hop, for replaying repeated copies."""
    joined = "\x1f".join(parts)
    if len(joined) <= 64:
        return joined
    return "#" + hashlib.sha256(joined.encode("utf-8", "replace")).hexdigest()


def require_session_id(value: object) -> str:
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > MAX_SESSION_ID or not text.isprintable():
        raise MalformedRequest("missing or invalid session id")
    return text
