"""A payment provider's callback, once its adapter has read it: settled, and recorded.

The callback is only a hint: ConfirmPayment asks the provider's status query before any
value is delivered. Whatever becomes of it, the callback is recorded (provider, reference,
whether its signature was checked, the outcome), so that staff can answer "did the provider
tell us?", including for a reference that is none of ours, which is answered without error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from lpg_ussd.application.payments import ConfirmPayment
from lpg_ussd.application.ports import (
    CallbackOutcome,
    Clock,
    PaymentCallback,
    UnitOfWorkFactory,
)

log = logging.getLogger("lpg_ussd.payments.callbacks")

# The columns' sizes: a longer value is none of ours, and is kept cut, for the record only.
MAX_REFERENCE = 64
MAX_PROVIDER_REFERENCE = 128
# What a callback's handling may end in; the refusals come before it is read.
REFUSALS = frozenset({CallbackOutcome.REJECTED, CallbackOutcome.MALFORMED})


@dataclass(frozen=True, slots=True)
class ReceivePaymentCallback:
    """Settle the payment a provider's callback names (through its status query), and record
    the callback with what became of it."""

    uow: UnitOfWorkFactory
    clock: Clock
    confirm: ConfirmPayment

    async def __call__(
        self,
        provider: str,
        reference: str | None,
        trusted: bool = False,
        provider_reference: str | None = None,
    ) -> CallbackOutcome:
        """`reference` is our payment reference as the callback gives it, None when it gives
        none (another kind of event: recorded as ignored)."""
        if reference is None:
            outcome = CallbackOutcome.IGNORED
        else:
            try:
                outcome = CallbackOutcome((await self.confirm(reference)).value)
            except Exception:
                await self._record_quietly(
                    provider, reference, trusted, CallbackOutcome.ERROR, provider_reference
                )
                raise
        await self._record(provider, reference, trusted, outcome, provider_reference)
        return outcome

    async def refused(self, provider: str, outcome: CallbackOutcome) -> None:
        """A callback refused unread (a wrong signature, an unreadable body): recorded only."""
        if outcome not in REFUSALS:
            raise ValueError(f"{outcome} is not a refusal")
        await self._record(provider, None, False, outcome, None)

    async def _record(
        self,
        provider: str,
        reference: str | None,
        trusted: bool,
        outcome: CallbackOutcome,
        provider_reference: str | None,
    ) -> None:
        callback = PaymentCallback(
            provider=provider,
            reference=_cut(reference, MAX_REFERENCE),
            trusted=trusted,
            outcome=outcome,
            received_at=self.clock.now(),
            provider_reference=_cut(provider_reference, MAX_PROVIDER_REFERENCE),
        )
        async with self.uow() as uow:
            await uow.payment_callbacks.add(callback)
            await uow.commit()

    async def _record_quietly(
        self,
        provider: str,
        reference: str | None,
        trusted: bool,
        outcome: CallbackOutcome,
        provider_reference: str | None,
    ) -> None:
        """Record while another error is on its way up: that error is the one to report."""
        try:
            await self._record(provider, reference, trusted, outcome, provider_reference)
        except Exception:
            log.exception("%s callback for %s could not be recorded", provider, reference)


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value is not None else None
