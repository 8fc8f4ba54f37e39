"""The console's pages and actions through the HTTP app: each page renders for a role that may
see it, each action goes through its use case, leaves an audit entry with who did it and,
for customers and orders, an SMS to the customer; bad input is answered in words, never 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lpg_ussd.domain.order import PaymentMethod
from lpg_ussd.domain.payment import PaymentStatus
from lpg_ussd.domain.staff import Role
from lpg_ussd.domain.ticket import TicketTopic
from tests.web.admin_support import Console, open_console, signed_in_as

PAGES = [
    "/admin",
    "/admin/customers",
    "/admin/orders",
    "/admin/tickets",
    "/admin/catalogue",
    "/admin/payments",
    "/admin/outbox",
    "/admin/audit",
    "/admin/staff",
    "/admin/api-keys",
]
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    yield from open_console(tmp_path)


@pytest.fixture
def admin(console: Console) -> Console:
    return signed_in_as(console, Role.ADMIN, "boss")


def test_every_page_renders_for_an_admin_and_loads_nothing_from_elsewhere(admin: Console) -> None:
    customer = admin.add_customer()
    order = admin.place_order(customer)
    for path in [*PAGES, f"/admin/customers/{customer.e164}", f"/admin/orders/{order.reference}"]:
        page = admin.client.get(path)
        assert page.status_code == 200, path
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        assert not EXTERNAL.search(page.text), path
        assert "<style" not in page.text and "style=" not in page.text, path
        assert "<script>" not in page.text, path
    assert admin.client.get("/static/admin.css").status_code == 200


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.AGENT, ["/admin/customers", "/admin/tickets", "/admin/payments"], ["/admin/audit"]),
        (Role.DISPATCHER, ["/admin/orders", "/admin/catalogue"], ["/admin/staff"]),
    ],
)
def test_each_role_sees_its_pages(
    console: Console, role: Role, allowed: list[str], refused: list[str]
) -> None:
    signed_in_as(console, role)
    for path in allowed:
        assert console.client.get(path).status_code == 200, path
    for path in refused:
        assert console.client.get(path).status_code == 403, path


@pytest.mark.parametrize("typed", ["0244000001", "+233 24 400 0001", "233244000001", "ama men"])
def test_customers_are_found_by_phone_in_any_form_or_by_name(admin: Console, typed: str) -> None:
    admin.add_customer("0244000001", "Ama")
    admin.add_customer("0244000002", "Kofi")
    page = admin.client.get("/admin/customers", params={"q": typed}).text
    assert "+233244000001" in page and "+233244000002" not in page


def test_verifying_a_customer_sends_an_sms_and_is_audited(admin: Console) -> None:
    customer = admin.add_customer()
    page = admin.post(f"/admin/customers/{customer.e164}/verify")
    assert page.status_code == 200
    assert "Customer verified; an SMS tells them." in page.text
    assert 'id="customer-status">verified' in page.text
    assert ("customer.verify", customer.e164) in admin.actions_by("staff:boss")
    assert len(admin.sms_to(customer)) == 2  # registered, then verified


def test_rejecting_and_unlocking_are_audited(admin: Console) -> None:
    customer = admin.add_customer()
    admin.post(f"/admin/customers/{customer.e164}/reject")
    admin.post(f"/admin/customers/{customer.e164}/unlock-pin")
    actions = admin.actions_by("staff:boss")
    assert ("customer.reject", customer.e164) in actions
    assert ("customer.unlock_pin", customer.e164) in actions


@pytest.mark.parametrize(
    ("phone", "words"), [("0244999999", "Not found"), ("12", "That is not a phone number.")]
)
def test_an_unknown_or_bad_phone_is_answered_in_words(
    admin: Console, phone: str, words: str
) -> None:
    for answer in (
        admin.client.get(f"/admin/customers/{phone}"),
        admin.post(f"/admin/customers/{phone}/verify"),
    ):
        assert answer.status_code == 200 and words in answer.text


def test_an_order_is_dispatched_then_delivered_with_an_sms_each_time(admin: Console) -> None:
    customer = admin.add_customer()
    order = admin.place_order(customer)
    before = len(admin.sms_to(customer))
    page = admin.client.get(f"/admin/orders/{order.reference}").text
    assert 'id="move-dispatched"' in page and 'id="move-delivered"' not in page
    page = admin.post(f"/admin/orders/{order.reference}/move", {"status": "dispatched"}).text
    assert "is now dispatched" in page and 'id="move-delivered"' in page
    admin.post(f"/admin/orders/{order.reference}/move", {"status": "delivered"})
    assert len(admin.sms_to(customer)) == before + 2
    details = [e.detail for e in admin.audit() if e.subject == order.reference]
    assert "pay_on_delivery -> dispatched" in details and "dispatched -> delivered" in details


def test_a_move_the_order_cannot_make_is_refused_in_words(admin: Console) -> None:
    order = admin.place_order(admin.add_customer())
    page = admin.post(f"/admin/orders/{order.reference}/move", {"status": "delivered"})
    assert page.status_code == 200 and "That move is not allowed for this order" in page.text
    page = admin.post(f"/admin/orders/{order.reference}/move", {"status": "flying"})
    assert "Choose a status from the list." in page.text
    page = admin.post("/admin/orders/NG-ZZZZZZ/move", {"status": "dispatched"})
    assert "Not found: NG-ZZZZZZ." in page.text


def test_cancelling_asks_first_then_refunds_and_tells_the_customer(admin: Console) -> None:
    customer = admin.add_customer()
    order = admin.place_order(customer)
    confirm = admin.client.get(f"/admin/orders/{order.reference}/cancel").text
    assert "Yes, cancel and refund" in confirm
    page = admin.post(f"/admin/orders/{order.reference}/cancel")
    assert f"Order {order.reference} cancelled" in page.text
    assert 'id="order-status">cancelled' in page.text
    assert ("order.cancel", order.reference) in admin.actions_by("staff:boss")
    assert "cancelled" in admin.sms_to(customer)[0].lower()  # newest first


def test_gas_leaks_come_first_and_tickets_are_assigned_and_resolved(admin: Console) -> None:
    admin.add_staff("ama", Role.AGENT)
    customer = admin.add_customer()
    admin.run(lambda c: c.request_callback()(None, customer.e164, TicketTopic.DELIVERY))
    leak = admin.run(lambda c: c.report_leak()(None, customer.e164))
    page = admin.client.get("/admin/tickets").text
    assert page.index("GAS LEAK") < page.index("delivery")
    page = admin.post(f"/admin/tickets/{leak.number}/assign", {"assignee": "ama"}).text
    assert f"Ticket {leak.number} assigned to ama." in page
    page = admin.post(f"/admin/tickets/{leak.number}/resolve", {"note": "valve shut"}).text
    assert f"Ticket {leak.number} resolved." in page
    entries = [(e.action, e.detail) for e in admin.audit() if e.subject == leak.number]
    assert ("ticket.assign", "ama") in entries and ("ticket.resolve", "valve shut") in entries
    page = admin.post("/admin/tickets/T99999/resolve", {"note": ""}).text
    assert "Not found" in page


def test_a_price_is_changed_from_a_date_and_bad_amounts_are_refused(admin: Console) -> None:
    page = admin.post(
        "/admin/catalogue/1/price",
        {"deposit": "120.00", "gas_price": "45.50", "effective_from": "2099-01-01T06:00"},
    ).text
    assert "Price change saved." in page and "GHS 120.00" in page and "2099-01-01 06:00" in page
    assert ("price.change", "cylinder:1") in admin.actions_by("staff:boss")
    for deposit in ("12.5", "abc", "-1.00", "0.00", "1e3"):
        page = admin.post("/admin/catalogue/1/price", {"deposit": deposit, "gas_price": "1"}).text
        assert "Price change saved." not in page, deposit
        assert "Type an amount in cedis" in page or "more than zero" in page, deposit
    page = admin.post(
        "/admin/catalogue/1/price", {"deposit": "1", "gas_price": "1", "effective_from": "soon"}
    ).text
    assert "Give the date and time the price starts." in page


def test_a_cylinder_goes_off_sale_and_on_again(admin: Console) -> None:
    assert "Taken off sale." in admin.post("/admin/catalogue/1/sale", {"on_sale": "0"}).text
    assert "Now on sale." in admin.post("/admin/catalogue/1/sale", {"on_sale": "1"}).text
    actions = admin.actions_by("staff:boss")
    assert ("cylinder.off_sale", "cylinder:1") in actions
    assert ("cylinder.on_sale", "cylinder:1") in actions


def test_a_pending_payment_is_rechecked_and_an_unknown_one_is_not_found(admin: Console) -> None:
    customer = admin.add_customer()
    admin.place_order(customer, PaymentMethod.MTN)
    [payment] = admin.run(lambda c: c.list_payments()(PaymentStatus.PENDING))
    page = admin.client.get("/admin/payments?status=pending").text
    assert payment.reference in page
    page = admin.post(f"/admin/payments/{payment.reference}/recheck", {"status": "pending"}).text
    assert f"Payment {payment.reference} re-checked" in page
    assert ("payment.recheck", payment.reference) in admin.actions_by("staff:boss")
    page = admin.post("/admin/payments/PNOSUCHTHING/recheck").text
    assert "Not found" in page
    assert admin.client.get("/admin/payments?status=lost").status_code == 200


def test_the_outbox_and_the_audit_log_show_what_happened(admin: Console) -> None:
    customer = admin.add_customer()
    admin.post(f"/admin/customers/{customer.e164}/verify")
    outbox = admin.client.get("/admin/outbox", params={"to": customer.e164}).text
    assert admin.sms_to(customer)[0] in outbox.replace("&#39;", "'")
    audit = admin.client.get("/admin/audit", params={"actor": "staff:boss"}).text
    assert "customer.verify" in audit and "sign_in" in audit
    other = admin.client.get("/admin/audit", params={"subject": "+233200000000"}).text
    assert "customer.verify" not in other


def test_staff_accounts_are_created_and_switched_off(admin: Console) -> None:
    page = admin.post(
        "/admin/staff",
        {"username": "kofi", "display_name": "Kofi", "role": "dispatcher", "password": "x"},
    ).text
    assert "A password is 10 to 128 characters long." in page
    page = admin.post(
        "/admin/staff",
        {
            "username": "kofi",
            "display_name": "Kofi",
            "role": "dispatcher",
            "password": "long enough pw",
        },
    ).text
    assert "Staff account kofi created." in page
    page = admin.post("/admin/staff", {"username": "kofi", "role": "king", "password": "x"}).text
    assert "Choose a role." in page
    assert "kofi switched off." in admin.post("/admin/staff/kofi/active", {"active": "0"}).text
    page = admin.post("/admin/staff/boss/active", {"active": "0"}).text
    assert "cannot switch off your own account" in page
    actions = admin.actions_by("staff:boss")
    assert ("staff.create", "staff:kofi") in actions and (
        "staff.deactivate",
        "staff:kofi",
    ) in actions


def test_an_api_key_is_shown_once_and_revoked(admin: Console) -> None:
    page = admin.client.post(
        "/admin/api-keys",
        data={
            "name": "erp",
            "scopes": ["orders:read", "customers:read"],
            "_csrf_token": admin.csrf("/admin/api-keys"),
        },
    )
    key = re.search(r'id="new-key">(lpg_[a-z0-9]{8}_[^<]+)<', page.text)
    assert key and page.headers["cache-control"] == "no-store"
    prefix = key.group(1).split("_")[1]
    assert key.group(1) not in admin.client.get("/admin/api-keys").text
    assert f"Key {prefix} revoked." in admin.post(f"/admin/api-keys/{prefix}/revoke").text
    assert "Choose at least one scope." in admin.post("/admin/api-keys", {"name": "erp"}).text
