"""Arkesel: JSON in, JSON out; `userData` holds one screen's input.

`newSession: true` opens a session (its `userData` may be `null`, or the dialled string
such as `*384*303*2#`, whose digits beyond the configured service code are a deep dial).
The answer always echoes `sessionID`, `userID` and `msisdn` as they came, with `message`
and `continueSession`. Arkesel numbers no hops: only a repeated first hop is recognised.
"""

from __future__ import annotations

from typing import Any

import msgspec

from lpg_ussd.adapters.ussd_gateways.wire import (
    Scalar,
    UnnumberedHop,
    decode_object,
    echoed,
    unnumbered_request,
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
        picked = UnnumberedHop(
            gateway=self.name,
            session_id=hop.session_id,
            msisdn=hop.msisdn,
            msisdn_field="msisdn",
            new_session=hop.new_session,
            user_data=hop.user_data,
            network=hop.network,
            echo=(("sessionID", hop.session_id), ("userID", hop.user_id), ("msisdn", hop.msisdn)),
        )
        return unnumbered_request(picked, self.service_code, self.screen_limit)

    def encode(self, reply: UssdReply, request: UssdRequest | None) -> bytes:
        answer = {
            **echoed(request, *ECHO),
            "message": reply.text,
            "continueSession": not reply.end,
        }
        return msgspec.json.encode(answer)
