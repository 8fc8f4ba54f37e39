"""Steps of features/screen_rules.feature: back, home, paging, re-prompts, strikes, PIN lock,
resume and replay, driven through the HTTP app in the Africa's Talking format."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dependency_injector import providers
from pytest_bdd import given, parsers, scenarios, then, when

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.domain.order import Order, OrderKind, PaymentMethod
from tests.acceptance.harness import Harness, Phone

scenarios("screen_rules.feature")


class ShiftedClock:
    """The real time, moved forward when a scenario says that minutes pass."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class ClockedHarness(Harness):
    """The harness with a clock that scenarios can move forward."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.clock = ShiftedClock()

    def _start(self) -> None:
        if self._client is not None:
            return
        super()._start()
        assert self._container is not None
        # Before the first hop, so the dialogue and the use cases are built with this clock.
        self._container.clock.override(providers.Object(self.clock))


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Harness]:
    harness = ClockedHarness(tmp_path)
    yield harness
    harness.close()


def _customer_id(line: Harness, phone: Phone) -> int:
    card = line.run(line.container.find_customer_card()(normalise_msisdn(phone.number).e164))
    assert card is not None, f"{phone.number} is not registered"
    return card.id


def _my_orders(line: Harness, phone: Phone) -> list[Order]:
    customer_id = _customer_id(line, phone)
    return line.run(line.container.customer_orders()(customer_id, 100))


# -- Given -------------------------------------------------------------------------------


@given(parsers.parse("I have placed {count:d} orders paid on delivery"))
def placed_orders(line: Harness, me: Phone, count: int) -> None:
    customer_id = _customer_id(line, me)
    cylinders = line.run(line.container.list_catalogue()())
    place = line.container.place_order()
    for _ in range(count):
        line.run(place(customer_id, cylinders[0].id, OrderKind.DEPOSIT, PaymentMethod.ON_DELIVERY))


@given("my PIN is locked after three wrong tries")
def pin_locked(me: Phone) -> None:
    me.dial()
    for wrong in ("3", "1111", "2222", "3333"):
        me.enter(wrong)
    assert me.ended and "PIN is locked" in me.screen, me.screen


# -- When --------------------------------------------------------------------------------


@when(parsers.parse("{minutes:d} minutes pass"))
def minutes_pass(line: ClockedHarness, minutes: int) -> None:
    line.clock.offset += timedelta(minutes=minutes)


@when("staff unlock my PIN")
def staff_unlock(line: Harness, me: Phone) -> None:
    line.run(line.container.unlock_pin()(normalise_msisdn(me.number)))


@when("the network sends my answer before last again")
def resend_older(me: Phone) -> None:
    """A late copy of an earlier hop: its `text` lacks the latest answer."""
    latest = me.answers
    me.answers = latest[:-1]
    try:
        me.resend()
    finally:
        me.answers = latest


# -- Then --------------------------------------------------------------------------------


@then(parsers.parse('I see "{reason}" above the same screen as before'))
def reason_above_same_screen(me: Phone, reason: str) -> None:
    first, _, rest = me.screen.partition("\n")
    assert first == reason, f"{reason!r} is not the first line of:\n{me.screen}"
    assert rest == me.seen[-2], f"not the same screen:\n{me.seen[-2]}\n---\n{rest}"
    assert not me.ended, me.screen


@then(parsers.parse('I am offered to continue "{where}" or start over'))
def offered_resume(me: Phone, where: str) -> None:
    assert not me.ended, me.screen
    lines = me.screen.splitlines()
    assert lines == [f"You were in the middle of {where}.", "1. Continue", "2. Start over"], lines


@then(parsers.parse("I have {count:d} order"))
@then(parsers.parse("I have {count:d} orders"))
def order_count(line: Harness, me: Phone, count: int) -> None:
    orders = _my_orders(line, me)
    assert len(orders) == count, [o.reference for o in orders]


@then(parsers.parse("I see the reference of my {nth:d}th newest order"))
def see_nth_order(line: Harness, me: Phone, nth: int) -> None:
    reference = _my_orders(line, me)[nth - 1].reference
    assert me.screen.startswith(reference), f"{reference} not on:\n{me.screen}"
