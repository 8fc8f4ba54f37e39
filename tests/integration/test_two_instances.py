"""Several processes on one PostgreSQL and one Redis: alternating hops, a restart, two workers.

Real `lpg-ussd serve` and `lpg-ussd worker` processes. Each line (a database of its own, made
and dropped here, and a Redis key prefix of its own) is torn down whatever happens.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis

from lpg_ussd.adapters.persistence.database import create_engine
from lpg_ussd.adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from lpg_ussd.domain.outbox import OutboxMessage
from tests import processes
from tests.processes import free_port

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent / "lpg-ussd"
POSTGRES = "postgres@127.0.0.1:5432"
ADMIN_URL = f"postgresql://{POSTGRES}/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"
CALLBACK = "/ussd/africastalking/callback"
PIN = "4826"
REFERENCE = re.compile(r"\b(?:NG-[2-9A-Z]{6}|P[2-9A-Z]{11})\b")


# -- the services and one line on them ---------------------------------------------------------


def require_services() -> None:
    """Skip when PostgreSQL or Redis is not there; in CI, fail instead."""
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
        with redis.Redis.from_url(REDIS_URL, socket_timeout=3) as client:
            client.ping()
    except (psycopg.Error, redis.RedisError) as error:
        reason = f"needs PostgreSQL at {POSTGRES} and Redis at {REDIS_URL}: {error}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass
class Line:
    """One database and one Redis key space, and the environment that names them."""

    database: str
    prefix: str
    workdir: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{POSTGRES}/{self.database}"

    @property
    def env(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("LPG_USSD_")}
        return {
            **inherited,
            "LPG_USSD_DATABASE_URL": self.url,
            "LPG_USSD_REDIS_URL": REDIS_URL,
            "LPG_USSD_REDIS_KEY_PREFIX": self.prefix,
            "LPG_USSD_PIN_HASH_MEMORY_KIB": "1024",
            "LPG_USSD_SIMULATED_PAYMENT_DELAY_SECONDS": "0",
            "LPG_USSD_AUTO_MIGRATE": "false",
            "LPG_USSD_SMS_PROVIDER": "console",
        }

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN), *args],
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env=self.env,
            timeout=30,
        )
        assert result.returncode == 0, f"lpg-ussd {' '.join(args)}: {result.stderr}"
        return result.stdout

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(f"postgresql://{POSTGRES}/{self.database}") as connection:
            return connection.execute(sql).fetchall()

    def count(self, sql: str) -> int:
        return int(self.query(sql)[0][0])


@contextmanager
def new_line(workdir: Path) -> Iterator[Line]:
    """A fresh migrated database and key prefix, dropped and deleted at the end."""
    line = Line(f"lpg_two_{secrets.token_hex(6)}", f"lpg-two-{secrets.token_hex(6)}", workdir)
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {line.database}")
    try:
        line.cli("migrate")
        yield line
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {line.database} WITH (FORCE)")
        delete_keys(line.prefix)


def delete_keys(prefix: str) -> None:
    with redis.Redis.from_url(REDIS_URL) as client:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)


# -- processes ---------------------------------------------------------------------------------


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    log: Path
    base: str = ""

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def spawn(line: Line, args: list[str], name: str) -> Process:
    log = line.workdir / f"{name}.log"
    with log.open("wb") as sink:
        popen = subprocess.Popen(
            [str(BIN), *args], cwd=line.workdir, env=line.env, stdout=sink, stderr=sink
        )
    return Process(popen, log)


def start_server(line: Line, name: str, port: int | None = None) -> Process:
    port = port or free_port()
    server = spawn(line, ["serve", "--port", str(port)], name)
    server.base = f"http://127.0.0.1:{port}"
    return server


def wait_ready(server: Process, seconds: float = 20) -> None:
    processes.wait_ready(server.base, server.popen, server.output, seconds)


def stop(process: Process) -> None:
    """SIGTERM and wait; a process that will not stop is killed."""
    if process.popen.poll() is None:
        process.popen.terminate()
    try:
        process.popen.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.popen.kill()
        process.popen.wait()


@contextmanager
def serving(line: Line, *names: str) -> Iterator[list[Process]]:
    """Servers started at once, each ready before this yields; all stopped at the end."""
    servers: list[Process] = []
    try:
        for name in names:
            servers.append(start_server(line, name))
        for server in servers:
            wait_ready(server)
        yield servers
    finally:
        for server in servers:
            stop(server)


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.1)


def sms_lines(*processes: Process) -> list[str]:
    """The text of every SMS the console sender printed, in all the processes given."""
    texts = []
    for process in processes:
        for row in process.output().splitlines():
            if row.startswith("[SMS "):
                texts.append(row.split("] ", 1)[1])
    return texts


# -- a handset behind a load balancer ----------------------------------------------------------


@dataclass
class Handset:
    """A phone on Africa's Talking; hop n of a session goes to server n mod the count."""

    servers: list[str]
    phone: str
    session_id: str = ""
    answers: list[str] = field(default_factory=list)
    hops: int = 0
    seen: list[str] = field(default_factory=list)

    def dial(self) -> str:
        self.session_id, self.answers, self.hops = "ATUid_" + uuid.uuid4().hex, [], 0
        return self._send()

    def enter(self, answer: str) -> str:
        self.answers.append(answer)
        return self._send()

    def resend(self) -> str:
        """The last hop again, as an aggregator's retry; it goes to the next server."""
        return self._send()

    def race(self, answer: str) -> list[str]:
        """One hop sent twice at the same moment (a double tap), to the next two servers."""
        self.answers.append(answer)
        targets = [self.servers[(self.hops + n) % len(self.servers)] for n in range(2)]
        self.hops += 2
        with ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(self._post, targets))
        self.seen.extend(replies)
        return replies

    def walk(self, steps: list[tuple[str, str]]) -> str:
        """Enter each answer in turn; each screen must contain the words given with it."""
        screen = ""
        for answer, expected in steps:
            screen = self.enter(answer)
            assert expected in screen, f"after {answer!r} expected {expected!r}, got {screen!r}"
        return screen

    def _send(self) -> str:
        reply = self._post(self.servers[self.hops % len(self.servers)])
        self.hops += 1
        self.seen.append(reply)
        return reply

    def _post(self, server: str) -> str:
        form = {
            "sessionId": self.session_id,
            "phoneNumber": self.phone,
            "serviceCode": "*384*303#",
            "networkCode": "62001",
            "text": "*".join(self.answers),
        }
        response = httpx.post(server + CALLBACK, data=form, timeout=10)
        assert response.status_code == 200, response.text
        assert response.text.startswith(("CON ", "END ")), response.text
        return response.text


