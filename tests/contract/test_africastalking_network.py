"""Africa's Talking's `networkCode` (MCC 620 for Ghana, then the MNC) names the caller's
mobile-money network, which the payment menu marks "(yours)" without renumbering it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from lpg_ussd.adapters.ussd_gateways.africastalking import AfricasTalkingGateway
from tests.acceptance.harness import Harness
from tests.contract.gateway_checks import registered, session


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.close()


def form(network_code: str | None) -> bytes:
    fields = {
        "sessionId": "ATUid_network",
        "serviceCode": "*384*303#",
        "phoneNumber": "+233244000001",
        "text": "",
    }
    if network_code is not None:
        fields["networkCode"] = network_code
    return urlencode(fields).encode()


@pytest.mark.parametrize(
    ("code", "network"),
    [
        ("62001", "mtn"),
        ("62002", "telecel"),
        ("62003", "airteltigo"),
        ("62006", "airteltigo"),
        (" 62001 ", "mtn"),
        ("62007", None),  # Glo: no mobile money on the menu
        ("63902", None),  # Safaricom, Kenya
        ("99999", None),  # the sandbox
        ("", None),
        (None, None),
    ],
)
def test_the_network_code_names_the_network(code: str | None, network: str | None) -> None:
    request = AfricasTalkingGateway().decode(form(code), "application/x-www-form-urlencoded")

    assert request.network == network


def test_the_network_is_kept_in_the_session(line: Harness) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    response = line.run(
        line.client.post("/ussd/africastalking/callback", content=form("62002"), headers=headers)
    )

    assert response.status_code == 200
    record = session(line)
    assert record is not None and record.network == "telecel"


@pytest.mark.parametrize(
    ("code", "marked"),
    [("62001", "1. MTN MoMo (yours)"), ("62002", "2. Telecel Cash (yours)")],
)
def test_the_payment_menu_marks_the_callers_network(line: Harness, code: str, marked: str) -> None:
    phone = registered(line, "africastalking")
    phone.operator = code
    phone.dial()
    for entry in ("1", "1", "1", "1"):
        phone.enter(entry)

    assert marked in phone.screen.splitlines()
    assert "5. Pay on delivery" in phone.screen.splitlines()
    assert phone.screen.count("(yours)") == 1
