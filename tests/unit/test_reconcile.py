"""Reconcile: a history made by the use cases agrees; each disagreement, built by hand, is found.

The use cases run against the in-memory fakes (the `Line` of test_use_cases.py); the
disagreements are rows written straight into the fake database, as a bug or a hand edit
would leave them. Last, `lpg-ussd reconcile` on a SQLite file: exit 0, then exit 1.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lpg_ussd.adapters.persistence import migrate
from lpg_ussd.adapters.persistence.database import create_engine
from lpg_ussd.adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from lpg_ussd.application import reconcile as reconcile_module
from lpg_ussd.application.orders import OrderPlaced
from lpg_ussd.application.reconcile import FindingKind, Reconcile, Reconciliation
from lpg_ussd.domain.customer import Customer, DigitalAddress
from lpg_ussd.domain.ledger import EntryKind, LedgerEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderKind, OrderStatus, PaymentMethod
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentPurpose, PaymentStatus
from lpg_ussd.entrypoints import cli
from tests.unit.test_use_cases import PHONE, PIN, STEEL_3KG, STEEL_6KG, STEEL_6KG_TOTAL, Line

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def line() -> Line:
    return Line()


async def reconcile(line: Line) -> Reconciliation:
    return await Reconcile(line.uow)()


def kinds(result: Reconciliation) -> list[FindingKind]:
    return [finding.kind for finding in result.findings]


# ---------------------------------------------------------------- writing rows by hand


async def an_order(
    line: Line,
    customer_id: int,
    status: OrderStatus,
    method: PaymentMethod = PaymentMethod.MTN,
    reference: str = "NG-ABCDEF",
    paid: Money | None = None,
) -> Order:
    now = line.clock.now()
    order = Order(
        id=None,
        reference=reference,
        customer_id=customer_id,
        kind=OrderKind.DEPOSIT,
        cylinder_type_id=STEEL_6KG,
        cylinder_label="6kg steel",
        deposit=Money(15000),
        gas_price=Money(8400),
        payment_method=method,
        status=status,
        created_at=now,
        status_changed_at=now,
        amount_paid=paid if paid is not None else Money(0),
    )
    async with line.uow() as uow:
        stored = await uow.orders.add(order)
        await uow.commit()
    return stored


async def a_payment(
    line: Line,
    customer_id: int,
    status: PaymentStatus,
    order: Order | None = None,
    amount: Money | None = None,
    reference: str = "PABCDEFGHJK2",
) -> Payment:
    now = line.clock.now()
    payment = Payment(
        id=None,
        reference=reference,
        customer_id=customer_id,
        msisdn=Msisdn(PHONE),
        purpose=PaymentPurpose.ORDER if order is not None else PaymentPurpose.TOPUP,
        order_id=order.id if order is not None else None,
        amount=amount if amount is not None else (order.total if order else Money(5000)),
        network="mtn",
        provider="fake",
        status=status,
        created_at=now,
        updated_at=now,
        failure_reason=FailureReason.DECLINED if status is PaymentStatus.FAILED else None,
    )
    async with line.uow() as uow:
        stored = await uow.payments.add(payment)
        await uow.commit()
    return stored


async def an_entry(
    line: Line,
    customer_id: int,
    pesewas: int,
    kind: EntryKind,
    order: Order | None = None,
    payment: Payment | None = None,
) -> None:
    entry = LedgerEntry(
        customer_id,
        Money(pesewas),
        kind,
        line.clock.now(),
        order_id=order.id if order is not None else None,
        payment_id=payment.id if payment is not None else None,
    )
    async with line.uow() as uow:
        await uow.ledger.add(entry)
        await uow.commit()


# ---------------------------------------------------------------- what agrees


async def test_nothing_at_all_agrees(line: Line) -> None:
    result = await reconcile(line)
    assert result.agrees
    assert (result.orders, result.payments) == (0, 0)


async def test_a_history_made_by_the_use_cases_agrees(line: Line) -> None:
    customer_id = await line.customer()
    # A deposit paid by mobile money and confirmed, then delivered.
    paid = await line.momo_order(customer_id)
    line.gateway.will_succeed()
    await line.dispatcher().run_once()
    await line.sweep()  # nothing is due yet
    (payment,) = line.payments()
    await line.confirm(payment.reference)
    await line.confirm(payment.reference)  # the callback comes twice
    await line.move(paid.reference, OrderStatus.DISPATCHED)
    await line.move(paid.reference, OrderStatus.DELIVERED)
    # A top-up confirmed, and one that failed.
    topped = await line.top_up(customer_id, Money.cedis(300), PaymentMethod.TELECEL)
    await line.confirm(topped.reference)
    line.gateway.will_fail(FailureReason.NOT_ENOUGH_FUNDS)
    failed = await line.top_up(customer_id, Money.cedis(20), PaymentMethod.MTN)
    await line.confirm(failed.reference)
    # Paid from the wallet, then cancelled with a refund to the wallet.
    from_wallet = await line.wallet_order(customer_id, STEEL_3KG)
    await line.move(from_wallet.reference, OrderStatus.CANCELLED)
    # Paid by mobile money, then cancelled: refunded to the wallet.
    line.gateway.will_succeed()
    refunded = await line.momo_order(customer_id, STEEL_3KG)
    await line.confirm(_payment_of(line, refunded).reference)
    cancelled = await line.cancel(customer_id, refunded.reference, PIN)
    assert cancelled.refund == Money(14200)  # type: ignore[union-attr]
    # Cancelled while the prompt was out, and paid anyway: the money went to the wallet.
    late = await line.momo_order(customer_id, STEEL_3KG)
    await line.move(late.reference, OrderStatus.CANCELLED)
    await line.confirm(_payment_of(line, late).reference)
    # Still pending, and on delivery.
    line.gateway.outcome = replace(line.gateway.outcome, status=PaymentStatus.PENDING)
    await line.momo_order(customer_id)
    placed = await line.place_order(
        customer_id, STEEL_6KG, OrderKind.REFILL, PaymentMethod.ON_DELIVERY
    )
    assert isinstance(placed, OrderPlaced)

    result = await reconcile(line)

    assert result.findings == []
    assert result.agrees
    assert (result.orders, result.payments) == (6, 6)


def _payment_of(line: Line, order: Order) -> Payment:
    (payment,) = [p for p in line.payments() if p.order_id == order.id]
    return payment


# ---------------------------------------------------------------- each disagreement


async def test_an_order_marked_paid_by_mobile_money_without_a_payment(line: Line) -> None:
    customer_id = await line.customer()
    order = await line.momo_order(customer_id)
    await line.move(order.reference, OrderStatus.PAID)  # by hand: no payment succeeded

    result = await reconcile(line)

    (finding,) = result.findings
    assert finding.kind is FindingKind.PAID_WITHOUT_PAYMENT
    assert str(finding) == (
        f"order {order.reference}: paid by mobile money without a successful payment of its "
        "total GHS 234.00 [paid_without_payment]"
    )
    assert not result.agrees


async def test_an_order_delivered_with_only_a_failed_payment(line: Line) -> None:
    customer_id = await line.customer()
    order = await an_order(line, customer_id, OrderStatus.DELIVERED, paid=STEEL_6KG_TOTAL)
    await a_payment(line, customer_id, PaymentStatus.FAILED, order)

    assert kinds(await reconcile(line)) == [FindingKind.PAID_WITHOUT_PAYMENT]


async def test_a_payment_of_another_amount_than_its_order(line: Line) -> None:
    customer_id = await line.customer()
    order = await an_order(line, customer_id, OrderStatus.PAID, paid=Money(20000))
    await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL, order, amount=Money(20000))

    result = await reconcile(line)

    assert kinds(result) == [FindingKind.AMOUNT_MISMATCH, FindingKind.PAID_WITHOUT_PAYMENT]
    assert str(result.findings[0]) == (
        "payment PABCDEFGHJK2: GHS 200.00 for order NG-ABCDEF of GHS 234.00 [amount_mismatch]"
    )


async def test_a_pending_payment_of_another_amount_is_found_too(line: Line) -> None:
    customer_id = await line.customer()
    order = await an_order(line, customer_id, OrderStatus.AWAITING_PAYMENT)
    await a_payment(line, customer_id, PaymentStatus.PENDING, order, amount=Money(100))

    assert kinds(await reconcile(line)) == [FindingKind.AMOUNT_MISMATCH]


@pytest.mark.parametrize(
    "status",
    [OrderStatus.AWAITING_PAYMENT, OrderStatus.PAYMENT_FAILED, OrderStatus.PAY_ON_DELIVERY],
)
async def test_a_successful_payment_whose_order_is_not_paid(
    line: Line, status: OrderStatus
) -> None:
    customer_id = await line.customer()
    order = await an_order(line, customer_id, status)
    await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL, order)

    result = await reconcile(line)

    (finding,) = result.findings
    assert finding.kind is FindingKind.PAYMENT_NOT_APPLIED
    assert finding.subject == "payment PABCDEFGHJK2"
    assert f"order NG-ABCDEF is {status.value}" in finding.detail


async def test_a_successful_payment_of_a_cancelled_order_without_its_refund(line: Line) -> None:
    customer_id = await line.customer()
    order = await an_order(line, customer_id, OrderStatus.CANCELLED)
    await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL, order)

    result = await reconcile(line)

    (finding,) = result.findings
    assert finding.kind is FindingKind.PAYMENT_NOT_APPLIED
    assert str(finding) == (
        "order NG-ABCDEF: cancelled after GHS 234.00 was paid by PABCDEFGHJK2, but GHS 0.00 "
        "was refunded to the wallet [payment_not_applied]"
    )


async def test_a_cancelled_order_refunded_in_full_agrees(line: Line) -> None:
    customer_id = await line.customer()
    order = await an_order(line, customer_id, OrderStatus.CANCELLED)
    await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL, order)
    await an_entry(line, customer_id, 23400, EntryKind.REFUND, order=order)

    assert (await reconcile(line)).agrees


async def test_a_second_successful_payment_of_a_paid_order_not_credited(line: Line) -> None:
    customer_id = await line.customer()
    order = await an_order(line, customer_id, OrderStatus.PAID, paid=STEEL_6KG_TOTAL)
    await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL, order, reference="PFIRST222222")
    await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL, order, reference="PSECND222222")

    (finding,) = (await reconcile(line)).findings

    assert finding.kind is FindingKind.PAYMENT_NOT_APPLIED
    assert finding.subject == "payment PSECND222222"
    assert "order NG-ABCDEF was paid by PFIRST222222" in finding.detail


async def test_a_second_payment_credited_to_the_wallet_agrees(line: Line) -> None:
    customer_id = await line.customer()
    order = await an_order(line, customer_id, OrderStatus.PAID, paid=STEEL_6KG_TOTAL)
    await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL, order, reference="PFIRST222222")
    late = await a_payment(
        line, customer_id, PaymentStatus.SUCCESSFUL, order, reference="PSECND222222"
    )
    await an_entry(line, customer_id, 23400, EntryKind.REFUND, order=order, payment=late)

    assert (await reconcile(line)).agrees


async def test_a_successful_top_up_without_its_credit(line: Line) -> None:
    customer_id = await line.customer()
    await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL)

    (finding,) = (await reconcile(line)).findings

    assert finding.kind is FindingKind.TOPUP_NOT_CREDITED
    assert str(finding) == (
        "payment PABCDEFGHJK2: top-up of GHS 50.00 successful without its wallet credit "
        "[topup_not_credited]"
    )


async def test_a_top_up_credited_twice(line: Line) -> None:
    customer_id = await line.customer()
    payment = await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL)
    for _ in range(2):
        await an_entry(line, customer_id, 5000, EntryKind.TOPUP, payment=payment)

    (finding,) = (await reconcile(line)).findings

    assert finding.kind is FindingKind.CREDITED_TWICE
    assert "credited to the wallet 2 times (GHS 100.00 for GHS 50.00)" in finding.detail


async def test_a_top_up_credited_with_another_amount(line: Line) -> None:
    customer_id = await line.customer()
    payment = await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL)
    await an_entry(line, customer_id, 500, EntryKind.TOPUP, payment=payment)

    assert kinds(await reconcile(line)) == [FindingKind.AMOUNT_MISMATCH]


@pytest.mark.parametrize("status", [PaymentStatus.PENDING, PaymentStatus.FAILED])
async def test_a_credit_for_a_top_up_that_did_not_succeed(
    line: Line, status: PaymentStatus
) -> None:
    customer_id = await line.customer()
    payment = await a_payment(line, customer_id, status)
    await an_entry(line, customer_id, 5000, EntryKind.TOPUP, payment=payment)

    (finding,) = (await reconcile(line)).findings

    assert finding.kind is FindingKind.CREDITED_UNCONFIRMED
    assert finding.detail == f"{status.value}, yet GHS 50.00 was credited to the wallet"


async def test_an_order_paid_from_the_wallet_without_its_debit(line: Line) -> None:
    customer_id = await line.customer()
    await an_order(line, customer_id, OrderStatus.PAID, PaymentMethod.WALLET, paid=STEEL_6KG_TOTAL)

    (finding,) = (await reconcile(line)).findings

    assert finding.kind is FindingKind.WALLET_ORDER_NOT_DEBITED
    assert str(finding) == (
        "order NG-ABCDEF: paid from the wallet without its ledger debit of GHS 234.00 "
        "[wallet_order_not_debited]"
    )


async def test_an_order_paid_from_the_wallet_debited_twice(line: Line) -> None:
    customer_id = await line.customer()
    await line.fund_wallet(customer_id, 1000)
    order = await an_order(
        line, customer_id, OrderStatus.PAID, PaymentMethod.WALLET, paid=STEEL_6KG_TOTAL
    )
    for _ in range(2):
        await an_entry(line, customer_id, -23400, EntryKind.ORDER_PAYMENT, order=order)

    (finding,) = (await reconcile(line)).findings

    assert finding.kind is FindingKind.WALLET_ORDER_NOT_DEBITED
    assert "2 debit(s) of GHS 468.00 for its total GHS 234.00" in finding.detail


async def test_a_wallet_below_zero(line: Line) -> None:
    customer_id = await line.customer()
    await an_entry(line, customer_id, 1000, EntryKind.TOPUP)
    await an_entry(line, customer_id, -2500, EntryKind.ADJUSTMENT)

    (finding,) = (await reconcile(line)).findings

    assert finding.kind is FindingKind.NEGATIVE_BALANCE
    assert str(finding) == (
        f"customer {PHONE}: wallet balance -GHS 15.00 is below zero [negative_balance]"
    )


async def test_the_walk_reads_page_by_page(line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reconcile_module, "PAGE", 2)
    customer_id = await line.customer()
    for n in range(5):
        order = await an_order(line, customer_id, OrderStatus.AWAITING_PAYMENT, reference=f"NG-{n}")
        await a_payment(line, customer_id, PaymentStatus.SUCCESSFUL, order, reference=f"P{n}")

    result = await reconcile(line)

    assert (result.orders, result.payments) == (5, 5)
    assert [f.subject for f in result.findings] == [f"payment P{n}" for n in range(5)]


# ---------------------------------------------------------------- the command


def test_the_reconcile_command_exits_0_when_all_agree_and_1_with_a_line_per_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'lpg.db'}"
    migrate.upgrade(url)
    monkeypatch.setenv("LPG_USSD_DATABASE_URL", url)

    assert cli.main(["reconcile"]) == 0
    assert capsys.readouterr().out == "0 orders and 0 payments checked: all agree\n"

    asyncio.run(_overdraw_a_wallet(url))

    assert cli.main(["reconcile"]) == 1
    captured = capsys.readouterr()
    assert captured.out == (
        "customer +233244000001: wallet balance -GHS 5.00 is below zero [negative_balance]\n"
    )
    assert "1 disagreement(s)" in captured.err


async def _overdraw_a_wallet(url: str) -> None:
    engine = create_engine(url)
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    try:
        async with uow_factory() as uow:
            customer = await uow.customers.add(
                Customer(
                    id=None,
                    msisdn=Msisdn("+233244000001"),
                    first_name="Ama",
                    last_name="Mensah",
                    town="Accra",
                    digital_address=DigitalAddress("GA-183-8164"),
                    pin_hash="hashed:4826",
                )
            )
            assert customer.id is not None
            entry = LedgerEntry(customer.id, Money(-500), EntryKind.ADJUSTMENT, NOW)
            await uow.ledger.add(entry)
            await uow.commit()
    finally:
        await engine.dispose()
