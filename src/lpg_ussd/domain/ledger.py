"""The wallet ledger: every change is an entry; a balance is their sum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lpg_ussd.domain.errors import InsufficientFunds
from lpg_ussd.domain.money import Money


class EntryKind(StrEnum):
    TOPUP = "topup"
    ORDER_PAYMENT = "order_payment"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    customer_id: int
    amount: Money  # positive credits the wallet, negative debits it
    kind: EntryKind
    created_at: datetime
    order_id: int | None = None
    payment_id: int | None = None
    id: int | None = None


def debit(
    customer_id: int,
    balance: Money,
    amount: Money,
    kind: EntryKind,
    now: datetime,
    order_id: int | None = None,
) -> LedgerEntry:
    if balance < amount:
        raise InsufficientFunds((amount - balance).pesewas)
    return LedgerEntry(customer_id, -amount, kind, now, order_id=order_id)


def credit(
    customer_id: int,
    amount: Money,
    kind: EntryKind,
    now: datetime,
    order_id: int | None = None,
    payment_id: int | None = None,
) -> LedgerEntry:
    return LedgerEntry(customer_id, amount, kind, now, order_id=order_id, payment_id=payment_id)
