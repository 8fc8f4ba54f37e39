"""The dialogue engine, driven hop by hop with neutral requests and in-memory sessions."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import pytest

from lpg_ussd.adapters.payments.providers import ConfiguredPaymentProviders
from lpg_ussd.adapters.sessions.memory import InMemorySessionStore
from lpg_ussd.application.brand import Brand
from lpg_ussd.application.customers import (
    FindCustomerCard,
)
from lpg_ussd.application.messages import Messages
from lpg_ussd.application.ports import PaymentRequestResult, ProviderStatus, UnitOfWorkFactory
from lpg_ussd.application.ussd.engine import Dialogue, DialogueSettings, UssdReply, UssdRequest
from lpg_ussd.application.ussd.journeys import build_screens
from lpg_ussd.application.ussd.paging import paginate
from lpg_ussd.application.ussd.screens import (
    Choice,
    End,
    Go,
    HopContext,
    Outcome,
    ScreenRegistry,
    View,
    text_view,
)
from lpg_ussd.application.ussd.services import Services
from lpg_ussd.application.ussd.texts import Languages, is_gsm7, load_texts
from lpg_ussd.domain.outbox import OutboxKind
from lpg_ussd.domain.payment import Payment, PaymentStatus
from lpg_ussd.domain.ticket import TicketTopic
from tests.fakes import (
    FixedClock,
    InMemoryDatabase,
    InMemoryUnitOfWorkFactory,
    dialogue_services,
    seed_catalogue,
)

PHONE = "+233241234567"
OTHER_PHONE = "+233201112223"
TEXTS = load_texts("en")
MORE = TEXTS("common.more")
BACK = TEXTS("common.back")
BRAND = Brand(
    company="Demo Gas",
    care_number="0302000000",
    emergency_number="0302000999",
    service_code="*384*303#",
)


class FakePaymentGateway:
    """Takes every request; every payment stays pending (the engine never waits on one)."""

    name = "fake"

    async def request_payment(self, payment: Payment, payer_name: str) -> PaymentRequestResult:
        return PaymentRequestResult(accepted=True)

    async def query_status(self, payment: Payment) -> ProviderStatus:
        return ProviderStatus(PaymentStatus.PENDING)


class UnreachableUnitOfWork:
    """A database that cannot be reached: every transaction fails to begin."""

    async def __aenter__(self) -> UnreachableUnitOfWork:
        raise ConnectionError("database unreachable")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


def unreachable_database() -> UnreachableUnitOfWork:
    return UnreachableUnitOfWork()


def build_services(
    uow: UnitOfWorkFactory, clock: FixedClock, care_uow: Any = None
) -> tuple[Services, Messages]:
    """Every use case the dialogue may call, on fakes; `care_uow` breaks the care ones."""
    messages = Messages(TEXTS, BRAND)
    providers = ConfiguredPaymentProviders({"fake": FakePaymentGateway()}, default="fake")
    services = dialogue_services(uow, clock, messages, providers, BRAND, care_uow)
    return services, messages


# ---------------------------------------------------------------- a small test journey


@dataclass
class Effects:
    """What the test screens did, to see that a replay or a lock changed nothing."""

    counted: int = 0
    in_flight: int = 0
    most_in_flight: int = 0
    seen: list[str] = field(default_factory=list)
    slow_seconds: float = 0.05


LONG_MENU = [f"Item {n:02d} of the long list" for n in range(1, 31)]


def engine_screens(effects: Effects) -> ScreenRegistry:
    """welcome: 1 count, 2 echo, 3 long list, 4 slow, 5 boom."""
    registry = ScreenRegistry()

    async def show_welcome(ctx: HopContext) -> View:
        names = ["count", "echo", "long", "slow", "boom"]
        return View("Test line", tuple(Choice(str(i), n, n) for i, n in enumerate(names, 1)))

    async def answer_welcome(ctx: HopContext, value: str) -> Outcome:
        return Go(value)

    async def show_count(ctx: HopContext) -> View:
        return View(f"Count {ctx.data.get('count', 0)}. Type anything")

    async def answer_count(ctx: HopContext, text: str) -> Outcome:
        effects.counted += 1
        return Go("count", {"count": ctx.data.get("count", 0) + 1})

    async def answer_echo(ctx: HopContext, text: str) -> Outcome:
        effects.seen.append(text)
        return Go("echo2", {"first": text})

    async def answer_echo2(ctx: HopContext, text: str) -> Outcome:
        effects.seen.append(text)
        return End(f"{ctx.data['first']}|{text}")

    async def show_long(ctx: HopContext) -> View:
        return View(
            "Pick one:", tuple(Choice(str(i), label, label) for i, label in enumerate(LONG_MENU, 1))
        )

    async def answer_long(ctx: HopContext, value: str) -> Outcome:
        return End(f"You chose {value}")

    async def answer_slow(ctx: HopContext, text: str) -> Outcome:
        effects.in_flight += 1
        effects.most_in_flight = max(effects.most_in_flight, effects.in_flight)
        try:
            await asyncio.sleep(effects.slow_seconds)
            effects.counted += 1
        finally:
            effects.in_flight -= 1
        return Go("slow", {"count": ctx.data.get("count", 0) + 1})

    async def show_slow(ctx: HopContext) -> View:
        return View(f"Slow {ctx.data.get('count', 0)}")

    async def answer_boom(ctx: HopContext, text: str) -> Outcome:
        await ctx.services.request_callback(None, ctx.msisdn, TicketTopic.OTHER)
        return End("unreachable")

    registry.menu("welcome", "menu", show_welcome, answer_welcome)
    registry.prompt("count", "menu", show_count, answer_count)
    registry.prompt("echo", "menu", text_view("register.first_name"), answer_echo)
    registry.prompt("echo2", "menu", text_view("register.last_name"), answer_echo2)
    registry.menu("long", "menu", show_long, answer_long)
    registry.prompt("slow", "menu", show_slow, answer_slow)
    registry.prompt("boom", "menu", text_view("register.town"), answer_boom)
    return registry


@dataclass
class Rig:
    dialogue: Dialogue
    store: InMemorySessionStore
    db: InMemoryDatabase
    effects: Effects
    messages: Messages


def make_rig(
    registry: ScreenRegistry | None = None,
    settings: DialogueSettings | None = None,
    broken_care: bool = False,
) -> Rig:
    clock = FixedClock()
    db = InMemoryDatabase(clock)
    seed_catalogue(db)
    uow = InMemoryUnitOfWorkFactory(db)
    services, messages = build_services(uow, clock, unreachable_database if broken_care else None)
    effects = Effects()
    store = InMemorySessionStore()
    dialogue = Dialogue(
        registry=registry or engine_screens(effects),
        store=store,
        services=services,
        languages=Languages(["en"], "en"),
        brand=BRAND,
        clock=clock,
        lookup_customer=FindCustomerCard(uow),
        settings=settings or DialogueSettings(),
    )
    return Rig(dialogue, store, db, effects, messages)


class Handset:
    """One session, as a gateway that sends each hop's own input (not cumulative)."""

    def __init__(self, rig: Rig, msisdn: str = PHONE, session_id: str = "S1", limit: int = 160):
        self.rig = rig
        self.msisdn = msisdn
        self.session_id = session_id
        self.limit = limit
        self.hops = 0

    def request(self, text: str, hop_key: str | None = None) -> UssdRequest:
        return UssdRequest(
            gateway="test",
            session_id=self.session_id,
            msisdn=self.msisdn,
            text=text,
            new_session=self.hops == 0,
            hop_key=hop_key if hop_key is not None else f"{self.session_id}-{self.hops}",
            screen_limit=self.limit,
        )

    async def send(self, text: str = "", hop_key: str | None = None) -> UssdReply:
        request = self.request(text, hop_key)
        self.hops += 1
        return await self.rig.dialogue.answer(request)


