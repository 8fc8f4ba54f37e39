"""Every customer journey but registration, run through the HTTP app (Africa's Talking).

The shared steps live in conftest.py; the few these journeys need beyond them are here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from pytest_bdd import given, parsers, scenarios, then, when

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.domain.order import REFERENCE_ALPHABET, OrderStatus
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentStatus
from lpg_ussd.domain.ticket import Ticket
from tests.acceptance.conftest import DEFAULT_PIN, _last_reference, _option_for
from tests.acceptance.harness import Harness, Phone

scenarios("unverified.feature")
scenarios("deposit.feature")
scenarios("orders.feature")
scenarios("balance.feature")
scenarios("care.feature")
scenarios("refill.feature")
scenarios("account.feature")

ORDER_REFERENCE = re.compile(rf"\bNG-[{REFERENCE_ALPHABET}]{{6}}\b")
TICKET_NUMBER = re.compile(r"\bT\d{5}\b")
PAYMENT_REFERENCE = re.compile(r"\bRef (\w+)\.")
MORE = "98"


def _day(when: datetime) -> str:
    return when.strftime("%d %b")


def _to_main_menu(phone: Phone) -> None:
    """Dial, starting over when the line offers to continue an unfinished journey."""
    phone.dial()
    if "Start over" in phone.screen and "Continue" in phone.screen:
        phone.enter(_option_for(phone.screen, "Start over"))
    assert phone.screen.startswith("Hi "), phone.screen


def _choose_paging(phone: Phone, words: str) -> None:
    """Choose an option, turning the pages of a long list until it shows."""
    while not any(words in line for line in phone.screen.splitlines()):
        assert f"{MORE}. " in phone.screen, f"no option {words!r} on any page"
        phone.enter(MORE)
    phone.enter(_option_for(phone.screen, words))


def _order(phone: Phone, size: str, method: str) -> None:
    """A cylinder deposit of `size`, paid by the payment option named `method`."""
    _to_main_menu(phone)
    phone.enter(_option_for(phone.screen, "Make deposit"))
    phone.enter(_option_for(phone.screen, "Cylinder deposit"))
    _choose_paging(phone, size)
    phone.enter(_option_for(phone.screen, "Confirm"))
    phone.enter(_option_for(phone.screen, method))
    if "Enter your PIN" in phone.screen:
        phone.enter(DEFAULT_PIN)
    assert phone.ended and ORDER_REFERENCE.search(phone.screen), phone.screen


def _tickets(line: Harness) -> list[Ticket]:
    async def read() -> list[Ticket]:
        async with line.container.uow()() as uow:
            return await uow.tickets.list_open(limit=1000)

    return line.run(read())


# -- Given -------------------------------------------------------------------------------


@given(parsers.parse('I have ordered a "{size}" cylinder paid by "{method}"'))
def ordered_and_paid_by(me: Phone, size: str, method: str) -> None:
    _order(me, size, method)


@given(parsers.parse("I have ordered {count:d} cylinders paid on delivery"))
def ordered_many(me: Phone, count: int) -> None:
    for _ in range(count):
        _order(me, "3kg steel", "Pay on delivery")


@given(parsers.parse('I hold a "{size}" cylinder'))
def hold_cylinder(line: Harness, me: Phone, size: str) -> None:
    """Ordered on delivery, and delivered: the cylinder is mine on deposit."""
    _order(me, size, "Pay on delivery")
    reference = _last_reference(line, me)
    for status in (OrderStatus.DISPATCHED, OrderStatus.DELIVERED):
        line.run(line.container.move_order()(reference, status))


# -- When --------------------------------------------------------------------------------


@when("staff reject my registration")
def staff_reject(line: Harness, me: Phone) -> None:
    line.run(line.container.verify_customer()(normalise_msisdn(me.number), approve=False))


@when("I open my latest order")
def open_latest_order(me: Phone) -> None:
    _to_main_menu(me)
    me.enter(_option_for(me.screen, "Order status"))
    me.enter("1")


@when("I check my balance")
def check_balance(me: Phone) -> None:
    _to_main_menu(me)
    me.enter(_option_for(me.screen, "Account balance"))
    me.enter(DEFAULT_PIN)


@when("the provider's callback for my top-up comes twice")
def callback_twice(line: Harness, me: Phone) -> None:
    found = PAYMENT_REFERENCE.search(me.screen)
    assert found, me.screen
    body = {"reference": found.group(1)}
    simulated = line.container.simulated_payments()
    # This provider answers only by its HTTP callback, so the callbacks below decide.
    notify, simulated.notify = simulated.notify, None
    try:
        line.run(line.container.worker().run_once())  # the request reaches the provider
        line.run(simulated.drain())
        statuses = []
        for _ in range(2):
            response = line.run(line.client.post("/payments/simulated/callback", json=body))
            assert response.status_code == 200, response.text
            statuses.append(response.json()["status"])
    finally:
        simulated.notify = notify
    assert statuses == ["succeeded", "already_final"], statuses


# -- Then --------------------------------------------------------------------------------


@then("I see these options in order:")
def options_in_order(me: Phone, datatable: list[list[str]]) -> None:
    lines = me.screen.splitlines()
    wanted = [row[0].strip() for row in datatable]
    found = [lines.index(option) for option in wanted if option in lines]
    assert len(found) == len(wanted), f"{wanted} not all on:\n{me.screen}"
    assert found == sorted(found), f"{wanted} not in this order on:\n{me.screen}"


@then("I see my order reference")
def see_order_reference(line: Harness, me: Phone) -> None:
    found = ORDER_REFERENCE.search(me.screen)
    assert found, f"no order reference on:\n{me.screen}"
    assert found.group(0) == _last_reference(line, me)


@then(parsers.parse("I see my orders, newest first:"))
def orders_newest_first(me: Phone, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert header == ["cylinder", "status"], header
    listed = [line for line in me.screen.splitlines() if ORDER_REFERENCE.search(line)]
    assert len(listed) == len(rows), me.screen
    for number, (shown, (cylinder, status)) in enumerate(zip(listed, rows, strict=True), 1):
        assert shown.startswith(f"{number}. NG-"), shown
        assert shown.endswith(f" {cylinder} {status}"), f"{shown!r} is not {cylinder} {status}"


@then(parsers.parse('I see "{status}" with today\'s date'))
def status_today(me: Phone, status: str) -> None:
    expected = f"{status} {_day(datetime.now(UTC))}"
    assert expected in me.screen, f"{expected!r} not on:\n{me.screen}"


@then("I see the delivery expected tomorrow")
def delivery_tomorrow(me: Phone) -> None:
    expected = f"Delivery by {_day(datetime.now(UTC) + timedelta(days=1))}"
    assert expected in me.screen, f"{expected!r} not on:\n{me.screen}"


@then("the session ends with a ticket number")
def ends_with_ticket(me: Phone) -> None:
    assert me.ended, me.screen
    assert TICKET_NUMBER.search(me.screen), me.screen


@then("I receive an SMS with that ticket number")
def sms_with_ticket(line: Harness, me: Phone) -> None:
    found = TICKET_NUMBER.search(me.screen)
    assert found, me.screen
    texts = line.sms_to(me.number)
    assert any(f"ticket {found.group(0)}" in text for text in texts), texts


@then(parsers.parse('staff see an open ticket about "{topic}" from me'))
def open_ticket(line: Harness, me: Phone, topic: str) -> None:
    mine = [t for t in _tickets(line) if t.msisdn == normalise_msisdn(me.number).e164]
    assert [t.topic.value for t in mine] == [topic], mine
    found = TICKET_NUMBER.search(me.screen)
    assert found and mine[0].number == found.group(0), (me.screen, mine)


@then(parsers.parse('staff see an urgent open ticket about "{topic}" from me'))
def urgent_ticket(line: Harness, me: Phone, topic: str) -> None:
    mine = [t for t in _tickets(line) if t.msisdn == normalise_msisdn(me.number).e164]
    assert [(t.topic.value, t.urgent) for t in mine] == [(topic, True)], mine


@then("no payment prompt was sent to my phone")
def prompt_withdrawn(line: Harness) -> None:
    async def read() -> list[Payment]:
        async with line.container.uow()() as uow:
            return await uow.payments.list(limit=10)

    (payment,) = line.run(read())
    assert payment.status is PaymentStatus.FAILED
    assert payment.failure_reason is FailureReason.CANCELLED
