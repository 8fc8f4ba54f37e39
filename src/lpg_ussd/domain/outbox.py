"""Messages to the outside world, written with the change that causes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class OutboxKind(StrEnum):
    SMS = "sms"
    PAYMENT_REQUEST = "payment_request"
    # An aggregator that ran the payment itself (Hubtel's checkout) is told what became of it.
    CHECKOUT_REPORT = "checkout_report"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(slots=True)
class OutboxMessage:
    kind: OutboxKind
    payload: dict[str, Any]
    created_at: datetime
    id: int | None = None
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def sms(cls, to: str, text: str, now: datetime) -> OutboxMessage:
        return cls(OutboxKind.SMS, {"to": to, "text": text}, now, next_attempt_at=now)

    @classmethod
    def payment_request(cls, payment_reference: str, now: datetime) -> OutboxMessage:
        return cls(
            OutboxKind.PAYMENT_REQUEST, {"reference": payment_reference}, now, next_attempt_at=now
        )

    @classmethod
    def checkout_report(cls, report: dict[str, Any], now: datetime) -> OutboxMessage:
        return cls(OutboxKind.CHECKOUT_REPORT, dict(report), now, next_attempt_at=now)
