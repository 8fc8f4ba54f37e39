"""Steps of the Gherkin features, in the customer's words, driving the real HTTP app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then, when

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.domain.order import OrderStatus
from lpg_ussd.domain.outbox import OutboxKind
from tests.acceptance.harness import Harness, Phone

DEFAULT_PIN = "4826"
QUOTED = re.compile(r'"([^"]*)"')


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.close()


@pytest.fixture
def phones(line: Harness) -> dict[str, Phone]:
    return {}


@pytest.fixture
def me(line: Harness, phones: dict[str, Phone]) -> Phone:
    return phones.setdefault("me", Phone(line, "0244000001"))


def register_by_phone(phone: Phone, first: str, last: str, pin: str = DEFAULT_PIN) -> None:
    phone.dial()
    for answer in ("1", first, last, "Accra", "GA-183-8164", pin, pin, "1"):
        phone.enter(answer)
    assert phone.ended and "received" in phone.screen, phone.screen


def verify(line: Harness, number: str) -> None:
    line.run(line.container.verify_customer()(normalise_msisdn(number)))


# -- Given -------------------------------------------------------------------------------


@given(parsers.parse('my number is "{number}"'))
def my_number(me: Phone, number: str) -> None:
    me.number = number


@given("I am not registered")
def not_registered() -> None:
    """Nothing to do: a fresh line knows nobody."""


@given("auto-verification is on")
def auto_verify_on(line: Harness) -> None:
    line.overrides["auto_verify"] = True


@given(parsers.parse('mobile money payments are set to fail as "{outcome}"'))
def payments_fail(line: Harness, outcome: str) -> None:
    line.overrides["simulated_payment_outcome"] = outcome


@given(parsers.parse("the gateway allows {limit:d} characters a screen"))
def screen_limit(line: Harness, me: Phone, limit: int) -> None:
    line.overrides["screen_limit"] = limit
    me.limit = limit


@given(parsers.parse('I registered as "{first} {last}" and am waiting for verification'))
def registered_unverified(me: Phone, first: str, last: str) -> None:
    register_by_phone(me, first, last)


@given(parsers.parse('I am a verified customer "{first} {last}"'))
def verified_customer(line: Harness, me: Phone, first: str, last: str) -> None:
    register_by_phone(me, first, last)
    verify(line, me.number)


@given(parsers.parse('I am a verified customer "{first} {last}" with PIN "{pin}"'))
def verified_customer_with_pin(line: Harness, me: Phone, first: str, last: str, pin: str) -> None:
    register_by_phone(me, first, last, pin)
    verify(line, me.number)


@given(parsers.parse("my wallet holds GHS {amount:d}"))
def wallet_holds(line: Harness, me: Phone, amount: int) -> None:
    me.dial()
    for answer in ("1", "2", str(amount), "1", "1"):
        me.enter(answer)
    line.settle()


@given(parsers.parse('I have ordered a "{size}" cylinder paid on delivery'))
def ordered_on_delivery(me: Phone, size: str) -> None:
    me.dial()
    me.enter("1")
    me.enter("1")
    me.enter(_option_for(me.screen, size))
    me.enter("1")
    me.enter("5")
    assert me.ended and "placed" in me.screen, me.screen


def _option_for(screen: str, words: str) -> str:
    for line in screen.splitlines():
        if words in line and ". " in line:
            return line.split(".", 1)[0]
    raise AssertionError(f"no option {words!r} on:\n{screen}")


# -- When --------------------------------------------------------------------------------


@when("I dial the service")
@when("I dial again")
@given("I dial the service")
def dial(me: Phone) -> None:
    me.dial()


@when(parsers.re(r'I enter (?P<answers>".*")$'))
@given(parsers.re(r'I enter (?P<answers>".*")$'))
def enter(me: Phone, answers: str) -> None:
    for answer in QUOTED.findall(answers):
        me.enter(answer)


@when(parsers.parse('I choose "{words}"'))
def choose(me: Phone, words: str) -> None:
    me.enter(_option_for(me.screen, words))


@when("the network sends my last answer again")
def resend(me: Phone) -> None:
    me.resend()


@when("my session drops")
def drops(me: Phone) -> None:
    """The handset loses the session: nothing reaches the server."""


@when("staff verify my registration")
def staff_verify(line: Harness, me: Phone) -> None:
    verify(line, me.number)


@when("the mobile money provider answers")
@when("the mobile money provider confirms the payment")
@given("the mobile money provider confirms the payment")
def provider_answers(line: Harness) -> None:
    line.settle()


@when(parsers.parse('staff mark my last order as "{status}"'))
def staff_move(line: Harness, me: Phone, status: str) -> None:
    reference = _last_reference(line, me)
    line.run(line.container.move_order()(reference, OrderStatus(status)))


def _last_reference(line: Harness, me: Phone) -> str:
    async def read() -> str:
        async with line.container.uow()() as uow:
            customer = await uow.customers.get_by_msisdn(normalise_msisdn(me.number))
            assert customer is not None and customer.id is not None
            orders = await uow.orders.list_for_customer(customer.id, limit=1)
            return orders[0].reference

    return line.run(read())


# -- Then --------------------------------------------------------------------------------


@then(parsers.parse('I see "{text}"'))
def see(me: Phone, text: str) -> None:
    assert text in me.screen, f"{text!r} not on:\n{me.screen}"


@then(parsers.parse('I do not see "{text}"'))
def do_not_see(me: Phone, text: str) -> None:
    assert text not in me.screen, f"{text!r} is on:\n{me.screen}"


@then(parsers.parse('the screen starts with "{text}"'))
def starts_with(me: Phone, text: str) -> None:
    assert me.screen.startswith(text), me.screen


@then("the session continues")
def continues(me: Phone) -> None:
    assert not me.ended, me.screen


@then(parsers.parse('the session ends with "{text}"'))
def ends_with(me: Phone, text: str) -> None:
    assert me.ended, f"the session goes on:\n{me.screen}"
    assert text in me.screen, f"{text!r} not on:\n{me.screen}"


@then("the session ends")
def ends(me: Phone) -> None:
    assert me.ended, me.screen


@then(parsers.parse("I see the same screen as before"))
def same_screen(me: Phone) -> None:
    assert me.seen[-1] == me.seen[-2], me.seen[-2:]


@then(parsers.parse('I receive an SMS containing "{text}"'))
def sms(line: Harness, me: Phone, text: str) -> None:
    texts = line.sms_to(me.number)
    assert any(text in t for t in texts), f"{text!r} in none of {texts}"


@then(parsers.parse('staff receive an SMS containing "{text}"'))
def staff_sms(line: Harness, text: str) -> None:
    texts = line.sms_to("+233200000999")
    assert any(text in t for t in texts), f"{text!r} in none of {texts}"


@then(parsers.parse('I receive {count:d} SMS containing "{text}"'))
def sms_count(line: Harness, me: Phone, count: int, text: str) -> None:
    texts = [t for t in line.sms_to(me.number) if text in t]
    assert len(texts) == count, texts


@then(parsers.parse("{count:d} payment request was sent"))
@then(parsers.parse("{count:d} payment requests were sent"))
def payment_requests(line: Harness, count: int) -> None:
    assert len(line.outbox(OutboxKind.PAYMENT_REQUEST)) == count
