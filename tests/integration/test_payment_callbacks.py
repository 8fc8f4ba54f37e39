"""The payment-callback repository on every backend: in memory, SQLite and PostgreSQL.

Each test runs once per backend (the fixture `uow_factory` is in conftest.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from lpg_ussd.application.ports import CallbackOutcome, PaymentCallback, UnitOfWorkFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def a_callback(**changes: Any) -> PaymentCallback:
    callback = PaymentCallback(
        provider="mtn_momo",
        reference="PABCDEFGHJK2",
        trusted=False,
        outcome=CallbackOutcome.SUCCEEDED,
        received_at=NOW,
        provider_reference="1234567890",
    )
    return replace(callback, **changes)


async def add(uow_factory: UnitOfWorkFactory, *callbacks: PaymentCallback) -> list[PaymentCallback]:
    async with uow_factory() as uow:
        added = [await uow.payment_callbacks.add(callback) for callback in callbacks]
        await uow.commit()
    return added


async def test_a_recorded_callback_reads_back_equal_with_an_id(
    uow_factory: UnitOfWorkFactory,
) -> None:
    (added,) = await add(uow_factory, a_callback())
    assert added.id is not None
    async with uow_factory() as uow:
        assert await uow.payment_callbacks.list() == [added]


async def test_a_callback_for_no_reference_and_a_signed_one_are_kept_as_given(
    uow_factory: UnitOfWorkFactory,
) -> None:
    unnamed = a_callback(reference=None, provider_reference=None, outcome=CallbackOutcome.IGNORED)
    signed = a_callback(provider="paystack", trusted=True, received_at=NOW + timedelta(seconds=1))
    added = await add(uow_factory, unnamed, signed)
    async with uow_factory() as uow:
        stored = await uow.payment_callbacks.list()
    assert stored == list(reversed(added))
    assert stored[0].trusted is True and stored[0].provider == "paystack"
    assert stored[1].reference is None and stored[1].provider_reference is None


async def test_callbacks_list_newest_first_and_filter_by_reference_and_outcome(
    uow_factory: UnitOfWorkFactory,
) -> None:
    first, second, other, unknown = await add(
        uow_factory,
        a_callback(received_at=NOW),
        a_callback(received_at=NOW + timedelta(minutes=1), outcome=CallbackOutcome.ALREADY_FINAL),
        a_callback(reference="PZZZZZZZZZZ2", received_at=NOW + timedelta(minutes=2)),
        a_callback(
            reference="NOT-OURS",
            outcome=CallbackOutcome.UNKNOWN,
            received_at=NOW + timedelta(minutes=3),
        ),
    )
    async with uow_factory() as uow:
        assert await uow.payment_callbacks.list() == [unknown, other, second, first]
        assert await uow.payment_callbacks.list(limit=2) == [unknown, other]
        assert await uow.payment_callbacks.list(reference="PABCDEFGHJK2") == [second, first]
        unknowns = await uow.payment_callbacks.list(outcome=CallbackOutcome.UNKNOWN)
        assert unknowns == [unknown]
        assert await uow.payment_callbacks.list(reference="PNOSUCHONE22") == []


async def test_every_outcome_is_kept(uow_factory: UnitOfWorkFactory) -> None:
    callbacks = [
        a_callback(outcome=outcome, received_at=NOW + timedelta(seconds=n))
        for n, outcome in enumerate(CallbackOutcome)
    ]
    await add(uow_factory, *callbacks)
    async with uow_factory() as uow:
        stored = await uow.payment_callbacks.list(limit=100)
    assert [c.outcome for c in reversed(stored)] == list(CallbackOutcome)


async def test_the_time_received_comes_back_in_utc(uow_factory: UnitOfWorkFactory) -> None:
    plus_two = timezone(timedelta(hours=2))
    await add(uow_factory, a_callback(received_at=datetime(2026, 3, 2, 11, 0, tzinfo=plus_two)))
    async with uow_factory() as uow:
        (stored,) = await uow.payment_callbacks.list()
    assert stored.received_at == NOW
    assert stored.received_at.utcoffset() == timedelta(0)


async def test_a_callback_not_committed_is_not_kept(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.payment_callbacks.add(a_callback())
    async with uow_factory() as uow:
        assert await uow.payment_callbacks.list() == []
