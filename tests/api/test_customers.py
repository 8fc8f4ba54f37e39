"""Customers through the API: list, file, verify, reject, unlock; each change audited as api:erp."""

from __future__ import annotations

from lpg_ussd.domain.order import PaymentMethod
from lpg_ussd.domain.staff import Permission
from tests.api.conftest import PHONE, ApiLine

READ, WRITE = Permission.CUSTOMERS_READ, Permission.CUSTOMERS_WRITE


def test_list_by_status_and_search(line: ApiLine) -> None:
    line.customer()
    line.customer("+233244000002", first_name="Kwame")
    headers = line.auth(READ)
    everyone = line.client.get("/api/v1/customers", headers=headers).json()["customers"]
    assert {c["phone"] for c in everyone} == {PHONE, "+233244000002"}
    found = line.client.get("/api/v1/customers?search=kwame&status=unverified", headers=headers)
    assert [c["first_name"] for c in found.json()["customers"]] == ["Kwame"]
    none = line.client.get("/api/v1/customers?status=verified", headers=headers)
    assert none.json() == {"customers": []}
    one = line.client.get("/api/v1/customers?limit=1", headers=headers).json()["customers"]
    assert len(one) == 1
    assert "pin_hash" not in one[0]


def test_the_file_has_the_customer_balance_orders_payments_and_tickets(line: ApiLine) -> None:
    customer = line.customer()
    order = line.order(customer, PaymentMethod.MTN)
    ticket = line.ticket(customer)
    answer = line.client.get("/api/v1/customers/024 400 0001", headers=line.auth(READ))
    assert answer.status_code == 200
    file = answer.json()
    assert file["customer"]["phone"] == PHONE
    assert file["customer"]["created_at"].endswith("Z")
    assert file["balance"] == {"pesewas": 0, "formatted": "GHS 0.00"}
    assert [o["reference"] for o in file["orders"]] == [order.reference]
    assert file["orders"][0]["total"]["pesewas"] == order.total.pesewas
    assert [p["status"] for p in file["payments"]] == ["pending"]
    assert [t["number"] for t in file["tickets"]] == [ticket.number]


def test_verify_sends_an_sms_and_is_audited_with_the_keys_name(line: ApiLine) -> None:
    line.customer()
    answer = line.client.post(f"/api/v1/customers/{PHONE}/verify", headers=line.auth(WRITE))
    assert answer.status_code == 200
    assert answer.json()["status"] == "verified"
    assert answer.json()["verified_at"].endswith("Z")
    assert len(line.sms_to()) == 2
    entry = line.audit()[0]
    assert (entry.actor.split("/")[0], entry.action, entry.subject) == (
        "api:erp",
        "customer.verify",
        PHONE,
    )


def test_reject_tells_the_customer(line: ApiLine) -> None:
    line.customer()
    answer = line.client.post("/api/v1/customers/0244000001/reject", headers=line.auth(WRITE))
    assert answer.json()["status"] == "rejected"
    assert len(line.sms_to()) == 2
    assert line.audit()[0].action == "customer.reject"


def test_unlock_pin_is_audited(line: ApiLine) -> None:
    line.customer()
    headers = line.auth(WRITE, name="crm")
    answer = line.client.post("/api/v1/customers/233244000001/unlock-pin", headers=headers)
    assert answer.status_code == 200
    assert answer.json()["pin_locked_until"] is None
    entry = line.audit()[0]
    assert (entry.actor.split("/")[0], entry.action) == ("api:crm", "customer.unlock_pin")


def test_bad_phone_is_400_and_unknown_customer_404(line: ApiLine) -> None:
    headers = line.auth(READ, WRITE)
    bad = line.client.get("/api/v1/customers/12ab", headers=headers)
    assert bad.status_code == 400
    assert bad.json()["error"] == "not a phone number"
    assert line.client.post("/api/v1/customers/0244/verify", headers=headers).status_code == 400
    unknown = line.client.post("/api/v1/customers/0244999999/verify", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "not found: +233244999999"


def test_bad_query_values_are_400(line: ApiLine) -> None:
    headers = line.auth(READ)
    for query in ("status=gone", "limit=0", "limit=1000", "limit=many", "search=" + "a" * 65):
        answer = line.client.get(f"/api/v1/customers?{query}", headers=headers)
        assert answer.status_code == 400, query
        assert answer.json()["error"].startswith("invalid request"), query
    nul = line.client.get("/api/v1/customers", params={"search": "a\x00b"}, headers=headers)
    assert nul.status_code == 400
