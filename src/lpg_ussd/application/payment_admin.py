"""Payments as staff follow them: the pending and failed ones, re-checked on demand."""

from __future__ import annotations

from dataclasses import dataclass

from lpg_ussd.application.audit import record
from lpg_ussd.application.payments import ConfirmPayment, Settlement
from lpg_ussd.application.ports import Clock, UnitOfWorkFactory
from lpg_ussd.domain.errors import NotFound
from lpg_ussd.domain.payment import Payment, PaymentStatus


@dataclass(frozen=True, slots=True)
class ListPayments:
    uow: UnitOfWorkFactory

    async def __call__(self, status: PaymentStatus | None = None, limit: int = 50) -> list[Payment]:
        async with self.uow(read_only=True) as uow:
            return await uow.payments.list(status=status, limit=limit)


@dataclass(frozen=True, slots=True)
class RecheckPayment:
    """Ask the provider again about one payment and settle it by what it says, through the
    same path as a callback; a final payment stays as it is."""

    uow: UnitOfWorkFactory
    clock: Clock
    confirm: ConfirmPayment

    async def __call__(self, reference: str, *, actor: str) -> Settlement:
        settlement = await self.confirm(reference)
        if settlement is Settlement.UNKNOWN:
            async with self.uow(read_only=True) as uow:
                if await uow.payments.get_by_reference(reference) is None:
                    raise NotFound(reference)
        async with self.uow() as uow:
            await record(uow, actor, "payment.recheck", reference, self.clock.now(), settlement)
            await uow.commit()
        return settlement
