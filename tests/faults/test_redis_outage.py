"""Redis failing under a running line: stopped in the middle of a journey and started again,
or hanging (connections taken, nothing answered) and then healing.

The line is the app in this process on the real PostgreSQL. Stopped: a Redis server of the
test's own, which forgets every key as a restarted Redis without persistence does. Hanging: a
proxy in front of the machine's Redis, blackholed (the machine's Redis is never disturbed).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import redis

from lpg_ussd.adapters.sessions.redis import LOCK_TTL_MS
from tests.faults.faults import RedisServer, TcpProxy
from tests.faults.lines import (
    DEADLINE,
    DEPOSIT_TO_PAYMENT,
    MARGIN,
    ON_DELIVERY,
    Database,
    Line,
    assert_answered_in_time,
    assert_polite_and_in_time,
    deposit_on_delivery,
    registered_and_verified,
    running,
    settings,
)

pytestmark = pytest.mark.integration

AMA = "+233244100001"
KOFI = "+233244100002"
ESI = "+233244100003"

NO_LIMITS = {"rate_limit_phone_per_minute": 0, "rate_limit_source_per_minute": 0}
LIMITS = [
    pytest.param({}, id="rate-limits-on"),
    pytest.param(NO_LIMITS, id="rate-limits-off"),
]
READY_WITHOUT_SESSIONS = (503, {"status": "unavailable", "database": "ok", "sessions": "down"})


@pytest.fixture
def redis_proxy(redis_url: str) -> Iterator[TcpProxy]:
    """A proxy in front of the machine's Redis."""
    url = urlsplit(redis_url)
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 6379).start()
    yield proxy
    proxy.stop()


async def before_the_fault(line: Line, db: Database) -> tuple[str, dict[str, list[tuple]]]:
    """Ama registered, verified, one order placed, every SMS sent; then mid-journey, on the
    payment-method screen of a second deposit. The first order's reference, and a snapshot."""
    await registered_and_verified(line, AMA, "Ama")
    await registered_and_verified(line, ESI, "Esi")
    first_order = await deposit_on_delivery(line.phone(AMA), "Ama")
    await db.outbox_sent()
    before = await db.snapshot()
    assert [row[1] for row in before["orders"]] == [first_order]
    return first_order, before


async def assert_one_order_more(
    db: Database, line: Line, before: dict[str, list[tuple]], orders: list[str]
) -> None:
    """Everything committed before the fault intact; one order more, with its one SMS; each
    message of the outbox sent exactly once."""
    await db.outbox_sent()
    after = await db.snapshot()
    for table in ("customers", "payments"):
        assert after[table] == before[table], table
    assert after["orders"][: len(before["orders"])] == before["orders"]
    assert [row[1] for row in after["orders"]] == orders
    assert after["outbox"][: len(before["outbox"])] == before["outbox"]
    new_messages = after["outbox"][len(before["outbox"]) :]
    assert len(new_messages) == 1 and orders[-1] in new_messages[0][2], new_messages
    sent = sorted(sms.text for sms in line.sms.sent)
    assert len(sent) == len(after["outbox"]) == len(set(sent))


@pytest.mark.parametrize("limits", LIMITS)
async def test_hops_while_redis_is_down_end_politely_and_the_line_comes_back_by_itself(
    limits: dict[str, int], database_url: str, redis_server: RedisServer, redis_prefix: str
) -> None:
    db = Database(database_url)
    line_settings = settings(
        database_url=database_url,
        redis_url=redis_server.url,
        redis_key_prefix=redis_prefix,
        **limits,
    )
    async with running(line_settings) as line:
        first_order, before = await before_the_fault(line, db)
        ama = line.phone(AMA)
        await ama.dial()
        await ama.walk(DEPOSIT_TO_PAYMENT)

        redis_server.stop()

        assert_polite_and_in_time(await ama.enter(ON_DELIVERY[0]))
        assert_polite_and_in_time(await line.phone(AMA).dial())
        assert_polite_and_in_time(await line.phone(KOFI).dial())
        status, body, took = await line.ready()
        assert took <= DEADLINE + MARGIN, f"readiness took {took:.2f} s"
        assert (status, body) == READY_WITHOUT_SESSIONS
        assert await db.snapshot() == before, "nothing written, nothing lost during the outage"

        redis_server.start()

        # No restart: the same app finds Redis again by itself. The session went with the
        # old Redis: Ama starts again from the main menu, and completes.
        await line.wait_ready(seconds=5)
        ama_again = line.phone(AMA)
        second_order = await deposit_on_delivery(ama_again, "Ama")
        assert_answered_in_time(ama_again.log)
        await assert_one_order_more(db, line, before, [first_order, second_order])


@pytest.mark.parametrize("limits", LIMITS)
async def test_hops_while_redis_hangs_end_politely_and_the_line_comes_back_by_itself(
    limits: dict[str, int],
    database_url: str,
    redis_url: str,
    redis_proxy: TcpProxy,
    redis_prefix: str,
) -> None:
    db = Database(database_url)
    proxied = urlsplit(redis_url)._replace(netloc=f"127.0.0.1:{redis_proxy.port}").geturl()
    line_settings = settings(
        database_url=database_url, redis_url=proxied, redis_key_prefix=redis_prefix, **limits
    )
    async with running(line_settings) as line:
        first_order, before = await before_the_fault(line, db)
        ama = line.phone(AMA)
        await ama.dial()
        await ama.walk(DEPOSIT_TO_PAYMENT)

        redis_proxy.blackhole()
        try:
            assert_polite_and_in_time(await ama.enter(ON_DELIVERY[0]))
            assert_polite_and_in_time(await line.phone(KOFI).dial())
            status, body, took = await line.ready()
            assert took <= DEADLINE + MARGIN, f"readiness took {took:.2f} s"
            assert (status, body) == READY_WITHOUT_SESSIONS
            assert await db.snapshot() == before
        finally:
            redis_proxy.forward()

        await line.wait_ready(seconds=5)
        # The lock command of Ama's abandoned hop, held in the partition, may reach Redis as
        # it heals: a lock nobody holds, which must expire by itself (meanwhile Ama hears
        # "dial again in a moment"). Esi, who did not dial during the fault, is served at once.
        with redis.Redis.from_url(redis_url) as client:
            ttl = client.pttl(f"{redis_prefix}:{{{AMA}}}:l")
        assert ttl == -2 or 0 < ttl <= LOCK_TTL_MS, f"a lock that never expires: {ttl}"
        esi = line.phone(ESI)
        second_order = await deposit_on_delivery(esi, "Esi")
        assert_answered_in_time(esi.log)
        await assert_one_order_more(db, line, before, [first_order, second_order])