def normalised(screens: list[str]) -> list[str]:
    """Each order or payment reference replaced by its rank of first appearance."""
    names: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"<ref {len(names) + 1}>")

    return [REFERENCE.sub(name, screen) for screen in screens]


# -- the journeys, as one customer lives them --------------------------------------------------


def registration(phone: Handset, line: Line) -> None:
    assert phone.dial().startswith("CON Welcome to Demo Gas")
    phone.walk(
        [
            ("1", "Enter your first name"),
            ("Ama", "Enter your last name"),
            ("Mensah", "Enter your town or city"),
            ("Accra", "GhanaPost GPS address"),
            ("ga1838164", "Choose a 4-digit PIN"),
            (PIN, "Enter the same PIN again"),
            (PIN, "Ama Mensah, Accra, GA-183-8164"),
        ]
    )
    done = phone.enter("1")
    assert done.startswith("END Thank you Ama. Your registration was received")
    assert phone.resend() == done
    assert line.count(f"SELECT count(*) FROM customers WHERE msisdn = '{phone.phone}'") == 1
    assert "under review" in phone.dial()
    assert "verified" in line.cli("customers", "verify", phone.phone)


def deposit_on_delivery(phone: Handset, line: Line) -> None:
    assert phone.dial().startswith("CON Hi Ama")
    placed = phone.walk(
        [
            ("1", "1. Cylinder deposit"),
            ("1", "2. 6kg steel GHS 234.00"),
            ("2", "Deposit GHS 150.00\nGas GHS 84.00\nTotal GHS 234.00"),
            ("1", "5. Pay on delivery"),
            ("5", "placed. Pay GHS 234.00 when it is delivered."),
        ]
    )
    assert phone.resend() == placed, "a repeated hop must get the first answer"
    reference = placed.split("Order ", 1)[1].split(" ", 1)[0]
    listed = line.cli("orders", "list").splitlines()
    assert len(listed) == 1 and listed[0].startswith(f"{reference}  pay_on_delivery"), listed


