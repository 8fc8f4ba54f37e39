"""A payment provider that behaves like a real one, without money: the default.

The request is taken, the customer "approves" after a delay, and the confirmation comes back
through the same confirm-payment path a provider's callback takes, where the status query
decides. `outcome` makes every payment fail in a chosen way, for testing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from lpg_ussd.application.ports import PaymentRequestResult, ProviderStatus
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentStatus

log = logging.getLogger("lpg_ussd.payments.simulated")

OUTCOMES = {
    "success": ProviderStatus(PaymentStatus.SUCCESSFUL),
    "declined": ProviderStatus(PaymentStatus.FAILED, FailureReason.DECLINED),
    "timed_out": ProviderStatus(PaymentStatus.FAILED, FailureReason.TIMED_OUT),
    "not_enough_funds": ProviderStatus(PaymentStatus.FAILED, FailureReason.NOT_ENOUGH_FUNDS),
}

Notify = Callable[[str], Awaitable[object]]


class SimulatedPaymentGateway:
    name = "simulated"

    def __init__(self, outcome: str = "success", delay_seconds: float = 3.0) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"simulated outcome must be one of {sorted(OUTCOMES)}")
        self._outcome = OUTCOMES[outcome]
        self._delay = delay_seconds
        self._due: dict[str, tuple[float, ProviderStatus]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.notify: Notify | None = None  # set once the confirm-payment path exists

    async def request_payment(self, payment: Payment, payer_name: str) -> PaymentRequestResult:
        if payment.reference not in self._due:  # a retry of the same attempt changes nothing
            final = ProviderStatus(
                self._outcome.status, self._outcome.failure_reason, f"SIM-{payment.reference}"
            )
            self._due[payment.reference] = (time.monotonic() + self._delay, final)
            task = asyncio.get_running_loop().create_task(self._callback_later(payment.reference))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        log.info("simulated prompt for %s sent to the payer", payment.reference)
        return PaymentRequestResult(accepted=True, provider_reference=f"SIM-{payment.reference}")

    async def query_status(self, payment: Payment) -> ProviderStatus:
        due = self._due.get(payment.reference)
        if due is None or time.monotonic() < due[0]:
            return ProviderStatus(PaymentStatus.PENDING)
        return due[1]

    async def _callback_later(self, reference: str) -> None:
        await asyncio.sleep(self._delay)
        if self.notify is None:
            return
        try:
            await self.notify(reference)
        except Exception:
            log.exception("simulated callback for %s failed", reference)

    async def drain(self) -> None:
        """Wait for the callbacks already scheduled (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
