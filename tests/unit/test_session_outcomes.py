"""RecordSessionOutcome with in-memory fakes: counted on the session's last screen when the
session id matches, on an unknown screen otherwise, and the session is left as it was."""

from __future__ import annotations

from lpg_ussd.adapters.sessions.memory import InMemorySessionStore
from lpg_ussd.application.ports import SessionOutcomeCount, SessionStatus
from lpg_ussd.application.session_outcomes import (
    UNKNOWN_SCREEN,
    RecordSessionOutcome,
    SessionEnded,
)
from lpg_ussd.application.ussd.session import SessionRecord
from tests.fakes import FixedClock, InMemoryDatabase, InMemoryUnitOfWorkFactory

NUMBER = "+233244000001"


def parts() -> tuple[RecordSessionOutcome, InMemorySessionStore, InMemoryDatabase, FixedClock]:
    clock = FixedClock()
    db = InMemoryDatabase(clock)
    store = InMemorySessionStore()
    return RecordSessionOutcome(InMemoryUnitOfWorkFactory(db), store, clock), store, db, clock


async def counts(db: InMemoryDatabase) -> list[SessionOutcomeCount]:
    async with InMemoryUnitOfWorkFactory(db)() as uow:
        return await uow.session_outcomes.counts()


def ended(session_id: str = "S1", status: SessionStatus = SessionStatus.INCOMPLETE) -> SessionEnded:
    return SessionEnded("africastalking", session_id, NUMBER, status)


async def test_counted_on_the_last_screen_and_the_session_left_as_it_was() -> None:
    record_outcome, store, db, clock = parts()
    record = SessionRecord(
        session_id="S1", msisdn=NUMBER, gateway="africastalking", path=["welcome", "reg_first"]
    )
    await store.put(NUMBER, record, 600)

    screen = await record_outcome(ended())

    assert screen == "reg_first"
    day = clock.now().date()
    assert await counts(db) == [
        SessionOutcomeCount(day, "africastalking", SessionStatus.INCOMPLETE, "reg_first", 1)
    ]
    assert await store.get(NUMBER) == record


async def test_another_session_or_none_is_counted_on_an_unknown_screen() -> None:
    record_outcome, store, db, _ = parts()
    assert await record_outcome(ended()) == UNKNOWN_SCREEN
    await store.put(NUMBER, SessionRecord(session_id="S0", msisdn=NUMBER, gateway="x"), 600)

    assert await record_outcome(ended("S1", SessionStatus.FAILED)) == UNKNOWN_SCREEN
    assert [(c.status, c.screen, c.count) for c in await counts(db)] == [
        (SessionStatus.FAILED, UNKNOWN_SCREEN, 1),
        (SessionStatus.INCOMPLETE, UNKNOWN_SCREEN, 1),
    ]
