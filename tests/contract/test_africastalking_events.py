"""Africa's Talking's end-of-session notice on `POST /ussd/africastalking/events`: every outcome
is counted by day, status and last screen; `Incomplete` leaves the session resumable; a form that
cannot be read gets 400 and counts nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from dependency_injector import providers

from lpg_ussd.application.ports import SessionOutcomeCount, SessionStatus
from lpg_ussd.application.session_outcomes import UNKNOWN_SCREEN
from lpg_ussd.application.ussd.session import SessionRecord
from tests.acceptance.harness import Harness, Phone
from tests.fakes import FixedClock

EVENTS = "/ussd/africastalking/events"
FORM = "application/x-www-form-urlencoded"
NUMBER = "0244000001"
E164 = "+233244000001"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    # Before the first hop or notice builds the dialogue and the use case: they read this clock.
    harness.container.clock.override(providers.Object(FixedClock(NOW)))
    yield harness
    harness.close()


@pytest.fixture
def phone(line: Harness) -> Phone:
    return Phone(line, NUMBER)


def notice(session_id: str, status: str = "Incomplete", **fields: str) -> dict[str, str]:
    """A notice as Africa's Talking posts it."""
    return {
        "sessionId": session_id,
        "serviceCode": "*384*303#",
        "networkCode": "62001",
        "phoneNumber": E164,
        "status": status,
        "date": "2026-03-02 09:00:41.000",
        "cost": "KES 0.0000",
        "durationInMillis": "41000",
        "hopsCount": "3",
        "input": "1*Ama",
        "lastAppResponse": "CON Enter your last name",
        "errorMessage": "",
        **fields,
    }


def post(line: Harness, body: bytes | str, path: str = EVENTS) -> Any:
    headers = {"content-type": FORM}
    return line.run(line.client.post(path, content=body, headers=headers))


def send(line: Harness, form: dict[str, str]) -> Any:
    response = post(line, urlencode(form))
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text}"
    assert response.content == b""
    return response


def counts(line: Harness) -> list[SessionOutcomeCount]:
    async def read() -> list[SessionOutcomeCount]:
        async with line.container.uow()() as uow:
            return await uow.session_outcomes.counts()

    return line.run(read())


def session(line: Harness) -> SessionRecord | None:
    record: SessionRecord | None = line.run(line.container.session_store().get(E164))
    return record


def screen_now(line: Harness) -> str:
    record = session(line)
    assert record is not None
    return record.screen


def counted(status: SessionStatus, screen: str, count: int = 1) -> SessionOutcomeCount:
    return SessionOutcomeCount(TODAY, "africastalking", status, screen, count)


# -- every outcome is counted, with the screen the session was on -----------------------


@pytest.mark.parametrize(
    ("sent", "status"),
    [
        ("Success", SessionStatus.SUCCESS),
        ("Incomplete", SessionStatus.INCOMPLETE),
        ("Failed", SessionStatus.FAILED),
        ("incomplete", SessionStatus.INCOMPLETE),
        (" SUCCESS ", SessionStatus.SUCCESS),
    ],
)
def test_each_status_is_counted_on_the_last_screen(
    line: Harness, phone: Phone, sent: str, status: SessionStatus
) -> None:
    phone.dial()
    phone.enter("1")
    screen = screen_now(line)

    send(line, notice(phone.session_id, sent))

    assert counts(line) == [counted(status, screen)]


def test_counts_add_up_by_status_and_screen(line: Harness, phone: Phone) -> None:
    phone.dial()
    welcome = screen_now(line)
    send(line, notice(phone.session_id, "Incomplete"))
    phone.dial()
    send(line, notice(phone.session_id, "Incomplete"))
    phone.dial()
    phone.enter("1")
    first_name = screen_now(line)
    send(line, notice(phone.session_id, "Incomplete"))
    send(line, notice(phone.session_id, "Failed"))

    assert counts(line) == [
        counted(SessionStatus.FAILED, first_name),
        counted(SessionStatus.INCOMPLETE, first_name),
        counted(SessionStatus.INCOMPLETE, welcome, 2),
    ]