@pytest.fixture
def rig() -> Rig:
    return make_rig()


# ---------------------------------------------------------------- replay


async def test_a_repeated_hop_gets_the_same_answer_and_no_second_effect(rig: Rig) -> None:
    phone = Handset(rig)
    await phone.send("")
    await phone.send("1", hop_key="k1")
    first = await phone.send("x", hop_key="k2")
    assert first == UssdReply("Count 1. Type anything", end=False)

    again = await phone.send("x", hop_key="k2")

    assert again == first
    assert rig.effects.counted == 1
    record = await rig.store.get(PHONE)
    assert record is not None and record.data["count"] == 1
    assert await phone.send("y", hop_key="k3") == UssdReply("Count 2. Type anything", end=False)
    assert rig.effects.counted == 2


async def test_a_hop_after_the_end_gets_the_end_again(rig: Rig) -> None:
    phone = Handset(rig)
    await phone.send("")
    await phone.send("2")
    await phone.send("a")
    end = await phone.send("b")
    assert end == UssdReply("a|b", end=True)

    assert await phone.send("c") == end
    assert rig.effects.seen == ["a", "b"]


async def test_a_repeated_registration_confirm_registers_once() -> None:
    rig = make_rig(registry=build_screens())
    answers = ["1", "ama", "mensah", "accra", "ga1838164", "4826", "4826", "1"]

    async def hop(upto: int) -> UssdReply:
        text = "*".join(answers[:upto])
        request = UssdRequest(
            gateway="africastalking",
            session_id="AT1",
            msisdn=PHONE,
            text=text,
            new_session=upto == 0,
            cumulative=True,
            hop_key=text,
        )
        return await rig.dialogue.answer(request)

    for upto in range(len(answers)):
        reply = await hop(upto)
        assert not reply.end, reply.text
    done = await hop(len(answers))
    assert done.end and "Thank you Ama" in done.text

    assert await hop(len(answers)) == done
    assert await hop(len(answers)) == done

    (customer,) = rig.db.rows("customers")
    assert (customer.first_name, customer.last_name, customer.town) == ("Ama", "Mensah", "Accra")
    assert str(customer.digital_address) == "GA-183-8164"
    sms = [r.message for r in rig.db.rows("outbox") if r.message.kind is OutboxKind.SMS]
    assert len(sms) == 1


