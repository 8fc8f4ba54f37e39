"""The read methods the reconciliation walks with, on every backend (memory, SQLite,
PostgreSQL): orders and payments page by page, payments of orders, ledger entries naming
orders or payments, and the wallets below zero."""

from __future__ import annotations

from lpg_ussd.application.ports import UnitOfWorkFactory
from lpg_ussd.domain.ledger import EntryKind, LedgerEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.order import Order
from lpg_ussd.domain.payment import Payment, PaymentPurpose
from tests.integration.test_repositories import (
    NOW,
    a_payment,
    add_customer,
    an_order,
    customer_id_of,
)


async def add_orders(uow_factory: UnitOfWorkFactory, customer_id: int, count: int) -> list[Order]:
    async with uow_factory() as uow:
        added = [
            await uow.orders.add(an_order(customer_id, reference=f"NG-ABC{n:03d}"))
            for n in range(count)
        ]
        await uow.commit()
    return added


async def test_orders_page_by_id(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    orders = await add_orders(uow_factory, customer_id, 5)
    ids = [o.id for o in orders]
    async with uow_factory() as uow:
        first = await uow.orders.list_page(0, 2)
        assert [o.id for o in first] == ids[:2]
        assert first == orders[:2]
        second = await uow.orders.list_page(ids[1] or 0, 2)
        assert [o.id for o in second] == ids[2:4]
        assert [o.id for o in await uow.orders.list_page(ids[3] or 0, 2)] == ids[4:]
        assert await uow.orders.list_page(ids[4] or 0, 2) == []


async def test_payments_page_by_id_and_by_order(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    first_order, second_order, _ = await add_orders(uow_factory, customer_id, 3)
    async with uow_factory() as uow:
        payments: list[Payment] = []
        for n, order_id in enumerate([first_order.id, None, second_order.id, first_order.id]):
            purpose = PaymentPurpose.ORDER if order_id else PaymentPurpose.TOPUP
            payment = a_payment(customer_id, f"P{n:04d}", order_id=order_id, purpose=purpose)
            payments.append(await uow.payments.add(payment))
        await uow.commit()
    assert first_order.id is not None and second_order.id is not None
    async with uow_factory() as uow:
        assert await uow.payments.list_page(0, 10) == payments
        assert await uow.payments.list_page(payments[1].id or 0, 1) == [payments[2]]
        of_first = await uow.payments.list_for_orders([first_order.id])
        assert of_first == [payments[0], payments[3]]
        of_both = await uow.payments.list_for_orders([second_order.id, first_order.id])
        assert of_both == [payments[0], payments[2], payments[3]]
        assert await uow.payments.list_for_orders([]) == []


async def test_ledger_entries_naming_orders_or_payments(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    order, other_order = await add_orders(uow_factory, customer_id, 2)
    async with uow_factory() as uow:
        payment = await uow.payments.add(a_payment(customer_id, "P0001"))
        await uow.commit()
    assert order.id is not None and other_order.id is not None and payment.id is not None
    entries = [
        LedgerEntry(customer_id, Money(5000), EntryKind.TOPUP, NOW, payment_id=payment.id),
        LedgerEntry(customer_id, Money(-4200), EntryKind.ORDER_PAYMENT, NOW, order_id=order.id),
        LedgerEntry(customer_id, Money(4200), EntryKind.REFUND, NOW, order_id=other_order.id),
        LedgerEntry(customer_id, Money(100), EntryKind.ADJUSTMENT, NOW),
    ]
    async with uow_factory() as uow:
        for entry in entries:
            await uow.ledger.add(entry)
        await uow.commit()
    async with uow_factory() as uow:
        by_order = await uow.ledger.list_for(order_ids=[order.id])
        by_payment = await uow.ledger.list_for(payment_ids=[payment.id])
        by_both = await uow.ledger.list_for(order_ids=[order.id], payment_ids=[payment.id])
        nothing = await uow.ledger.list_for()
    assert [(e.kind, e.amount) for e in by_order] == [(EntryKind.ORDER_PAYMENT, Money(-4200))]
    assert [(e.kind, e.payment_id) for e in by_payment] == [(EntryKind.TOPUP, payment.id)]
    assert [e.kind for e in by_both] == [EntryKind.TOPUP, EntryKind.ORDER_PAYMENT]
    assert all(e.id is not None and e.customer_id == customer_id for e in by_both)
    assert by_both[0].created_at == NOW
    assert nothing == []


async def test_the_wallets_below_zero(uow_factory: UnitOfWorkFactory) -> None:
    first = await add_customer(uow_factory, "+233244000001")
    second = await add_customer(uow_factory, "+233244000002")
    third = await add_customer(uow_factory, "+233244000003")
    assert first.id is not None and second.id is not None and third.id is not None
    async with uow_factory() as uow:
        for customer_id, pesewas in [
            (first.id, 5000),
            (first.id, -6000),
            (second.id, 1000),
            (third.id, -1),
        ]:
            await uow.ledger.add(
                LedgerEntry(customer_id, Money(pesewas), EntryKind.ADJUSTMENT, NOW)
            )
        await uow.commit()
    async with uow_factory() as uow:
        below = await uow.ledger.negative_balances()
        assert below == [(first.id, Money(-1000)), (third.id, Money(-1))]
        assert await uow.ledger.negative_balances(limit=1) == [(first.id, Money(-1000))]