def top_up_wallet(phone: Handset) -> None:
    phone.dial()
    phone.walk(
        [
            ("1", "2. Top up wallet"),
            ("2", "enter amount in GHS"),
            ("200", "Top up GHS 200.00 to your wallet"),
            ("1", "1. MTN MoMo"),
            ("1", "END Approve the GHS 200.00 prompt from Demo Gas"),
        ]
    )
    # The servers' own workers send the request; the simulated provider confirms at once.
    balance = Handset(phone.servers, phone.phone)

    def credited() -> bool:
        balance.dial()
        balance.walk([("3", "Enter your PIN")])
        return "Wallet: GHS 200.00" in balance.enter(PIN)

    wait_until(credited, 10, "the top-up credited to the wallet")


def refill_from_wallet(phone: Handset) -> None:
    phone.dial()
    sizes = phone.enter("5")
    assert "1. Repeat: 6kg steel GHS 84.00" in sizes
    option = re.search(r"^(\d+)\. 6kg steel GHS 84\.00$", sizes, re.MULTILINE)
    assert option, sizes
    paid = phone.walk(
        [
            (option.group(1), "Refill 6kg steel\nGas GHS 84.00"),
            ("1", "Pay GHS 84.00 with:"),
            ("4", "Wallet GHS 200.00. Enter your PIN to pay GHS 84.00"),
            (PIN, "Paid GHS 84.00 from your wallet."),
        ]
    )
    assert paid.endswith("Wallet now GHS 116.00.")
    assert phone.resend() == paid, "a repeated hop must not pay twice"


def order_status(phone: Handset) -> None:
    phone.dial()
    listed = phone.enter("2")
    refill, deposit = REFERENCE.findall(listed)
    assert f"1. {refill} 6kg steel Paid" in listed
    assert f"2. {deposit} 6kg steel Pay on delivery" in listed
    phone.walk([("1", f"{refill} 6kg steel\nPaid")])
    # The customer hangs up here: the next dial offers to continue.


def account_balance(phone: Handset) -> None:
    assert "You were in the middle of your orders." in phone.dial()
    phone.walk([("2", "Hi Ama"), ("3", "Enter your PIN to see your balance")])
    assert phone.enter(PIN).startswith("END Wallet: GHS 116.00\n")


def call_back(phone: Handset, line: Line) -> None:
    phone.dial()
    phone.walk([("4", "1. Request a call back"), ("1", "Call back about:")])
    first, second = phone.race("1")
    assert first.startswith("END Ticket T") and "opened" in first, first
    assert second == first, "both copies of a hop get the same answer"
    assert line.count(f"SELECT count(*) FROM tickets WHERE msisdn = '{phone.phone}'") == 1


def change_address(phone: Handset, line: Line) -> None:
    phone.dial()
    phone.walk(
        [
            ("6", "2. Change address"),
            ("2", "Enter your town or city"),
            ("Kumasi", "GhanaPost GPS address, or 9 to skip"),
            ("AK 039 5028", "END Your address is now Kumasi, AK-039-5028."),
        ]
    )
    assert "Ama Mensah, Kumasi, AK-039-5028" in line.cli("customers", "list")


