"""Any body, posted to any aggregator's callback of the running app, gets a USSD answer in that
aggregator's format or a 400 (a 413 when over the body limit): never a 500, never a screen over
the gateway's limit or outside GSM-7, never the apology for an exception swallowed inside."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from tests.acceptance.harness import Harness
from tests.property.conftest import ErrorLog
from tests.property.strategies import (
    Numbers,
    hostile_text,
    huge_text,
    json_scalar,
    json_value,
)
from tests.property.wires import GATEWAYS, WIRES, phone_forms

numbers = Numbers("54")
MAX_BODY = 65_536

# What becomes of one field of a well-formed hop.
field_fate = st.one_of(
    st.just(("keep", None)),
    st.just(("keep", None)),
    st.just(("keep", None)),
    st.just(("plausible", None)),
    st.just(("plausible", None)),
    st.just(("drop", None)),
    st.tuples(st.just("set"), json_value),
    st.tuples(st.just("set"), json_scalar),
)


def post(line: Harness, path: str, body: bytes, content_type: str) -> Any:
    headers = {"content-type": content_type}
    return line.run(line.client.post(path, content=body, headers=headers))


def check(
    line: Harness,
    errors: ErrorLog,
    gateway: str,
    body: bytes,
    sent: dict[str, Any] | None,
    path: str = "",
) -> None:
    wire = WIRES[gateway]
    response = post(line, path or wire.path, body, wire.content_type)
    logged = errors.take()
    assert not logged, logged
    if currently_in_test_context():
        event(f"HTTP {response.status_code}")
    if response.status_code == 413:
        assert len(body) > MAX_BODY, "413 for a body within the limit"
        return
    assert response.status_code in (200, 400), f"HTTP {response.status_code}: {response.text}"
    if response.status_code == 200:
        wire.read(response, sent)


@pytest.mark.parametrize("gateway", GATEWAYS)
@given(body=st.binary(max_size=400) | st.builds(lambda v: json.dumps(v).encode(), json_value))
def test_any_body(line: Harness, errors: ErrorLog, gateway: str, body: bytes) -> None:
    check(line, errors, gateway, body, None)


@pytest.mark.parametrize("gateway", GATEWAYS)
@given(
    data=st.data(),
    first=st.booleans(),
    text=hostile_text,
    extra=st.dictionaries(st.text(max_size=10), json_value, max_size=2),
)
def test_any_field_values(
    line: Harness,
    errors: ErrorLog,
    gateway: str,
    data: st.DataObject,
    first: bool,
    text: str,
    extra: dict[str, Any],
) -> None:
    """A well-formed hop of a fresh session whose fields are kept, made plausible, dropped,
    or replaced by any JSON value (text, controls, emoji, huge numbers, lists, objects)."""
    wire = WIRES[gateway]
    number = numbers.next()
    phone = data.draw(st.sampled_from(phone_forms(number)), label="phone")
    fields = wire.fields(f"{gateway}-{uuid.uuid4().hex}", phone, first, text)
    for name in list(fields):
        fate, value = data.draw(field_fate, label=name)
        if fate == "plausible" and name in wire.plausible:
            fields[name] = data.draw(wire.plausible[name], label=name)
        elif fate == "drop":
            del fields[name]
        elif fate == "set":
            fields[name] = value
    path = data.draw(st.sampled_from(wire.paths), label="path")
    check(line, errors, gateway, wire.body({**fields, **extra}), fields, path)


@pytest.mark.parametrize("gateway", GATEWAYS)
@given(huge=huge_text, where=st.sampled_from(["input", "session", "extra"]))
def test_huge_values(line: Harness, errors: ErrorLog, gateway: str, huge: str, where: str) -> None:
    wire = WIRES[gateway]
    session_id = huge if where == "session" else f"{gateway}-{uuid.uuid4().hex}"
    fields = wire.fields(session_id, numbers.next(), False, huge if where == "input" else "1")
    if where == "extra":
        fields["padding"] = huge
    check(line, errors, gateway, wire.body(fields), fields)


@given(
    form=st.dictionaries(
        st.sampled_from(["sessionId", "phoneNumber", "status", "errorMessage", "cost", "input"]),
        hostile_text | st.sampled_from(["Success", "Incomplete", "Failed", "+233244000001"]),
    ),
    gateway=st.sampled_from([*GATEWAYS, "unknown"]),
)
def test_any_end_of_session_notice(
    line: Harness, errors: ErrorLog, form: dict[str, str], gateway: str
) -> None:
    """Africa's Talking's notices are counted (200) or refused (400); other gateways send
    none (404)."""
    body = WIRES["africastalking"].body(form)
    response = post(line, f"/ussd/{gateway}/events", body, "application/x-www-form-urlencoded")
    if response.status_code == 413:
        assert len(body) > MAX_BODY, "413 for a body within the limit"
        return
    assert response.status_code in (200, 400, 404), f"HTTP {response.status_code}"
    assert (response.status_code == 404) == (gateway != "africastalking"), response.text
    assert not errors.take()


@pytest.mark.parametrize("sequence", [2**63, 2**64, 2**70, -(2**63) - 1, -1])
def test_a_hubtel_sequence_no_session_record_can_hold(
    line: Harness, errors: ErrorLog, sequence: int
) -> None:
    """Found by test_any_field_values: such a `Sequence` was kept as the hop's number, the
    session record could not be encoded (msgpack), and the customer got the apology."""
    wire = WIRES["hubtel"]
    for first in (True, False):
        fields = wire.fields(f"hubtel-{uuid.uuid4().hex}", numbers.next(), first, "1")
        fields["Sequence"] = sequence
        check(line, errors, "hubtel", wire.body(fields), fields)