# ---------------------------------------------------------------- cumulative input


def cumulative(session_id: str, text: str, first: bool = False) -> UssdRequest:
    return UssdRequest(
        gateway="africastalking",
        session_id=session_id,
        msisdn=PHONE,
        text=text,
        new_session=first,
        cumulative=True,
        hop_key=text,
    )


async def test_cumulative_text_gives_the_latest_answer_even_one_containing_a_star(
    rig: Rig,
) -> None:
    answer = rig.dialogue.answer
    assert (await answer(cumulative("C1", "", first=True))).text.startswith("Test line")
    await answer(cumulative("C1", "2"))
    await answer(cumulative("C1", "2*a*b"))
    end = await answer(cumulative("C1", "2*a*b*c"))

    assert rig.effects.seen == ["a*b", "c"]
    assert end == UssdReply("a*b|c", end=True)


async def test_cumulative_text_with_back_and_a_star_answer(rig: Rig) -> None:
    answer = rig.dialogue.answer
    await answer(cumulative("C2", "", first=True))
    await answer(cumulative("C2", "2"))
    back = await answer(cumulative("C2", "2*0"))
    assert back.text.startswith("Test line")
    await answer(cumulative("C2", "2*0*2"))
    await answer(cumulative("C2", "2*0*2**x*"))
    end = await answer(cumulative("C2", "2*0*2**x***"))
    assert rig.effects.seen == ["*x*", "*"]
    assert end.text == "*x*|*"


async def test_a_gateway_sending_each_input_alone_keeps_stars_as_typed(rig: Rig) -> None:
    phone = Handset(rig)
    await phone.send("")
    await phone.send("2")
    await phone.send("1*2*3")
    assert (await phone.send("4")).text == "1*2*3|4"


async def test_cumulative_text_that_does_not_extend_the_last_takes_its_last_part(
    rig: Rig,
) -> None:
    answer = rig.dialogue.answer
    await answer(cumulative("C3", "", first=True))
    await answer(cumulative("C3", "2"))
    await answer(cumulative("C3", "9*a"))  # not "2*...": the last part is the answer
    assert rig.effects.seen == ["a"]


# ---------------------------------------------------------------- paging


def _bodies(pages: list[str]) -> list[str]:
    lines: list[str] = []
    for page in pages:
        lines.extend(line for line in page.split("\n") if line not in (MORE, BACK))
    return lines


