"""The back office's use cases on in-memory fakes: staff sign-in and lock-out, API keys,
tickets, the catalogue, payments re-checked, the audit log, and the dashboard's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lpg_ussd.application.api_keys import (
    AuthenticateApiKey,
    CreateApiKey,
    ListApiKeys,
    RevokeApiKey,
)
from lpg_ussd.application.audit import ListAudit
from lpg_ussd.application.catalogue_admin import ChangePrice, SetCylinderOnSale, ViewCatalogue
from lpg_ussd.application.figures import ShowDashboard, funnels
from lpg_ussd.application.orders import OrderPlaced
from lpg_ussd.application.payment_admin import RecheckPayment
from lpg_ussd.application.payments import Settlement
from lpg_ussd.application.ports import ProviderStatus, SessionOutcomeCount, SessionStatus
from lpg_ussd.application.staff import GetCustomerFile, MoveOrder, UnlockPin, VerifyCustomer
from lpg_ussd.application.staff_accounts import (
    CreateStaff,
    SetStaffActive,
    SignIn,
    SignInRefusal,
    SignInRefused,
)
from lpg_ussd.application.tickets import AssignTicket, ListTickets, ResolveTicket
from lpg_ussd.domain.api_key import hash_key, key_prefix, parse_scopes
from lpg_ussd.domain.errors import AlreadyExists, DomainError, InvalidValue, NotFound
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderKind, OrderStatus, PaymentMethod
from lpg_ussd.domain.payment import PaymentStatus
from lpg_ussd.domain.staff import (
    SIGN_IN_ATTEMPTS,
    SIGN_IN_LOCK,
    Permission,
    Role,
    check_password,
    parse_username,
)
from lpg_ussd.domain.ticket import TicketStatus, TicketTopic
from tests.unit.test_use_cases import PHONE, STEEL_6KG, Line

PASSWORD = "correct horse battery"


@pytest.fixture
def line() -> Line:
    return Line()


async def an_admin(line: Line, name: str = "ama", role: Role = Role.ADMIN) -> None:
    await CreateStaff(line.uow, line.clock, line.hasher)(name, "Ama Owusu", role, PASSWORD, "cli")


async def pay_on_delivery(line: Line, customer_id: int) -> Order:
    placed = await line.place_order(
        customer_id, STEEL_6KG, OrderKind.DEPOSIT, PaymentMethod.ON_DELIVERY
    )
    assert isinstance(placed, OrderPlaced)
    return placed.order


async def audit(line: Line) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.subject) for e in await ListAudit(line.uow)()]


# ================================================================ roles and permissions


def test_each_role_has_its_own_powers() -> None:
    assert Permission.CUSTOMERS_WRITE in Role.AGENT.permissions
    assert Permission.ORDERS_WRITE not in Role.AGENT.permissions
    assert Permission.ORDERS_WRITE in Role.DISPATCHER.permissions
    assert Permission.CUSTOMERS_WRITE not in Role.DISPATCHER.permissions
    assert Permission.STAFF_ADMIN not in Role.AGENT.permissions | Role.DISPATCHER.permissions
    assert Role.ADMIN.permissions == frozenset(Permission)


@pytest.mark.parametrize("name", ["a", "Ama Owusu", "1ama", "x" * 40, "ama;drop"])
def test_odd_usernames_are_refused(name: str) -> None:
    with pytest.raises(InvalidValue):
        parse_username(name)


@pytest.mark.parametrize("password", ["short", "aaaaaaaaaaaa", "x" * 129])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidValue):
        check_password(password)


# ================================================================ staff accounts


async def test_a_new_account_keeps_only_a_hash_and_is_audited(line: Line) -> None:
    await an_admin(line)
    [row] = line.db.rows("staff_users")
    assert row.username == "ama"
    assert PASSWORD not in row.password_hash or row.password_hash.startswith("hashed:")
    assert await audit(line) == [("cli", "staff.create", "staff:ama")]


async def test_a_taken_username_already_exists(line: Line) -> None:
    await an_admin(line)
    with pytest.raises(AlreadyExists):
        await an_admin(line, "AMA")


async def test_signing_in_with_the_right_password(line: Line) -> None:
    await an_admin(line)
    user = await SignIn(line.uow, line.clock, line.hasher)("Ama", PASSWORD)
    assert user.username == "ama"
    assert user.last_sign_in_at == line.clock.now()
    assert ("staff:ama", "sign_in", "staff:ama") in await audit(line)


async def test_an_unknown_name_and_a_wrong_password_are_told_alike(line: Line) -> None:
    await an_admin(line)
    sign_in = SignIn(line.uow, line.clock, line.hasher)
    with pytest.raises(SignInRefused) as unknown:
        await sign_in("kofi", PASSWORD)
    with pytest.raises(SignInRefused) as wrong:
        await sign_in("ama", "not the password")
    assert unknown.value.why is wrong.value.why is SignInRefusal.WRONG


async def test_repeated_failures_lock_the_account_for_a_while(line: Line) -> None:
    await an_admin(line)
    sign_in = SignIn(line.uow, line.clock, line.hasher)
    for _ in range(SIGN_IN_ATTEMPTS - 1):
        with pytest.raises(SignInRefused):
            await sign_in("ama", "not the password")
    with pytest.raises(SignInRefused) as last:
        await sign_in("ama", "not the password")
    assert last.value.why is SignInRefusal.LOCKED
    with pytest.raises(SignInRefused) as even_right:
        await sign_in("ama", PASSWORD)
    assert even_right.value.why is SignInRefusal.LOCKED
    line.clock.advance(SIGN_IN_LOCK + timedelta(seconds=1))
    assert (await sign_in("ama", PASSWORD)).failed_sign_ins == 0


async def test_a_switched_off_account_cannot_sign_in(line: Line) -> None:
    await an_admin(line)
    await an_admin(line, "kofi", Role.AGENT)
    await SetStaffActive(line.uow, line.clock)("kofi", False, actor="staff:ama")
    with pytest.raises(SignInRefused) as refused:
        await SignIn(line.uow, line.clock, line.hasher)("kofi", PASSWORD)
    assert refused.value.why is SignInRefusal.INACTIVE
    with pytest.raises(DomainError):
        await SetStaffActive(line.uow, line.clock)("ama", False, actor="staff:ama")


# ================================================================ API keys


async def test_an_api_key_works_until_revoked(line: Line) -> None:
    scopes = parse_scopes(["orders:read", "orders:write"])
    key, secret = await CreateApiKey(line.uow, line.clock)("erp", scopes, actor="staff:ama")
    assert key_prefix(secret) == key.prefix
    [row] = line.db.rows("api_keys")
    assert row.key_hash == hash_key(secret) and secret not in repr(row)
    found = await AuthenticateApiKey(line.uow)(secret)
    assert found is not None and found.can(Permission.ORDERS_WRITE)
    assert not found.can(Permission.CUSTOMERS_READ)
    assert await AuthenticateApiKey(line.uow)(secret[:-1] + "x") is None
    assert await AuthenticateApiKey(line.uow)("nonsense") is None
    await RevokeApiKey(line.uow, line.clock)(key.prefix, actor="staff:ama")
    assert await AuthenticateApiKey(line.uow)(secret) is None
    [listed] = await ListApiKeys(line.uow)()
    assert listed.revoked_at == line.clock.now()


def test_unknown_scopes_are_refused() -> None:
    with pytest.raises(InvalidValue):
        parse_scopes(["orders:read", "everything"])
    with pytest.raises(InvalidValue):
        parse_scopes([])


# ================================================================ customers and orders


async def test_staff_actions_on_customers_are_audited_with_who(line: Line) -> None:
    await line.customer(verified=False)
    await VerifyCustomer(line.uow, line.clock, line.messages)(Msisdn(PHONE), actor="staff:ama")
    await UnlockPin(line.uow, line.clock)(Msisdn(PHONE), actor="staff:kofi")
    assert sorted(await audit(line)) == [
        ("staff:ama", "customer.verify", PHONE),
        ("staff:kofi", "customer.unlock_pin", PHONE),
    ]


async def test_a_customer_file_holds_orders_payments_tickets_and_balance(line: Line) -> None:
    customer_id = await line.customer()
    order = await pay_on_delivery(line, customer_id)
    file = await GetCustomerFile(line.uow)(Msisdn(PHONE))
    assert file.customer.id == customer_id
    assert [o.reference for o in file.orders] == [order.reference]
    assert file.balance == Money(0)
    with pytest.raises(NotFound):
        await GetCustomerFile(line.uow)(Msisdn("+233244999999"))


async def test_moving_an_order_is_audited_with_the_change(line: Line) -> None:
    customer_id = await line.customer()
    order = await pay_on_delivery(line, customer_id)
    move = MoveOrder(line.uow, line.clock, line.messages)
    await move(order.reference, OrderStatus.DISPATCHED, actor="staff:esi")
    entries = await ListAudit(line.uow)(subject=order.reference)
    assert [(e.actor, e.action, e.detail) for e in entries] == [
        ("staff:esi", "order.move", "pay_on_delivery -> dispatched")
    ]


# ================================================================ tickets


async def test_gas_leaks_come_first_and_tickets_are_assigned_and_resolved(line: Line) -> None:
    await an_admin(line)
    customer_id = await line.customer()
    from lpg_ussd.application.care import ReportGasLeak, RequestCallback

    callback = await RequestCallback(line.uow, line.clock, line.messages)(
        customer_id, PHONE, TicketTopic.DELIVERY
    )
    line.clock.advance(minutes=5)
    leak = await ReportGasLeak(line.uow, line.clock, line.messages, ())(customer_id, PHONE)
    assert [t.id for t in await ListTickets(line.uow)()] == [leak.id, callback.id]

    assert callback.id is not None and leak.id is not None
    await AssignTicket(line.uow, line.clock)(leak.id, "ama", actor="staff:ama")
    with pytest.raises(NotFound):
        await AssignTicket(line.uow, line.clock)(leak.id, "nobody", actor="staff:ama")
    resolved = await ResolveTicket(line.uow, line.clock)(leak.id, actor="staff:ama", note="safe")
    assert resolved.status is TicketStatus.RESOLVED and resolved.assigned_to == "ama"
    assert [t.id for t in await ListTickets(line.uow)()] == [callback.id]
    assert [t.id for t in await ListTickets(line.uow)(TicketStatus.RESOLVED)] == [leak.id]
    assert ("staff:ama", "ticket.resolve", leak.number) in await audit(line)
    with pytest.raises(NotFound):
        await ResolveTicket(line.uow, line.clock)(999, actor="staff:ama")


# ================================================================ catalogue


async def test_a_price_change_takes_effect_from_its_date(line: Line) -> None:
    later = line.clock.now() + timedelta(days=3)
    change = ChangePrice(line.uow, line.clock)
    await change(STEEL_6KG, Money.cedis(160), Money.cedis(90), later, actor="staff:ama")
    view = await ViewCatalogue(line.uow, line.clock)()
    assert [c.deposit for c in view.cylinders if c.id == STEEL_6KG] == [Money(15000)]
    assert [(u.cylinder_type_id, u.deposit) for u in view.upcoming] == [
        (STEEL_6KG, Money.cedis(160))
    ]
    line.clock.set(later)
    view = await ViewCatalogue(line.uow, line.clock)()
    assert [c.deposit for c in view.cylinders if c.id == STEEL_6KG] == [Money.cedis(160)]
    assert view.upcoming == []


@pytest.mark.parametrize("deposit, gas", [(0, 100), (100, -1), (10**8, 100)])
async def test_absurd_prices_are_refused(line: Line, deposit: int, gas: int) -> None:
    with pytest.raises(InvalidValue):
        await ChangePrice(line.uow, line.clock)(
            STEEL_6KG, Money(deposit), Money(gas), actor="staff:ama"
        )


async def test_an_unknown_cylinder_type_is_not_found(line: Line) -> None:
    with pytest.raises(NotFound):
        await ChangePrice(line.uow, line.clock)(99, Money(100), Money(100), actor="staff:ama")
    with pytest.raises(NotFound):
        await SetCylinderOnSale(line.uow, line.clock)(99, False, actor="staff:ama")


async def test_a_cylinder_off_sale_leaves_the_customers_menu_not_the_staff_list(
    line: Line,
) -> None:
    await SetCylinderOnSale(line.uow, line.clock)(STEEL_6KG, False, actor="staff:ama")
    async with line.uow() as uow:
        on_sale = await uow.catalogue.list_active(line.clock.now())
    assert STEEL_6KG not in [c.id for c in on_sale]
    view = await ViewCatalogue(line.uow, line.clock)()
    assert [c.active for c in view.cylinders if c.id == STEEL_6KG] == [False]
    assert ("staff:ama", "cylinder.off_sale", f"cylinder:{STEEL_6KG}") in await audit(line)


# ================================================================ payments


async def test_a_recheck_settles_a_pending_payment_by_what_the_provider_says(
    line: Line,
) -> None:
    customer_id = await line.customer()
    placed = await line.place_order(customer_id, STEEL_6KG, OrderKind.DEPOSIT, PaymentMethod.MTN)
    assert isinstance(placed, OrderPlaced)
    await line.dispatcher().run_once()
    [payment] = line.db.rows("payments")
    line.gateway.outcome = ProviderStatus(PaymentStatus.SUCCESSFUL)
    recheck = RecheckPayment(line.uow, line.clock, line.confirm)
    assert await recheck(payment.reference, actor="staff:ama") is Settlement.SUCCEEDED
    assert await recheck(payment.reference, actor="staff:ama") is Settlement.ALREADY_FINAL
    with pytest.raises(NotFound):
        await recheck("NOPE", actor="staff:ama")
    actions = [a for a in await audit(line) if a[1] == "payment.recheck"]
    assert actions == [("staff:ama", "payment.recheck", payment.reference)] * 2


# ================================================================ the dashboard


def test_the_funnel_counts_who_reached_each_screen() -> None:
    day = Line().clock.now().date()
    counts = [
        SessionOutcomeCount(day, "africastalking", SessionStatus.INCOMPLETE, "dep_menu", 5),
        SessionOutcomeCount(day, "hubtel", SessionStatus.INCOMPLETE, "dep_confirm", 3),
        SessionOutcomeCount(day, "africastalking", SessionStatus.SUCCESS, "pay_method", 10),
        SessionOutcomeCount(day, "africastalking", SessionStatus.FAILED, "pay_method", 1),
        SessionOutcomeCount(day, "africastalking", SessionStatus.SUCCESS, "main", 7),
    ]
    journey = ("deposit", ["dep_menu", "dep_cylinders", "dep_confirm", "pay_method"])
    steps = funnels([journey], counts)["deposit"]
    assert [(s.screen, s.reached, s.dropped) for s in steps] == [
        ("dep_menu", 19, 5),
        ("dep_cylinders", 14, 0),
        ("dep_confirm", 14, 3),
        ("pay_method", 11, 0),
    ]
    assert (steps[-1].completed, steps[-1].failed) == (10, 1)


async def test_the_dashboard_counts_each_day_even_the_empty_ones(line: Line) -> None:
    customer_id = await line.customer()
    await pay_on_delivery(line, customer_id)
    async with line.uow() as uow:
        day = line.clock.now().date()
        await uow.session_outcomes.increment(day, "hubtel", SessionStatus.SUCCESS, "main")
        await uow.commit()
    dashboard = await ShowDashboard(line.uow, line.clock, [("menu", ["welcome", "main"])])(7)
    assert len(dashboard.days) == 7 and dashboard.days[-1] == line.clock.now().date()
    assert [c.count for c in dashboard.sessions] == [0] * 6 + [1]
    assert [c.count for c in dashboard.registrations] == [0] * 6 + [1]
    assert dashboard.orders[-1].count == 1
    assert dashboard.orders[-1].amount == Money(15000 + 8400)
    assert dashboard.funnels["menu"][1].completed == 1


async def test_a_failed_sign_in_never_records_what_was_typed(line: Line) -> None:
    await an_admin(line)
    with pytest.raises(SignInRefused):
        await SignIn(line.uow, line.clock, line.hasher)("my-secret-pass", "x", "10.0.0.9")
    [entry] = [e for e in await ListAudit(line.uow)() if e.action == "sign_in.unknown"]
    assert (entry.actor, entry.subject, entry.detail) == ("anonymous", "", "10.0.0.9")
    assert "my-secret-pass" not in repr(await ListAudit(line.uow)())


async def test_a_switched_off_account_signing_in_is_audited(line: Line) -> None:
    await an_admin(line)
    await an_admin(line, "kofi", Role.AGENT)
    await SetStaffActive(line.uow, line.clock)("kofi", False, actor="staff:ama")
    with pytest.raises(SignInRefused):
        await SignIn(line.uow, line.clock, line.hasher)("kofi", PASSWORD)
    assert ("staff:kofi", "sign_in.inactive", "staff:kofi") in await audit(line)


@pytest.mark.parametrize("year", [1, 1999, 2101, 9999])
async def test_a_price_from_an_absurd_date_is_refused(line: Line, year: int) -> None:
    when = datetime(year, 6, 1, tzinfo=UTC)
    with pytest.raises(InvalidValue):
        await ChangePrice(line.uow, line.clock)(
            STEEL_6KG, Money(100), Money(100), when, actor="staff:ama"
        )


async def test_an_api_keys_actor_names_the_key_itself(line: Line) -> None:
    create = CreateApiKey(line.uow, line.clock)
    first, _ = await create("erp", parse_scopes(["orders:read"]), actor="cli")
    second, _ = await create("erp", parse_scopes(["orders:read"]), actor="cli")
    assert first.actor != second.actor
    assert first.actor == f"api:erp/{first.prefix}"
