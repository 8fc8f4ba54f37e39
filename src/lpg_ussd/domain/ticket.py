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

    @property
    def number(self) -> str:
        return f"T{self.id:05d}" if self.id is not None else "T?"
