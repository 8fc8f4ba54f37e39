"""Hops at once, on two real `lpg-ussd serve` processes sharing one PostgreSQL and one Redis.

- The same hop ten times at once (an aggregator's retries, a double tap): one effect, and the
  same answer ten times.
- Two different hops of one session at once: run one after the other (the session lock), so
  neither is lost and neither fails.
- 200 sessions at once, each hopping from one server to the other: all complete, and the
  database holds exactly what they did.
"""

from __future__ import annotations

import asyncio
import secrets
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
import pytest

from lpg_ussd.adapters.pins import Argon2PinHasher
from lpg_ussd.application.ussd.texts import load_texts
from tests.faults.conftest import Databases
from tests.faults.lines import DEPOSIT_TO_PAYMENT, ON_DELIVERY, PIN, Database
from tests.faults.servers import ArkeselHandset, Handset, Server, server_env, serving
from tests.integration import services

pytestmark = pytest.mark.integration

TEXTS = load_texts("en")
APOLOGIES = (TEXTS("common.busy"), TEXTS("common.error"), TEXTS("common.slow_down"))
SESSIONS = 200


@dataclass
class Line:
    servers: list[str]
    db: Database


@pytest.fixture(scope="module")
def line(
    databases: Databases, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Line]:
    url = databases.copy()
    prefix = services.new_redis_prefix()
    try:
        env = server_env(url, redis_url, prefix)
        with serving(env, tmp_path_factory.mktemp("servers")) as servers:
            yield Line([server.base for server in servers], Database(url))
            assert_no_server_errors(servers)
    finally:
        databases.drop(url)
        services.delete_redis_keys(redis_url, prefix)


def assert_no_server_errors(servers: list[Server]) -> None:
    for server in servers:
        output = server.output()
        assert "Traceback" not in output and " ERROR " not in output, output[-4000:]


_numbers: set[str] = set()


def a_number() -> str:
    """A phone number no other test of this module uses."""
    number = ""
    while not number or number in _numbers:
        number = "+23324" + "".join(secrets.choice(string.digits) for _ in range(7))
    _numbers.add(number)
    return number


def letters(n: int) -> str:
    """A short run of lower-case letters for n: names must be letters."""
    word = ""
    while True:
        n, rest = divmod(n, 26)
        word = string.ascii_lowercase[rest] + word
        if n == 0:
            return word
        n -= 1


async def to_summary(phone: Handset, first: str, last: str) -> None:
    """A registration up to its summary, `[1] Confirm`."""
    assert (await phone.dial()).startswith("CON Welcome to Demo Gas")
    await phone.walk(
        [
            ("1", "first name"),
            (first, "last name"),
            (last, "town or city"),
            ("Accra", "GhanaPost GPS address"),
            ("9", "4-digit PIN"),
            (PIN, "same PIN again"),
            (PIN, f"{first} {last}, Accra"),
        ]
    )


async def register(phone: Handset, first: str, last: str) -> str:
    await to_summary(phone, first, last)
    return await phone.enter("1")


async def to_pay_on_delivery(phone: Handset, first: str) -> None:
    """A cylinder deposit up to its payment method."""
    assert (await phone.dial()).startswith(f"CON Hi {first}")
    await phone.walk(DEPOSIT_TO_PAYMENT)


async def deposit(phone: Handset, first: str) -> str:
    await to_pay_on_delivery(phone, first)
    return await phone.enter(ON_DELIVERY[0])


