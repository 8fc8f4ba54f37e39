"""Africa's Talking: form POST in, `CON `/`END ` text out; `text` accumulates every input."""

from __future__ import annotations

from urllib.parse import parse_qs

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.adapters.ussd_gateways.base import MalformedRequest, hop_key, require_session_id
from lpg_ussd.application.ussd.engine import UssdReply, UssdRequest
from lpg_ussd.domain.errors import InvalidValue

SCREEN_LIMIT = 182


class AfricasTalkingGateway:
    name = "africastalking"
    media_type = "text/plain"

    def __init__(self, screen_limit: int = 160) -> None:
        self.screen_limit = min(screen_limit, SCREEN_LIMIT)

    def decode(self, body: bytes, content_type: str) -> UssdRequest:
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except (UnicodeDecodeError, ValueError) as error:
            raise MalformedRequest("the body is not a form") from error
        form = {key: values[-1] for key, values in fields.items()}
        session_id = require_session_id(form.get("sessionId"))
        try:
            msisdn = normalise_msisdn(form.get("phoneNumber", ""))
        except InvalidValue as error:
            raise MalformedRequest("missing or invalid phoneNumber") from error
        text = form.get("text", "")
        return UssdRequest(
            gateway=self.name,
            session_id=session_id,
            msisdn=msisdn.e164,
            text=text,
            new_session=text == "",
            service_code=form.get("serviceCode", ""),
            cumulative=True,
            hop_key=hop_key(text),
            network=form.get("networkCode") or None,
            screen_limit=self.screen_limit,
        )

    def encode(self, reply: UssdReply, request: UssdRequest | None) -> bytes:
        prefix = "END " if reply.end else "CON "
        return (prefix + reply.text).encode("utf-8")
