"""One suite for every repository backend: the in-memory fakes and the SQL adapters.

Each test runs once per backend (`[memory]`, `[sqlite]` and `[postgresql]`: the fixture
`uow_factory` is in conftest.py, the backends in backends.py). Another backend is one more param
and one more builder there.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from lpg_ussd.application.ports import UnitOfWorkFactory
from lpg_ussd.domain.catalogue import PriceChange
from lpg_ussd.domain.customer import Customer, DigitalAddress, VerificationStatus
from lpg_ussd.domain.errors import AlreadyExists, NotFound
from lpg_ussd.domain.ledger import EntryKind, LedgerEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderKind, OrderStatus, PaymentMethod
from lpg_ussd.domain.outbox import OutboxKind, OutboxMessage, OutboxStatus
from lpg_ussd.domain.payment import FailureReason, Payment, PaymentPurpose, PaymentStatus
from lpg_ussd.domain.ticket import Ticket, TicketStatus, TicketTopic

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


# ---------------------------------------------------------------- builders


def a_customer(number: str = "+233244000001", **changes: Any) -> Customer:
    customer = Customer(
        id=None,
        msisdn=Msisdn(number),
        first_name="Ama",
        last_name="Mensah",
        town="Kumasi",
        digital_address=DigitalAddress.parse("AK-039-5028"),
        pin_hash="hashed:1357",
        created_at=NOW,
    )
    return replace(customer, **changes)


def an_order(customer_id: int, reference: str = "LPG-ABC234", **changes: Any) -> Order:
    order = Order(
        id=None,
        reference=reference,
        customer_id=customer_id,
        kind=OrderKind.DEPOSIT,
        cylinder_type_id=2,
        cylinder_label="6kg steel",
        deposit=Money(15000),
        gas_price=Money(8400),
        payment_method=PaymentMethod.MTN,
        status=OrderStatus.AWAITING_PAYMENT,
        created_at=NOW,
        status_changed_at=NOW,
    )
    return replace(order, **changes)


def a_payment(customer_id: int, reference: str = "P0001", **changes: Any) -> Payment:
    payment = Payment(
        id=None,
        reference=reference,
        customer_id=customer_id,
        msisdn=Msisdn("+233244000001"),
        purpose=PaymentPurpose.TOPUP,
        order_id=None,
        amount=Money(5000),
        network="mtn",
        provider="simulated",
        status=PaymentStatus.PENDING,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(payment, **changes)


def a_ticket(customer_id: int | None, **changes: Any) -> Ticket:
    ticket = Ticket(
        id=None,
        customer_id=customer_id,
        msisdn="+233244000001",
        topic=TicketTopic.DELIVERY,
        urgent=False,
        status=TicketStatus.OPEN,
        created_at=NOW,
    )
    return replace(ticket, **changes)


async def add_customer(uow_factory: UnitOfWorkFactory, number: str = "+233244000001") -> Customer:
    async with uow_factory() as uow:
        customer = await uow.customers.add(a_customer(number))
        await uow.commit()
    return customer


async def customer_id_of(uow_factory: UnitOfWorkFactory) -> int:
    customer = await add_customer(uow_factory)
    assert customer.id is not None
    return customer.id


# ---------------------------------------------------------------- unit of work


async def test_commit_makes_changes_visible_to_the_next_unit_of_work(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await add_customer(uow_factory)
    async with uow_factory() as uow:
        assert await uow.customers.get_by_msisdn(Msisdn("+233244000001")) is not None


async def test_leaving_without_commit_discards_changes(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.customers.add(a_customer())
    async with uow_factory() as uow:
        assert await uow.customers.get_by_msisdn(Msisdn("+233244000001")) is None


async def test_rollback_discards_changes_and_the_unit_goes_on(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.customers.add(a_customer("+233244000001"))
        await uow.rollback()
        await uow.customers.add(a_customer("+233244000002"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.customers.get_by_msisdn(Msisdn("+233244000001")) is None
        assert await uow.customers.get_by_msisdn(Msisdn("+233244000002")) is not None


async def test_changes_after_a_commit_need_another_commit(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.customers.add(a_customer("+233244000001"))
        await uow.commit()
        await uow.customers.add(a_customer("+233244000002"))
    async with uow_factory() as uow:
        assert await uow.customers.get_by_msisdn(Msisdn("+233244000001")) is not None
        assert await uow.customers.get_by_msisdn(Msisdn("+233244000002")) is None


# ---------------------------------------------------------------- customers


async def test_added_customer_reads_back_equal(uow_factory: UnitOfWorkFactory) -> None:
    added = await add_customer(uow_factory)
    assert added.id is not None
    async with uow_factory() as uow:
        assert await uow.customers.get(added.id) == added
        assert await uow.customers.get_by_msisdn(added.msisdn) == added


async def test_unknown_customer_is_none(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.customers.get(999) is None
        assert await uow.customers.get_by_msisdn(Msisdn("+233209999999")) is None


async def test_customer_without_a_creation_time_gets_one(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        added = await uow.customers.add(a_customer(created_at=None))
        await uow.commit()
    assert added.created_at is not None
    assert added.created_at.tzinfo is UTC
    assert abs(datetime.now(UTC) - added.created_at) < timedelta(minutes=5)


async def test_customer_update_is_stored(uow_factory: UnitOfWorkFactory) -> None:
    customer = await add_customer(uow_factory)
    assert customer.id is not None
    customer.verify(NOW)
    for _ in range(3):
        customer.record_pin_failure(NOW)
    customer.digital_address = None
    customer.extra["channel"] = "agent"
    async with uow_factory() as uow:
        await uow.customers.update(customer)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.customers.get(customer.id)
        by_number = await uow.customers.get_by_msisdn(customer.msisdn)
    assert stored == customer == by_number
    assert stored.is_verified and stored.pin_locked(NOW + timedelta(minutes=1))
    assert by_number is not None and by_number.verified_at is not None
    assert by_number.verified_at.tzinfo is UTC


async def test_times_come_back_as_utc(uow_factory: UnitOfWorkFactory) -> None:
    accra_plus_two = timezone(timedelta(hours=2))
    verified = datetime(2026, 3, 2, 11, 30, tzinfo=accra_plus_two)
    customer = await add_customer(uow_factory)
    assert customer.id is not None
    customer.verify(verified)
    async with uow_factory() as uow:
        await uow.customers.update(customer)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.customers.get(customer.id)
    assert stored is not None and stored.verified_at is not None
    assert stored.verified_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert stored.verified_at.utcoffset() == timedelta(0)


async def test_naive_times_are_refused(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        with pytest.raises(Exception, match="naive datetime"):
            await uow.customers.add(a_customer(created_at=datetime(2026, 3, 2, 9, 0)))


async def test_a_taken_number_already_exists(uow_factory: UnitOfWorkFactory) -> None:
    await add_customer(uow_factory)
    async with uow_factory() as uow:
        with pytest.raises(AlreadyExists, match="uq_customers_msisdn"):
            await uow.customers.add(a_customer(first_name="Kofi"))


async def test_the_unit_of_work_survives_a_duplicate(uow_factory: UnitOfWorkFactory) -> None:
    await add_customer(uow_factory, "+233244000001")
    async with uow_factory() as uow:
        with pytest.raises(AlreadyExists):
            await uow.customers.add(a_customer("+233244000001"))
        await uow.customers.add(a_customer("+233244000002"))
        await uow.commit()
    async with uow_factory() as uow:
        assert len(await uow.customers.list()) == 2


async def test_changing_to_a_taken_number_already_exists(uow_factory: UnitOfWorkFactory) -> None:
    await add_customer(uow_factory, "+233244000001")
    second = await add_customer(uow_factory, "+233244000002")
    second.msisdn = Msisdn("+233244000001")
    async with uow_factory() as uow:
        with pytest.raises(AlreadyExists, match="uq_customers_msisdn"):
            await uow.customers.update(second)


async def test_updating_an_unknown_customer_is_not_found(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        with pytest.raises(NotFound):
            await uow.customers.update(a_customer(id=999))


async def test_customer_list_filters_by_status_and_search_newest_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.customers.add(a_customer("+233244000001", first_name="Ama", last_name="Owusu"))
        kofi = a_customer("+233244000002", first_name="Kofi", last_name="Owusu")
        kofi.verify(NOW)
        await uow.customers.add(kofi)
        await uow.customers.add(a_customer("+233501234567", first_name="Esi", last_name="Boateng"))
        await uow.commit()
    async with uow_factory() as uow:
        customers = uow.customers
        assert [c.first_name for c in await customers.list()] == ["Esi", "Kofi", "Ama"]
        assert [c.first_name for c in await customers.list(limit=1)] == ["Esi"]
        assert [c.first_name for c in await customers.list(search="owusu")] == ["Kofi", "Ama"]
        assert [c.first_name for c in await customers.list(search="ama OWU")] == ["Ama"]
        assert [c.first_name for c in await customers.list(search="50123")] == ["Esi"]
        assert await customers.list(search="%") == []
        verified = await customers.list(status=VerificationStatus.VERIFIED, search="owusu")
        assert [c.first_name for c in verified] == ["Kofi"]


# ---------------------------------------------------------------- catalogue


async def test_seeded_catalogue_lists_by_size_then_steel_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        catalogue = await uow.catalogue.list_active(NOW)
    listed = [(c.code, c.label, c.deposit.pesewas, c.gas_price.pesewas) for c in catalogue]
    assert listed == [
        ("3kg-steel", "3kg steel", 10000, 4200),
        ("6kg-steel", "6kg steel", 15000, 8400),
        ("6kg-composite", "6kg composite", 30000, 8400),
        ("12kg-steel", "12kg steel", 25000, 16800),
        ("12kg-composite", "12kg composite", 45000, 16800),
    ]
    assert all(c.active for c in catalogue)


async def test_nothing_is_on_sale_before_the_first_price(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.catalogue.list_active(datetime(2025, 12, 31, 23, 59, tzinfo=UTC)) == []


async def test_a_price_change_takes_effect_from_its_date(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        six_kg = next(c for c in await uow.catalogue.list_active(NOW) if c.code == "6kg-steel")
        from_april = datetime(2026, 4, 1, tzinfo=UTC)
        change = PriceChange(six_kg.id, Money(16000), Money(9000), from_april)
        await uow.catalogue.add_price(change)
        await uow.commit()
    async with uow_factory() as uow:
        before = await uow.catalogue.get(six_kg.id, from_april - timedelta(microseconds=1))
        after = await uow.catalogue.get(six_kg.id, from_april)
        listed = await uow.catalogue.list_active(from_april + timedelta(days=1))
    assert before == six_kg
    assert after == replace(six_kg, deposit=Money(16000), gas_price=Money(9000))
    assert after in listed and len(listed) == 5


async def test_unknown_cylinder_type(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.catalogue.get(999, NOW) is None
        with pytest.raises(NotFound):
            await uow.catalogue.add_price(PriceChange(999, Money(1), Money(1), NOW))


# ---------------------------------------------------------------- orders


async def test_added_order_reads_back_equal(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        added = await uow.orders.add(an_order(customer_id, expected_delivery=NOW + timedelta(1)))
        await uow.commit()
    assert added.id is not None
    async with uow_factory() as uow:
        assert await uow.orders.get(added.id) == added
        assert await uow.orders.get_by_reference("LPG-ABC234") == added
        assert await uow.orders.get(added.id + 1) is None
        assert await uow.orders.get_by_reference("LPG-NONE22") is None


async def test_a_taken_order_reference_already_exists_and_a_retry_works(
    uow_factory: UnitOfWorkFactory,
) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        await uow.orders.add(an_order(customer_id, "LPG-ABC234"))
        with pytest.raises(AlreadyExists, match="uq_orders_reference"):
            await uow.orders.add(an_order(customer_id, "LPG-ABC234"))
        await uow.orders.add(an_order(customer_id, "LPG-XYZ789"))
        await uow.commit()
    async with uow_factory() as uow:
        assert len(await uow.orders.list_for_customer(customer_id, limit=10)) == 2


async def test_an_order_with_its_notice_is_stored_in_one_write(
    uow_factory: UnitOfWorkFactory,
) -> None:
    customer_id = await customer_id_of(uow_factory)
    notice = OutboxMessage.sms("+233244000001", "order LPG-ABC234 placed", NOW)
    async with uow_factory() as uow:
        added = await uow.orders.add(an_order(customer_id, "LPG-ABC234"), notice)
        await uow.commit()
    assert added.id is not None and notice.id is not None
    async with uow_factory() as uow:
        assert await uow.orders.get(added.id) == added
        [stored] = await uow.outbox.list()
    assert (stored.id, stored.kind, stored.payload) == (notice.id, OutboxKind.SMS, notice.payload)
    assert (stored.status, stored.next_attempt_at, stored.created_at) == (
        OutboxStatus.PENDING,
        NOW,
        NOW,
    )


async def test_a_taken_reference_stores_neither_the_order_nor_its_notice(
    uow_factory: UnitOfWorkFactory,
) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        await uow.orders.add(an_order(customer_id, "LPG-ABC234"))
        clash = OutboxMessage.sms("+233244000001", "clash", NOW)
        with pytest.raises(AlreadyExists, match="uq_orders_reference"):
            await uow.orders.add(an_order(customer_id, "LPG-ABC234"), clash)
        retried = OutboxMessage.sms("+233244000001", "retried", NOW)
        await uow.orders.add(an_order(customer_id, "LPG-XYZ789"), retried)
        await uow.commit()
    async with uow_factory() as uow:
        assert len(await uow.orders.list_for_customer(customer_id, limit=10)) == 2
        assert [m.payload["text"] for m in await uow.outbox.list()] == ["retried"]


async def test_an_order_added_after_a_commit_in_the_same_unit_is_committed_too(
    uow_factory: UnitOfWorkFactory,
) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        await uow.orders.add(an_order(customer_id, "LPG-ABC234"))
        await uow.commit()
        notice = OutboxMessage.sms("+233244000001", "order LPG-XYZ789 placed", NOW)
        await uow.orders.add(an_order(customer_id, "LPG-XYZ789"), notice)
        await uow.commit()
    async with uow_factory() as uow:
        assert len(await uow.orders.list_for_customer(customer_id, limit=10)) == 2
        assert [m.payload["text"] for m in await uow.outbox.list()] == [notice.payload["text"]]


async def test_orders_of_a_customer_newest_first_by_page(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    other_id = (await add_customer(uow_factory, "+233244000002")).id
    assert other_id is not None
    async with uow_factory() as uow:
        for day, reference in enumerate(["LPG-AAAAA2", "LPG-BBBBB3", "LPG-CCCCC4"]):
            placed = NOW + timedelta(days=day)
            await uow.orders.add(an_order(customer_id, reference, created_at=placed))
        await uow.orders.add(an_order(other_id, "LPG-DDDDD5", created_at=NOW + timedelta(9)))
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.orders.list_for_customer(customer_id, limit=2)
        second = await uow.orders.list_for_customer(customer_id, limit=2, offset=2)
    assert [o.reference for o in first] == ["LPG-CCCCC4", "LPG-BBBBB3"]
    assert [o.reference for o in second] == ["LPG-AAAAA2"]


async def test_order_update_and_list_by_status(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        paid = await uow.orders.add(an_order(customer_id, "LPG-PAID22"))
        await uow.orders.add(an_order(customer_id, "LPG-WAIT22", created_at=NOW + timedelta(1)))
        paid.mark_paid(paid.total, NOW + timedelta(hours=1))
        await uow.orders.update(paid)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.orders.get_by_reference("LPG-PAID22") == paid
        assert [o.reference for o in await uow.orders.list()] == ["LPG-WAIT22", "LPG-PAID22"]
        assert [o.reference for o in await uow.orders.list(OrderStatus.PAID)] == ["LPG-PAID22"]
        assert len(await uow.orders.list(limit=1)) == 1
        with pytest.raises(NotFound):
            await uow.orders.update(an_order(customer_id, "LPG-GHOST2", id=999))


# ---------------------------------------------------------------- payments


async def test_added_payment_reads_back_equal_and_updates(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        order = await uow.orders.add(an_order(customer_id))
        payment = a_payment(customer_id, purpose=PaymentPurpose.ORDER, order_id=order.id)
        added = await uow.payments.add(payment)
        await uow.commit()
    assert added.id is not None
    async with uow_factory() as uow:
        assert await uow.payments.get_by_reference("P0001") == added
        assert await uow.payments.get_by_reference("P9999") is None
        added.fail(FailureReason.NOT_ENOUGH_FUNDS, NOW + timedelta(minutes=2))
        await uow.payments.update(added)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.payments.get_by_reference("P0001") == added


async def test_a_taken_payment_reference_already_exists(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        await uow.payments.add(a_payment(customer_id))
        with pytest.raises(AlreadyExists, match="uq_payments_reference"):
            await uow.payments.add(a_payment(customer_id))


async def test_pending_payments_before_a_time_oldest_first(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        for minute, reference in [(2, "P2"), (0, "P0"), (1, "P1"), (9, "P9")]:
            created = NOW + timedelta(minutes=minute)
            await uow.payments.add(a_payment(customer_id, reference, created_at=created))
        done = await uow.payments.add(a_payment(customer_id, "PDONE", created_at=NOW))
        done.succeed(NOW, provider_reference="MTN-1")
        await uow.payments.update(done)
        await uow.commit()
    async with uow_factory() as uow:
        pending = await uow.payments.list_pending_before(NOW + timedelta(minutes=5))
        first_two = await uow.payments.list_pending_before(NOW + timedelta(minutes=5), limit=2)
        at_the_edge = await uow.payments.list_pending_before(NOW + timedelta(minutes=2))
    assert [p.reference for p in pending] == ["P0", "P1", "P2"]
    assert [p.reference for p in first_two] == ["P0", "P1"]
    assert [p.reference for p in at_the_edge] == ["P0", "P1"]


async def test_payments_newest_first_by_status(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        for minute, reference in [(1, "P1"), (0, "P0"), (2, "P2")]:
            created = NOW + timedelta(minutes=minute)
            await uow.payments.add(a_payment(customer_id, reference, created_at=created))
        paid = await uow.payments.add(a_payment(customer_id, "P3", created_at=NOW))
        paid.succeed(NOW + timedelta(minutes=1))
        await uow.payments.update(paid)
        await uow.commit()
    async with uow_factory() as uow:
        every = await uow.payments.list()
        pending = await uow.payments.list(PaymentStatus.PENDING, limit=2)
        successful = await uow.payments.list(PaymentStatus.SUCCESSFUL)
    assert [p.reference for p in every] == ["P2", "P1", "P3", "P0"]
    assert [p.reference for p in pending] == ["P2", "P1"]
    assert successful == [paid]


async def test_whether_an_order_has_a_pending_payment(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        order = await uow.orders.add(an_order(customer_id))
        assert order.id is not None
        assert not await uow.payments.has_pending_for_order(order.id)
        failed = await uow.payments.add(a_payment(customer_id, "P1", order_id=order.id))
        failed.fail(FailureReason.DECLINED, NOW)
        await uow.payments.update(failed)
        await uow.payments.add(a_payment(customer_id, "P2"))  # a top-up, for no order
        assert not await uow.payments.has_pending_for_order(order.id)
        await uow.payments.add(a_payment(customer_id, "P3", order_id=order.id))
        assert await uow.payments.has_pending_for_order(order.id)


# ---------------------------------------------------------------- ledger


async def test_balance_is_the_sum_of_entries(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    other_id = (await add_customer(uow_factory, "+233244000002")).id
    assert other_id is not None
    async with uow_factory() as uow:
        assert await uow.ledger.balance(customer_id) == Money(0)
        await uow.ledger.add(LedgerEntry(customer_id, Money(10000), EntryKind.TOPUP, NOW))
        await uow.ledger.add(LedgerEntry(customer_id, Money(-8400), EntryKind.ORDER_PAYMENT, NOW))
        await uow.ledger.add(LedgerEntry(other_id, Money(500), EntryKind.ADJUSTMENT, NOW))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.ledger.balance(customer_id) == Money(1600)
        assert await uow.ledger.balance(other_id) == Money(500)


# ---------------------------------------------------------------- tickets


async def test_open_tickets_urgent_first_then_oldest(uow_factory: UnitOfWorkFactory) -> None:
    customer_id = await customer_id_of(uow_factory)
    async with uow_factory() as uow:
        older = await uow.tickets.add(a_ticket(customer_id))
        newer = await uow.tickets.add(a_ticket(None, created_at=NOW + timedelta(minutes=1)))
        leak = a_ticket(customer_id, topic=TicketTopic.GAS_LEAK, urgent=True)
        urgent = await uow.tickets.add(replace(leak, created_at=NOW + timedelta(minutes=2)))
        await uow.commit()
    assert older.id is not None and older.number.startswith("T")
    async with uow_factory() as uow:
        assert await uow.tickets.list_open() == [urgent, older, newer]
        assert await uow.tickets.list_open(limit=1) == [urgent]


# ---------------------------------------------------------------- outbox


async def add_messages(uow_factory: UnitOfWorkFactory, *messages: OutboxMessage) -> list[int]:
    async with uow_factory() as uow:
        for message in messages:
            await uow.outbox.add(message)
        await uow.commit()
    ids = [message.id for message in messages]
    assert all(isinstance(message_id, int) for message_id in ids)
    return [message_id for message_id in ids if message_id is not None]


async def claim(uow_factory: UnitOfWorkFactory, now: datetime) -> list[OutboxMessage]:
    async with uow_factory() as uow:
        claimed = await uow.outbox.claim_due(now, limit=10, lease_until=now + timedelta(hours=1))
        await uow.commit()
    return claimed


async def test_outbox_message_round_trip(uow_factory: UnitOfWorkFactory) -> None:
    payload = {"to": "+233244000001", "text": "Akwaaba! GHS 12.50 ✓", "tags": ["a", 1]}
    message = OutboxMessage(OutboxKind.SMS, payload, NOW)
    [message_id] = await add_messages(uow_factory, message)
    async with uow_factory() as uow:
        [stored] = await uow.outbox.list()
    assert stored == replace(message, id=message_id, next_attempt_at=NOW)


async def test_due_messages_are_claimed_in_order_and_future_ones_wait(
    uow_factory: UnitOfWorkFactory,
) -> None:
    later = OutboxMessage.sms("+233244000001", "later", NOW + timedelta(minutes=5))
    second = OutboxMessage.sms("+233244000001", "second", NOW - timedelta(seconds=1))
    first = OutboxMessage.payment_request("P0001", NOW - timedelta(minutes=1))
    await add_messages(uow_factory, later, second, first)
    claimed = await claim(uow_factory, NOW)
    assert [m.id for m in claimed] == [first.id, second.id]
    assert all(m.status is OutboxStatus.PENDING for m in claimed)


async def test_a_claimed_message_is_not_claimed_again_before_its_lease_ends(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await add_messages(uow_factory, OutboxMessage.sms("+233244000001", "hello", NOW))
    assert len(await claim(uow_factory, NOW)) == 1  # leased for an hour
    assert await claim(uow_factory, NOW + timedelta(minutes=59)) == []
    assert len(await claim(uow_factory, NOW + timedelta(minutes=61))) == 1


async def test_workers_claiming_at_once_never_share_a_message(
    uow_factory: UnitOfWorkFactory,
) -> None:
    messages = [OutboxMessage.sms("+233244000001", str(n), NOW) for n in range(6)]
    message_ids = await add_messages(uow_factory, *messages)

    async def worker() -> list[int]:
        async with uow_factory() as uow:
            claimed = await uow.outbox.claim_due(NOW, limit=4, lease_until=NOW + timedelta(1))
            await asyncio.sleep(0.05)  # hold the claim open while the others try
            await uow.commit()
        return [message.id for message in claimed if message.id is not None]

    claims = await asyncio.gather(worker(), worker(), worker())
    every_claim = [message_id for claimed in claims for message_id in claimed]
    assert sorted(every_claim) == sorted(message_ids)


async def test_claim_due_respects_its_limit(uow_factory: UnitOfWorkFactory) -> None:
    messages = [OutboxMessage.sms("+233244000001", str(n), NOW) for n in range(3)]
    await add_messages(uow_factory, *messages)
    async with uow_factory() as uow:
        claimed = await uow.outbox.claim_due(NOW, limit=2, lease_until=NOW + timedelta(1))
    assert [m.id for m in claimed] == [messages[0].id, messages[1].id]


async def test_a_sent_message_is_done(uow_factory: UnitOfWorkFactory) -> None:
    [message_id] = await add_messages(uow_factory, OutboxMessage.sms("+233244000001", "x", NOW))
    await claim(uow_factory, NOW)
    async with uow_factory() as uow:
        await uow.outbox.mark_sent([message_id], NOW + timedelta(seconds=3))
        await uow.commit()
    assert await claim(uow_factory, NOW + timedelta(days=2)) == []
    async with uow_factory() as uow:
        [sent] = await uow.outbox.list()
    assert sent.status is OutboxStatus.SENT
    assert sent.sent_at == NOW + timedelta(seconds=3)
    assert sent.attempts == 1


async def test_a_retried_message_waits_until_its_next_attempt(
    uow_factory: UnitOfWorkFactory,
) -> None:
    [message_id] = await add_messages(uow_factory, OutboxMessage.sms("+233244000001", "x", NOW))
    await claim(uow_factory, NOW)
    async with uow_factory() as uow:
        await uow.outbox.mark_retry(message_id, "timeout", NOW + timedelta(minutes=2))
        await uow.outbox.mark_retry(message_id, "503", NOW + timedelta(minutes=4))
        await uow.commit()
    assert await claim(uow_factory, NOW + timedelta(minutes=3)) == []
    [again] = await claim(uow_factory, NOW + timedelta(minutes=4))
    assert (again.attempts, again.last_error) == (2, "503")
    assert again.status is OutboxStatus.PENDING


async def test_a_failed_message_is_never_claimed(uow_factory: UnitOfWorkFactory) -> None:
    messages = [OutboxMessage.sms("+233244000001", str(n), NOW) for n in range(2)]
    failing_id, _ = await add_messages(uow_factory, *messages)
    async with uow_factory() as uow:
        await uow.outbox.mark_failed(failing_id, "number barred")
        await uow.commit()
    claimed = await claim(uow_factory, NOW + timedelta(days=1))
    assert [m.id for m in claimed] == [messages[1].id]
    async with uow_factory() as uow:
        newest_first = await uow.outbox.list()
        assert [m.id for m in await uow.outbox.list(limit=1)] == [messages[1].id]
        with pytest.raises(NotFound):
            await uow.outbox.mark_sent([messages[1].id or 0, 999], NOW)
    failed = newest_first[1]
    assert (failed.status, failed.last_error, failed.attempts) == (
        OutboxStatus.FAILED,
        "number barred",
        1,
    )
