"""ReceivePaymentCallback: every provider callback settles through the status query and is
recorded, unknown references and refusals included."""

from __future__ import annotations

from typing import Any

import pytest

from lpg_ussd.application.payment_callbacks import MAX_REFERENCE, ReceivePaymentCallback
from lpg_ussd.application.payments import Settlement
from lpg_ussd.application.ports import CallbackOutcome, PaymentCallback
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.order import PaymentMethod
from lpg_ussd.domain.payment import PaymentStatus
from tests.unit.test_use_cases import Line


@pytest.fixture
def line() -> Line:
    return Line()


def receive(line: Line) -> ReceivePaymentCallback:
    return ReceivePaymentCallback(line.uow, line.clock, line.confirm)


def recorded(line: Line) -> list[PaymentCallback]:
    return line.db.rows("payment_callbacks")


async def a_pending_top_up(line: Line) -> str:
    customer_id = await line.customer()
    return (await line.top_up(customer_id, Money.cedis(50), PaymentMethod.MTN)).reference


def test_every_settlement_is_a_callback_outcome() -> None:
    assert {CallbackOutcome(s.value) for s in Settlement} <= set(CallbackOutcome)


async def test_a_callback_for_an_unknown_reference_is_recorded_and_changes_nothing(
    line: Line,
) -> None:
    await a_pending_top_up(line)
    before = {t: line.db.rows(t) for t in line.db.tables if t != "payment_callbacks"}

    outcome = await receive(line)("mtn_momo", "PNOTOURS2222", False, "MTN-1")

    assert outcome is CallbackOutcome.UNKNOWN
    assert {t: line.db.rows(t) for t in line.db.tables if t != "payment_callbacks"} == before
    (callback,) = recorded(line)
    assert callback.id is not None
    assert (callback.provider, callback.reference, callback.provider_reference) == (
        "mtn_momo",
        "PNOTOURS2222",
        "MTN-1",
    )
    assert callback.outcome is CallbackOutcome.UNKNOWN
    assert callback.received_at == line.clock.now()
    assert line.gateway.queries == []  # nothing to ask the provider about


async def test_a_callback_settles_once_and_each_is_recorded(line: Line) -> None:
    reference = await a_pending_top_up(line)
    line.gateway.will_succeed()

    first = await receive(line)("paystack", reference, True, "4000001")
    second = await receive(line)("paystack", reference, True, "4000001")

    assert (first, second) == (CallbackOutcome.SUCCEEDED, CallbackOutcome.ALREADY_FINAL)
    (payment,) = line.payments()
    assert payment.status is PaymentStatus.SUCCESSFUL
    assert [(c.outcome, c.trusted, c.reference) for c in recorded(line)] == [
        (CallbackOutcome.SUCCEEDED, True, reference),
        (CallbackOutcome.ALREADY_FINAL, True, reference),
    ]


async def test_a_forged_success_is_recorded_as_what_the_provider_says(line: Line) -> None:
    reference = await a_pending_top_up(line)  # the provider still says pending

    assert await receive(line)("hubtel", reference) is CallbackOutcome.STILL_PENDING

    (payment,) = line.payments()
    assert payment.status is PaymentStatus.PENDING
    assert [c.outcome for c in recorded(line)] == [CallbackOutcome.STILL_PENDING]


async def test_a_callback_naming_no_payment_is_recorded_as_ignored(line: Line) -> None:
    assert await receive(line)("paystack", None, True) is CallbackOutcome.IGNORED
    (callback,) = recorded(line)
    assert (callback.reference, callback.outcome) == (None, CallbackOutcome.IGNORED)


@pytest.mark.parametrize("outcome", [CallbackOutcome.REJECTED, CallbackOutcome.MALFORMED])
async def test_refused_callbacks_are_recorded(line: Line, outcome: CallbackOutcome) -> None:
    await receive(line).refused("paystack", outcome)
    (callback,) = recorded(line)
    assert (callback.provider, callback.reference, callback.trusted, callback.outcome) == (
        "paystack",
        None,
        False,
        outcome,
    )


async def test_only_refusals_are_recorded_as_refused(line: Line) -> None:
    with pytest.raises(ValueError, match="not a refusal"):
        await receive(line).refused("paystack", CallbackOutcome.SUCCEEDED)
    assert recorded(line) == []


async def test_a_reference_too_long_to_be_ours_is_kept_cut(line: Line) -> None:
    outcome = await receive(line)("mtn_momo", "X" * 5000, False, "Y" * 5000)
    assert outcome is CallbackOutcome.UNKNOWN
    (callback,) = recorded(line)
    assert callback.reference == "X" * MAX_REFERENCE
    assert callback.provider_reference is not None and len(callback.provider_reference) == 128


async def test_a_failed_status_query_is_recorded_and_the_error_goes_up(line: Line) -> None:
    reference = await a_pending_top_up(line)

    async def broken(*_: Any) -> Any:
        raise RuntimeError("provider exploded")

    line.gateway.query_status = broken  # type: ignore[method-assign]

    with pytest.raises(RuntimeError, match="exploded"):
        await receive(line)("mtn_momo", reference)

    (callback,) = recorded(line)
    assert (callback.reference, callback.outcome) == (reference, CallbackOutcome.ERROR)
