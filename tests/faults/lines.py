"""One line of the app, in this process, on real services: the Litestar app driven through
httpx's ASGI transport (so hops sent at once really run at once, on the test's event loop),
its worker running as in production, and a handset that times every answer.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
from dependency_injector import providers
from sqlalchemy import make_url

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.application.ussd.texts import load_texts
from lpg_ussd.container import Container, build_container
from lpg_ussd.entrypoints.http.app import create_app
from lpg_ussd.settings import Settings
from tests.fakes import InMemorySmsSender

TEXTS = load_texts("en")
# The apologies a hop may end with when a dependency fails: over the deadline, or an error.
POLITE_ENDS = frozenset({"END " + TEXTS("common.busy"), "END " + TEXTS("common.error")})
DEADLINE = 1.0  # LPG_USSD_HOP_DEADLINE_SECONDS in these tests
MARGIN = 0.5  # what an answer may take beyond the deadline (scheduling, encoding)
# When the test stops waiting, as a gateway would: well past the bound the tests assert, so
# that a late answer is measured, and a hung one does not hang the test.
GIVE_UP = 2 * (DEADLINE + MARGIN)
NO_ANSWER = 0  # the status of an Answer that never came
PIN = "4826"
CALLBACK = "/ussd/africastalking/callback"

FAST_SETTINGS: dict[str, Any] = {
    "hop_deadline_seconds": DEADLINE,
    "pin_hash_time_cost": 1,
    "pin_hash_memory_kib": 1024,
    "auto_migrate": False,
    "simulated_payment_delay_seconds": 0,
    "run_worker": True,
    "worker_poll_seconds": 0.05,
    "log_level": "WARNING",
}


def settings(**overrides: Any) -> Settings:
    return Settings.from_env({}, **{**FAST_SETTINGS, **overrides})


class ShiftedClock:
    """The system clock, moved forward on demand: lets a retry 5 s away come now."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class Line:
    client: httpx.AsyncClient
    container: Container
    sms: InMemorySmsSender

    async def ready(self) -> tuple[int, dict[str, str], float]:
        """GET /health/ready: status, body and how long it took (no answer: status 0)."""
        started = time.monotonic()
        try:
            response = await asyncio.wait_for(self.client.get("/health/ready"), GIVE_UP)
        except TimeoutError:
            return NO_ANSWER, {}, time.monotonic() - started
        return response.status_code, response.json(), time.monotonic() - started

    async def wait_ready(self, seconds: float) -> float:
        """Poll readiness until it is 200; how long that took (fails after `seconds`)."""
        started = time.monotonic()
        while True:
            status, body, _ = await self.ready()
            if status == 200:
                return time.monotonic() - started
            if time.monotonic() - started > seconds:
                raise AssertionError(f"not ready again within {seconds} s: {body}")
            await asyncio.sleep(0.1)

    def phone(self, number: str) -> Phone:
        return Phone(self.client, number)


@asynccontextmanager
async def running(
    line_settings: Settings, clock: ShiftedClock | None = None
) -> AsyncIterator[Line]:
    """The app with its lifespan (and so its outbox worker); SMS go to a recorder."""
    container = build_container(line_settings)
    sms = InMemorySmsSender()
    container.sms_sender.override(providers.Object(sms))
    if clock is not None:
        container.clock.override(providers.Object(clock))
    app = create_app(line_settings, container)
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.lifespan(),
            httpx.AsyncClient(
                transport=transport, base_url="http://line.test", timeout=60
            ) as client,
        ):
            yield Line(client, container, sms)
    except BaseExceptionGroup as group:
        # The lifespan's task group wraps what the test raised: show the test's own failure.
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    seconds: float

    @property
    def ended(self) -> bool:
        return self.body.startswith("END ")

    @property
    def polite_end(self) -> bool:
        return self.status == 200 and self.body in POLITE_ENDS


