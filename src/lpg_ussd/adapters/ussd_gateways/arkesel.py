"""Arkesel: JSON in, JSON out; `userData` holds one screen's input.

`newSession: true` opens a session (its `userData` may be `null`, or the dialled string
such as `*384*303*2#`, whose digits beyond the configured service code are a deep dial).
The answer always echoes `sessionID`, `userID` and `msisdn` as they came, with `message`
and `continueSession`. Arkesel numbers no hops: only a repeated first hop is recognised.
"""

from __future__ import annotations

from typing import Any

import msgspec

from lpg_ussd.adapters.ussd_gateways.base import hop_key, require_session_id
from lpg_ussd.adapters.ussd_gateways.wire import (
    EchoedRequest,
    Scalar,
    decode_object,
    deep_dial_of,
    echoed,
    flag,
    network_of,
    phone_of,
    text_of,
)
from lpg_ussd.application.ussd.engine import UssdReply, UssdRequest

SCREEN_LIMIT = 160
ECHO = ("sessionID", "userID", "msisdn")


class ArkeselHop(msgspec.Struct):
    """Arkesel's request; every field optional here, checked in `decode`. What the dialogue
    cannot do without is a scalar (else 400); `userID` and `network` may come in any shape."""

    session_id: Scalar = msgspec.field(default=None, name="sessionID")
    user_id: Any = msgspec.field(default=None, name="userID")
    new_session: Scalar = msgspec.field(default=None, name="newSession")
    msisdn: Scalar = msgspec.field(default=None, name="msisdn")
    user_data: Scalar = msgspec.field(default=None, name="userData")
    network: Any = msgspec.field(default=None, name="network")


class ArkeselGateway:
    name = "arkesel"
    media_type = "application/json"

    def __init__(self, screen_limit: int = 160, service_code: str = "") -> None:
        self.screen_limit = min(screen_limit, SCREEN_LIMIT)
        self.service_code = service_code

    def decode(self, body: bytes, content_type: str) -> UssdRequest:
        hop = decode_object(body, ArkeselHop, self.name)
        session_id = require_session_id(text_of(hop.session_id) or None)
        msisdn = phone_of(hop.msisdn, "msisdn")
        new_session = flag(hop.new_session) is True
        user_data = text_of(hop.user_data)
        return EchoedRequest(
            gateway=self.name,
            session_id=session_id,
            msisdn=msisdn,
            text="" if new_session else user_data,
            new_session=new_session,
            service_code=self.service_code,
            # Only the first hop is told apart from the others: a copy of it is replayed.
            hop_key=hop_key(session_id, "new") if new_session else None,
            network=network_of(hop.network),
            screen_limit=self.screen_limit,
            deep_dial=deep_dial_of(user_data, self.service_code) if new_session else "",
            echo=(("sessionID", hop.session_id), ("userID", hop.user_id), ("msisdn", hop.msisdn)),
        )

    def encode(self, reply: UssdReply, request: UssdRequest | None) -> bytes:
        answer = {
            **echoed(request, *ECHO),
            "message": reply.text,
            "continueSession": not reply.end,
        }
        return msgspec.json.encode(answer)
