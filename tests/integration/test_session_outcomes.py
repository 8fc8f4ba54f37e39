"""The session outcome counters on every repository backend (`[memory]`, `[sqlite]`,
`[postgresql]`: the fixture `uow_factory` is in conftest.py): an upsert that starts a count at 1,
adds up, keeps keys apart and loses no increment when many arrive at once."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from lpg_ussd.application.ports import SessionOutcomeCount, SessionStatus, UnitOfWorkFactory

DAY = date(2026, 3, 2)
AT = "africastalking"
INCOMPLETE = SessionStatus.INCOMPLETE


async def increment(
    uow_factory: UnitOfWorkFactory,
    day: date = DAY,
    gateway: str = AT,
    status: SessionStatus = INCOMPLETE,
    screen: str = "reg_first",
) -> None:
    async with uow_factory() as uow:
        await uow.session_outcomes.increment(day, gateway, status, screen)
        await uow.commit()


async def counts(
    uow_factory: UnitOfWorkFactory, since: date | None = None
) -> list[SessionOutcomeCount]:
    async with uow_factory() as uow:
        return await uow.session_outcomes.counts(since)


async def test_nothing_is_counted_at_first(uow_factory: UnitOfWorkFactory) -> None:
    assert await counts(uow_factory) == []


async def test_a_count_starts_at_one_and_adds_up(uow_factory: UnitOfWorkFactory) -> None:
    await increment(uow_factory)
    assert await counts(uow_factory) == [SessionOutcomeCount(DAY, AT, INCOMPLETE, "reg_first", 1)]

    await increment(uow_factory)
    await increment(uow_factory)

    assert await counts(uow_factory) == [SessionOutcomeCount(DAY, AT, INCOMPLETE, "reg_first", 3)]


async def test_increments_in_one_unit_of_work_add_up(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        for _ in range(3):
            await uow.session_outcomes.increment(DAY, AT, INCOMPLETE, "main")
        await uow.commit()

    assert await counts(uow_factory) == [SessionOutcomeCount(DAY, AT, INCOMPLETE, "main", 3)]


async def test_each_part_of_the_key_keeps_counts_apart(uow_factory: UnitOfWorkFactory) -> None:
    await increment(uow_factory)
    await increment(uow_factory, day=DAY + timedelta(days=1))
    await increment(uow_factory, gateway="hubtel")
    await increment(uow_factory, status=SessionStatus.SUCCESS)
    await increment(uow_factory, status=SessionStatus.FAILED)
    await increment(uow_factory, screen="main")

    found = await counts(uow_factory)

    assert found == [
        SessionOutcomeCount(DAY, AT, SessionStatus.FAILED, "reg_first", 1),
        SessionOutcomeCount(DAY, AT, INCOMPLETE, "main", 1),
        SessionOutcomeCount(DAY, AT, INCOMPLETE, "reg_first", 1),
        SessionOutcomeCount(DAY, AT, SessionStatus.SUCCESS, "reg_first", 1),
        SessionOutcomeCount(DAY, "hubtel", INCOMPLETE, "reg_first", 1),
        SessionOutcomeCount(DAY + timedelta(days=1), AT, INCOMPLETE, "reg_first", 1),
    ]
    assert all(type(count.day) is date for count in found)
    assert all(type(count.status) is SessionStatus for count in found)


async def test_counts_since_a_day(uow_factory: UnitOfWorkFactory) -> None:
    for offset in range(3):
        await increment(uow_factory, day=DAY + timedelta(days=offset))

    since = await counts(uow_factory, DAY + timedelta(days=1))

    assert [count.day for count in since] == [DAY + timedelta(days=1), DAY + timedelta(days=2)]


async def test_an_increment_counts_only_once_committed(uow_factory: UnitOfWorkFactory) -> None:
    # (Not read from another unit of work meanwhile: on SQLite that one would wait for the lock.)
    async with uow_factory() as uow:
        await uow.session_outcomes.increment(DAY, AT, INCOMPLETE, "main")
        await uow.rollback()
        await uow.session_outcomes.increment(DAY, AT, INCOMPLETE, "welcome")
        # Leaving without commit drops it too.

    assert await counts(uow_factory) == []


async def test_increments_arriving_together_all_count(uow_factory: UnitOfWorkFactory) -> None:
    await increment(uow_factory)  # the row exists: the others all take the update path
    await asyncio.gather(*(increment(uow_factory) for _ in range(8)))
    # and a new row, created by many at once: one inserts, the others update
    await asyncio.gather(*(increment(uow_factory, screen="main") for _ in range(8)))

    assert await counts(uow_factory) == [
        SessionOutcomeCount(DAY, AT, INCOMPLETE, "main", 8),
        SessionOutcomeCount(DAY, AT, INCOMPLETE, "reg_first", 9),
    ]
