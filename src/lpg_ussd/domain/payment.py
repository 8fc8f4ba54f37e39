"""Mobile-money payment attempts."""

from __future__ import annotations

import hashlib
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


def checkout_reference(session_id: str) -> str:
    """The reference of the one payment an aggregator's own checkout collects in a session.

    Drawn from the session id, so the aggregator's fulfilment request, which names only its
    session, finds the payment by its reference; a session ends with its checkout, so it
    never holds two. 11 characters of 31 are about 54 bits: no two sessions share one.
    """
    digest = int.from_bytes(hashlib.sha256(session_id.encode("utf-8", "replace")).digest())
    body = []
    for _ in range(11):
        digest, index = divmod(digest, len(REFERENCE_ALPHABET))
        body.append(REFERENCE_ALPHABET[index])
    return "C" + "".join(body)


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
