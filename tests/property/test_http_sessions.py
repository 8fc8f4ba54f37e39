"""Random journeys through the running app, on every aggregator's line, in its wire format.

A customer (new, registered and verified, or registered and waiting) dials, perhaps with a
deep-dial suffix, and answers anything: menu numbers, 0 (back), 00 (home), 98 (more), `*`,
PINs right and wrong, amounts, long text, emoji, control characters. Along the way the
aggregator repeats a hop or sends an older one again, the customer dials again mid-journey
(resume), perhaps through another aggregator, and Hubtel reports a release or a timeout.
Every answer must be HTTP 200 in the aggregator's format, continue or end the session, fit the
gateway's screen in GSM-7, and never be the apology for an exception swallowed inside the line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.acceptance.handsets import GATEWAYS, SERVICE_CODE, Handset
from tests.acceptance.harness import Harness
from tests.property.conftest import ErrorLog
from tests.property.customers import FIRST_NAME, PIN, Customers
from tests.property.strategies import Numbers, answer
from tests.property.wires import APOLOGY, TEXTS

numbers = Numbers("24")
# Africa's Talking's `text` grows with every answer: no real session (3 minutes at most)
# comes near the body limit, where a hop is refused with 413; the customer dials again first.
LONGEST_SESSION = 40_000
REGISTRATION = ("1", "Ama", "Mensah", "Accra", "GA-183-8164", PIN, PIN, "1")
# A dialled string: the service code, with a deep-dial suffix now and then.
dialled = st.one_of(
    st.just(SERVICE_CODE),
    st.just(SERVICE_CODE),
    st.text(alphabet="0123456789*", min_size=1, max_size=6).map(lambda s: f"*384*303*{s}#"),
)
action = st.one_of(
    *[st.tuples(st.just("enter"), answer)] * 8,
    st.tuples(st.just("resend"), st.none()),
    st.tuples(st.just("late"), st.integers(0, 30)),
    st.tuples(st.just("redial"), dialled),
    st.tuples(st.just("switch"), st.sampled_from(GATEWAYS)),
    st.tuples(st.just("script"), st.just(REGISTRATION)),
    st.tuples(st.just("gateway_ends"), st.sampled_from(["release", "timeout"])),
)
who = st.sampled_from(["new", "verified", "verified", "verified", "waiting"])


class Driver:
    """A Handset, checked after every hop, remembering this session's requests."""

    def __init__(self, line: Harness, errors: ErrorLog, gateway: str, number: str) -> None:
        self.line = line
        self.errors = errors
        self.phone = Handset(line, number, gateway=gateway)
        self.sent: list[bytes] = []

    def checked(self, screen: str) -> str:
        logged = self.errors.take()
        assert not logged, logged
        assert screen != APOLOGY, "the hop failed inside the line (see the log)"
        self.sent.append(self.phone.sent)
        return screen

    def dial(self, dialled: str = SERVICE_CODE) -> str:
        self.sent = []
        return self.checked(self.phone.dial(dialled))

    def enter(self, text: str) -> None:
        if self.phone.ended or len(self.phone.sent) > LONGEST_SESSION:
            self.dial()  # the customer dials again (a waiting customer's dial ends at once)
        if not self.phone.ended:
            self.checked(self.phone.enter(text))

    def do(self, kind: str, value: Any) -> None:
        if kind == "enter":
            self.enter(value)
        elif kind == "resend":
            self.checked(self.phone.resend())
        elif kind == "late" and self.sent:
            # An older hop of this session sent again (an aggregator's retry arriving late).
            body = self.sent[value % len(self.sent)]
            self.checked(self.phone._send(body))
        elif kind == "script":
            for text in value:
                self.enter(text)
        elif kind == "redial":
            self.dial(value)
        elif kind == "switch":
            # The same customer dials again through another aggregator (another short code).
            self.phone.use(value)
            self.dial()
        elif kind == "gateway_ends" and self.phone.gateway == "hubtel" and not self.phone.ended:
            self.checked(self.phone.gateway_ends(value))


@pytest.fixture(scope="module")
def callers(line: Harness) -> dict[str, Callable[[], str]]:
    """A fresh number of each kind of caller: unknown, verified, waiting for verification."""
    return {
        "new": numbers.next,
        "verified": Customers(line, numbers, verified=True).next,
        "waiting": Customers(line, numbers, verified=False).next,
    }


@pytest.mark.parametrize("gateway", GATEWAYS)
@given(who=who, first=dialled, actions=st.lists(action, max_size=30))
def test_any_journey_answers_every_hop(
    line: Harness,
    errors: ErrorLog,
    callers: dict[str, Callable[[], str]],
    gateway: str,
    who: str,
    first: str,
    actions: list[tuple[str, Any]],
) -> None:
    driver = Driver(line, errors, gateway, callers[who]())
    driver.dial(first)
    event(f"first screen: {driver.phone.screen.splitlines()[0][:30]}")
    for kind, value in actions:
        driver.do(kind, value)
    event(f"{'ended' if driver.phone.ended else 'open'} after the last hop")


@pytest.mark.parametrize("gateway", GATEWAYS)
@given(answers=st.lists(answer, min_size=1, max_size=12))
def test_a_verified_customer_anywhere_in_the_menu(
    line: Harness,
    errors: ErrorLog,
    callers: dict[str, Callable[[], str]],
    gateway: str,
    answers: list[str],
) -> None:
    """From the main menu, straight into a journey, then anything at all."""
    driver = Driver(line, errors, gateway, callers["verified"]())
    main = TEXTS("main.title", first=FIRST_NAME)
    assert driver.dial().startswith(main), driver.phone.screen
    for text in answers:
        driver.enter(text)
