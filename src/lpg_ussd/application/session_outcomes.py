"""Use case: count how USSD sessions end, for drop-off figures.

A gateway's end-of-session notice (Africa's Talking's `Success`, `Incomplete`, `Failed`) is
counted by day, gateway, status and the screen the customer was last on. It changes nothing in
the session: a session that did not end with an `END` answer stays resumable by itself (the
engine offers "Continue" on the next dial within the resume window), so an `Incomplete` notice
(a timeout or a cancel) must leave it as it is, and does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from lpg_ussd.application.ports import (
    Clock,
    HopObserver,
    NoObserver,
    SessionStatus,
    SessionStore,
    UnitOfWorkFactory,
)

log = logging.getLogger("lpg_ussd.session_outcomes")

UNKNOWN_SCREEN = "unknown"  # no session record for this phone, or one of another session


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """A gateway's word that a session is over, and how; `error` is its reason for a failure."""

    gateway: str
    session_id: str
    msisdn: str  # E.164, the session store's key
    status: SessionStatus
    error: str = ""


@dataclass(frozen=True, slots=True)
class RecordSessionOutcome:
    uow: UnitOfWorkFactory
    store: SessionStore
    clock: Clock
    observer: HopObserver = field(default_factory=NoObserver)

    async def __call__(self, ended: SessionEnded) -> str:
        """Count the session's end; returns the screen it was counted on."""
        screen = await self._last_screen(ended)
        if ended.status is not SessionStatus.SUCCESS:  # completed ones the dialogue counts
            outcome = "dropped" if ended.status is SessionStatus.INCOMPLETE else "failed"
            self.observer.session_ended(ended.gateway, outcome, screen)
        if ended.status is SessionStatus.FAILED:
            log.warning(
                "%s reports session %s failed on screen %s: %s",
                ended.gateway,
                ended.session_id,
                screen,
                ended.error or "no reason given",
                extra={"session_id": ended.session_id},
            )
        async with self.uow() as uow:
            await uow.session_outcomes.increment(
                self.clock.now().date(), ended.gateway, ended.status, screen
            )
            await uow.commit()
        return screen

    async def _last_screen(self, ended: SessionEnded) -> str:
        record = await self.store.get(ended.msisdn)
        if record is None or record.session_id != ended.session_id or not record.path:
            return UNKNOWN_SCREEN
        return record.screen
