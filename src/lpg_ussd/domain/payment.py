"""Mobile-money payment attempts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lpg_ussd.domain.errors import TransitionNotAllowed
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import REFERENCE_ALPHABET


class PaymentPurpose(StrEnum):
    ORDER = "order"
    TOPUP = "topup"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCESSFUL = "successful"
    FAILED = "failed"


class FailureReason(StrEnum):
    DECLINED = "declined"
    TIMED_OUT = "timed_out"
    NOT_ENOUGH_FUNDS = "not_enough_funds"
    PAYER_NOT_FOUND = "payer_not_found"
    ERROR = "error"
    CANCELLED = "cancelled"  # the order was cancelled before the prompt went out


def new_payment_reference() -> str:
    """One fresh reference per attempt: alphanumeric, short enough to read out."""
    return "P" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(11))


@dataclass(slots=True)
class Payment:
    id: int | None
    reference: str
    customer_id: int
    msisdn: Msisdn
    purpose: PaymentPurpose
    order_id: int | None
    amount: Money
    network: str
    provider: str
    status: PaymentStatus
    created_at: datetime
    updated_at: datetime
    failure_reason: FailureReason | None = None
    provider_reference: str | None = None

    @property
    def is_final(self) -> bool:
        return self.status is not PaymentStatus.PENDING

    def succeed(self, now: datetime, provider_reference: str | None = None) -> None:
        if self.is_final:
            raise TransitionNotAllowed("payment already final")
        self.status = PaymentStatus.SUCCESSFUL
        self.provider_reference = provider_reference or self.provider_reference
        self.updated_at = now

    def fail(self, reason: FailureReason, now: datetime) -> None:
        if self.is_final:
            raise TransitionNotAllowed("payment already final")
        self.status = PaymentStatus.FAILED
        self.failure_reason = reason
        self.updated_at = now
