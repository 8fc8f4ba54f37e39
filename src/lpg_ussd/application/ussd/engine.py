"""The dialogue engine: one hop in, one answer out.

A hop: load the session record -> handle the input on the current screen -> run what the
screen's answer asks for -> render the next screen -> save the record. Back, home, paging,
strikes, resume after a drop and replay of a repeated hop are the engine's, for every screen.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from lpg_ussd.application.brand import Brand
from lpg_ussd.application.ports import Clock, HopObserver, NoObserver, SessionBusy, SessionStore
from lpg_ussd.application.ussd.paging import paginate
from lpg_ussd.application.ussd.screens import (
    Choice,
    End,
    Home,
    HopContext,
    Outcome,
    Retry,
    Screen,
    ScreenRegistry,
    View,
)
from lpg_ussd.application.ussd.services import Services
from lpg_ussd.application.ussd.session import (
    CheckoutItem,
    CustomerCard,
    ResumePoint,
    SessionRecord,
)
from lpg_ussd.application.ussd.texts import Languages, Texts, to_gsm7

log = logging.getLogger("lpg_ussd.dialogue")

BACK = "0"
HOME = "00"
MORE = "98"
MAX_STRIKES = 3
MAX_INPUT = 160
RESUME = "resume"
INPUT = "input"
RELEASE = "release"
TIMEOUT = "timeout"
WELCOME = "welcome"
MAIN = "main"


@dataclass(frozen=True, slots=True)
class UssdRequest:
    """One hop, whatever aggregator sent it.

    `text` is this hop's input, or, when `cumulative`, every input so far joined by `*`
    (the latest is then found by comparing with the previous text). `hop_key` names the
    hop so a repeated copy can be answered from the replay. `deep_dial` holds the digits
    dialled after the service code (`2` for `*384*303*2#`) where the gateway reports them
    apart; a cumulative gateway carries them in the first hop's `text`. `network` is the
    customer's mobile-money network as far as the gateway tells it: `mtn`, `telecel` or
    `airteltigo`. `event` says the gateway ended the session (`release`: the customer;
    `timeout`: the gateway gave up): it changes nothing and keeps the session resumable.
    `checkout` names the payment provider of the gateway's own checkout when the gateway
    offers one (Hubtel's, when the settings turn it on): a mobile-money payment chosen on
    this hop is then handed to it instead of being requested by the line.
    """

    gateway: str
    session_id: str
    msisdn: str
    text: str
    new_session: bool
    service_code: str = ""
    cumulative: bool = False
    hop_key: str | None = None
    network: str | None = None
    screen_limit: int = 160
    deep_dial: str = ""
    event: str = INPUT
    sequence: int | None = None  # the gateway's number for this hop, where it numbers them
    checkout: str | None = None


@dataclass(frozen=True, slots=True)
class UssdReply:
    """The answer; `kind` (menu, input or display) and `screen` help gateways that render
    richer channels (Hubtel's `DataType` and `ClientState`). `checkout`, on an ending answer
    only, is what the gateway's own checkout is to collect; gateways without one ignore it
    (it is only ever set on a hop whose request offered a checkout)."""

    text: str
    end: bool
    kind: str = field(default="display", compare=False)
    screen: str = field(default="", compare=False)
    checkout: CheckoutItem | None = None


@dataclass(frozen=True, slots=True)
class DialogueSettings:
    session_ttl_seconds: int = 600
    resume_window_seconds: int = 600
    hop_deadline_seconds: float = 3.0
    lock_timeout_seconds: float = 2.5


CustomerLookup = Callable[[str], Awaitable[CustomerCard | None]]


def _clean(raw: str) -> str:
    """A keypad answer: printable, trimmed, bounded."""
    printable = "".join(ch for ch in raw if ch.isprintable())
    return printable.strip()[: MAX_INPUT * 2]


class Dialogue:
    def __init__(
        self,
        registry: ScreenRegistry,
        store: SessionStore,
        services: Services,
        languages: Languages,
        brand: Brand,
        clock: Clock,
        lookup_customer: CustomerLookup,
        settings: DialogueSettings,
        shortcuts: dict[str, str] | None = None,
        observer: HopObserver | None = None,
    ) -> None:
        self._registry = registry
        self._store = store
        self._services = services
        self._languages = languages
        self._brand = brand
        self._clock = clock
        self._lookup = lookup_customer
        self._settings = settings
        self._observer = observer or NoObserver()
        self._shortcuts = shortcuts or {}  # deep-dial digits -> screen, for verified customers

    def _words(self, record: SessionRecord) -> Texts:
        """The words of the session's language (the default until one is chosen)."""
        return self._languages.texts(record.language)

    def slow_down(self) -> UssdReply:
        """The polite answer to a hop over the rate limit."""
        return UssdReply(self._languages.texts(None)("common.slow_down"), end=True)

    async def answer(self, request: UssdRequest) -> UssdReply:
        """Answer a hop within the deadline; any failure becomes a polite END.

        The hop runs as a task of its own: at the deadline the customer is answered at once,
        and the task is cancelled in the background, since a driver may take long to give up
        (psycopg first cancels the query on a server that may not answer).
        """
        started = time.perf_counter()
        reply, outcome = await self._answer_in_time(request)
        gateway = request.gateway
        screen = reply.screen or ("end" if reply.end else "unknown")
        self._observer.hop(gateway, screen, outcome, time.perf_counter() - started)
        if outcome == "end":
            self._observer.session_ended(gateway, "completed", reply.screen or "end")
        elif outcome in ("busy", "error"):
            self._observer.dependency_error("deadline" if outcome == "busy" else "exception")
            self._observer.session_ended(gateway, "failed", "unknown")
        return reply

    async def _answer_in_time(self, request: UssdRequest) -> tuple[UssdReply, str]:
        words = self._languages.texts(None)
        hop = asyncio.ensure_future(self._locked_hop(request))
        done, _ = await asyncio.wait({hop}, timeout=self._settings.hop_deadline_seconds)
        if not done:
            hop.cancel()
            hop.add_done_callback(_forget)
            log.warning("hop over deadline", extra={"session_id": request.session_id})
            return UssdReply(words("common.busy"), end=True), "busy"
        try:
            reply = hop.result()
        except SessionBusy:
            log.warning("session busy past the deadline", extra={"session_id": request.session_id})
            return UssdReply(words("common.busy"), end=True), "busy"
        except Exception:
            log.exception("hop failed", extra={"session_id": request.session_id})
            return UssdReply(words("common.error"), end=True), "error"
        return reply, "end" if reply.end else "continue"

    async def _locked_hop(self, request: UssdRequest) -> UssdReply:
        key = request.msisdn
        async with self._store.lock(key, self._settings.lock_timeout_seconds):
            previous = await self._store.get(key)
            if request.event != INPUT:
                # The gateway closed the session: change nothing, keep it resumable.
                last = previous.last_reply if previous is not None else ""
                return UssdReply(last, True)
            if previous is not None and previous.session_id == request.session_id:
                if request.hop_key is not None and request.hop_key == previous.last_hop_key:
                    return replay(previous)
                if _stale_copy(previous, request):
                    # An older hop sent again after a newer one: it must change nothing.
                    return replay(previous)
                if previous.last_end:
                    return UssdReply(previous.last_reply, True)
                record = previous
                reply = await self._continue(record, request)
            else:
                record, reply = await self._start(previous, request)
            record.last_hop_key = request.hop_key
            record.last_sequence = request.sequence
            record.last_reply = reply.text
            record.last_end = reply.end
            record.last_kind = reply.kind
            record.last_checkout = reply.checkout
            record.updated_at = self._clock.now().timestamp()
            await self._store.put(key, record, self._settings.session_ttl_seconds)
            return reply

    # -- starting and resuming ------------------------------------------------------------

    async def _start(
        self, previous: SessionRecord | None, request: UssdRequest
    ) -> tuple[SessionRecord, UssdReply]:
        card = await self._lookup(request.msisdn)
        record = SessionRecord(
            session_id=request.session_id,
            msisdn=request.msisdn,
            gateway=request.gateway,
            customer=card,
            language=card.language if card is not None else "",
            network=request.network,
            last_raw=request.text if request.cumulative else "",
        )
        if card is not None and card.status != "verified":
            key = "status.rejected" if card.status == "rejected" else "status.under_review"
            words = self._words(record)
            return record, UssdReply(words(key, care=self._brand.care_number), end=True)
        root = WELCOME if card is None else MAIN
        record.path = [root]
        shortcut = self._shortcut(request) if card is not None else None
        if shortcut is not None:
            record.path = [root, shortcut]
        elif self._resumable(previous, card):
            assert previous is not None
            record.resume = ResumePoint(path=previous.path, data=previous.data)
            record.path = [root, RESUME]
        ctx = self._context(record, request)
        return record, await self._render(ctx, request.screen_limit)

    def _shortcut(self, request: UssdRequest) -> str | None:
        """A deep dial such as `*384*303*2#` opens a journey directly; others start as usual."""
        digits = request.deep_dial or (request.text if request.cumulative else "")
        return self._shortcuts.get(digits.strip("*#"))

    def _resumable(self, previous: SessionRecord | None, card: CustomerCard | None) -> bool:
        if previous is None or previous.last_end or previous.ending:
            return False  # ended, or ending: a closing text was being read
        if previous.path[-1:] == [RESUME]:
            return False
        # Only PIN or payment screens left after the root: nothing to continue.
        if len(self._resume_path(previous.path)) < 2:
            return False
        same_person = (previous.customer.id if previous.customer else None) == (
            card.id if card else None
        )
        age = self._clock.now().timestamp() - previous.updated_at
        return same_person and age <= self._settings.resume_window_seconds

    def _resume_path(self, path: list[str]) -> list[str]:
        """Where a resumed session lands: never on a PIN or payment confirmation."""
        kept = list(path)
        while len(kept) > 1 and self._registry[kept[-1]].sensitive:
            kept.pop()
        return kept

    def _resume_view(self, ctx: HopContext) -> View:
        assert ctx.record.resume is not None
        # Name the journey the customer lands in (a refill's payment screen is the deposit's).
        journey = self._registry[self._resume_path(ctx.record.resume.path)[-1]].journey
        where = ctx.t(f"journey.{journey}")
        return View(
            ctx.t("resume.title", where=where),
            (
                Choice("1", ctx.t("resume.continue"), "continue"),
                Choice("2", ctx.t("resume.start_over"), "start_over"),
            ),
        )

    def _apply_resume(self, record: SessionRecord) -> None:
        assert record.resume is not None
        record.path = self._resume_path(record.resume.path)
        record.data = dict(record.resume.data)
        record.resume = None

    # -- one input on the current screen -------------------------------------------------

    async def _continue(self, record: SessionRecord, request: UssdRequest) -> UssdReply:
        ctx = self._context(record, request)
        text = self._latest_input(record, request)
        limit = request.screen_limit
        if text == HOME:
            record.resume = None
            return await self._move(ctx, Home(), limit)
        if record.ending and text not in (BACK, MORE):
            return UssdReply(record.pages[record.page], end=False)  # a closing text is read
        if text == BACK:
            if record.ending and record.page == 0:
                return UssdReply(record.pages[0], end=False)
            if record.page > 0:
                record.page -= 1
                return UssdReply(record_pages(record)[record.page], end=False)
            return await self._back(ctx, limit)
        if text == MORE and record.page < len(record_pages(record)) - 1:
            record.page += 1
            last = record.page == len(record.pages) - 1
            ends = record.ending and last
            checkout = record.checkout if ends else None
            return UssdReply(record.pages[record.page], end=ends, checkout=checkout)
        if record.screen == RESUME:
            return await self._answer_resume(ctx, text, limit)
        screen = self._registry[record.screen]
        value = self._value_for(screen, record, text)
        if value is None:
            return await self._move(ctx, Retry(ctx.t("common.choose_option")), limit)
        outcome = await screen.answer(ctx, value)
        return await self._move(ctx, outcome, limit)

    def _latest_input(self, record: SessionRecord, request: UssdRequest) -> str:
        raw = request.text
        if request.cumulative:
            previous = record.last_raw
            record.last_raw = raw
            if previous and raw.startswith(previous + "*"):
                raw = raw[len(previous) + 1 :]
            elif previous:
                raw = raw.rsplit("*", 1)[-1]
        return _clean(raw)

    @staticmethod
    def _value_for(screen: Screen, record: SessionRecord, text: str) -> str | None:
        if screen.free_input and not record.choices:
            return text
        for key, value in record.choices:
            if key == text:
                return value
        return text if screen.free_input else None

    async def _answer_resume(self, ctx: HopContext, text: str, limit: int) -> UssdReply:
        if text == "1":
            self._apply_resume(ctx.record)
            ctx.record.strikes = 0
            return await self._render(ctx, limit)
        if text == "2":
            ctx.record.resume = None
            return await self._move(ctx, Home(), limit)
        return await self._move(ctx, Retry(ctx.t("common.choose_option")), limit)

    async def _back(self, ctx: HopContext, limit: int) -> UssdReply:
        record = ctx.record
        if len(record.path) > 1:
            record.path.pop()
        if record.screen == RESUME:
            record.path.pop()
            record.resume = None
        record.strikes = 0
        return await self._render(ctx, limit)

    async def _move(self, ctx: HopContext, outcome: Outcome, limit: int) -> UssdReply:
        record = ctx.record
        if isinstance(outcome, End):
            return self._end(record, outcome.text, limit, outcome.checkout)
        if isinstance(outcome, Retry):
            if outcome.strike:
                record.strikes += 1
                if record.strikes >= MAX_STRIKES:
                    return UssdReply(ctx.t("common.too_many_tries"), end=True)
            return await self._render(ctx, limit, reason=outcome.reason)
        record.strikes = 0
        if isinstance(outcome, Home):
            record.path = record.path[:1]
            return await self._render(ctx, limit, reason=outcome.reason)
        record.data.update(outcome.data)
        if outcome.reset:
            record.path = [record.path[0], outcome.screen]
        elif outcome.rewind and outcome.screen in record.path:
            del record.path[record.path.index(outcome.screen) + 1 :]
        else:
            record.path.append(outcome.screen)
        return await self._render(ctx, limit, reason=outcome.reason)

    # -- rendering --------------------------------------------------------------------------

    async def _render(self, ctx: HopContext, limit: int, reason: str | None = None) -> UssdReply:
        record = ctx.record
        ctx.texts = self._words(record)  # the customer may just have chosen a language
        if record.screen == RESUME:
            shown: View | End = self._resume_view(ctx)
        else:
            shown = await self._registry[record.screen].show(ctx)
        if isinstance(shown, End):
            return self._end(record, shown.text, limit, shown.checkout)
        lines = [reason] if reason else []
        if shown.text:
            lines.extend(shown.text.split("\n"))
        lines.extend(ctx.t("common.option", key=c.key, label=c.label) for c in shown.choices)
        pages = paginate(
            [to_gsm7(line) for line in lines],
            limit,
            ctx.t("common.more"),
            ctx.t("common.back"),
        )
        record.choices = [[c.key, c.value] for c in shown.choices]
        record.pages = pages if len(pages) > 1 else []
        record.page = 0
        record.ending = False
        free = record.screen != RESUME and self._registry[record.screen].free_input
        kind = "input" if free and not shown.choices else "menu"
        return UssdReply(pages[0], end=False, kind=kind, screen=record.screen)

    def _end(
        self, record: SessionRecord, text: str, limit: int, checkout: CheckoutItem | None = None
    ) -> UssdReply:
        """A closing text longer than the gateway allows is paged; its last page ends, and
        hands over the checkout, if any."""
        if len(text) <= limit:
            record.checkout = None
            return UssdReply(text, end=True, checkout=checkout)
        pages = paginate(text.split("\n"), limit, self._words(record)("common.more"), "")
        record.pages, record.page, record.ending = pages, 0, True
        record.choices = []
        record.checkout = checkout
        return UssdReply(pages[0], end=False, screen=record.screen)

    def _context(self, record: SessionRecord, request: UssdRequest) -> HopContext:
        if request.network:
            record.network = request.network
        return HopContext(
            record=record,
            texts=self._words(record),
            languages=self._languages,
            brand=self._brand,
            services=self._services,
            now=self._clock.now(),
            network=record.network,
            checkout=request.checkout,
        )


def _stale_copy(previous: SessionRecord, request: UssdRequest) -> bool:
    """A hop the session has already moved past: an older number on a gateway that numbers
    hops, or a cumulative text shorter than the last (Africa's Talking's grows)."""
    if request.sequence is not None and previous.last_sequence is not None:
        return request.sequence <= previous.last_sequence
    if not request.cumulative or request.text == previous.last_raw:
        return False
    return request.text == "" or previous.last_raw.startswith(request.text + "*")


def _forget(task: asyncio.Future[UssdReply]) -> None:
    """Collect what an abandoned hop ended with, so nothing is reported as never retrieved."""
    if not task.cancelled() and task.exception() is not None:
        log.info("an abandoned hop ended with %r", task.exception())


def replay(record: SessionRecord) -> UssdReply:
    """The answer already given, for a repeated hop."""
    screen = record.path[-1] if record.path and not record.last_end else ""
    return UssdReply(
        record.last_reply, record.last_end, record.last_kind, screen, record.last_checkout
    )


def record_pages(record: SessionRecord) -> list[str]:
    return record.pages or [record.last_reply]
