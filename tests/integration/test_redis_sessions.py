"""RedisSessionStore against a real Redis, used by two instances as two processes would.

Every test writes under a key prefix of its own (the `redis_url_and_prefix` fixture), deleted
after it.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as redis
from redis.asyncio.connection import AbstractConnection
from redis.crc import key_slot

from lpg_ussd.adapters.sessions import redis as redis_sessions
from lpg_ussd.adapters.sessions.redis import RedisSessionStore
from lpg_ussd.application.ports import SessionBusy
from lpg_ussd.application.ussd.engine import Dialogue, UssdReply, UssdRequest
from lpg_ussd.application.ussd.session import CustomerCard, ResumePoint, SessionRecord
from lpg_ussd.container import Container, build_container
from lpg_ussd.settings import Settings
from tests.integration.backends import sqlite_url

pytestmark = pytest.mark.integration

PHONE = "+233244000001"
TTL = 600

NewStore = Callable[[], RedisSessionStore]


@pytest.fixture
async def new_store(redis_url_and_prefix: tuple[str, str]) -> AsyncIterator[NewStore]:
    """Makes store instances on one Redis and prefix, each with a client of its own."""
    url, prefix = redis_url_and_prefix
    made: list[RedisSessionStore] = []

    def make() -> RedisSessionStore:
        made.append(RedisSessionStore.from_url(url, prefix=prefix))
        return made[-1]

    yield make
    for store in made:
        await store.aclose()


@pytest.fixture
async def raw(redis_url_and_prefix: tuple[str, str]) -> AsyncIterator[redis.Redis]:
    """A plain client, to look at the keys."""
    client = redis.Redis.from_url(redis_url_and_prefix[0])
    yield client
    await client.aclose()


@pytest.fixture
def prefix(redis_url_and_prefix: tuple[str, str]) -> str:
    return redis_url_and_prefix[1]


def record_key(prefix: str, key: str = PHONE) -> str:
    return f"{prefix}:{{{key}}}:s"


def lock_key(prefix: str, key: str = PHONE) -> str:
    return f"{prefix}:{{{key}}}:l"


def a_record(**changes: Any) -> SessionRecord:
    """A record with every field set away from its default."""
    values: dict[str, Any] = {
        "session_id": "ATUid_0f3a9c",
        "msisdn": PHONE,
        "gateway": "africastalking",
        "path": ["main", "deposit", "deposit_size"],
        "data": {"size": "6kg", "count": 2, "nested": {"ok": True, "items": [1, "two"]}},
        "page": 1,
        "strikes": 2,
        "choices": [["1", "6kg-steel"], ["2", "12kg-steel"]],
        "pages": ["first page\n98. More", "second page\n0. Back"],
        "ending": True,
        "network": "mtn",
        "customer": CustomerCard(id=7, first_name="Ama", status="verified", language="en"),
        "resume": ResumePoint(path=["main", "orders"], data={"page": 2}),
        "last_raw": "1*2",
        "last_hop_key": "1*2",
        "last_reply": "Choose a size\n1. 6kg steel",
        "last_end": False,
        "last_kind": "menu",
        "updated_at": 1_772_442_000.25,
    }
    values.update(changes)
    # Only the fields the record has now, so the test outlives a field's coming or going.
    return SessionRecord(
        **{k: v for k, v in values.items() if k in SessionRecord.__struct_fields__}
    )


# ---------------------------------------------------------------- records


async def test_a_full_record_round_trips_between_instances(new_store: NewStore) -> None:
    first, second = new_store(), new_store()
    record = a_record()
    await first.put(PHONE, record, TTL)
    assert await second.get(PHONE) == record
    changed = a_record(path=["main"], strikes=0, customer=None, resume=None)
    await second.put(PHONE, changed, TTL)
    assert await first.get(PHONE) == changed


async def test_a_record_lives_for_its_ttl(
    new_store: NewStore, raw: redis.Redis, prefix: str
) -> None:
    await new_store().put(PHONE, a_record(), TTL)
    assert TTL * 1000 - 2000 < await raw.pttl(record_key(prefix)) <= TTL * 1000


async def test_an_unknown_or_expired_session_has_no_record(
    new_store: NewStore, raw: redis.Redis, prefix: str
) -> None:
    store = new_store()
    assert await store.get(PHONE) is None
    await store.put(PHONE, a_record(), TTL)
    await raw.pexpire(record_key(prefix), 1)
    await asyncio.sleep(0.02)
    assert await store.get(PHONE) is None


async def test_the_keys_of_a_session_share_the_msisdn_hash_tag(
    new_store: NewStore, raw: redis.Redis, prefix: str
) -> None:
    store = new_store()
    async with store.lock(PHONE, 1):
        assert await raw.keys(f"{prefix}*") == [lock_key(prefix).encode()]
        lock_ttl = await raw.pttl(lock_key(prefix))
        await store.put(PHONE, a_record(), TTL)
    assert await raw.keys(f"{prefix}*") == [record_key(prefix).encode()]
    assert 0 < lock_ttl <= redis_sessions.LOCK_TTL_MS
    # One Redis Cluster slot for both, the slot of the number itself.
    assert key_slot(record_key(prefix).encode()) == key_slot(PHONE.encode())
    assert key_slot(lock_key(prefix).encode()) == key_slot(PHONE.encode())


async def test_a_hop_costs_one_round_trip_to_lock_and_read_and_one_to_write(
    new_store: NewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = new_store()
    await store.put(PHONE, a_record(), TTL)
    async with store.lock(PHONE, 1):  # the first hop loads the scripts into Redis
        await store.put(PHONE, a_record(), TTL)
    sent: list[Any] = []
    send = AbstractConnection.send_packed_command

    async def counting(self: AbstractConnection, command: Any, check_health: bool = True) -> None:
        sent.append(command)
        await send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    async with store.lock(PHONE, 1):
        assert await store.get(PHONE) == a_record()
        reads = len(sent)
        await store.put(PHONE, a_record(strikes=0), TTL)
    assert (reads, len(sent) - reads) == (1, 1)


# ---------------------------------------------------------------- the lock


async def test_the_lock_serialises_hops_on_two_instances(new_store: NewStore) -> None:
    first, second = new_store(), new_store()
    await first.put(PHONE, a_record(data={"hops": 0}), TTL)
    events: list[str] = []

    async def hop(store: RedisSessionStore, name: str) -> None:
        async with store.lock(PHONE, 2):
            events.append(f"{name} in")
            record = await store.get(PHONE)
            assert record is not None
            await asyncio.sleep(0.05)  # the other hop arrives meanwhile
            record.data["hops"] += 1
            events.append(f"{name} out")
            await store.put(PHONE, record, TTL)

    await asyncio.gather(hop(first, "a"), hop(second, "b"))

    assert events in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    final = await first.get(PHONE)
    assert final is not None and final.data["hops"] == 2, "no hop's write was lost"


async def test_a_held_lock_makes_the_other_instance_busy_after_its_timeout(
    new_store: NewStore,
) -> None:
    holder, waiter = new_store(), new_store()
    async with holder.lock(PHONE, 1):
        started = time.monotonic()
        with pytest.raises(SessionBusy):
            async with waiter.lock(PHONE, 0.3):
                pytest.fail("the lock was had while another instance held it")
        waited = time.monotonic() - started
    assert 0.2 <= waited < 1.0


async def test_a_lock_whose_holder_stalled_or_died_expires_by_itself(
    new_store: NewStore, raw: redis.Redis, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_sessions, "LOCK_TTL_MS", 200)
    stalled, other = new_store(), new_store()
    held = stalled.lock(PHONE, 1)
    await held.__aenter__()  # and then nothing: the process hangs or is gone
    started = time.monotonic()
    async with other.lock(PHONE, 2):
        assert 0.1 < time.monotonic() - started < 1.0
        # The stalled hop ending late must not free the lock that is now another's.
        await held.__aexit__(None, None, None)
        assert await raw.exists(lock_key(prefix)) == 1
    assert await raw.exists(lock_key(prefix)) == 0


async def test_put_releases_the_lock_at_once(
    new_store: NewStore, raw: redis.Redis, prefix: str
) -> None:
    first, second = new_store(), new_store()
    async with first.lock(PHONE, 1):
        await first.put(PHONE, a_record(), TTL)
        assert await raw.exists(lock_key(prefix)) == 0
        started = time.monotonic()
        async with second.lock(PHONE, 0.05):
            assert time.monotonic() - started < 0.05
            assert await second.get(PHONE) == a_record(), "the new holder reads the write"
    assert await raw.exists(lock_key(prefix)) == 0


async def test_a_hop_that_ends_without_a_write_releases_the_lock(
    new_store: NewStore, raw: redis.Redis, prefix: str
) -> None:
    first, second = new_store(), new_store()
    with pytest.raises(RuntimeError, match="the hop failed"):
        async with first.lock(PHONE, 1):
            await first.get(PHONE)
            raise RuntimeError("the hop failed")
    assert await raw.exists(lock_key(prefix)) == 0
    started = time.monotonic()
    async with second.lock(PHONE, 0.05):
        assert time.monotonic() - started < 0.05


# ---------------------------------------------------------------- health


async def test_ping_answers_whether_redis_is_there(new_store: NewStore) -> None:
    assert await new_store().ping() is True
    nowhere = RedisSessionStore.from_url("redis://127.0.0.1:1/0")
    try:
        started = time.monotonic()
        assert await nowhere.ping() is False
        assert time.monotonic() - started < 2
    finally:
        await nowhere.aclose()


# ---------------------------------------------------------------- the whole dialogue


@pytest.fixture
async def two_processes(
    redis_url_and_prefix: tuple[str, str], migrated_sqlite_file: Path, tmp_path: Path
) -> AsyncIterator[tuple[Container, Container]]:
    """Two containers built as two server processes build theirs: one database, one Redis."""
    url, prefix = redis_url_and_prefix
    database = tmp_path / "lpg.db"
    shutil.copyfile(migrated_sqlite_file, database)
    settings = Settings.from_env(
        {},
        database_url=sqlite_url(database),
        redis_url=url,
        redis_key_prefix=prefix,
        pin_hash_memory_kib=1024,
    )
    first, second = build_container(settings), build_container(settings)
    try:
        yield first, second
    finally:
        for container in (first, second):
            await container.session_store().aclose()
            await container.db_engine().dispose()


@pytest.fixture
def two_dialogues(two_processes: tuple[Container, Container]) -> tuple[Dialogue, Dialogue]:
    first, second = two_processes
    return first.dialogue(), second.dialogue()


def shown(reply: UssdReply) -> tuple[str, bool]:
    return reply.text, reply.end


def hop(text: str, session_id: str = "ATUid_1") -> UssdRequest:
    """A hop as Africa's Talking sends it: every input so far, the text naming the hop."""
    return UssdRequest(
        gateway="africastalking",
        session_id=session_id,
        msisdn=PHONE,
        text=text,
        new_session=text == "",
        cumulative=True,
        hop_key=text,
    )


