"""Nalo over HTTP: the payload of gateways.md, its variants (`MSGTYPE` as a string, missing
fields, any case of the network) and bodies that cannot be read. Every hop gets a JSON answer
echoing `USERID` and `MSISDN` whose `MSG` fits Nalo's 120 characters (long screens and long
closing texts are paged with 98), or a clear 400; never a 500. `MSGTYPE` means opposite
things in the two directions: true marks a first hop coming in, and asks to continue going out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lpg_ussd.adapters.ussd_gateways.nalo import NaloGateway
from lpg_ussd.application.ussd.engine import UssdReply, UssdRequest
from lpg_ussd.domain.outbox import OutboxKind
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
    post,
    random_bodies,
    refused,
    registered,
    session,
)

GATEWAY = "nalo"
LIMIT = 120
MORE = "98. More"


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.close()


@pytest.fixture
def wide_line(tmp_path: Path) -> Iterator[Harness]:
    """A line set to 182 characters a screen: Nalo's answers must still fit 120."""
    harness = Harness(tmp_path)
    harness.overrides["screen_limit"] = 182
    yield harness
    harness.close()


def payload(
    first: Any = True,
    data: Any = "*384*303#",
    session_id: Any = "nalo-20240611-0001",
    **fields: Any,
) -> dict[str, Any]:
    """A request as gateways.md describes it; `fields` add, replace or (as ...) remove."""
    body = {
        "USERID": "NALOTest",
        "MSISDN": "233244000001",
        "USERDATA": data,
        "MSGTYPE": first,
        "NETWORK": "MTN",
        "SESSIONID": session_id,
    }
    body.update(fields)
    return {name: value for name, value in body.items() if value is not ...}


def hop(line: Harness, **fields: Any) -> dict[str, Any]:
    return answer(post(line, GATEWAY, payload(**fields)), "MSG", LIMIT)


def decode(**fields: Any) -> UssdRequest:
    return NaloGateway(160, "*384*303#").decode(json.dumps(payload(**fields)).encode(), "")


# -- the sample payload -------------------------------------------------------------------


def test_the_sample_first_hop_opens_the_welcome_screen(line: Harness) -> None:
    body = hop(line)

    assert body == {"USERID": "NALOTest", "MSISDN": "233244000001", "MSG": WELCOME, "MSGTYPE": True}
    record = session(line)
    assert record is not None and record.gateway == "nalo" and record.network == "mtn"


def test_later_hops_carry_this_screens_input(line: Harness) -> None:
    hop(line)

    body = hop(line, first=False, data="1")

    assert body["MSG"] == FIRST_NAME and body["MSGTYPE"] is True
    assert hop(line, first=False, data="Ama")["MSG"] == TEXTS("register.last_name")


def test_an_ending_answer_has_msgtype_false(line: Harness) -> None:
    hop(line)
    hop(line, first=False, data="2")

    body = hop(line, first=False, data="3")

    assert body["MSGTYPE"] is False
    assert body["MSG"].startswith("Demo Gas\nCare: 0302 000 000")
    assert (body["USERID"], body["MSISDN"]) == ("NALOTest", "233244000001")


def test_the_echoed_fields_come_back_as_they_came(line: Harness) -> None:
    body = hop(line, USERID=7001, MSISDN=233244000001)

    assert (body["USERID"], body["MSISDN"]) == (7001, 233244000001)


def test_a_missing_userid_is_echoed_empty(line: Harness) -> None:
    assert hop(line, USERID=...)["USERID"] == ""


# -- odd forms, missing and null fields ----------------------------------------------------


@pytest.mark.parametrize("first", [True, "true", "TRUE", 1, "1"])
@pytest.mark.parametrize("later", [False, "false", "False", 0, "0", None, ...])
def test_msgtype_in_any_form(line: Harness, first: Any, later: Any) -> None:
    assert hop(line, first=first)["MSG"] == WELCOME
    assert hop(line, first=later, data="1")["MSG"] == FIRST_NAME


@pytest.mark.parametrize("start", ["*384*303#", None, ..., ""])
def test_the_first_hops_userdata_may_be_the_code_null_or_missing(line: Harness, start: Any) -> None:
    assert hop(line, data=start)["MSG"] == WELCOME


def test_a_number_where_text_is_expected(line: Harness) -> None:
    hop(line)

    assert hop(line, first=False, data=1)["MSG"] == FIRST_NAME


