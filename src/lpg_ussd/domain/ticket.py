"""Customer-care tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TicketTopic(StrEnum):
    ORDER = "order"
    PAYMENT = "payment"
    UNDERWEIGHT = "underweight"
    LEAKING = "leaking"
    DAMAGED = "damaged"
    DELIVERY = "delivery"
    OTHER = "other"
    GAS_LEAK = "gas_leak"


class TicketStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(slots=True)
class Ticket:
    id: int | None
    customer_id: int | None
    msisdn: str
    topic: TicketTopic
    urgent: bool
    status: TicketStatus
    created_at: datetime
    assigned_to: str | None = None  # a staff username
    resolved_at: datetime | None = None

    def assign(self, username: str) -> None:
        self.assigned_to = username

    def resolve(self, now: datetime) -> None:
        if self.status is TicketStatus.RESOLVED:
            return
        self.status = TicketStatus.RESOLVED
        self.resolved_at = now

    @property
    def number(self) -> str:
        return f"T{self.id:05d}" if self.id is not None else "T?"
