"""PostgreSQL cut off from a running line, through a proxy the test controls, then back.

Two faults: `drop` (every connection reset, new ones refused: a crashed server, a firewall)
and `blackhole` (connections are taken but nothing comes back: a hung server, or a pooler or
cloud SQL proxy whose server is gone; bytes in flight are held and delivered when it heals).
The app runs in this process with the machine's Redis, under a key prefix of its own.
"""

from __future__ import annotations

import pytest

from tests.faults.faults import TcpProxy, through
from tests.faults.lines import (
    DEADLINE,
    DEPOSIT_TO_PAYMENT,
    MARGIN,
    ON_DELIVERY,
    Database,
    assert_answered_in_time,
    assert_polite_and_in_time,
    deposit_on_delivery,
    registered_and_verified,
    running,
    settings,
)

pytestmark = pytest.mark.integration

AMA = "+233244200001"
KOFI = "+233244200002"


@pytest.mark.parametrize(
    "fault",
    [
        "drop",
        "blackhole",
    ],
)
async def test_hops_while_postgresql_is_unreachable_end_politely_and_the_line_comes_back(
    fault: str,
    database_url: str,
    pg_proxy: TcpProxy,
    redis_url: str,
    redis_prefix: str,
) -> None:
    db = Database(database_url)  # direct, to look; the line goes through the proxy
    line_settings = settings(
        database_url=through(pg_proxy, database_url),
        redis_url=redis_url,
        redis_key_prefix=redis_prefix,
    )
    async with running(line_settings) as line:
        await registered_and_verified(line, AMA, "Ama")
        first_order = await deposit_on_delivery(line.phone(AMA), "Ama")
        await db.outbox_sent()
        before = await db.snapshot()

        # Mid-journey: Ama is on the payment-method screen of a second deposit.
        ama = line.phone(AMA)
        await ama.dial()
        await ama.walk(DEPOSIT_TO_PAYMENT)

        getattr(pg_proxy, fault)()
        try:
            # Placing the order, a verified customer dialling, a stranger dialling: each
            # needs the database.
            assert_polite_and_in_time(await ama.enter(ON_DELIVERY[0]))
            assert_polite_and_in_time(await line.phone(AMA).dial())
            assert_polite_and_in_time(await line.phone(KOFI).dial())
            status, body, took = await line.ready()
            assert took <= DEADLINE + MARGIN, f"readiness took {took:.2f} s"
            assert (status, body) == (
                503,
                {"status": "unavailable", "database": "down", "sessions": "ok"},
            )
            assert await db.snapshot() == before, "nothing written, nothing lost in the outage"
        finally:
            pg_proxy.forward()

        # No restart: the same app finds the database again by itself; the session kept in
        # Redis is offered again, and resumes before the payment screens.
        await line.wait_ready(seconds=5)
        again = line.phone(AMA)
        offer = await again.dial()
        assert offer.body.startswith("CON You were in the middle of a deposit."), offer
        placed = await again.walk(
            [("1", "2. 6kg steel GHS 234.00"), *DEPOSIT_TO_PAYMENT[2:], ON_DELIVERY]
        )
        assert_answered_in_time(again.log)
        second_order = placed.body.split("Order ", 1)[1].split(" ", 1)[0]
        await db.outbox_sent()
        after = await db.snapshot()

    for table in ("customers", "payments"):
        assert after[table] == before[table], table
    assert after["orders"][: len(before["orders"])] == before["orders"]
    assert [row[1] for row in after["orders"]] == [first_order, second_order]
    assert after["outbox"][: len(before["outbox"])] == before["outbox"]
    new_messages = after["outbox"][len(before["outbox"]) :]
    assert len(new_messages) == 1 and second_order in new_messages[0][2], new_messages
    sent = sorted(sms.text for sms in line.sms.sent)
    assert len(sent) == len(after["outbox"]) == len(set(sent))
