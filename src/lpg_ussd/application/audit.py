"""The audit log: written in the same unit of work as the action it records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lpg_ussd.application.ports import UnitOfWork, UnitOfWorkFactory
from lpg_ussd.domain.audit import AuditEntry


async def record(
    uow: UnitOfWork, actor: str, action: str, subject: str, at: datetime, detail: str = ""
) -> None:
    await uow.audit.add(AuditEntry(actor, action, subject, at, detail))


@dataclass(frozen=True, slots=True)
class ListAudit:
    uow: UnitOfWorkFactory

    async def __call__(
        self, actor: str | None = None, subject: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        async with self.uow(read_only=True) as uow:
            return await uow.audit.list(actor=actor, subject=subject, limit=limit)