def test_a_session_the_line_does_not_know_is_counted_on_an_unknown_screen(line: Harness) -> None:
    send(line, notice("ATUid_never_seen", "Incomplete"))

    assert counts(line) == [counted(SessionStatus.INCOMPLETE, UNKNOWN_SCREEN)]


def test_a_notice_for_an_older_session_of_the_same_phone_is_counted_on_an_unknown_screen(
    line: Harness, phone: Phone
) -> None:
    phone.dial()
    older = phone.session_id
    phone.dial()
    phone.enter("1")

    send(line, notice(older, "Incomplete"))

    assert counts(line) == [counted(SessionStatus.INCOMPLETE, UNKNOWN_SCREEN)]


def test_only_the_needed_fields_are_needed(line: Harness) -> None:
    send(line, {"sessionId": "ATUid_bare", "phoneNumber": "233244000001", "status": "Success"})

    assert counts(line) == [counted(SessionStatus.SUCCESS, UNKNOWN_SCREEN)]


def test_a_failure_is_logged_with_its_reason(
    line: Harness, phone: Phone, caplog: pytest.LogCaptureFixture
) -> None:
    phone.dial()
    caplog.set_level(logging.WARNING, logger="lpg_ussd.session_outcomes")

    send(line, notice(phone.session_id, "Failed", errorMessage="Callback timed out"))

    assert any("Callback timed out" in record.getMessage() for record in caplog.records)


# -- Incomplete: the session stays resumable --------------------------------------------


def test_an_incomplete_session_is_offered_to_continue_on_the_next_dial(
    line: Harness, phone: Phone
) -> None:
    phone.dial()
    for answer in ("1", "Ama", "Mensah"):
        phone.enter(answer)
    before = session(line)

    send(line, notice(phone.session_id, "Incomplete", input="1*Ama*Mensah"))

    assert session(line) == before  # the notice changed nothing in the session
    assert before is not None and not before.ended
    screen = phone.dial()
    assert "1. Continue" in screen.split("\n"), screen
    assert "town" in phone.enter("1")


def test_a_notice_never_ends_or_changes_a_session(line: Harness, phone: Phone) -> None:
    phone.dial()
    phone.enter("1")
    before = session(line)

    for status in ("Success", "Failed", "Incomplete"):
        send(line, notice(phone.session_id, status))

    assert session(line) == before


# -- what cannot be read: 400, nothing counted ------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"", "session id", id="empty body"),
        pytest.param(b"sessionId=\xff\xfe&status=Success", "not a form", id="invalid utf-8"),
        pytest.param(urlencode(notice("ATUid_1", "")), "status", id="blank status"),
        pytest.param(urlencode(notice("ATUid_1", "Pending")), "status", id="unknown status"),
        pytest.param(
            urlencode({k: v for k, v in notice("ATUid_1").items() if k != "status"}),
            "status",
            id="no status",
        ),
        pytest.param(
            urlencode({k: v for k, v in notice("ATUid_1").items() if k != "sessionId"}),
            "session id",
            id="no sessionId",
        ),
        pytest.param(urlencode(notice("x" * 129)), "session id", id="huge sessionId"),
        pytest.param(
            urlencode(notice("ATUid_1", phoneNumber="12")), "phoneNumber", id="bad phoneNumber"
        ),
        pytest.param(
            urlencode({k: v for k, v in notice("ATUid_1").items() if k != "phoneNumber"}),
            "phoneNumber",
            id="no phoneNumber",
        ),
        pytest.param(b'{"sessionId": "ATUid_1", "status": "Success"}', "session id", id="json"),
    ],
)
def test_a_notice_that_cannot_be_read_is_400_and_counts_nothing(
    line: Harness, body: bytes | str, message: str
) -> None:
    response = post(line, body)

    assert response.status_code == 400
    assert message in response.text
    assert counts(line) == []


def test_a_gateway_that_sends_no_notices_has_no_events_route(line: Harness) -> None:
    response = post(line, urlencode(notice("ATUid_1")), "/ussd/hubtel/events")

    assert response.status_code == 404
    assert counts(line) == []


def test_the_events_route_leaves_the_callback_routes_reachable(line: Harness) -> None:
    phone = Phone(line, NUMBER)
    assert phone.dial().startswith("Welcome")
    phone.path = "/ussd/callback"
    assert phone.enter("1")