async def seed_verified(db: Database, numbers: list[str], first: str = "Esi") -> None:
    """Verified customers, written straight into the database (no SMS: none was asked)."""
    pin_hash = await Argon2PinHasher(time_cost=1, memory_cost_kib=1024).hash(PIN)
    now = datetime.now(UTC)
    rows = [(n, first, "Owusu", "Tema", pin_hash, "verified", now, now) for n in numbers]
    async with await psycopg.AsyncConnection.connect(db.dsn) as conn:
        async with conn.cursor() as cursor:
            await cursor.executemany(
                "INSERT INTO customers (msisdn, first_name, last_name, town, pin_hash, status,"
                " created_at, verified_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        await conn.commit()


async def outbox_sms(db: Database, numbers: list[str]) -> list[tuple[str, str]]:
    return [
        (row[0], row[1])
        for row in await db.rows(
            "SELECT payload->>'to', payload->>'text' FROM outbox"
            " WHERE kind = 'sms' AND payload->>'to' = ANY(%s)",
            numbers,
        )
    ]


# -- the same hop, ten times at once ---------------------------------------------------------


async def test_the_last_hop_of_a_registration_ten_times_at_once_registers_once(line: Line) -> None:
    number = a_number()
    phone = Handset(line.servers, number)
    await to_summary(phone, "Yaa", "Asante")

    replies = await phone.at_once("1", copies=10)

    assert len({reply.body for reply in replies}) == 1, replies
    assert replies[0].body.startswith("END Thank you Yaa. Your registration was received")
    customers = await line.db.rows(
        "SELECT first_name, last_name, status FROM customers WHERE msisdn = %s", number
    )
    assert customers == [("Yaa", "Asante", "unverified")]
    assert len(await outbox_sms(line.db, [number])) == 1, "one SMS"


async def test_the_order_hop_ten_times_at_once_places_one_order(line: Line) -> None:
    number = a_number()
    await seed_verified(line.db, [number], first="Akua")
    phone = Handset(line.servers, number)
    await to_pay_on_delivery(phone, "Akua")

    replies = await phone.at_once(ON_DELIVERY[0], copies=10)

    assert len({reply.body for reply in replies}) == 1, replies
    assert ON_DELIVERY[1] in replies[0].body and replies[0].body.startswith("END ")
    reference = replies[0].body.split("Order ", 1)[1].split(" ", 1)[0]
    orders = await line.db.rows(
        "SELECT o.reference, o.payment_method, o.status FROM orders o"
        " JOIN customers c ON c.id = o.customer_id WHERE c.msisdn = %s",
        number,
    )
    assert orders == [(reference, "on_delivery", "pay_on_delivery")]
    assert len(await outbox_sms(line.db, [number])) == 1, "one SMS"


# -- two different hops of one session at once ---------------------------------------------


async def two_names_at_once(line: Line) -> None:
    number = a_number()
    phone = ArkeselHandset(line.servers, number)
    assert (await phone.send("", new=True)).body.startswith("CON Welcome to Demo Gas")
    assert "first name" in (await phone.send("1")).body

    # The customer's two answers overtake each other: both arrive at the same moment, one
    # at each server.
    first, second = await asyncio.gather(
        phone.send("Kwame", server=0), phone.send("Nkansah", server=1)
    )

    screens = sorted(reply.body.split("\n")[0] for reply in (first, second))
    assert screens == ["CON Enter your last name", "CON Enter your town or city"], (first, second)
    assert "GhanaPost GPS address" in (await phone.send("Kumasi")).body
    assert "4-digit PIN" in (await phone.send("9")).body
    assert "same PIN again" in (await phone.send(PIN)).body
    summary = (await phone.send(PIN)).body
    # Both answers are kept, in the order they were taken.
    names = "Kwame Nkansah" if "Kwame Nkansah" in summary else "Nkansah Kwame"
    assert f"{names}, Kumasi" in summary, summary
    assert (await phone.send("1")).body.startswith("END Thank you")
    customers = await line.db.rows(
        "SELECT first_name || ' ' || last_name FROM customers WHERE msisdn = %s", number
    )
    assert customers == [(names,)]


async def test_two_different_hops_of_one_session_at_once_are_run_one_after_the_other(
    line: Line,
) -> None:
    await asyncio.gather(*(two_names_at_once(line) for _ in range(5)))


# -- 200 sessions at once over two instances -------------------------------------------------


async def test_200_sessions_at_once_over_two_instances_all_complete_and_add_up(line: Line) -> None:
    registering = [a_number() for _ in range(SESSIONS // 2)]
    depositing = [a_number() for _ in range(SESSIONS // 2)]
    assert len(set(registering + depositing)) == SESSIONS
    await seed_verified(line.db, depositing, first="Efua")
    names = {number: "Ama" + letters(n) for n, number in enumerate(registering)}
    phones = {n: Handset(line.servers, n) for n in registering + depositing}

    finals = await asyncio.gather(
        *(register(phones[n], names[n], "Boateng") for n in registering),
        *(deposit(phones[n], "Efua") for n in depositing),
    )

    by_number = dict(zip(registering + depositing, finals, strict=True))
    for number in registering:
        expected = f"END Thank you {names[number].capitalize()}. Your registration was received"
        assert by_number[number].startswith(expected), by_number[number]
    for number in depositing:
        assert by_number[number].startswith("END ") and ON_DELIVERY[1] in by_number[number]
    replies = [reply for phone in phones.values() for reply in phone.replies]
    assert not [r for r in replies if any(apology in r.body for apology in APOLOGIES)]

    db = line.db
    customers = await db.rows(
        "SELECT msisdn, first_name, last_name, status FROM customers WHERE msisdn = ANY(%s)",
        registering + depositing,
    )
    assert sorted(customers) == sorted(
        [(n, names[n].capitalize(), "Boateng", "unverified") for n in registering]
        + [(n, "Efua", "Owusu", "verified") for n in depositing]
    )
    orders = await db.rows(
        "SELECT c.msisdn, o.reference, o.status, o.deposit_pesewas + o.gas_price_pesewas"
        " FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.msisdn = ANY(%s)",
        registering + depositing,
    )
    assert sorted(row[0] for row in orders) == sorted(depositing), "one order each, no more"
    assert {row[2:] for row in orders} == {("pay_on_delivery", 23400)}
    for number, reference, _, _ in orders:
        assert f"Order {reference} " in by_number[number]
    sms = await outbox_sms(db, registering + depositing)
    assert sorted(to for to, _ in sms) == sorted(registering + depositing), "one SMS each"
    slowest = max(reply.seconds for reply in replies)
    print(f"{len(replies)} hops, slowest {slowest:.2f} s")
