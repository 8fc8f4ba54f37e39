"""The back office's repositories on every backend (memory, SQLite, PostgreSQL): staff
accounts, the audit log, API keys, tickets as staff work them, the catalogue as staff keep
it, and the dashboard's figures counted by UTC day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from lpg_ussd.application.ports import UnitOfWorkFactory
from lpg_ussd.domain.api_key import ApiKey
from lpg_ussd.domain.audit import AuditEntry
from lpg_ussd.domain.catalogue import PriceChange
from lpg_ussd.domain.errors import AlreadyExists, NotFound
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.payment import PaymentStatus
from lpg_ussd.domain.staff import Permission, Role, StaffUser
from lpg_ussd.domain.ticket import TicketStatus
from tests.integration.test_repositories import (
    NOW,
    a_payment,
    a_ticket,
    add_customer,
    an_order,
)


def a_user(name: str = "ama", **changes: object) -> StaffUser:
    user = StaffUser(None, name, "Ama Owusu", Role.ADMIN, "argon2-hash", NOW)
    return replace(user, **changes)  # type: ignore[arg-type]


async def test_staff_accounts_round_trip(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        added = await uow.staff.add(a_user())
        await uow.staff.add(a_user("esi", role=Role.DISPATCHER))
        await uow.commit()
    assert added.id is not None
    locked = NOW + timedelta(minutes=15)
    async with uow_factory() as uow:
        user = await uow.staff.get_by_username("ama")
        assert user == added
        user.failed_sign_ins, user.locked_until, user.active = 2, locked, False
        await uow.staff.update(user)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        again = await uow.staff.get(added.id)
        assert again is not None
        assert (again.failed_sign_ins, again.locked_until, again.active) == (2, locked, False)
        assert [u.username for u in await uow.staff.list()] == ["ama", "esi"]
        assert await uow.staff.count() == 2
        assert await uow.staff.get_by_username("nobody") is None


async def test_a_taken_username_already_exists(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.staff.add(a_user())
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(AlreadyExists):
            await uow.staff.add(a_user())


async def test_the_audit_log_reads_newest_first_and_filters(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.audit.add(AuditEntry("staff:ama", "customer.verify", "+233244000001", NOW))
        later = NOW + timedelta(minutes=1)
        await uow.audit.add(AuditEntry("api:erp", "order.move", "NG-ABC234", later, "a -> b"))
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        assert [e.actor for e in await uow.audit.list()] == ["api:erp", "staff:ama"]
        [entry] = await uow.audit.list(subject="NG-ABC234")
        assert (entry.action, entry.detail, entry.at) == ("order.move", "a -> b", later)
        assert [e.subject for e in await uow.audit.list(actor="staff:ama")] == ["+233244000001"]


async def test_api_keys_round_trip(uow_factory: UnitOfWorkFactory) -> None:
    scopes = frozenset({Permission.ORDERS_READ, Permission.TICKETS_WRITE})
    key = ApiKey(None, "erp", "abcd2345", "0" * 64, scopes, NOW)
    async with uow_factory() as uow:
        added = await uow.api_keys.add(key)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.api_keys.get_by_prefix("abcd2345")
        assert found == added
        found.revoked_at = NOW
        await uow.api_keys.update(found)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        [listed] = await uow.api_keys.list()
        assert listed.revoked_at == NOW and listed.scopes == scopes
        assert await uow.api_keys.get_by_prefix("zzzz2345") is None


async def test_tickets_are_assigned_resolved_and_listed(uow_factory: UnitOfWorkFactory) -> None:
    customer = await add_customer(uow_factory)
    async with uow_factory() as uow:
        plain = await uow.tickets.add(a_ticket(customer.id))
        leak = await uow.tickets.add(
            a_ticket(customer.id, urgent=True, created_at=NOW + timedelta(1))
        )
        await uow.commit()
    assert plain.id is not None and leak.id is not None
    async with uow_factory() as uow:
        assert [t.id for t in await uow.tickets.list_open()] == [leak.id, plain.id]
        ticket = await uow.tickets.get(plain.id)
        assert ticket is not None
        ticket.assign("ama")
        ticket.resolve(NOW + timedelta(hours=2))
        await uow.tickets.update(ticket)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        [done] = await uow.tickets.list_resolved()
        assert (done.id, done.assigned_to, done.status) == (plain.id, "ama", TicketStatus.RESOLVED)
        assert done.resolved_at == NOW + timedelta(hours=2)
        assert [t.id for t in await uow.tickets.list_for_customer(customer.id)] == [
            leak.id,
            plain.id,
        ]
        with pytest.raises(NotFound):
            await uow.tickets.update(replace(done, id=9999))


async def test_the_catalogue_as_staff_keep_it(uow_factory: UnitOfWorkFactory) -> None:
    later = NOW + timedelta(days=3)
    async with uow_factory() as uow:
        cylinders = await uow.catalogue.list_all(NOW)
        first = cylinders[0].id
        await uow.catalogue.add_price(PriceChange(first, Money(99900), Money(100), later))
        await uow.catalogue.set_active(first, False)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        assert first not in [c.id for c in await uow.catalogue.list_active(NOW)]
        assert [c.active for c in await uow.catalogue.list_all(NOW) if c.id == first] == [False]
        [upcoming] = await uow.catalogue.list_price_changes(NOW)
        assert (upcoming.cylinder_type_id, upcoming.deposit) == (first, Money(99900))
        assert upcoming.effective_from == later
        assert await uow.catalogue.list_price_changes(later) == []
    async with uow_factory() as uow:
        with pytest.raises(NotFound):
            await uow.catalogue.set_active(9999, True)


async def test_figures_count_by_utc_day(uow_factory: UnitOfWorkFactory) -> None:
    # 23:30 in Accra is UTC; 01:30 at +02:00 is the previous UTC day.
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    early_elsewhere = datetime(2026, 3, 3, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    customer = await add_customer(uow_factory)
    async with uow_factory() as uow:
        order = await uow.orders.add(an_order(customer.id, created_at=late))
        await uow.orders.add(an_order(customer.id, "LPG-XYZ789", created_at=early_elsewhere))
        paid = a_payment(
            customer.id, "P1", status=PaymentStatus.SUCCESSFUL, order_id=order.id, updated_at=late
        )
        await uow.payments.add(paid)
        await uow.payments.add(a_payment(customer.id, "P2", status=PaymentStatus.FAILED))
        await uow.payments.add(a_payment(customer.id, "P3", network="telecel"))
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        since = NOW.date()
        orders = await uow.figures.orders_per_day(since)
        assert [(c.day.isoformat(), c.count) for c in orders] == [("2026-03-02", 2)]
        assert orders[0].amount == Money(2 * (15000 + 8400))
        revenue = await uow.figures.revenue_per_day(since)
        assert [(c.day.isoformat(), c.count, c.amount) for c in revenue] == [
            ("2026-03-02", 1, Money(5000))
        ]
        registrations = await uow.figures.registrations_per_day(since)
        assert [c.count for c in registrations] == [1]
        networks = await uow.figures.payments_by_network(since)
        assert {(n.network, n.status, n.count) for n in networks} == {
            ("mtn", PaymentStatus.SUCCESSFUL, 1),
            ("mtn", PaymentStatus.FAILED, 1),
            ("telecel", PaymentStatus.PENDING, 1),
        }
        assert await uow.figures.orders_per_day(since + timedelta(days=1)) == []
