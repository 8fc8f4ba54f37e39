"""Africa's Talking: form POST in, `CON `/`END ` text out; `text` accumulates every input.

Also its end-of-session notice, a form posted to a second URL when a session is over.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.adapters.ussd_gateways.base import MalformedRequest, hop_key, require_session_id
from lpg_ussd.application.ports import SessionStatus
from lpg_ussd.application.session_outcomes import SessionEnded
from lpg_ussd.application.ussd.engine import UssdReply, UssdRequest
from lpg_ussd.domain.errors import InvalidValue
from lpg_ussd.domain.msisdn import Msisdn

SCREEN_LIMIT = 182
# `networkCode` is the MCC (620: Ghana) and MNC of the caller's network.
NETWORKS = {"62001": "mtn", "62002": "telecel", "62003": "airteltigo", "62006": "airteltigo"}


def network_of(code: str) -> str | None:
    """`62001` -> `mtn`; codes of other networks or countries -> None."""
    return NETWORKS.get(code.strip())


class AfricasTalkingGateway:
    name = "africastalking"
    media_type = "text/plain"

    def __init__(self, screen_limit: int = 160) -> None:
        self.screen_limit = min(screen_limit, SCREEN_LIMIT)

    def decode(self, body: bytes, content_type: str) -> UssdRequest:
        form = read_form(body)
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
            network=network_of(form.get("networkCode", "")),
            screen_limit=self.screen_limit,
        )

    def encode(self, reply: UssdReply, request: UssdRequest | None) -> bytes:
        prefix = "END " if reply.end else "CON "
        return (prefix + reply.text).encode("utf-8")


# The end-of-session notice's `status`: Success, Incomplete (a timeout or a cancel), Failed.
STATUSES = {status.value: status for status in SessionStatus}
MAX_ERROR = 200


def decode_session_end(body: bytes, content_type: str = "") -> SessionEnded:
    """The end-of-session notice: `sessionId`, `phoneNumber` and `status` are needed; the rest
    (`date`, `cost`, `durationInMillis`, `hopsCount`, `input`, `lastAppResponse`, ...) is not."""
    form = read_form(body)
    session_id = require_session_id(form.get("sessionId"))
    msisdn = _msisdn(form)
    status = STATUSES.get(form.get("status", "").strip().lower())
    if status is None:
        raise MalformedRequest("missing or unknown status (Success, Incomplete or Failed)")
    error = "".join(ch for ch in form.get("errorMessage", "") if ch.isprintable())
    return SessionEnded("africastalking", session_id, msisdn.e164, status, error[:MAX_ERROR])


def read_form(body: bytes) -> dict[str, str]:
    """A form body, each field's last value kept. As `parse_qs` reads it (blank values kept,
    `+` a space, bad escapes replaced), but a field needs unquoting only when it has a `%`
    or a `+`: most of a hop's fields have neither (this runs on every hop)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedRequest("the body is not a form") from error
    form: dict[str, str] = {}
    for pair in text.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        form[_unquoted(key)] = _unquoted(value)
    return form


def _unquoted(part: str) -> str:
    return unquote_plus(part) if "%" in part or "+" in part else part


def _msisdn(form: dict[str, str]) -> Msisdn:
    try:
        return normalise_msisdn(form.get("phoneNumber", ""))
    except InvalidValue as error:
        raise MalformedRequest("missing or invalid phoneNumber") from error