def every_journey(servers: list[Process], line: Line) -> list[str]:
    """Run every journey for one customer; returns the screens shown, in order."""
    phone = Handset([server.base for server in servers], "+233244000101")
    registration(phone, line)
    deposit_on_delivery(phone, line)
    top_up_wallet(phone)
    refill_from_wallet(phone)
    order_status(phone)
    account_balance(phone)
    call_back(phone, line)
    change_address(phone, line)
    return phone.seen


def sent_once_each(line: Line, servers: list[Process]) -> None:
    """Every SMS of the outbox went out, exactly once over all the servers."""
    pending = "SELECT count(*) FROM outbox WHERE status <> 'sent'"
    wait_until(lambda: line.count(pending) == 0, 10, "the outbox sent")
    texts = [row[0] for row in line.query("SELECT payload->>'text' FROM outbox WHERE kind='sms'")]
    printed = sms_lines(*servers)
    assert texts and sorted(printed) == sorted(texts)


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def services() -> None:
    require_services()


@pytest.fixture(scope="module")
def shared_line(services: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Line]:
    with new_line(tmp_path_factory.mktemp("shared")) as line:
        yield line


@pytest.fixture(scope="module")
def two_servers(shared_line: Line) -> Iterator[list[Process]]:
    with serving(shared_line, "a", "b") as servers:
        yield servers


# -- the tests ---------------------------------------------------------------------------------


def test_every_journey_alternating_between_two_servers_is_as_on_one(
    shared_line: Line, two_servers: list[Process], tmp_path: Path
) -> None:
    shown_by_two = every_journey(two_servers, shared_line)
    with new_line(tmp_path) as alone_line, serving(alone_line, "alone") as alone:
        shown_by_one = every_journey(alone, alone_line)
    assert normalised(shown_by_two) == normalised(shown_by_one)
    sent_once_each(shared_line, two_servers)


def test_a_restarted_server_lets_the_customer_go_on(shared_line: Line) -> None:
    port = free_port()
    server = start_server(shared_line, "before", port)
    try:
        wait_ready(server)
        phone = Handset([server.base], "+233244000202")
        assert "Welcome to Demo Gas" in phone.dial()
        phone.walk([("1", "first name"), ("Kofi", "last name"), ("Boateng", "town or city")])
    finally:
        stop(server)
    assert "Application shutdown complete" in server.output(), "a graceful stop on SIGTERM"

    with serving(shared_line, "after") as (restarted,):
        phone.servers = [restarted.base]
        screen = phone.enter("Tamale")
        assert screen.startswith("CON Enter your GhanaPost GPS address"), screen
        phone.walk([("9", "4-digit PIN"), (PIN, "same PIN"), (PIN, "Kofi Boateng, Tamale")])
        assert phone.enter("1").startswith("END Thank you Kofi.")
    names = shared_line.query("SELECT first_name, town FROM customers WHERE first_name = 'Kofi'")
    assert names == [("Kofi", "Tamale")]


def test_two_workers_send_a_full_outbox_exactly_once(services: None, tmp_path: Path) -> None:
    texts = [f"Outbox test {n:04d} {secrets.token_hex(4)}" for n in range(300)]
    with new_line(tmp_path) as line:
        asyncio.run(fill_outbox(line.url, texts))
        workers = [spawn(line, ["worker"], f"worker-{n}") for n in (1, 2)]
        try:
            pending = "SELECT count(*) FROM outbox WHERE status <> 'sent'"
            wait_until(lambda: line.count(pending) == 0, 20, "the outbox sent")
        finally:
            for worker in workers:
                stop(worker)
        printed = sms_lines(*workers)
        assert sorted(printed) == sorted(texts), "each message exactly once, over both workers"
        assert line.query("SELECT status, count(*) FROM outbox GROUP BY status") == [
            ("sent", len(texts))
        ]


async def fill_outbox(url: str, texts: list[str]) -> None:
    engine = create_engine(url)
    try:
        async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
            now = datetime.now(UTC)
            for text in texts:
                await uow.outbox.add(OutboxMessage.sms("+233244000303", text, now))
            await uow.commit()
    finally:
        await engine.dispose()