@dataclass
class Phone:
    """A handset on Africa's Talking: `text` carries every answer of the session so far."""

    client: httpx.AsyncClient
    number: str
    session_id: str = ""
    answers: list[str] = field(default_factory=list)
    log: list[Answer] = field(default_factory=list)

    @property
    def last(self) -> Answer:
        return self.log[-1]

    async def dial(self) -> Answer:
        self.session_id, self.answers = "ATUid_" + uuid.uuid4().hex, []
        return await self.send()

    async def enter(self, answer: str) -> Answer:
        self.answers.append(answer)
        return await self.send()

    async def send(self) -> Answer:
        form = {
            "sessionId": self.session_id,
            "phoneNumber": self.number,
            "serviceCode": "*384*303#",
            "networkCode": "62001",
            "text": "*".join(self.answers),
        }
        started = time.monotonic()
        try:
            response = await asyncio.wait_for(self.client.post(CALLBACK, data=form), GIVE_UP)
        except TimeoutError:
            answer = Answer(NO_ANSWER, f"no answer within {GIVE_UP} s", GIVE_UP)
        else:
            answer = Answer(response.status_code, response.text, time.monotonic() - started)
        self.log.append(answer)
        return answer

    async def walk(self, steps: list[tuple[str, str]]) -> Answer:
        """Each answer in turn; each screen must hold the words given with it."""
        for entry, expected in steps:
            answer = await self.enter(entry)
            assert answer.status == 200 and expected in answer.body, (entry, expected, answer)
        return self.log[-1]


# -- journeys -----------------------------------------------------------------------------


async def register(phone: Phone, first: str) -> None:
    welcome = await phone.dial()
    assert welcome.body.startswith("CON Welcome to Demo Gas"), welcome
    await phone.walk(
        [
            ("1", "first name"),
            (first, "last name"),
            ("Mensah", "town or city"),
            ("Accra", "GhanaPost GPS address"),
            ("9", "4-digit PIN"),
            (PIN, "same PIN again"),
            (PIN, f"{first} Mensah, Accra"),
            ("1", f"END Thank you {first}. Your registration was received"),
        ]
    )


async def registered_and_verified(line: Line, number: str, first: str) -> None:
    await register(line.phone(number), first)
    await line.container.verify_customer()(normalise_msisdn(number))


DEPOSIT_TO_PAYMENT = [
    ("1", "1. Cylinder deposit"),
    ("1", "2. 6kg steel GHS 234.00"),
    ("2", "Total GHS 234.00"),
    ("1", "5. Pay on delivery"),
]
ON_DELIVERY = ("5", "placed. Pay GHS 234.00 when it is delivered.")


async def deposit_on_delivery(phone: Phone, first: str) -> str:
    """A pay-on-delivery cylinder deposit, start to end; the order's reference."""
    menu = await phone.dial()
    assert menu.body.startswith(f"CON Hi {first}"), menu
    placed = await phone.walk([*DEPOSIT_TO_PAYMENT, ON_DELIVERY])
    return placed.body.split("Order ", 1)[1].split(" ", 1)[0]


# -- what the database holds --------------------------------------------------------------


class Database:
    """Reads a line's database directly (never through a proxy under test)."""

    def __init__(self, url: str) -> None:
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
            cursor = await conn.execute(sql, params or None)
            return await cursor.fetchall()

    async def count(self, sql: str, *params: Any) -> int:
        return int((await self.rows(sql, *params))[0][0])

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """What must survive a fault: every row that matters, in a stable order."""
        return {
            "customers": await self.rows(
                "SELECT id, msisdn, first_name, status FROM customers ORDER BY id"
            ),
            "orders": await self.rows(
                "SELECT id, reference, customer_id, payment_method, status FROM orders ORDER BY id"
            ),
            "payments": await self.rows(
                "SELECT id, reference, order_id, status FROM payments ORDER BY id"
            ),
            "outbox": await self.rows(
                "SELECT id, kind, payload::text, status FROM outbox ORDER BY id"
            ),
        }

    async def outbox_sent(self, seconds: float = 10) -> None:
        """Wait until the worker has sent every message of the outbox."""
        await until(
            lambda: self.count("SELECT count(*) FROM outbox WHERE status <> 'sent'"),
            lambda pending: pending == 0,
            seconds,
            "the outbox sent",
        )


async def until(
    read: Callable[[], Awaitable[Any]],
    good: Callable[[Any], bool],
    seconds: float,
    what: str,
) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = await read()
        if good(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what} (last: {value!r})")
        await asyncio.sleep(0.05)


def assert_polite_and_in_time(*answers: Answer) -> None:
    for answer in answers:
        assert answer.seconds <= DEADLINE + MARGIN, f"over the deadline: {answer}"
        assert answer.polite_end, f"not a polite END with HTTP 200: {answer}"


def assert_answered_in_time(answers: list[Answer]) -> None:
    """Every answer a USSD answer with HTTP 200, within the deadline."""
    for answer in answers:
        assert answer.status == 200, answer
        assert answer.body.startswith(("CON ", "END ")), answer
        assert answer.seconds <= DEADLINE + MARGIN, f"over the deadline: {answer}"