async def stored(prefix: str, url: str) -> SessionRecord:
    store = RedisSessionStore.from_url(url, prefix=prefix)
    try:
        record = await store.get(PHONE)
    finally:
        await store.aclose()
    assert record is not None
    return record


async def test_a_repeated_hop_on_the_other_instance_is_replayed_not_applied_again(
    two_dialogues: tuple[Dialogue, Dialogue], redis_url_and_prefix: tuple[str, str]
) -> None:
    url, prefix = redis_url_and_prefix
    first, second = two_dialogues
    welcome = await first.answer(hop(""))
    assert not welcome.end and "1. Register" in welcome.text
    asked_first_name = shown(await second.answer(hop("1")))
    # The aggregator did not get the answer in time and sends the same hop to the other one.
    assert shown(await first.answer(hop("1"))) == asked_first_name
    asked_last_name = shown(await second.answer(hop("1*Ama")))
    assert shown(await first.answer(hop("1*Ama"))) == asked_last_name
    assert asked_last_name != asked_first_name

    record = await stored(prefix, url)
    assert record.path == ["welcome", "reg_first", "reg_last"]
    assert record.data["first_name"] == "Ama"


async def test_the_same_hop_at_once_on_two_instances_is_answered_alike_and_applied_once(
    two_dialogues: tuple[Dialogue, Dialogue], redis_url_and_prefix: tuple[str, str]
) -> None:
    url, prefix = redis_url_and_prefix
    first, second = two_dialogues
    await first.answer(hop(""))

    # A wrong choice costs one strike; applied twice it would cost two.
    replies = await asyncio.gather(first.answer(hop("7")), second.answer(hop("7")))

    assert shown(replies[0]) == shown(replies[1])
    assert replies[0].text.startswith("Choose a number shown.")
    record = await stored(prefix, url)
    assert (record.path, record.strikes) == (["welcome"], 1)


