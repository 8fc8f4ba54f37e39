"""The outbox worker: sends each SMS, payment request and checkout report once, retrying with
back-off."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lpg_ussd.application.checkout import ReportCheckout
from lpg_ussd.application.payments import SendPaymentRequest, SweepPendingPayments
from lpg_ussd.application.ports import (
    CheckoutReportFailed,
    Clock,
    SmsError,
    SmsSender,
    UnitOfWorkFactory,
)
from lpg_ussd.domain.outbox import OutboxKind, OutboxMessage

log = logging.getLogger("lpg_ussd.outbox")

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
# Sent SMS are recorded together: one write for many instead of one each (the worker's largest
# cost). They are recorded before the next send once this long has passed since the first of
# them went out (so at most this long plus one send's time, far inside the lease), and at the
# end of the round, however it ends. Only a crash of the process in between sends those few
# texts twice; payment requests and checkout reports, which must not go twice, are each
# recorded as soon as they are sent. `sent_at` is when a text was recorded.
SMS_MARK_EVERY = timedelta(seconds=1)


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... capped at 10 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


class PermanentFailure(Exception):
    pass


@dataclass(slots=True)
class DispatchOutbox:
    uow: UnitOfWorkFactory
    clock: Clock
    sms: SmsSender
    send_payment_request: SendPaymentRequest
    batch: int = 50
    report_checkout: ReportCheckout | None = None

    async def run_once(self) -> int:
        """Send what is due now; returns how many messages were handled."""
        now = self.clock.now()
        async with self.uow() as uow:
            due = await uow.outbox.claim_due(now, self.batch, now + LEASE)
            await uow.commit()
        texts = _SentTexts()
        try:
            for message in due:
                assert message.id is not None
                if texts.due(self.clock.now()):  # checked before every send, slow ones too
                    await self._mark_sent(texts.ids)
                    texts.take()
                if not await self._deliver(message):
                    continue
                if message.kind is OutboxKind.SMS:
                    texts.add(message.id, self.clock.now())
                else:
                    await self._mark_sent([message.id])
        finally:
            # Whatever stopped the round (a database error, shutdown cancelling the worker),
            # texts that went out are recorded, so that they do not go again.
            if texts.ids:
                await asyncio.shield(self._mark_sent_or_log(texts.take()))
        return len(due)

    async def _deliver(self, message: OutboxMessage) -> bool:
        """Send it; False when it failed (and was marked for a retry or as failed)."""
        try:
            await self._send(message)
        except (PermanentFailure, SmsError, CheckoutReportFailed) as error:
            permanent = isinstance(error, PermanentFailure) or getattr(error, "permanent", False)
            await self._failed(message, str(error), permanent)
            return False
        except Exception as error:
            log.exception("outbox message %s failed", message.id)
            await self._failed(message, repr(error), permanent=False)
            return False
        return True

    async def _mark_sent(self, message_ids: list[int]) -> None:
        async with self.uow() as uow:
            await uow.outbox.mark_sent(message_ids, self.clock.now())
            await uow.commit()

    async def _mark_sent_or_log(self, message_ids: list[int]) -> None:
        try:
            await self._mark_sent(message_ids)
        except Exception:
            # Their leases run out and they are sent again: said, so that it can be seen.
            log.exception("outbox messages %s were sent but could not be recorded", message_ids)

    async def _send(self, message: OutboxMessage) -> None:
        if message.kind is OutboxKind.SMS:
            await self.sms.send(message.payload["to"], message.payload["text"])
        elif message.kind is OutboxKind.PAYMENT_REQUEST:
            await self.send_payment_request(message.payload["reference"])
        elif message.kind is OutboxKind.CHECKOUT_REPORT:
            if self.report_checkout is None:
                raise PermanentFailure("no checkout reporter is configured")
            await self.report_checkout(message.payload)
        else:
            raise PermanentFailure(f"unknown outbox kind {message.kind}")

    async def _failed(self, message: OutboxMessage, error: str, permanent: bool) -> None:
        assert message.id is not None
        attempts = message.attempts + 1
        async with self.uow() as uow:
            if permanent or attempts >= MAX_ATTEMPTS:
                log.error("outbox message %s failed for good: %s", message.id, error)
                await uow.outbox.mark_failed(message.id, error)
            else:
                await uow.outbox.mark_retry(message.id, error, self.clock.now() + backoff(attempts))
            await uow.commit()


@dataclass(slots=True)
class _SentTexts:
    """Texts sent and not yet recorded, and when the first of them went."""

    ids: list[int] = field(default_factory=list)
    first_at: datetime | None = None

    def add(self, message_id: int, now: datetime) -> None:
        if not self.ids:
            self.first_at = now
        self.ids.append(message_id)

    def due(self, now: datetime) -> bool:
        return self.first_at is not None and now - self.first_at >= SMS_MARK_EVERY

    def take(self) -> list[int]:
        taken, self.ids, self.first_at = self.ids, [], None
        return taken


@dataclass(frozen=True, slots=True)
class ListOutbox:
    """The latest messages the outbox holds, newest first, with their state (for staff)."""

    uow: UnitOfWorkFactory

    async def __call__(self, limit: int = 100) -> list[OutboxMessage]:
        async with self.uow(read_only=True) as uow:
            return await uow.outbox.list(limit=limit)


@dataclass(slots=True)
class Worker:
    """Runs the outbox and the sweep of pending payments until stopped."""

    dispatch: DispatchOutbox
    sweep: SweepPendingPayments
    poll_seconds: float = 0.5
    sweep_seconds: float = 60.0

    async def run_once(self) -> int:
        return await self.dispatch.run_once()

    async def run_forever(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        next_sweep = loop.time()
        while not stop.is_set():
            try:
                handled = await self.dispatch.run_once()
                if loop.time() >= next_sweep:
                    await self.sweep()
                    next_sweep = loop.time() + self.sweep_seconds
            except Exception:
                log.exception("worker round failed")
                handled = 0
            if handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