def test_a_screen_that_fits_is_one_page_without_footers() -> None:
    lines = ["Hi Ama", "1. Make deposit", "2. Order status"]
    assert paginate(lines, 160, MORE, BACK) == ["Hi Ama\n1. Make deposit\n2. Order status"]


@pytest.mark.parametrize("limit", [120, 160, 182])
def test_pages_fit_the_limit_and_carry_every_line_once_in_order(limit: int) -> None:
    lines = ["Pick one:", *(f"{i}. {label}" for i, label in enumerate(LONG_MENU, 1))]

    pages = paginate(lines, limit, MORE, BACK)

    assert len(pages) > 1
    assert all(len(page) <= limit for page in pages)
    assert _bodies(pages) == lines
    for index, page in enumerate(pages):
        footer = page.split("\n")
        assert (footer[-1] == MORE or footer[-2] == MORE) is (index < len(pages) - 1)
        assert (BACK in footer) is (index > 0)
    assert pages[0].endswith(MORE)
    assert pages[-1].endswith(BACK)
    assert all(page.endswith(f"{MORE}\n{BACK}") for page in pages[1:-1])


def test_random_screens_always_page_within_the_limit() -> None:
    rng = random.Random(20260302)
    words = ["gas", "cylinder", "GHS", "12.50", "deposit", "Accra", "wallet", "order", "NG-ABC234"]
    for _ in range(300):
        limit = rng.choice([120, 140, 160, 182])
        room = limit - len(MORE) - len(BACK) - 3
        lines = [
            " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
            for _ in range(rng.randint(1, 25))
        ]

        pages = paginate(lines, limit, MORE, BACK)

        assert all(len(page) <= limit for page in pages), (limit, pages)
        bodies = iter(_bodies(pages))
        for line in lines:
            if len(pages) == 1 or len(line) <= room:
                assert next(bodies) == line  # whole, once, in order
            else:  # too long for a page: broken at spaces, no word lost
                pieces = [next(bodies)]
                while " ".join(pieces) != line:
                    assert len(" ".join(pieces)) < len(line), (line, pieces)
                    pieces.append(next(bodies))
        assert next(bodies, None) is None


async def test_the_engine_pages_a_long_menu_with_more_and_back(rig: Rig) -> None:
    phone = Handset(rig)
    await phone.send("")
    first = await phone.send("3")
    assert first.text.startswith("Pick one:")
    assert first.text.endswith(MORE)
    assert BACK not in first.text.split("\n")

    pages = [first.text]
    while MORE in pages[-1].split("\n"):
        reply = await phone.send("98")
        assert not reply.end
        pages.append(reply.text)
    assert all(len(page) <= 160 and is_gsm7(page) for page in pages)
    assert all(page.split("\n")[-1] == BACK for page in pages[1:])
    expected = [f"{i}. {label}" for i, label in enumerate(LONG_MENU, 1)]
    assert _bodies(pages) == ["Pick one:", *expected]

    # `0` goes back a page, `98` forward again.
    assert (await phone.send("0")).text == pages[-2]
    assert (await phone.send("98")).text == pages[-1]
    # `98` on the last page is no page: a wrong choice, the screen again with a reason.
    wrong = await phone.send("98")
    assert wrong.text.startswith(TEXTS("common.choose_option") + "\nPick one:")
    assert len(wrong.text) <= 160
    # A choice shown on a later page is taken from any page.
    assert await phone.send("25") == UssdReply(f"You chose {LONG_MENU[24]}", end=True)


async def test_a_narrow_gateway_gets_narrower_pages(rig: Rig) -> None:
    phone = Handset(rig, limit=120)
    await phone.send("")
    pages = [(await phone.send("3")).text]
    while MORE in pages[-1].split("\n"):
        pages.append((await phone.send("98")).text)
    assert all(len(page) <= 120 for page in pages)
    assert len(_bodies(pages)) == 31


# ---------------------------------------------------------------- the session lock


async def test_two_hops_of_one_session_never_run_at_once(rig: Rig) -> None:
    phone = Handset(rig)
    await phone.send("")
    await phone.send("4")

    first, second = await asyncio.gather(
        rig.dialogue.answer(phone.request("a", "k-a")),
        rig.dialogue.answer(phone.request("b", "k-b")),
    )

    assert rig.effects.most_in_flight == 1
    assert rig.effects.counted == 2
    assert {first.text, second.text} == {"Slow 1", "Slow 2"}
    record = await rig.store.get(PHONE)
    assert record is not None and record.data["count"] == 2


