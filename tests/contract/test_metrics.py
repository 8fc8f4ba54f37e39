"""The figures on /metrics move when customers use the line (their values, not speed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.acceptance.harness import Harness, Phone


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.close()


def figures(line: Harness) -> str:
    response = line.run(line.client.get("/metrics"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return str(response.text)


def value(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_hops_latency_and_completed_sessions_are_counted(line: Harness) -> None:
    phone = Phone(line, "0244000001")
    phone.dial()
    phone.enter("2")
    phone.enter("3")
    text = figures(line)

    hops = "lpg_ussd_hops_total"
    assert value(text, hops, gateway="africastalking", screen="welcome", outcome="continue") == 1
    assert value(text, hops, gateway="africastalking", screen="care", outcome="continue") == 1
    assert value(text, hops, gateway="africastalking", outcome="end") == 1
    assert value(text, "lpg_ussd_hop_seconds_count", gateway="africastalking") == 3
    assert value(text, "lpg_ussd_sessions_total", gateway="africastalking", outcome="completed")


def test_a_dropped_session_is_counted_at_its_screen(line: Harness) -> None:
    phone = Phone(line, "0244000002")
    phone.dial()
    phone.enter("1")
    form = {
        "sessionId": phone.session_id,
        "phoneNumber": "+233244000002",
        "status": "Incomplete",
        "serviceCode": "*384*303#",
    }
    headers = {"content-type": "application/x-www-form-urlencoded"}
    response = line.run(
        line.client.post("/ussd/africastalking/events", content=urlencode(form), headers=headers)
    )
    assert response.status_code == 200
    text = figures(line)
    assert value(text, "lpg_ussd_sessions_total", outcome="dropped", screen="reg_first") == 1


def test_payments_and_the_outbox_backlog_are_read_when_scraped(line: Harness) -> None:
    phone = Phone(line, "0244000003")
    phone.dial()
    for answer in ("1", "Ama", "Mensah", "Accra", "9", "4826", "4826", "1"):
        phone.enter(answer)
    text = figures(line)
    assert value(text, "lpg_ussd_outbox_backlog", kind="sms") == 1  # the registration SMS
    assert value(text, "lpg_ussd_outbox_oldest_seconds") >= 0

    line.settle()
    text = figures(line)
    assert value(text, "lpg_ussd_outbox_backlog", kind="sms") == 0


def test_a_mobile_money_payment_moves_from_pending_to_successful(line: Harness) -> None:
    from lpg_ussd.adapters.phone import normalise_msisdn

    phone = Phone(line, "0244000004")
    phone.dial()
    for answer in ("1", "Ama", "Mensah", "Accra", "9", "4826", "4826", "1"):
        phone.enter(answer)
    line.run(line.container.verify_customer()(normalise_msisdn("0244000004")))
    phone.dial()
    for answer in ("1", "2", "50", "1", "1"):  # top up GHS 50 by MTN MoMo
        phone.enter(answer)
    text = figures(line)
    assert value(text, "lpg_ussd_payments", provider="simulated", state="pending") == 1

    line.settle()
    text = figures(line)
    assert value(text, "lpg_ussd_payments", provider="simulated", state="pending") == 0
    assert value(text, "lpg_ussd_payments", provider="simulated", state="successful") == 1
