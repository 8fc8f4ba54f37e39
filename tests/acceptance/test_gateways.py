"""Steps of features/gateways.feature: every journey through every aggregator's wire format.

The shared steps of conftest.py drive `me`, which here is a Handset of handsets.py: the same
interface as the Africa's Talking Phone, speaking whichever aggregator a scenario names.
Long screens page on the gateways that allow fewer characters (Nalo: 120), so choosing an
option and looking for a text turn the pages as a customer would (98 more, 0 back).
"""

from __future__ import annotations

import re

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.domain.order import Order
from tests.acceptance.handsets import Handset
from tests.acceptance.harness import Harness

scenarios("gateways.feature")

MORE = "98. More"
BACK = "0. Back"
PAY_OPTIONS = ["MTN MoMo", "Telecel Cash", "AirtelTigo Money", "Wallet", "Pay on delivery"]


@pytest.fixture
def me(line: Harness, phones: dict[str, Handset]) -> Handset:
    return phones.setdefault("me", Handset(line, "0244000001"))


# -- turning pages ------------------------------------------------------------------------


def _lines(screen: str) -> list[str]:
    return screen.splitlines()


def _more(phone: Handset) -> bool:
    return not phone.ended and MORE in _lines(phone.screen)


def _first_page(phone: Handset) -> None:
    """Back to the first page of a paged screen (0 on a later page turns back a page)."""
    while not phone.ended and BACK in _lines(phone.screen):
        phone.enter("0")


def _turn_to(phone: Handset, found: re.Pattern[str] | str) -> bool:
    """Turn the pages of the current screen until `found` shows; False if it never does."""

    def shows() -> bool:
        if isinstance(found, str):
            return found in phone.screen
        return found.search(phone.screen) is not None

    if shows():
        return True
    if not _more(phone) and BACK not in _lines(phone.screen):
        return False
    _first_page(phone)
    while not shows():
        if not _more(phone):
            return False
        phone.enter("98")
    return True


def _option_for(phone: Handset, words: str) -> str:
    option = re.compile(rf"^(\d+)\. .*{re.escape(words)}", re.MULTILINE)
    assert _turn_to(phone, option), f"no option {words!r} on any page of:\n{phone.screen}"
    found = option.search(phone.screen)
    assert found is not None
    return found.group(1)


def _to_main_menu(phone: Handset) -> None:
    phone.dial()
    if "Start over" in phone.screen and "Continue" in phone.screen:
        phone.enter(_option_for(phone, "Start over"))
    assert phone.screen.startswith("Hi "), phone.screen


def _my_orders(line: Harness, phone: Handset) -> list[Order]:
    card = line.run(line.container.find_customer_card()(normalise_msisdn(phone.number).e164))
    assert card is not None, f"{phone.number} is not registered"
    orders: list[Order] = line.run(line.container.customer_orders()(card.id, 100))
    return orders


# -- Given -------------------------------------------------------------------------------


@given(parsers.re(r'I call through "(?P<gateway>\w+)"$'))
def call_through(me: Handset, gateway: str) -> None:
    me.use(gateway)


@given(parsers.re(r'I call through "(?P<gateway>\w+)" on the "(?P<network>\w+)" network$'))
def call_through_on(me: Handset, gateway: str, network: str) -> None:
    me.use(gateway)
    me.network = network


@given(parsers.re(r'I call through "(?P<gateway>\w+)" with the operator field "(?P<raw>[^"]*)"$'))
def call_through_with_operator(me: Handset, gateway: str, raw: str) -> None:
    me.use(gateway)
    me.operator = raw


# -- When --------------------------------------------------------------------------------


@when(parsers.parse('I dial "{dialled}"'))
def dial_code(me: Handset, dialled: str) -> None:
    me.dial(dialled)


@when(parsers.parse('I choose "{words}"'))
def choose(me: Handset, words: str) -> None:
    me.enter(_option_for(me, words))


@when("I go to the main menu")
def go_to_main_menu(me: Handset) -> None:
    _to_main_menu(me)


@when("I open my latest order")
def open_latest_order(me: Handset) -> None:
    _to_main_menu(me)
    me.enter(_option_for(me, "Order status"))
    me.enter("1")


@when(parsers.parse('Hubtel reports that the session ended by "{event}"'))
def hubtel_ends(me: Handset, event: str) -> None:
    me.gateway_ends(event)


# -- Then --------------------------------------------------------------------------------


@then(parsers.parse('I see "{text}"'))
def see(me: Handset, text: str) -> None:
    assert _turn_to(me, text), f"{text!r} on no page of:\n{me.screen}"


@then(parsers.parse('the session ends, page by page, with "{text}"'))
def ends_page_by_page(me: Handset, text: str) -> None:
    """A closing text longer than the gateway's screen comes in pages: read them all."""
    pages = [me.screen]
    while _more(me):
        me.enter("98")
        pages.append(me.screen)
    assert me.ended, f"the session goes on:\n{me.screen}"
    for page in pages[:-1]:
        assert _lines(page)[-1] == MORE, page
    read = " ".join(line for page in pages for line in _lines(page) if line != MORE)
    assert text in read, f"{text!r} not in:\n{read}"


@then("I see these options in order on the line:")
def options_in_order(me: Handset, datatable: list[list[str]]) -> None:
    wanted = [row[0].strip() for row in datatable]
    lines = _lines(me.screen)
    found = [lines.index(option) for option in wanted if option in lines]
    assert found == sorted(found) and len(found) == len(wanted), f"{wanted} on:\n{me.screen}"


@then(parsers.parse('the payment menu marks "{mine}" as my network'))
def marks_my_network(me: Handset, mine: str) -> None:
    """My own network says "(yours)"; every option keeps its number."""
    shown = {}
    for number, label in enumerate(PAY_OPTIONS, 1):
        pattern = re.compile(rf"^{number}\. {re.escape(label)}( \(yours\))?$", re.MULTILINE)
        if not _turn_to(me, pattern):
            continue
        found = pattern.search(me.screen)
        assert found is not None
        shown[label] = bool(found.group(1))
    assert shown.get(mine) is True, f"{mine!r} not marked on:\n{me.screen}"
    assert sum(shown.values()) == 1, shown
    assert set(PAY_OPTIONS[:3]) <= set(shown), shown


@then(parsers.parse('I am offered to continue "{where}" or start over'))
def offered_resume(me: Handset, where: str) -> None:
    assert not me.ended, me.screen
    lines = _lines(me.screen)
    assert lines == [f"You were in the middle of {where}.", "1. Continue", "2. Start over"], lines


@then(parsers.parse("I have placed {count:d} order"))
@then(parsers.parse("I have placed {count:d} orders"))
def order_count(line: Harness, me: Handset, count: int) -> None:
    orders = _my_orders(line, me)
    assert len(orders) == count, [o.reference for o in orders]
