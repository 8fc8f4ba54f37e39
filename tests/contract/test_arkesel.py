"""Arkesel over HTTP: the payload of gateways.md, the variants a JSON aggregator sends (a
boolean or a number as a string, `null` userData at the start, missing fields, any case of
the network), and bodies that cannot be read. Every hop gets a JSON answer echoing
`sessionID`, `userID` and `msisdn`, or a clear 400; never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lpg_ussd.adapters.ussd_gateways.arkesel import ArkeselGateway
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
    post,
    random_bodies,
    refused,
    registered,
    session,
)

GATEWAY = "arkesel"
LIMIT = 160


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.close()


def payload(
    new: Any = True, data: Any = None, session_id: Any = "ark-7f3a91", **fields: Any
) -> dict[str, Any]:
    """A request as gateways.md describes it; `fields` add, replace or (as ...) remove."""
    body = {
        "sessionID": session_id,
        "userID": "ARK-USER-1",
        "newSession": new,
        "msisdn": "233244000001",
        "userData": data,
        "network": "MTN",
    }
    body.update(fields)
    return {name: value for name, value in body.items() if value is not ...}


def hop(line: Harness, **fields: Any) -> dict[str, Any]:
    return answer(post(line, GATEWAY, payload(**fields)), "message", LIMIT)


def decode(**fields: Any) -> UssdRequest:
    return ArkeselGateway(160, "*384*303#").decode(json.dumps(payload(**fields)).encode(), "")


# -- the sample payload -------------------------------------------------------------------


def test_the_sample_first_hop_opens_the_welcome_screen(line: Harness) -> None:
    body = hop(line)

    assert body == {
        "sessionID": "ark-7f3a91",
        "userID": "ARK-USER-1",
        "msisdn": "233244000001",
        "message": WELCOME,
        "continueSession": True,
    }
    record = session(line)
    assert record is not None and record.gateway == "arkesel" and record.network == "mtn"


def test_later_hops_carry_this_screens_input(line: Harness) -> None:
    hop(line)

    body = hop(line, new=False, data="1")

    assert body["message"] == FIRST_NAME and body["continueSession"] is True
    assert hop(line, new=False, data="Ama")["message"] == TEXTS("register.last_name")


def test_an_ending_answer_stops_the_session(line: Harness) -> None:
    hop(line)
    hop(line, new=False, data="2")

    body = hop(line, new=False, data="3")

    assert body["continueSession"] is False
    assert body["message"].startswith("Demo Gas\nCare: 0302 000 000")
    assert (body["sessionID"], body["userID"], body["msisdn"]) == (
        "ark-7f3a91",
        "ARK-USER-1",
        "233244000001",
    )


def test_the_echoed_fields_come_back_as_they_came(line: Harness) -> None:
    body = hop(line, session_id=551234, userID=42, msisdn=233244000001)

    assert (body["sessionID"], body["userID"], body["msisdn"]) == (551234, 42, 233244000001)


def test_a_missing_user_id_is_echoed_empty(line: Harness) -> None:
    body = hop(line, userID=...)

    assert body["userID"] == "" and body["message"] == WELCOME


# -- odd forms, missing and null fields ----------------------------------------------------


@pytest.mark.parametrize("new", [True, "true", "TRUE", "True", 1, "1", "yes"])
@pytest.mark.parametrize("later", [False, "false", "FALSE", 0, "0", "", None, ...])
def test_new_session_in_any_form(line: Harness, new: Any, later: Any) -> None:
    assert hop(line, new=new)["message"] == WELCOME
    assert hop(line, new=later, data="1")["message"] == FIRST_NAME


@pytest.mark.parametrize("start", [None, ..., "", "*384*303#", " *384*303# "])
def test_the_first_hops_user_data_may_be_null_missing_or_the_dialled_code(
    line: Harness, start: Any
) -> None:
    assert hop(line, data=start)["message"] == WELCOME


@pytest.mark.parametrize(("data", "expected"), [(1, FIRST_NAME), (2, "Customer care")])
def test_a_number_where_text_is_expected(line: Harness, data: Any, expected: str) -> None:
    hop(line)

    assert hop(line, new=False, data=data)["message"].startswith(expected)


def test_a_null_answer_is_an_empty_answer(line: Harness) -> None:
    hop(line)
    hop(line, new=False, data="1")

    body = hop(line, new=False, data=None)

    assert body["message"] == TEXTS("reason.name_length") + "\n" + FIRST_NAME


def test_only_the_fields_that_matter(line: Harness) -> None:
    minimal = {"sessionID": "ark-min", "msisdn": "0244000001", "newSession": True}

    assert answer(post(line, GATEWAY, minimal), "message", LIMIT)["message"] == WELCOME
    later = {"sessionID": "ark-min", "msisdn": "0244000001", "userData": "1"}
    assert answer(post(line, GATEWAY, later), "message", LIMIT)["message"] == FIRST_NAME


def test_unknown_fields_are_ignored(line: Harness) -> None:
    assert hop(line, serviceCode="*384*303#", operator={"x": 1})["message"] == WELCOME


@pytest.mark.parametrize(
    "msisdn", ["233244000001", "0244000001", "+233244000001", "233 24 400 0001", 233244000001]
)
def test_the_number_in_any_usual_form_is_kept_in_e164(line: Harness, msisdn: Any) -> None:
    hop(line, msisdn=msisdn)

    assert session(line, NUMBER) is not None


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        ("MTN", "mtn"),
        ("mtn", "mtn"),
        ("VODAFONE", "telecel"),
        ("Telecel", "telecel"),
        ("AIRTELTIGO", "airteltigo"),
        ("AirtelTigo", "airteltigo"),
        ("TIGO", "airteltigo"),
        ("AIRTEL", "airteltigo"),
        ("GLO", None),
        ("", None),
        (None, None),
        (..., None),
        (620, None),
        (["MTN"], None),
    ],
)
def test_the_network_becomes_the_customers_network(network: Any, expected: str | None) -> None:
    assert decode(network=network).network == expected


@pytest.mark.parametrize(
    ("data", "deep"),
    [
        ("*384*303*2#", "2"),
        ("*384*303#", ""),
        ("*384*303*1*2#", "1*2"),
        ("*999*2#", ""),  # another code: where the line's code ends cannot be told
        (None, ""),
        ("2", ""),
    ],
)
def test_a_dialled_string_on_the_first_hop_gives_the_deep_dial(data: Any, deep: str) -> None:
    request = decode(data=data)

    assert request.deep_dial == deep
    assert request.text == ""


def test_a_later_hop_carries_no_deep_dial() -> None:
    request = decode(new=False, data="*384*303*2#")

    assert request.deep_dial == "" and request.text == "*384*303*2#"


def test_only_the_first_hop_has_a_hop_key() -> None:
    assert decode().hop_key is not None
    assert decode().hop_key == decode(new="true").hop_key
    assert decode(new=False, data="1").hop_key is None


def test_the_screen_limit_is_at_most_160() -> None:
    assert ArkeselGateway(182).screen_limit == 160
    assert ArkeselGateway(100).screen_limit == 100
    assert decode().screen_limit == 160


def test_the_line_registers_arkesel_with_its_settings(line: Harness) -> None:
    gateway = line.container.ussd_gateways()["arkesel"]

    assert isinstance(gateway, ArkeselGateway)
    assert gateway.service_code == line.settings.service_code


def test_an_answer_without_its_request_is_still_valid_json() -> None:
    body = json.loads(ArkeselGateway().encode(UssdReply("Bye", end=True), None))

    assert body == {
        "sessionID": "",
        "userID": "",
        "msisdn": "",
        "message": "Bye",
        "continueSession": False,
    }


# -- bodies that cannot be read: a clear 400 that touches nothing ------------------------


@pytest.mark.parametrize("body", NOT_AN_OBJECT)
def test_a_body_that_is_not_a_json_object_is_refused(line: Harness, body: bytes) -> None:
    refused(post(line, GATEWAY, body))
    assert session(line) is None


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        pytest.param({"sessionID": ...}, "session id", id="no sessionID"),
        pytest.param({"sessionID": ""}, "session id", id="blank sessionID"),
        pytest.param({"sessionID": None}, "session id", id="null sessionID"),
        pytest.param({"sessionID": "s" * 200}, "session id", id="huge sessionID"),
        pytest.param({"sessionID": ["a"]}, "sessionID", id="list sessionID"),
        pytest.param({"msisdn": ...}, "msisdn", id="no msisdn"),
        pytest.param({"msisdn": ""}, "msisdn", id="blank msisdn"),
        pytest.param({"msisdn": "0000000000"}, "msisdn", id="impossible msisdn"),
        pytest.param({"msisdn": {"n": "233244000001"}}, "msisdn", id="object msisdn"),
        pytest.param({"userData": ["1"]}, "userData", id="list userData"),
        pytest.param({"newSession": {}}, "newSession", id="object newSession"),
    ],
)
def test_a_request_missing_what_matters_is_refused(
    line: Harness, fields: dict[str, Any], reason: str
) -> None:
    refused(post(line, GATEWAY, payload(**fields)), reason)
    assert session(line) is None
    assert customers(line) == []


def test_no_body_whatever_its_bytes_gives_a_server_error(line: Harness) -> None:
    for body in random_bodies(payload(), count=80, seed=160):
        response = post(line, GATEWAY, body)

        assert response.status_code in (200, 400), (body, response.status_code, response.text)
        if response.status_code == 200:
            answer(response, "message", LIMIT)


# -- repeats, journeys -----------------------------------------------------------------------


def test_a_repeated_first_hop_gets_the_same_answer(line: Harness) -> None:
    first = hop(line)
    again = hop(line)

    assert again == first
    record = session(line)
    assert record is not None and record.strikes == 0
    assert hop(line, new=False, data="1")["message"] == FIRST_NAME


def test_a_full_registration_through_arkesel(line: Harness) -> None:
    phone = Handset(line, "0244000001", gateway=GATEWAY)

    assert phone.dial() == WELCOME
    for entry in ("1", "Ama", "Mensah", "Accra", "9", "4826", "4826"):
        phone.enter(entry)
    assert phone.screen == "Ama Mensah, Accra, no GPS address\n1. Confirm\n2. Start again"
    phone.enter("1")

    assert phone.ended and "will be verified" in phone.screen
    [customer] = customers(line)
    assert (customer.first_name, str(customer.msisdn)) == ("Ama", NUMBER)


def test_a_deep_dial_opens_order_status_for_a_verified_customer(line: Harness) -> None:
    registered(line, GATEWAY)

    body = hop(line, session_id="deep", data="*384*303*2#")

    assert body["message"].startswith(NO_ORDERS)


def test_an_unknown_deep_dial_falls_back_to_the_main_menu(line: Harness) -> None:
    registered(line, GATEWAY)

    body = hop(line, session_id="deep", data="*384*303*7#")

    assert body["message"].startswith("Hi Ama\n1. Make deposit")


def test_the_payment_menu_marks_the_network(line: Harness) -> None:
    registered(line, GATEWAY)
    hop(line, session_id="pay", network="AIRTELTIGO")
    for entry in ("1", "1", "1"):
        body = hop(line, session_id="pay", new=False, data=entry, network=...)

    body = hop(line, session_id="pay", new=False, data="1", network=...)

    assert "2. Telecel Cash\n3. AirtelTigo Money (yours)\n4. Wallet" in body["message"]
