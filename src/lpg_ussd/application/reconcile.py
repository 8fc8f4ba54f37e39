"""Reconciliation: the orders, payments and wallets whose amounts or states disagree.

Money must never be lost, doubled or credited unconfirmed; this is the check that it was not.
Every order and every payment is walked, a page at a time, with the ledger entries that name
them, and each disagreement becomes one finding:

- an order marked paid by mobile money without a successful payment of its total;
- a successful payment whose order is not paid by it, was not refunded on cancelling, and
  whose money did not go to the wallet either;
- a payment of another amount than its order's total;
- a successful top-up without its wallet credit; a payment credited twice; a credit for a
  payment that did not succeed;
- an order paid from the wallet without its ledger debit (or with another one);
- a wallet whose balance is below zero.

It only reads. A payment being settled while the walk runs may show as a finding that is gone
on the next run: run it again before acting on a fresh one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from lpg_ussd.application.ports import UnitOfWorkFactory
from lpg_ussd.domain.ledger import EntryKind, LedgerEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.order import Order, OrderStatus, PaymentMethod
from lpg_ussd.domain.payment import Payment, PaymentPurpose, PaymentStatus

PAGE = 400  # ids per query: well under the bound parameters any backend takes
PAID_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.DISPATCHED, OrderStatus.DELIVERED})


class FindingKind(StrEnum):
    PAID_WITHOUT_PAYMENT = "paid_without_payment"
    PAYMENT_NOT_APPLIED = "payment_not_applied"
    AMOUNT_MISMATCH = "amount_mismatch"
    TOPUP_NOT_CREDITED = "topup_not_credited"
    CREDITED_TWICE = "credited_twice"
    CREDITED_UNCONFIRMED = "credited_unconfirmed"
    WALLET_ORDER_NOT_DEBITED = "wallet_order_not_debited"
    NEGATIVE_BALANCE = "negative_balance"


@dataclass(frozen=True, slots=True)
class Finding:
    """One disagreement: what it is about (`order NG-...`, `payment P...`, `customer +233...`)
    and what is wrong, in words for staff."""

    kind: FindingKind
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail} [{self.kind.value}]"


@dataclass(frozen=True, slots=True)
class Reconciliation:
    findings: list[Finding] = field(default_factory=list)
    orders: int = 0  # how many were checked
    payments: int = 0

    @property
    def agrees(self) -> bool:
        return not self.findings


@dataclass(frozen=True, slots=True)
class Reconcile:
    """List the orders, payments and wallets whose amounts or states disagree."""

    uow: UnitOfWorkFactory
    currency: str = "GHS"

    async def __call__(self) -> Reconciliation:
        checks = _Checks(self.currency)
        orders = await self._walk_orders(checks)
        payments = await self._walk_payments(checks)
        await self._check_wallets(checks)
        return Reconciliation(checks.findings, orders, payments)

    async def _walk_orders(self, checks: _Checks) -> int:
        after, count = 0, 0
        while True:
            async with self.uow() as uow:
                orders = await uow.orders.list_page(after, PAGE)
                if not orders:
                    return count
                order_ids = [_id(o.id) for o in orders]
                payments = await uow.payments.list_for_orders(order_ids)
                entries = await uow.ledger.list_for(
                    order_ids=order_ids, payment_ids=[_id(p.id) for p in payments]
                )
            for order in orders:
                mine = [p for p in payments if p.order_id == order.id]
                checks.order(order, mine, entries)
            count += len(orders)
            after = order_ids[-1]

    async def _walk_payments(self, checks: _Checks) -> int:
        after, count = 0, 0
        while True:
            async with self.uow() as uow:
                payments = await uow.payments.list_page(after, PAGE)
                if not payments:
                    return count
                payment_ids = [_id(p.id) for p in payments]
                entries = await uow.ledger.list_for(payment_ids=payment_ids)
            for payment in payments:
                checks.payment(payment, [e for e in entries if e.payment_id == payment.id])
            count += len(payments)
            after = payment_ids[-1]

    async def _check_wallets(self, checks: _Checks) -> None:
        async with self.uow() as uow:
            below = await uow.ledger.negative_balances(limit=1000)
            for customer_id, balance in below:
                customer = await uow.customers.get(customer_id)
                who = customer.msisdn.e164 if customer is not None else f"#{customer_id}"
                checks.negative_wallet(who, balance)


class _Checks:
    """The rules, over what the walk has read; findings in the order found."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.findings: list[Finding] = []

    def _add(self, kind: FindingKind, subject: str, detail: str) -> None:
        self.findings.append(Finding(kind, subject, detail))

    def _money(self, amount: Money) -> str:
        return amount.format(self.currency)

    # -- orders, with their payments and the entries naming either -------------------------

    def order(
        self, order: Order, payments: Sequence[Payment], entries: Sequence[LedgerEntry]
    ) -> None:
        subject = f"order {order.reference}"
        if order.payment_method is PaymentMethod.WALLET:
            self._wallet_debit(order, entries)
        for payment in payments:
            if payment.amount != order.total:
                self._add(
                    FindingKind.AMOUNT_MISMATCH,
                    f"payment {payment.reference}",
                    f"{self._money(payment.amount)} for {subject} of {self._money(order.total)}",
                )
        successful = [p for p in payments if p.status is PaymentStatus.SUCCESSFUL]
        # A payment that came when the order no longer took one went to the wallet instead.
        applied = [p for p in successful if not _credits(p, entries)]
        if order.payment_method.is_mobile_money and order.status in PAID_STATUSES:
            self._paid_order(order, applied)
        elif order.status is OrderStatus.CANCELLED and applied:
            self._cancelled_order(order, applied, entries)
        else:
            for payment in applied:
                self._not_applied(payment, f"{subject} is {order.status.value}")

    def _paid_order(self, order: Order, applied: Sequence[Payment]) -> None:
        paying = next((p for p in applied if p.amount == order.total), None)
        if paying is None:
            self._add(
                FindingKind.PAID_WITHOUT_PAYMENT,
                f"order {order.reference}",
                f"{order.status.value} by mobile money without a successful payment of its "
                f"total {self._money(order.total)}",
            )
        for payment in applied:
            if paying is not None and payment is not paying:
                self._not_applied(
                    payment, f"order {order.reference} was paid by {paying.reference}"
                )

    def _cancelled_order(
        self, order: Order, applied: Sequence[Payment], entries: Sequence[LedgerEntry]
    ) -> None:
        # The refund on cancelling names the order alone; a payment's own credit names it.
        refunded = _total(
            e
            for e in entries
            if e.order_id == order.id and e.payment_id is None and e.kind is EntryKind.REFUND
        )
        paid = _total_paid(applied)
        if refunded < paid:
            self._add(
                FindingKind.PAYMENT_NOT_APPLIED,
                f"order {order.reference}",
                f"cancelled after {self._money(paid)} was paid by "
                f"{', '.join(p.reference for p in applied)}, but {self._money(refunded)} "
                "was refunded to the wallet",
            )

    def _not_applied(self, payment: Payment, why: str) -> None:
        self._add(
            FindingKind.PAYMENT_NOT_APPLIED,
            f"payment {payment.reference}",
            f"successful ({self._money(payment.amount)}), but {why} and the money is not in "
            "the wallet",
        )

    def _wallet_debit(self, order: Order, entries: Sequence[LedgerEntry]) -> None:
        debits = [
            e for e in entries if e.order_id == order.id and e.kind is EntryKind.ORDER_PAYMENT
        ]
        debited = -_total(debits)
        if len(debits) == 1 and debited == order.total:
            return
        if not debits:
            detail = f"paid from the wallet without its ledger debit of {self._money(order.total)}"
        else:
            detail = (
                f"paid from the wallet with {len(debits)} debit(s) of {self._money(debited)} "
                f"for its total {self._money(order.total)}"
            )
        self._add(FindingKind.WALLET_ORDER_NOT_DEBITED, f"order {order.reference}", detail)

    # -- payments, with the entries naming them --------------------------------------------

    def payment(self, payment: Payment, entries: Sequence[LedgerEntry]) -> None:
        subject = f"payment {payment.reference}"
        credits = _credits(payment, entries)
        credited = _total(credits)
        if credits and payment.status is not PaymentStatus.SUCCESSFUL:
            self._add(
                FindingKind.CREDITED_UNCONFIRMED,
                subject,
                f"{payment.status.value}, yet {self._money(credited)} was credited to the wallet",
            )
        if len(credits) > 1:
            self._add(
                FindingKind.CREDITED_TWICE,
                subject,
                f"credited to the wallet {len(credits)} times ({self._money(credited)} "
                f"for {self._money(payment.amount)})",
            )
        successful = payment.status is PaymentStatus.SUCCESSFUL
        if payment.purpose is PaymentPurpose.TOPUP and successful:
            if not credits:
                self._add(
                    FindingKind.TOPUP_NOT_CREDITED,
                    subject,
                    f"top-up of {self._money(payment.amount)} successful without its wallet credit",
                )
            elif len(credits) == 1 and credited != payment.amount:
                self._add(
                    FindingKind.AMOUNT_MISMATCH,
                    subject,
                    f"top-up of {self._money(payment.amount)} credited {self._money(credited)}",
                )

    # -- wallets ---------------------------------------------------------------------------

    def negative_wallet(self, who: str, balance: Money) -> None:
        self._add(
            FindingKind.NEGATIVE_BALANCE,
            f"customer {who}",
            f"wallet balance {self._money(balance)} is below zero",
        )


def _credits(payment: Payment, entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """The wallet credits that name this payment."""
    return [e for e in entries if e.payment_id == payment.id and e.amount.pesewas > 0]


def _total(entries: Iterable[LedgerEntry]) -> Money:
    return Money(sum(e.amount.pesewas for e in entries))


def _total_paid(payments: Iterable[Payment]) -> Money:
    return Money(sum(p.amount.pesewas for p in payments))


def _id(value: int | None) -> int:
    assert value is not None, "a stored row has an id"
    return value