def test_only_the_fields_that_matter(line: Harness) -> None:
    minimal = {"SESSIONID": "n-min", "MSISDN": "233244000001", "MSGTYPE": True}

    assert answer(post(line, GATEWAY, minimal), "MSG", LIMIT)["MSG"] == WELCOME
    later = {"SESSIONID": "n-min", "MSISDN": "233244000001", "USERDATA": "1"}
    assert answer(post(line, GATEWAY, later), "MSG", LIMIT)["MSG"] == FIRST_NAME


@pytest.mark.parametrize(
    "msisdn", ["233244000001", "0244000001", "+233244000001", "233-24-400-0001", 233244000001]
)
def test_the_number_in_any_usual_form_is_kept_in_e164(line: Harness, msisdn: Any) -> None:
    hop(line, MSISDN=msisdn)

    assert session(line, NUMBER) is not None


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        ("MTN", "mtn"),
        ("VODAFONE", "telecel"),
        ("AIRTELTIGO", "airteltigo"),
        ("AirtelTigo", "airteltigo"),
        ("airtel-tigo", "airteltigo"),
        ("TELECEL", "telecel"),
        ("TIGO", "airteltigo"),
        ("GLO", None),
        ("", None),
        (None, None),
        (..., None),
        (1, None),
    ],
)
def test_the_network_becomes_the_customers_network(network: Any, expected: str | None) -> None:
    assert decode(NETWORK=network).network == expected


@pytest.mark.parametrize(
    ("data", "deep"),
    [
        ("*384*303*2#", "2"),
        ("*384*303#", ""),
        ("*384*303*5*1#", "5*1"),
        ("*920*55*2#", ""),  # another code: where the line's code ends cannot be told
        (None, ""),
    ],
)
def test_a_dialled_string_on_the_first_hop_gives_the_deep_dial(data: Any, deep: str) -> None:
    request = decode(data=data)

    assert request.deep_dial == deep and request.text == ""


def test_a_later_hop_carries_no_deep_dial() -> None:
    request = decode(first=False, data="*384*303*2#")

    assert request.deep_dial == "" and request.text == "*384*303*2#"


def test_only_the_first_hop_has_a_hop_key() -> None:
    assert decode().hop_key is not None
    assert decode(first=False, data="1").hop_key is None


def test_the_screen_limit_is_never_over_120() -> None:
    assert NaloGateway(182).screen_limit == 120
    assert NaloGateway(160).screen_limit == 120
    assert NaloGateway(100).screen_limit == 100


def test_the_line_registers_nalo_with_its_settings(line: Harness) -> None:
    gateway = line.container.ussd_gateways()["nalo"]

    assert isinstance(gateway, NaloGateway)
    assert gateway.screen_limit == 120
    assert gateway.service_code == line.settings.service_code


def test_an_answer_without_its_request_is_still_valid_json() -> None:
    body = json.loads(NaloGateway().encode(UssdReply("Bye", end=True), None))

    assert body == {"USERID": "", "MSISDN": "", "MSG": "Bye", "MSGTYPE": False}


# -- bodies that cannot be read: a clear 400 that touches nothing ------------------------


@pytest.mark.parametrize("body", NOT_AN_OBJECT)
def test_a_body_that_is_not_a_json_object_is_refused(line: Harness, body: bytes) -> None:
    refused(post(line, GATEWAY, body))
    assert session(line) is None


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        pytest.param({"SESSIONID": ...}, "session id", id="no SESSIONID"),
        pytest.param({"SESSIONID": ""}, "session id", id="blank SESSIONID"),
        pytest.param({"SESSIONID": "\x00"}, "session id", id="control SESSIONID"),
        pytest.param({"SESSIONID": {"id": 1}}, "SESSIONID", id="object SESSIONID"),
        pytest.param({"MSISDN": ...}, "MSISDN", id="no MSISDN"),
        pytest.param({"MSISDN": "233"}, "MSISDN", id="short MSISDN"),
        pytest.param({"MSISDN": True}, "MSISDN", id="boolean MSISDN"),
        pytest.param({"USERDATA": {"text": "1"}}, "USERDATA", id="object USERDATA"),
        pytest.param({"MSGTYPE": ["true"]}, "MSGTYPE", id="list MSGTYPE"),
    ],
)
def test_a_request_missing_what_matters_is_refused(
    line: Harness, fields: dict[str, Any], reason: str
) -> None:
    refused(post(line, GATEWAY, payload(**fields)), reason)
    assert session(line) is None
    assert customers(line) == []


