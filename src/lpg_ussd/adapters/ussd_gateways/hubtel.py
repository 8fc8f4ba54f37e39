"""Hubtel Programmable Services: JSON in, JSON out; `Message` holds one screen's input.

A session starts with `Type` `initiation`, whose `Message` is the whole dialled string
(`*711*23*2#`: the digits beyond `ServiceCode` are a deep dial). `response` carries one
input; `release` (the customer ended it) and `timeout` (Hubtel stopped waiting for us) end
the session on Hubtel's side: the dialogue changes nothing and keeps it resumable, and
Hubtel ignores what we answer to them. `Sequence` numbers the hops of a session, so a
repeated copy of a hop is recognised and answered from the replay.

With Hubtel's checkout turned on, every hop offers it to the dialogue (`checkout`), and an
ending answer that carries a checkout item hands the customer to Hubtel to pay: on USSD a
`Release` with `Item` (`ItemName`, `Qty`, `Price` in cedis), on Hubtel's app and web
channels `AddToCart` with the same `Item`, as Hubtel's own SDK answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from lpg_ussd.adapters.ussd_gateways.base import MalformedRequest, hop_key, require_session_id
from lpg_ussd.adapters.ussd_gateways.wire import (
    EchoedRequest,
    Scalar,
    decode_object,
    deep_dial_of,
    echoed,
    network_of,
    phone_of,
    text_of,
    whole_number,
)
from lpg_ussd.application.ussd.engine import INPUT, RELEASE, TIMEOUT, UssdReply, UssdRequest
from lpg_ussd.application.ussd.session import CheckoutItem

SCREEN_LIMIT = 182  # what Hubtel's own mocker shows; longer messages are cut there
LABEL_LIMIT = 60
# `favorite` is Hubtel's initiation that skips steps with stored data: a plain start here.
STARTS = frozenset({"initiation", "favorite"})
EVENTS = {"response": INPUT, "release": RELEASE, "timeout": TIMEOUT}
# What Hubtel's SDK takes for a USSD hop when `Platform` does not say: a network operator.
USSD_OPERATORS = frozenset(
    {"mtn", "vodafone", "telecel", "tigo", "airtel", "airteltigo", "glo", "at"}
)


@dataclass(frozen=True, slots=True)
class HubtelRequest(EchoedRequest):
    """A Hubtel hop, and whether it came over USSD (else Hubtel's app, web or POS)."""

    ussd: bool = True


def _is_ussd(platform: Any, operator: Any) -> bool:
    """`Platform` `USSD`, or an operator that is a network; missing both, USSD (our channel)."""
    where = text_of(platform).strip().lower()
    if where:
        return where == "ussd"
    carrier = text_of(operator).strip().lower().removesuffix("-gh")
    return not carrier or carrier in USSD_OPERATORS


class HubtelHop(msgspec.Struct):
    """Hubtel's push request; every field optional here, checked in `decode`. What the
    dialogue cannot do without is a scalar (else 400); the rest may come in any shape."""

    session_id: Scalar = msgspec.field(default=None, name="SessionId")
    mobile: Scalar = msgspec.field(default=None, name="Mobile")
    service_code: Any = msgspec.field(default=None, name="ServiceCode")
    service_code_lower: Any = msgspec.field(default=None, name="serviceCode")
    type: Scalar = msgspec.field(default=None, name="Type")
    message: Scalar = msgspec.field(default=None, name="Message")
    operator: Any = msgspec.field(default=None, name="Operator")
    sequence: Any = msgspec.field(default=None, name="Sequence")
    client_state: Any = msgspec.field(default=None, name="ClientState")
    platform: Any = msgspec.field(default=None, name="Platform")


class HubtelGateway:
    name = "hubtel"
    media_type = "application/json"

    def __init__(
        self, screen_limit: int = 160, service_code: str = "", checkout: str | None = None
    ) -> None:
        self.screen_limit = min(screen_limit, SCREEN_LIMIT)
        self.service_code = service_code
        self.checkout = checkout  # the payment provider name of Hubtel's checkout, when on

    def decode(self, body: bytes, content_type: str) -> UssdRequest:
        hop = decode_object(body, HubtelHop, self.name)
        session_id = require_session_id(text_of(hop.session_id) or None)
        kind = text_of(hop.type).strip().lower()
        if kind not in STARTS and kind not in EVENTS:
            raise MalformedRequest(f"missing or unknown Type: {text_of(hop.type)[:20]!r}")
        msisdn = phone_of(hop.mobile, "Mobile")
        message = text_of(hop.message)
        new_session = kind in STARTS
        sequence = whole_number(hop.sequence)
        service_code = text_of(hop.service_code) or text_of(hop.service_code_lower)
        return HubtelRequest(
            gateway=self.name,
            session_id=session_id,
            msisdn=msisdn,
            text="" if new_session else message,
            new_session=new_session,
            service_code=service_code,
            hop_key=hop_key(session_id, str(sequence)) if sequence is not None else None,
            sequence=sequence,
            network=network_of(hop.operator),
            screen_limit=self.screen_limit,
            deep_dial=deep_dial_of(message, service_code, self.service_code) if new_session else "",
            event=EVENTS.get(kind, INPUT),
            checkout=self.checkout,
            echo=(("SessionId", hop.session_id),),
            ussd=_is_ussd(hop.platform, hop.operator),
        )

    def encode(self, reply: UssdReply, request: UssdRequest | None) -> bytes:
        label = reply.text.split("\n", 1)[0][:LABEL_LIMIT]
        answer = {
            **echoed(request, "SessionId"),
            "Type": "Release" if reply.end else "Response",
            "Message": reply.text,
            "Label": label,
            # A menu's options are in `Message`, typed as a number: an input field renders
            # it on every channel, where `menu` would want a `Data` list of items.
            "DataType": "display" if reply.end else "input",
            # `text`, not `number`: `00` (home) must reach us as typed.
            "FieldType": "text",
            "ClientState": "" if reply.end else reply.screen,
        }
        if reply.end and reply.checkout is not None:
            ussd = not isinstance(request, HubtelRequest) or request.ussd
            answer["Type"] = "Release" if ussd else "AddToCart"
            answer["Item"] = checkout_item(reply.checkout)
        return msgspec.json.encode(answer)


def checkout_item(item: CheckoutItem) -> dict[str, Any]:
    """Hubtel's `Item`: `Price` a number of cedis with two decimals at most.

    `ServiceData` (string pairs, which Hubtel's SDK always sends) carries our payment
    reference too, in case Hubtel passes it back in the fulfilment's `ExtraData`."""
    return {
        "ItemName": item.name,
        "Qty": item.quantity,
        "Price": round(item.price_pesewas / 100, 2),
        "ServiceData": {"PaymentReference": item.reference},
    }
