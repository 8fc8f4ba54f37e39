"""Nalo: JSON in, JSON out; `USERDATA` holds one screen's input, `MSG` at most 120 characters.

`MSGTYPE` means opposite things in the two directions: in a request `true` marks the first
hop of a session; in an answer `true` asks Nalo to keep the session open (`false` ends it).
The first hop's `USERDATA` is the dialled string (`*920*55*2#`), whose digits beyond the
configured service code are a deep dial. The answer echoes `USERID` (required) and
`MSISDN`. Nalo numbers no hops: only a repeated first hop is recognised.
"""

from __future__ import annotations

import logging
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

log = logging.getLogger("lpg_ussd.gateways")

SCREEN_LIMIT = 120
ECHO = ("USERID", "MSISDN")


class NaloHop(msgspec.Struct):
    """Nalo's request; every field optional here, checked in `decode`. What the
    dialogue cannot do without is a scalar (else 400); `USERID` and `NETWORK` may come
    in any shape."""

    user_id: Any = msgspec.field(default=None, name="USERID")
    msisdn: Scalar = msgspec.field(default=None, name="MSISDN")
    user_data: Scalar = msgspec.field(default=None, name="USERDATA")
    msg_type: Scalar = msgspec.field(default=None, name="MSGTYPE")
    network: Any = msgspec.field(default=None, name="NETWORK")
    session_id: Scalar = msgspec.field(default=None, name="SESSIONID")


class NaloGateway:
    name = "nalo"
    media_type = "application/json"

    def __init__(self, screen_limit: int = 120, service_code: str = "") -> None:
        self.screen_limit = min(screen_limit, SCREEN_LIMIT)
        self.service_code = service_code

    def decode(self, body: bytes, content_type: str) -> UssdRequest:
        hop = decode_object(body, NaloHop, self.name)
        picked = UnnumberedHop(
            gateway=self.name,
            session_id=hop.session_id,
            msisdn=hop.msisdn,
            msisdn_field="MSISDN",
            new_session=hop.msg_type,  # true on the first hop (and, answering, "continue")
            user_data=hop.user_data,
            network=hop.network,
            echo=(("USERID", hop.user_id), ("MSISDN", hop.msisdn)),
        )
        return unnumbered_request(picked, self.service_code, self.screen_limit)

    def encode(self, reply: UssdReply, request: UssdRequest | None) -> bytes:
        if len(reply.text) > SCREEN_LIMIT:
            # The dialogue pages to the request's limit; this would be a bug, not a cut.
            log.warning("answer over Nalo's %d characters: %d", SCREEN_LIMIT, len(reply.text))
        answer = {
            **echoed(request, *ECHO),
            "MSG": reply.text,
            "MSGTYPE": not reply.end,
        }
        return msgspec.json.encode(answer)
