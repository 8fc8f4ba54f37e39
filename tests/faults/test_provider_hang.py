"""A mobile-money provider that hangs: the USSD line does not wait for it, the worker gives up
on it at its timeout and tries again later with the same reference, and nothing is doubled.

The line runs in this process with the MTN MoMo adapter pointed at a local fake of MTN's API
(tests/contract/payments/fake_mtn_momo.py) whose request-to-pay, twice, takes effect and then
never answers in time: the worst case, where the prompt went out but its answer was lost.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lpg_ussd.adapters.payments.mtn_momo import momo_reference_id
from tests.contract.payments.fake_mtn_momo import FakeMtnMomo
from tests.contract.payments.server import LocalServer
from tests.faults.lines import (
    DEPOSIT_TO_PAYMENT,
    Database,
    ShiftedClock,
    assert_answered_in_time,
    registered_and_verified,
    running,
    settings,
    until,
)

pytestmark = pytest.mark.integration

AMA = "+233244300001"
PROVIDER_TIMEOUT = 0.5
HANGS_FOR = 2.0  # seconds: four times what the worker waits


@pytest.fixture
def fake_mtn() -> Iterator[tuple[FakeMtnMomo, str]]:
    fake = FakeMtnMomo()
    server = LocalServer(fake).start()
    yield fake, server.url
    server.stop()


def mtn_settings(fake: FakeMtnMomo, url: str) -> dict[str, object]:
    return {
        "payment_provider": "mtn_momo",
        "mtn_momo_base_url": url,
        "mtn_momo_api_user": fake.api_user,
        "mtn_momo_api_key": fake.api_key,
        "mtn_momo_subscription_key": fake.subscription_key,
        "mtn_momo_target_environment": fake.environment,
        "mtn_momo_currency": fake.currency,
        "provider_timeout_seconds": PROVIDER_TIMEOUT,
    }


async def tries_booked(db: Database, attempts: int, status: str) -> None:
    """Wait until the one payment request of the outbox has had `attempts` tries."""
    await until(
        lambda: db.rows("SELECT attempts, status FROM outbox WHERE kind = 'payment_request'"),
        lambda rows: rows == [(attempts, status)],
        5,
        f"payment request tried {attempts} times, {status}",
    )


async def test_a_hanging_provider_delays_no_answer_and_its_request_is_retried_not_doubled(
    database_url: str, redis_url: str, redis_prefix: str, fake_mtn: tuple[FakeMtnMomo, str]
) -> None:
    fake, url = fake_mtn
    db = Database(database_url)
    clock = ShiftedClock()
    line_settings = settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_key_prefix=redis_prefix,
        **mtn_settings(fake, url),
    )
    async with running(line_settings, clock) as line:
        await registered_and_verified(line, AMA, "Ama")
        fake.slow_next("request", HANGS_FOR, times=2)

        ama = line.phone(AMA)
        await ama.dial()
        sent = await ama.walk(
            [*DEPOSIT_TO_PAYMENT[:3], ("1", "1. MTN MoMo"), ("1", "Approve the GHS 234.00")]
        )
        assert sent.ended
        assert_answered_in_time(ama.log)
        [(reference, status)] = await db.rows("SELECT reference, status FROM payments")
        assert status == "pending"

        # The worker's request hangs; it gives up at its timeout and books a retry.
        await tries_booked(db, 1, "pending")
        # Meanwhile the line answers as ever, and says the payment is pending.
        status_phone = line.phone(AMA)
        await status_phone.dial()
        await status_phone.walk([("2", "Awaiting payment"), ("1", "Do not pay again.")])
        assert_answered_in_time(status_phone.log)

        clock.advance(6)  # the first back-off is 5 s
        await tries_booked(db, 2, "pending")
        clock.advance(11)  # the second is 10 s; the provider now answers (409: it has it)
        await tries_booked(db, 3, "sent")

        # Every try named the same attempt: one prompt on the customer's phone.
        tries = fake.seen("request")
        assert len(tries) == 3
        assert {r.headers["x-reference-id"] for r in tries} == {momo_reference_id(reference)}
        assert {r.json()["externalId"] for r in tries} == {reference}
        assert list(fake.transactions) == [momo_reference_id(reference)]

        # MTN confirms, by its callback (sent twice, as providers do): paid once.
        callback = fake.callback_body(momo_reference_id(reference))
        for _ in range(2):
            response = await line.client.put("/payments/mtn_momo/callback", content=callback)
            assert response.status_code == 200, response.text
        await db.outbox_sent()
        payments = await db.rows("SELECT reference, status, amount_pesewas FROM payments")
        orders = await db.rows("SELECT status, amount_paid_pesewas FROM orders")
        outbox = await db.rows("SELECT kind, attempts, status FROM outbox ORDER BY id")

    assert payments == [(reference, "successful", 23400)]
    assert orders == [("paid", 23400)]
    order_reference = sent.body.split("Order ", 1)[1].split(".", 1)[0]
    receipt = f"payment of GHS 234.00 received for order {order_reference}"
    receipts = [sms.text for sms in line.sms.sent if receipt in sms.text]
    assert len(receipts) == 1, line.sms.sent
    assert [row for row in outbox if row[0] == "payment_request"] == [
        ("payment_request", 3, "sent")
    ]
    assert len(line.sms.sent) == sum(1 for row in outbox if row[0] == "sms"), "each SMS once"
