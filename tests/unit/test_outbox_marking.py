"""When the outbox worker records what it sent: texts together, before the next send once a
second has passed since the first of them, and whatever ends the round; a checkout report
(like a payment request) as soon as it has gone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lpg_ussd.application.outbox import DispatchOutbox
from lpg_ussd.application.ports import SmsError
from lpg_ussd.domain.outbox import OutboxKind, OutboxMessage, OutboxStatus
from tests.fakes import FixedClock, InMemoryDatabase, InMemoryUnitOfWorkFactory


class Line:
    def __init__(self, seconds_per_send: float) -> None:
        self.clock = FixedClock()
        self.db = InMemoryDatabase(self.clock)
        self.uow = InMemoryUnitOfWorkFactory(self.db)
        self.seconds_per_send = seconds_per_send
        self.seen: list[tuple[str, list[OutboxStatus]]] = []  # at each send: every status

    def statuses(self) -> list[OutboxStatus]:
        records = sorted(self.db.rows("outbox"), key=lambda record: record.message.id)
        return [record.message.status for record in records]

    def _sent(self, what: str) -> None:
        self.seen.append((what, self.statuses()))
        self.clock.advance(seconds=self.seconds_per_send)

    async def send(self, to: str, text: str) -> None:  # the SMS sender
        if text.startswith("stop"):
            raise asyncio.CancelledError  # as shutdown cancels the worker mid-round
        self._sent(text)
        if text.startswith("fail"):
            raise SmsError("provider timed out")

    async def report_checkout(self, payload: dict[str, Any]) -> None:
        self._sent(payload["name"])

    async def send_payment_request(self, reference: str) -> None:
        raise AssertionError("no payment request is queued here")

    def dispatch(self) -> DispatchOutbox:
        return DispatchOutbox(
            self.uow,
            self.clock,
            self,  # type: ignore[arg-type]
            self.send_payment_request,  # type: ignore[arg-type]
            report_checkout=self.report_checkout,  # type: ignore[arg-type]
        )

    async def queue(self, *messages: OutboxMessage) -> None:
        async with self.uow() as uow:
            for message in messages:
                await uow.outbox.add(message)
            await uow.commit()


def texts(line: Line, count: int, word: str = "text") -> list[OutboxMessage]:
    return [
        OutboxMessage.sms("+233244000001", f"{word} {n}", line.clock.now()) for n in range(count)
    ]


PENDING, SENT = OutboxStatus.PENDING, OutboxStatus.SENT


async def test_texts_sent_together_are_all_recorded_as_sent() -> None:
    line = Line(seconds_per_send=0.01)
    await line.queue(*texts(line, 4))

    assert await line.dispatch().run_once() == 4

    assert line.statuses() == [SENT] * 4
    assert [record.message.attempts for record in line.db.rows("outbox")] == [1] * 4
    assert await line.dispatch().run_once() == 0  # none goes twice


async def test_slow_texts_are_recorded_within_a_second_of_the_first() -> None:
    line = Line(seconds_per_send=0.6)
    await line.queue(*texts(line, 5))

    await line.dispatch().run_once()

    # The first three went out over 1.2 s: recorded before the fourth is sent.
    assert line.seen[3] == ("text 3", [SENT, SENT, SENT, PENDING, PENDING])
    assert line.statuses() == [SENT] * 5


async def test_a_checkout_report_is_recorded_as_soon_as_it_has_gone() -> None:
    line = Line(seconds_per_send=0.01)
    [first, second] = texts(line, 2)
    report = OutboxMessage.checkout_report({"name": "report"}, line.clock.now())
    await line.queue(first, report, second)

    await line.dispatch().run_once()

    assert [what for what, _ in line.seen] == ["text 0", "report", "text 1"]
    # When the last text goes, the report is already recorded; the first text not yet.
    assert line.seen[2] == ("text 1", [PENDING, SENT, PENDING])
    assert line.statuses() == [SENT] * 3
    assert [record.message.kind for record in line.db.rows("outbox")][1] is (
        OutboxKind.CHECKOUT_REPORT
    )


async def test_a_text_is_recorded_a_second_after_it_went_even_while_later_sends_fail() -> None:
    line = Line(seconds_per_send=0.6)
    await line.queue(*texts(line, 1), *texts(line, 3, word="fail"))

    await line.dispatch().run_once()

    # Two failed sends later (1.2 s), the first text is recorded before the third is tried.
    assert line.seen[3] == ("fail 2", [SENT, PENDING, PENDING, PENDING])
    assert line.statuses() == [SENT, PENDING, PENDING, PENDING]  # the failed wait for a retry


async def test_texts_sent_before_the_worker_is_stopped_mid_round_are_recorded() -> None:
    line = Line(seconds_per_send=0.01)
    await line.queue(*texts(line, 2), *texts(line, 1, word="stop"), *texts(line, 1))

    with pytest.raises(asyncio.CancelledError):
        await line.dispatch().run_once()

    # Sent, so recorded, and never sent again; the rest waits for its lease to run out.
    assert line.statuses() == [SENT, SENT, PENDING, PENDING]