def test_no_body_whatever_its_bytes_gives_a_server_error(line: Harness) -> None:
    for body in random_bodies(payload(), count=80, seed=120):
        response = post(line, GATEWAY, body)

        assert response.status_code in (200, 400), (body, response.status_code, response.text)
        if response.status_code == 200:
            answer(response, "MSG", LIMIT)


# -- 120 characters: long screens and long closing texts are paged ----------------------


def test_a_long_list_is_paged_within_120_characters(wide_line: Harness) -> None:
    registered(wide_line, GATEWAY)
    hop(wide_line, session_id="cat")
    hop(wide_line, session_id="cat", first=False, data="1")

    first = hop(wide_line, session_id="cat", first=False, data="1")
    second = hop(wide_line, session_id="cat", first=False, data="98")

    assert first["MSG"].startswith("Choose a cylinder:") and first["MSG"].endswith(MORE)
    assert "12kg composite" in second["MSG"] and second["MSG"].endswith("0. Back")
    chosen = hop(wide_line, session_id="cat", first=False, data="5")
    assert "Total GHS 618.00" in chosen["MSG"]


def test_the_gas_leak_text_is_paged_and_its_last_page_ends(wide_line: Harness) -> None:
    hop(wide_line)
    hop(wide_line, first=False, data="2")

    first = hop(wide_line, first=False, data="2")
    last = hop(wide_line, first=False, data="98")

    assert first["MSGTYPE"] is True and first["MSG"].endswith(MORE)
    assert first["MSG"].startswith("GAS LEAK: close the valve.")
    assert last["MSGTYPE"] is False and last["MSG"].endswith("We will call you.")
    assert len(TEXTS("care.leak_now")) > LIMIT
    staff = wide_line.sms_to("+233200000999")
    assert len([text for text in staff if "URGENT gas leak" in text]) == 1


def test_every_screen_of_a_deposit_fits(line: Harness) -> None:
    registered(line, GATEWAY)
    hop(line, session_id="pay")
    for entry in ("1", "1", "2", "1"):
        body = hop(line, session_id="pay", first=False, data=entry)
    assert "1. MTN MoMo (yours)" in body["MSG"]

    body = hop(line, session_id="pay", first=False, data="1")
    assert body["MSGTYPE"] is True and body["MSG"].endswith(MORE)
    body = hop(line, session_id="pay", first=False, data="98")

    assert body["MSGTYPE"] is False and body["MSG"].endswith("PIN by call or SMS.")
    assert order_count(line) == 1
    assert len(line.outbox(OutboxKind.PAYMENT_REQUEST)) == 1


# -- repeats, journeys -----------------------------------------------------------------------


def test_a_repeated_first_hop_gets_the_same_answer(line: Harness) -> None:
    first = hop(line)
    again = hop(line)

    assert again == first
    record = session(line)
    assert record is not None and record.strikes == 0


def test_a_full_registration_through_nalo(line: Harness) -> None:
    phone = Handset(line, "0244000001", gateway=GATEWAY)

    assert phone.dial() == WELCOME
    for entry in ("1", "Ama", "Mensah", "Accra", "GA-183-8164", "4826", "4826"):
        phone.enter(entry)
    assert phone.screen == "Ama Mensah, Accra, GA-183-8164\n1. Confirm\n2. Start again"
    phone.enter("1")

    assert phone.ended and "will be verified" in phone.screen
    [customer] = customers(line)
    assert (customer.first_name, str(customer.msisdn)) == ("Ama", NUMBER)


def test_a_deep_dial_opens_order_status_for_a_verified_customer(line: Harness) -> None:
    registered(line, GATEWAY)

    body = hop(line, session_id="deep", data="*384*303*2#")

    assert body["MSG"].startswith(NO_ORDERS)


def test_an_unknown_deep_dial_falls_back_to_the_main_menu(line: Harness) -> None:
    registered(line, GATEWAY)

    body = hop(line, session_id="deep", data="*384*303*42#")

    assert body["MSG"].startswith("Hi Ama\n1. Make deposit")


def test_a_closing_text_left_unread_is_not_offered_for_resume(line: Harness) -> None:
    registered(line, GATEWAY)
    hop(line, session_id="leak")
    hop(line, session_id="leak", first=False, data="4")
    body = hop(line, session_id="leak", first=False, data="2")
    assert body["MSG"].endswith(MORE)  # the customer reads page 1 of the safety text, hangs up

    body = hop(line, session_id="again")

    assert body["MSG"].startswith("Hi Ama"), body["MSG"]
