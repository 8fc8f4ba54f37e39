"""The audit log: every staff action, with who did it and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """`actor` names a person or a system: `staff:ama`, `api:erp`, `cli`. `subject` is what
    the action touched (a phone number, an order reference, `ticket:T00012`)."""

    actor: str
    action: str
    subject: str
    at: datetime
    detail: str = ""
    id: int | None = None