async def test_a_double_tap_arriving_together_runs_once(rig: Rig) -> None:
    phone = Handset(rig)
    await phone.send("")
    await phone.send("4")

    replies = await asyncio.gather(
        *(rig.dialogue.answer(phone.request("a", "same")) for _ in range(3))
    )

    assert rig.effects.counted == 1
    assert replies == [UssdReply("Slow 1", end=False)] * 3


async def test_sessions_of_different_phones_run_side_by_side(rig: Rig) -> None:
    mine, theirs = Handset(rig), Handset(rig, OTHER_PHONE, "S2")
    for phone in (mine, theirs):
        await phone.send("")
        await phone.send("4")

    await asyncio.gather(
        rig.dialogue.answer(mine.request("a", "m")),
        rig.dialogue.answer(theirs.request("a", "t")),
    )

    assert rig.effects.most_in_flight == 2


async def test_a_hop_kept_waiting_for_the_lock_ends_politely() -> None:
    rig = make_rig(settings=DialogueSettings(hop_deadline_seconds=2.0, lock_timeout_seconds=0.05))
    rig.effects.slow_seconds = 0.3
    phone = Handset(rig)
    await phone.send("")
    await phone.send("4")

    slow, kept_waiting = await asyncio.gather(
        rig.dialogue.answer(phone.request("a", "k-a")),
        rig.dialogue.answer(phone.request("b", "k-b")),
    )

    assert slow == UssdReply("Slow 1", end=False)
    assert kept_waiting == UssdReply(TEXTS("common.busy"), end=True)
    assert rig.effects.counted == 1


# ---------------------------------------------------------------- deadline and failures


async def test_a_hop_over_the_deadline_gets_a_polite_end_in_time() -> None:
    rig = make_rig(settings=DialogueSettings(hop_deadline_seconds=0.1, lock_timeout_seconds=0.05))
    rig.effects.slow_seconds = 5
    phone = Handset(rig)
    await phone.send("")
    await phone.send("4")

    started = time.monotonic()
    reply = await phone.send("a")

    assert time.monotonic() - started < 1
    assert reply == UssdReply(TEXTS("common.busy"), end=True)
    assert rig.effects.counted == 0
    # The lock was let go: the next hop of the session is answered.
    rig.effects.slow_seconds = 0
    assert await phone.send("b") == UssdReply("Slow 1", end=False)


async def test_an_exception_inside_a_use_case_gives_the_polite_error_end() -> None:
    rig = make_rig(broken_care=True)
    phone = Handset(rig)
    await phone.send("")
    await phone.send("5")

    reply = await phone.send("anything")

    assert reply == UssdReply(TEXTS("common.error"), end=True)


async def test_a_use_case_failing_in_a_real_journey_ends_politely() -> None:
    rig = make_rig(registry=build_screens(), broken_care=True)
    phone = Handset(rig)
    assert "Welcome to Demo Gas" in (await phone.send("")).text
    await phone.send("2")  # customer care
    await phone.send("1")  # a call back

    reply = await phone.send("1")  # about an order: the ticket cannot be written

    assert reply == UssdReply(TEXTS("common.error"), end=True)
    assert rig.db.rows("tickets") == []


async def test_a_wrong_choice_is_asked_again_and_the_third_ends(rig: Rig) -> None:
    phone = Handset(rig)
    welcome = await phone.send("")
    reason = TEXTS("common.choose_option")
    first = await phone.send("9")
    assert first == UssdReply(f"{reason}\n{welcome.text}", end=False)
    assert (await phone.send("x")).text == first.text
    assert await phone.send("7") == UssdReply(TEXTS("common.too_many_tries"), end=True)


async def test_a_late_copy_of_an_earlier_hop_changes_nothing(rig: Rig) -> None:
    answer = rig.dialogue.answer
    await answer(cumulative("C4", "", first=True))
    await answer(cumulative("C4", "2"))
    await answer(cumulative("C4", "2*a"))

    late = await answer(cumulative("C4", "2"))  # an aggregator's retry of hop 2, arriving late

    assert rig.effects.seen == ["a"]
    assert not late.end
