"""Each gateway adapter alone: any body decodes to a sound hop or is refused as malformed;
any answer encodes to the gateway's format, continuing or ending as the dialogue said."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.adapters.ussd_gateways.africastalking import (
    AfricasTalkingGateway,
    decode_session_end,
    read_form,
)
from lpg_ussd.adapters.ussd_gateways.arkesel import ArkeselGateway
from lpg_ussd.adapters.ussd_gateways.base import MalformedRequest, UssdGateway
from lpg_ussd.adapters.ussd_gateways.hubtel import HubtelGateway
from lpg_ussd.adapters.ussd_gateways.nalo import NaloGateway
from lpg_ussd.application.ussd.engine import INPUT, RELEASE, TIMEOUT, UssdReply, UssdRequest
from lpg_ussd.application.ussd.session import CheckoutItem
from tests.property.strategies import KEEP, Edit, edit, hostile_text, json_value
from tests.property.wires import SERVICE_CODE, WIRES

ADAPTERS: dict[str, UssdGateway] = {
    "africastalking": AfricasTalkingGateway(160),
    "hubtel": HubtelGateway(160, SERVICE_CODE),
    "arkesel": ArkeselGateway(160, SERVICE_CODE),
    "nalo": NaloGateway(160, SERVICE_CODE),
}
NETWORKS = {None, "mtn", "telecel", "airteltigo"}


def fields_after(gateway: str, edits: list[Edit], extra: dict[str, Any]) -> dict[str, Any]:
    wire = WIRES[gateway]
    fields = wire.fields("S-1", "+233244000001", False, "1")
    for (name, value), (action, new) in zip(list(fields.items()), edits, strict=False):
        if action == KEEP:
            continue
        del fields[name]
        if action == "set":
            fields[name] = new if new is not None else value
    return {**fields, **extra}


bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda v: json.dumps(v).encode(), json_value),
)


def check_request(gateway: str, hop: UssdRequest) -> None:
    assert hop.gateway == gateway
    assert hop.session_id and len(hop.session_id) <= 128 and hop.session_id.isprintable()
    assert normalise_msisdn(hop.msisdn).e164 == hop.msisdn
    assert hop.network in NETWORKS
    assert hop.screen_limit <= WIRES[gateway].limit
    assert hop.event in (INPUT, RELEASE, TIMEOUT)
    assert isinstance(hop.text, str) and isinstance(hop.deep_dial, str)
    assert hop.hop_key is None or len(hop.hop_key) <= 65
    assert hop.sequence is None or -(2**63) <= hop.sequence < 2**63, "no session could keep it"
    if hop.new_session:
        assert hop.text == "" or hop.cumulative


def decode(gateway: str, body: bytes) -> None:
    try:
        hop = ADAPTERS[gateway].decode(body, WIRES[gateway].content_type)
    except MalformedRequest:
        return
    check_request(gateway, hop)


@pytest.mark.parametrize("gateway", list(ADAPTERS))
@given(body=bodies)
def test_any_bytes_decode_or_are_refused(gateway: str, body: bytes) -> None:
    decode(gateway, body)


@pytest.mark.parametrize("gateway", list(ADAPTERS))
@given(
    edits=st.lists(edit, max_size=9),
    extra=st.dictionaries(st.text(max_size=10), json_value, max_size=2),
    text=hostile_text,
)
def test_any_field_values_decode_or_are_refused(
    gateway: str, edits: list[Edit], extra: dict[str, Any], text: str
) -> None:
    fields = fields_after(gateway, edits, extra)
    for name in ("text", "Message", "userData", "USERDATA"):
        if fields.get(name) == "1":
            fields[name] = text
    decode(gateway, WIRES[gateway].body(fields))


replies = st.builds(
    UssdReply,
    text=hostile_text,
    end=st.booleans(),
    kind=st.sampled_from(["menu", "input", "display"]),
    screen=st.sampled_from(["", "main", "welcome", "reg_first"]),
    checkout=st.none()
    | st.builds(
        CheckoutItem,
        name=st.text(max_size=30),
        quantity=st.integers(1, 3),
        price_pesewas=st.integers(0, 10**9),
        reference=st.text(max_size=36),
    ),
)


@pytest.mark.parametrize("gateway", list(ADAPTERS))
@given(reply=replies, known=st.booleans())
def test_every_answer_continues_or_ends_in_the_gateways_format(
    gateway: str, reply: UssdReply, known: bool
) -> None:
    wire = WIRES[gateway]
    request = None
    if known:
        body = wire.body(wire.fields("S-1", "+233244000001", False, "1"))
        request = ADAPTERS[gateway].decode(body, wire.content_type)
    encoded = ADAPTERS[gateway].encode(reply, request)
    content_type = ADAPTERS[gateway].media_type
    if gateway == "hubtel" and reply.end and reply.checkout is not None:
        return  # a checkout hand-over: its own contract tests check it
    text, ended, _ = wire.answer_of(encoded, content_type)
    assert (text, ended) == (reply.text, reply.end)


@given(
    st.dictionaries(
        st.sampled_from(["sessionId", "phoneNumber", "status", "errorMessage", "cost", "x"]),
        hostile_text | st.sampled_from(["Success", "Incomplete", "Failed", "+233244000001"]),
    )
    | st.binary(max_size=200).map(lambda b: {"raw": b.decode("latin-1")})
)
def test_any_end_of_session_notice_decodes_or_is_refused(form: dict[str, str]) -> None:
    try:
        ended = decode_session_end(WIRES["africastalking"].body(form))
    except MalformedRequest:
        return
    assert ended.session_id and normalise_msisdn(ended.msisdn).e164 == ended.msisdn
    assert len(ended.error) <= 200 and ended.error.isprintable()


@given(
    body=st.text(alphabet=st.sampled_from("ab=&%+2AFzC3é* \x00"), max_size=40)
    | st.text(max_size=40)
)
def test_a_form_reads_as_the_standard_library_reads_it(body: str) -> None:
    """Africa's Talking forms: the adapter's own reader, field for field (last value kept)."""
    expected = {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}
    assert read_form(body.encode()) == expected
