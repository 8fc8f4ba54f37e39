"""Reading the JSON aggregators defensively: loose scalars, networks, deep dials, phones.

Hubtel, Arkesel and Nalo post JSON whose details vary between their documents, SDKs and
live traffic (a number sent as a string, `Type` in any case, `null` where text was
expected). These helpers accept every such form and turn anything unreadable into
`MalformedRequest` (HTTP 400), never an exception that would become a 500.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.adapters.ussd_gateways.base import MalformedRequest, hop_key, require_session_id
from lpg_ussd.application.ussd.engine import UssdRequest
from lpg_ussd.domain.errors import InvalidValue

log = logging.getLogger("lpg_ussd.gateways")

# What a JSON field may hold where the aggregator means one value.
Scalar = str | int | float | bool | None
S = TypeVar("S", bound=msgspec.Struct)

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f", ""})

# Operator and network names as the aggregators spell them, to the three mobile-money
# networks. Vodafone Ghana became Telecel in 2024; AirtelTigo calls itself "AT".
NETWORKS = {
    "mtn": "mtn",
    "mtngh": "mtn",
    "mtnghana": "mtn",
    "vodafone": "telecel",
    "vodafonegh": "telecel",
    "voda": "telecel",
    "vod": "telecel",
    "telecel": "telecel",
    "telecelgh": "telecel",
    "tigo": "airteltigo",
    "tigogh": "airteltigo",
    "airtel": "airteltigo",
    "airtelgh": "airteltigo",
    "airteltigo": "airteltigo",
    "airteltigogh": "airteltigo",
    "at": "airteltigo",
    "atl": "airteltigo",
    "atgh": "airteltigo",
}


def decode_object(body: bytes, type_: type[S], gateway: str) -> S:
    """The body as the gateway's request struct, or MalformedRequest with a clear reason."""
    try:
        return msgspec.json.decode(body, type=type_)
    except msgspec.ValidationError as error:  # a DecodeError too: it must come first
        raise MalformedRequest(f"unexpected JSON for {gateway}: {error}") from error
    except msgspec.DecodeError as error:
        raise MalformedRequest(f"the body is not JSON ({gateway})") from error


def text_of(value: Any) -> str:
    """A scalar as text: `null` is empty, `12` is `"12"`, `true` is `"true"`; a list or an
    object (where no aggregator documents one) is empty too."""
    if value is None or isinstance(value, list | dict):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def flag(value: Scalar) -> bool | None:
    """A boolean however it is sent (`true`, `"TRUE"`, `1`, `"1"`); None when unclear."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    word = text_of(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    log.warning("unexpected boolean %r", value)
    return None


# A hop number is kept in the session record (msgpack): what it cannot hold is no number.
MAX_WHOLE = 2**63 - 1


def whole_number(value: Any) -> int | None:
    """A non-negative integer sent as a number or as digits, at most MAX_WHOLE; None when
    missing, negative, too large or not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if 0 <= value <= MAX_WHOLE:
            return value
        log.warning("unexpected number %r", value)
        return None
    if not isinstance(value, str | float):
        log.warning("unexpected number %r", value)
        return None
    text = text_of(value).strip()
    if text.isdigit() and len(text) <= 18:
        return int(text)
    log.warning("unexpected number %r", value)
    return None


def network_of(raw: Any) -> str | None:
    """`MTN`, `mtn-gh`, `Vodafone`, `AirtelTigo`, `tigo` ... -> mtn, telecel, airteltigo."""
    if not isinstance(raw, str):
        return None  # null, or a shape no aggregator documents: no network
    key = "".join(ch for ch in raw.lower() if ch.isalnum())
    if not key:
        return None
    network = NETWORKS.get(key)
    if network is None:
        log.info("unknown network %r", raw)
    return network


def phone_of(raw: Scalar, field: str) -> str:
    """The caller's number in E.164, or MalformedRequest naming the field."""
    try:
        return normalise_msisdn(text_of(raw)).e164
    except InvalidValue as error:
        raise MalformedRequest(f"missing or invalid {field}") from error


def _code_parts(code: str) -> list[str]:
    return [part for part in code.strip().strip("#").split("*") if part]


def looks_dialled(text: str) -> bool:
    """`*384*303*2#`: what a handset dials, as some gateways pass on the first hop."""
    stripped = text.strip()
    return len(stripped) >= 3 and stripped.startswith("*") and stripped.endswith("#")


def deep_dial_of(dialled: str, *service_codes: str) -> str:
    """The digits dialled beyond the service code: `*711*23*2#` after `*711*23#` is `2`.

    The first service code that the dialled string extends decides; when none does, there
    is no telling where the code ends, and there is no deep dial.
    """
    if not looks_dialled(dialled):
        return ""
    parts = _code_parts(dialled)
    for code in service_codes:
        base = _code_parts(code)
        if base and len(parts) > len(base) and parts[: len(base)] == base:
            return "*".join(parts[len(base) :])
        if base and parts == base:
            return ""
    return ""


@dataclass(frozen=True, slots=True)
class EchoedRequest(UssdRequest):
    """A hop whose answer must repeat some of its fields as they came (Arkesel's `userID`,
    Nalo's `USERID`): the dialogue sees a plain UssdRequest, the encoder finds them here."""

    echo: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class UnnumberedHop:
    """What a gateway that numbers no hops (Arkesel, Nalo) sends, its fields already picked."""

    gateway: str
    session_id: Scalar
    msisdn: Scalar
    msisdn_field: str
    new_session: Scalar
    user_data: Scalar
    network: Any
    echo: tuple[tuple[str, Any], ...]


def unnumbered_request(hop: UnnumberedHop, service_code: str, screen_limit: int) -> UssdRequest:
    """The neutral request of such a gateway: only a copy of the first hop can be recognised
    (and replayed); its first input may be the dialled string, carrying a deep dial."""
    session_id = require_session_id(text_of(hop.session_id) or None)
    new_session = flag(hop.new_session) is True
    user_data = text_of(hop.user_data)
    return EchoedRequest(
        gateway=hop.gateway,
        session_id=session_id,
        msisdn=phone_of(hop.msisdn, hop.msisdn_field),
        text="" if new_session else user_data,
        new_session=new_session,
        service_code=service_code,
        hop_key=hop_key(session_id, "new") if new_session else None,
        network=network_of(hop.network),
        screen_limit=screen_limit,
        deep_dial=deep_dial_of(user_data, service_code) if new_session else "",
        echo=hop.echo,
    )


def echoed(request: UssdRequest | None, *names: str) -> dict[str, Any]:
    """The fields to repeat, as they came (a number stays a number; missing ones empty)."""
    found = dict(request.echo) if isinstance(request, EchoedRequest) else {}
    return {name: "" if found.get(name) is None else found[name] for name in names}