async def test_the_last_hop_of_a_registration_at_once_on_two_instances_registers_once(
    two_processes: tuple[Container, Container],
) -> None:
    first, second = (process.dialogue() for process in two_processes)
    answers = ["1", "Ama", "Mensah", "Kumasi", "9", "4826", "4826"]
    for step in range(len(answers) + 1):
        typed = "*".join(answers[:step])
        await (first if step % 2 else second).answer(hop(typed))

    confirm = hop("*".join([*answers, "1"]))
    replies = await asyncio.gather(first.answer(confirm), second.answer(confirm))

    assert shown(replies[0]) == shown(replies[1])
    assert replies[0].end and replies[0].text.startswith("Thank you Ama.")
    async with two_processes[0].uow()() as uow:
        assert [customer.first_name for customer in await uow.customers.list()] == ["Ama"]


def test_a_sentinel_url_names_its_sentinels_service_and_database() -> None:
    from lpg_ussd.adapters.sessions.redis import sentinel_client

    client = sentinel_client("redis+sentinel://user:p%40ss@s1:26380,s2/mymaster/3")
    pool = client.connection_pool
    assert pool.service_name == "mymaster"  # type: ignore[attr-defined]
    sentinels = pool.sentinel_manager.sentinels  # type: ignore[attr-defined]
    hosts = [s.connection_pool.connection_kwargs["host"] for s in sentinels]
    ports = [s.connection_pool.connection_kwargs["port"] for s in sentinels]
    assert (hosts, ports) == (["s1", "s2"], [26380, 26379])
    assert pool.connection_kwargs["db"] == 3
    assert pool.connection_kwargs["password"] == "p@ss"
