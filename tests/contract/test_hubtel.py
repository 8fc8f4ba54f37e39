"""Hubtel Programmable Services over HTTP: the payloads of gateways.md, the variants Hubtel's
documents and SDKs show (any case of `Type`, `Sequence` as a string, missing fields), and
bodies that cannot be read. Every hop gets a well-formed JSON answer or a clear 400; never a
500. `release` and `timeout` change nothing, and a repeated `Sequence` is answered once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lpg_ussd.adapters.ussd_gateways.hubtel import HubtelGateway
from lpg_ussd.application.ussd.engine import UssdReply, UssdRequest
from tests.acceptance.handsets import Handset
from tests.acceptance.harness import Harness
from tests.contract.gateway_checks import (
    FIRST_NAME,
    NO_ORDERS,
    NOT_AN_OBJECT,
    NUMBER,
    TEXTS,
    WELCOME,
    answer,
    customers,
    order_count,
    payment_requests,
    post,
    random_bodies,
    refused,
    registered,
    session,
)

GATEWAY = "hubtel"
LIMIT = 160  # the line's default setting; Hubtel itself shows up to 182
HUBTEL_DATA_TYPES = {"menu", "select", "display", "input", "confirm"}


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.close()


def payload(
    type_: Any = "initiation",
    message: Any = "*384*303#",
    sequence: Any = 1,
    session_id: Any = "3c3b7e2a5f0d4c1e9a8b",
    **fields: Any,
) -> dict[str, Any]:
    """A request as gateways.md describes it; `fields` add, replace or (as ...) remove."""
    body = {
        "SessionId": session_id,
        "Mobile": "233244000001",
        "ServiceCode": "*384*303#",
        "Type": type_,
        "Message": message,
        "Operator": "mtn",
        "ClientState": "",
        "Sequence": sequence,
        "Platform": "USSD",
    }
    body.update(fields)
    return {name: value for name, value in body.items() if value is not ...}


def hop(line: Harness, **fields: Any) -> dict[str, Any]:
    return answer(post(line, GATEWAY, payload(**fields)), "Message", LIMIT)


def decode(**fields: Any) -> UssdRequest:
    return HubtelGateway(160, "*384*303#").decode(json.dumps(payload(**fields)).encode(), "")


# -- the sample payloads ------------------------------------------------------------------


def test_the_sample_initiation_opens_the_welcome_screen(line: Harness) -> None:
    body = hop(line)

    assert body == {
        "SessionId": "3c3b7e2a5f0d4c1e9a8b",
        "Type": "Response",
        "Message": WELCOME,
        "Label": "Welcome to Demo Gas",
        "DataType": "input",
        "FieldType": "text",
        "ClientState": "welcome",
    }
    record = session(line)
    assert record is not None and record.gateway == "hubtel" and record.network == "mtn"


def test_a_response_carries_this_screens_input_only(line: Harness) -> None:
    hop(line)
    body = hop(line, type_="response", message="1", sequence=2)

    assert body["Type"] == "Response"
    assert body["Message"] == FIRST_NAME
    assert body["ClientState"] == "reg_first"
    assert body["DataType"] == "input"
    assert body["Label"] == FIRST_NAME
    body = hop(line, type_="response", message="Ama", sequence=3)
    assert body["Message"] == TEXTS("register.last_name")


def test_an_ending_answer_is_a_release_to_display(line: Harness) -> None:
    hop(line)
    hop(line, type_="response", message="2", sequence=2)

    body = hop(line, type_="response", message="3", sequence=3)

    assert body["Type"] == "Release"
    assert body["DataType"] == "display"
    assert body["Message"].startswith("Demo Gas\nCare: 0302 000 000")
    assert body["Label"] == "Demo Gas"
    assert body["ClientState"] == ""
    assert body["DataType"] in HUBTEL_DATA_TYPES


def test_the_session_id_is_echoed_as_it_came(line: Harness) -> None:
    body = hop(line, session_id=987654321)

    assert body["SessionId"] == 987654321


# -- odd casing, strings for numbers, missing and null fields ----------------------------


@pytest.mark.parametrize("start", ["initiation", "Initiation", "INITIATION", " initiation "])
@pytest.mark.parametrize("then", ["response", "Response", "RESPONSE"])
def test_type_is_read_in_any_case(line: Harness, start: str, then: str) -> None:
    assert hop(line, type_=start)["Message"] == WELCOME
    assert hop(line, type_=then, message="1", sequence=2)["Message"] == FIRST_NAME


@pytest.mark.parametrize(("first", "second"), [(1, 2), ("1", "2"), (1, "2"), (" 1", "2 ")])
def test_sequence_as_a_number_or_a_string(line: Harness, first: Any, second: Any) -> None:
    hop(line, sequence=first)

    assert hop(line, type_="response", message="1", sequence=second)["Message"] == FIRST_NAME


@pytest.mark.parametrize("sequence", [..., None, "", "abc", "1.5", True, [1], {"n": 1}])
def test_a_missing_or_odd_sequence_still_works(line: Harness, sequence: Any) -> None:
    assert hop(line, sequence=sequence)["Message"] == WELCOME
    assert hop(line, type_="response", message="1", sequence=sequence)["Message"] == FIRST_NAME


def test_only_the_fields_that_matter(line: Harness) -> None:
    minimal = {"SessionId": "s-min", "Mobile": "233244000001", "Type": "initiation"}

    assert answer(post(line, GATEWAY, minimal), "Message", LIMIT)["Message"] == WELCOME
    later = {**minimal, "Type": "response", "Message": "1"}
    assert answer(post(line, GATEWAY, later), "Message", LIMIT)["Message"] == FIRST_NAME


def test_null_optional_fields(line: Harness) -> None:
    nulls = {"Message": None, "Operator": None, "ClientState": None, "Sequence": None}

    assert hop(line, ServiceCode=None, Platform=None, **nulls)["Message"] == WELCOME
    assert hop(line, type_="response", message="1", sequence=None)["Message"] == FIRST_NAME


def test_unknown_fields_are_ignored(line: Harness) -> None:
    body = hop(line, ExtraData={"a": 1}, Favorite=True, Channel="ussd")

    assert body["Message"] == WELCOME


def test_client_state_of_any_shape_is_accepted_and_not_trusted(line: Harness) -> None:
    hop(line)

    body = hop(line, type_="response", message="1", sequence=2, ClientState={"screen": "main"})

    assert body["Message"] == FIRST_NAME


@pytest.mark.parametrize(
    "mobile", ["233244000001", "0244000001", "+233244000001", "+233 24-400-0001", 233244000001]
)
def test_the_mobile_number_in_any_usual_form_is_kept_in_e164(line: Harness, mobile: Any) -> None:
    hop(line, Mobile=mobile)

    assert session(line, NUMBER) is not None


# -- the network, the deep dial, the hop key and the events, as decoded -----------------


@pytest.mark.parametrize(
    ("operator", "network"),
    [
        ("mtn", "mtn"),
        ("MTN", "mtn"),
        ("mtn-gh", "mtn"),
        ("vodafone", "telecel"),
        ("Vodafone", "telecel"),
        ("vodafone-gh", "telecel"),
        ("telecel", "telecel"),
        ("tigo", "airteltigo"),
        ("airtel", "airteltigo"),
        ("airteltigo", "airteltigo"),
        ("AirtelTigo", "airteltigo"),
        ("tigo-gh", "airteltigo"),
        ("Hubtel-Android", None),
        ("glo", None),
        ("", None),
        (None, None),
        (..., None),
    ],
)
def test_the_operator_becomes_the_customers_network(operator: Any, network: str | None) -> None:
    assert decode(Operator=operator).network == network


@pytest.mark.parametrize(
    ("message", "service_code", "deep"),
    [
        ("*384*303*2#", "*384*303#", "2"),
        ("*384*303#", "*384*303#", ""),
        ("*711*23*2#", "*711*23#", "2"),  # Hubtel's own code: its ServiceCode decides
        ("*711*23#", "*711*23#", ""),
        ("*384*303*2#", "384*303", "2"),
        ("*384*303*2#", ..., "2"),  # no ServiceCode: the line's own code decides
        ("*384*303*2#", "b230733cd56b4a0fad820e39f66bc27c", "2"),  # an app's service id
        ("*384*303*1*2#", "*384*303#", "1*2"),
        ("*999*2#", "*384*303#", ""),
        ("", "*384*303#", ""),
        (None, "*384*303#", ""),
        ("2", "*384*303#", ""),
    ],
)
def test_the_digits_beyond_the_service_code_are_a_deep_dial(
    message: Any, service_code: Any, deep: str
) -> None:
    request = decode(message=message, ServiceCode=service_code)

    assert request.deep_dial == deep
    assert request.new_session
    assert request.text == ""


def test_a_response_carries_no_deep_dial() -> None:
    request = decode(type_="response", message="*384*303*2#", sequence=2)

    assert request.deep_dial == ""
    assert request.text == "*384*303*2#"


@pytest.mark.parametrize(
    ("type_", "event"),
    [("release", "release"), ("Release", "release"), ("TIMEOUT", "timeout"), ("response", "input")],
)
def test_release_and_timeout_are_events(type_: str, event: str) -> None:
    assert decode(type_=type_, message="", sequence=4).event == event


def test_the_hop_key_is_the_session_and_its_sequence() -> None:
    assert decode(sequence=3).hop_key == decode(sequence="3").hop_key
    assert decode(sequence=3).hop_key != decode(sequence=4).hop_key
    assert decode(sequence=3).hop_key != decode(sequence=3, session_id="other").hop_key
    assert decode(sequence=...).hop_key is None


def test_the_screen_limit_is_the_settings_up_to_hubtels_182() -> None:
    assert HubtelGateway(160).screen_limit == 160
    assert HubtelGateway(100).screen_limit == 100
    assert HubtelGateway(182).screen_limit == 182
    assert HubtelGateway(200).screen_limit == 182
    assert decode().screen_limit == 160


def test_the_line_registers_hubtel_with_its_settings(line: Harness) -> None:
    gateway = line.container.ussd_gateways()["hubtel"]

    assert isinstance(gateway, HubtelGateway)
    assert gateway.screen_limit == line.settings.screen_limit
    assert gateway.service_code == line.settings.service_code


def test_an_answer_without_its_request_is_still_valid_json() -> None:
    body = json.loads(HubtelGateway().encode(UssdReply("Bye", end=True), None))

    assert body["Type"] == "Release" and body["Message"] == "Bye" and body["SessionId"] == ""


# -- bodies that cannot be read: a clear 400 that touches nothing ------------------------


@pytest.mark.parametrize("body", NOT_AN_OBJECT)
def test_a_body_that_is_not_a_json_object_is_refused(line: Harness, body: bytes) -> None:
    refused(post(line, GATEWAY, body))
    assert session(line) is None


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        pytest.param({"SessionId": ...}, "session id", id="no SessionId"),
        pytest.param({"SessionId": ""}, "session id", id="blank SessionId"),
        pytest.param({"SessionId": None}, "session id", id="null SessionId"),
        pytest.param({"SessionId": "x" * 129}, "session id", id="huge SessionId"),
        pytest.param({"SessionId": "a\x00b"}, "session id", id="control SessionId"),
        pytest.param({"SessionId": {"id": 1}}, "SessionId", id="object SessionId"),
        pytest.param({"Mobile": ...}, "Mobile", id="no Mobile"),
        pytest.param({"Mobile": "12"}, "Mobile", id="short Mobile"),
        pytest.param({"Mobile": "+999123456789"}, "Mobile", id="foreign nonsense Mobile"),
        pytest.param({"Mobile": ["233244000001"]}, "Mobile", id="list Mobile"),
        pytest.param({"Type": ...}, "Type", id="no Type"),
        pytest.param({"Type": ""}, "Type", id="blank Type"),
        pytest.param({"Type": "begin"}, "Type", id="unknown Type"),
        pytest.param({"Type": "AddToCart"}, "Type", id="checkout Type"),
        pytest.param({"Message": ["1"]}, "Message", id="list Message"),
        pytest.param({"Type": {"t": "initiation"}}, "Type", id="object Type"),
    ],
)
def test_a_request_missing_what_matters_is_refused(
    line: Harness, fields: dict[str, Any], reason: str
) -> None:
    refused(post(line, GATEWAY, payload(**fields)), reason)
    assert session(line) is None
    assert customers(line) == []


def test_no_body_whatever_its_bytes_gives_a_server_error(line: Harness) -> None:
    for body in random_bodies(payload(), count=80, seed=711):
        response = post(line, GATEWAY, body)

        assert response.status_code in (200, 400), (body, response.status_code, response.text)
        if response.status_code == 200:
            answer(response, "Message", LIMIT)


# -- release and timeout: nothing changes, the session stays resumable --------------------


@pytest.mark.parametrize("event", ["release", "timeout", "Release", "TIMEOUT"])
def test_release_or_timeout_changes_nothing_and_a_later_dial_offers_resume(
    line: Harness, event: str
) -> None:
    hop(line)
    hop(line, type_="response", message="1", sequence=2)
    hop(line, type_="response", message="Ama", sequence=3)
    before = session(line)

    body = hop(line, type_=event, message="", sequence=4)

    assert body["Type"] == "Release"
    assert session(line) == before
    resumed = hop(line, session_id="next-dial")
    assert resumed["Message"].splitlines() == [
        "You were in the middle of registration.",
        "1. Continue",
        "2. Start over",
    ]
    body = hop(line, session_id="next-dial", type_="response", message="1", sequence=2)
    assert body["Message"] == TEXTS("register.last_name")


def test_release_of_a_session_the_line_never_saw_is_answered(line: Harness) -> None:
    body = hop(line, type_="release", message="", sequence=3)

    assert body["Type"] == "Release"
    assert session(line) is None


def test_timeout_after_a_payment_charges_nothing_twice(line: Harness) -> None:
    registered(line, GATEWAY)
    hop(line, session_id="pay")
    for sequence, entry in enumerate(["1", "1", "1", "1", "1"], start=2):
        body = hop(line, session_id="pay", type_="response", message=entry, sequence=sequence)
    assert body["Type"] == "Release" and "Approve the GHS 142.00 prompt" in body["Message"]

    hop(line, session_id="pay", type_="timeout", message="", sequence=7)
    hop(line, session_id="pay", type_="release", message="", sequence=8)

    assert payment_requests(line) == 1
    assert order_count(line) == 1


# -- a repeated Sequence is answered from the replay ------------------------------------


def test_a_repeated_sequence_gets_the_same_answer_and_places_one_order(line: Harness) -> None:
    registered(line, GATEWAY)
    hop(line, session_id="cod")
    for sequence, entry in enumerate(["1", "1", "1", "1"], start=2):
        hop(line, session_id="cod", type_="response", message=entry, sequence=sequence)

    first = hop(line, session_id="cod", type_="response", message="5", sequence=6)
    again = hop(line, session_id="cod", type_="response", message="5", sequence="6")

    assert again == first
    assert first["Type"] == "Release" and "placed" in first["Message"]
    assert order_count(line) == 1
    on_delivery = [t for t in line.sms_to(NUMBER) if "on delivery" in t]
    assert len(on_delivery) == 1, on_delivery


def test_a_repeated_sequence_mid_journey_changes_nothing(line: Harness) -> None:
    hop(line)
    hop(line, type_="response", message="1", sequence=2)
    first = hop(line, type_="response", message="Ama", sequence=3)
    record = session(line)

    again = hop(line, type_="response", message="Ama", sequence=3)

    assert again == first
    assert session(line) == record


def test_a_late_copy_of_an_older_sequence_changes_nothing(line: Harness) -> None:
    hop(line)
    hop(line, type_="response", message="1", sequence=2)
    latest = hop(line, type_="response", message="Ama", sequence=3)
    record = session(line)

    late = hop(line, type_="response", message="1", sequence=2)

    assert late == latest
    assert session(line) == record


def test_the_same_answer_with_a_new_sequence_is_a_new_hop(line: Harness) -> None:
    hop(line)
    hop(line, type_="response", message="1", sequence=2)

    body = hop(line, type_="response", message="1", sequence=3)  # "1" as a first name

    assert body["Message"] == TEXTS("reason.name_length") + "\n" + FIRST_NAME


# -- whole journeys over HTTP ---------------------------------------------------------------


def test_a_full_registration_through_hubtel(line: Harness) -> None:
    phone = Handset(line, "0244000001", gateway=GATEWAY)

    assert phone.dial() == WELCOME
    for entry in ("1", "Ama", "Mensah", "Accra", "ga 183 8164", "4826", "4826"):
        phone.enter(entry)
    assert phone.screen == "Ama Mensah, Accra, GA-183-8164\n1. Confirm\n2. Start again"
    phone.enter("1")

    assert phone.ended and "will be verified" in phone.screen
    [customer] = customers(line)
    assert (customer.first_name, customer.last_name, str(customer.msisdn)) == (
        "Ama",
        "Mensah",
        NUMBER,
    )
    assert any("registration was received" in text for text in line.sms_to(NUMBER))


def test_a_deep_dial_opens_order_status_for_a_verified_customer(line: Harness) -> None:
    registered(line, GATEWAY)

    body = hop(line, session_id="deep", message="*384*303*2#")

    assert body["Message"].startswith(NO_ORDERS)
    assert body["ClientState"] == "orders"


def test_an_unknown_deep_dial_falls_back_to_the_main_menu(line: Harness) -> None:
    registered(line, GATEWAY)

    body = hop(line, session_id="deep", message="*384*303*8#")

    assert body["Message"].startswith("Hi Ama\n1. Make deposit")


def test_the_payment_menu_marks_the_operators_network(line: Harness) -> None:
    registered(line, GATEWAY)
    hop(line, session_id="pay", Operator="vodafone")
    for sequence, entry in enumerate(["1", "1", "1", "1"], start=2):
        # Later hops without an operator: the first hop's is kept.
        body = hop(
            line, session_id="pay", type_="response", message=entry, sequence=sequence, Operator=...
        )

    assert "1. MTN MoMo\n2. Telecel Cash (yours)\n3. AirtelTigo Money" in body["Message"]
