"""Orders through the API: list, read one, move it on; each move SMSes the customer."""

from __future__ import annotations

from lpg_ussd.domain.order import PaymentMethod
from lpg_ussd.domain.staff import Permission
from tests.api.conftest import PHONE, ApiLine

READ, WRITE = Permission.ORDERS_READ, Permission.ORDERS_WRITE


def test_list_and_filter_by_status(line: ApiLine) -> None:
    customer = line.customer()
    on_delivery = line.order(customer)
    by_momo = line.order(customer, PaymentMethod.MTN)
    headers = line.auth(READ)
    orders = line.client.get("/api/v1/orders", headers=headers).json()["orders"]
    assert {o["reference"] for o in orders} == {on_delivery.reference, by_momo.reference}
    waiting = line.client.get("/api/v1/orders?status=awaiting_payment", headers=headers).json()
    assert [o["reference"] for o in waiting["orders"]] == [by_momo.reference]
    first = orders[0]
    assert first["deposit"]["formatted"].startswith("GHS ")
    assert first["created_at"].endswith("Z")


def test_an_order_with_its_customer_and_payments_in_any_case(line: ApiLine) -> None:
    order = line.order(line.customer(), PaymentMethod.MTN)
    path = f"/api/v1/orders/{order.reference.lower()}"
    answer = line.client.get(path, headers=line.auth(READ))
    assert answer.status_code == 200
    body = answer.json()
    assert body["order"]["reference"] == order.reference
    assert body["order"]["payment_method"] == "mtn"
    assert body["customer"]["phone"] == PHONE
    assert [p["amount"]["pesewas"] for p in body["payments"]] == [order.total.pesewas]


def test_dispatch_then_deliver_each_sends_an_sms_and_is_audited(line: ApiLine) -> None:
    order = line.order(line.customer())
    headers = line.auth(WRITE)
    before = len(line.sms_to())
    path = f"/api/v1/orders/{order.reference}/status"
    answer = line.client.post(path, json={"status": "dispatched"}, headers=headers)
    assert answer.status_code == 200
    assert answer.json()["status"] == "dispatched"
    assert len(line.sms_to()) == before + 1
    entry = line.audit()[0]
    assert (entry.actor.split("/")[0], entry.action, entry.subject) == (
        "api:erp",
        "order.move",
        order.reference,
    )
    assert entry.detail == "pay_on_delivery -> dispatched"
    delivered = line.client.post(path, json={"status": "delivered"}, headers=headers)
    assert delivered.json()["status"] == "delivered"
    assert delivered.json()["amount_paid"]["pesewas"] == order.total.pesewas
    assert len(line.sms_to()) == before + 2


def test_cancel_is_a_cancel_with_refund(line: ApiLine) -> None:
    order = line.order(line.customer())
    before = len(line.sms_to())
    answer = line.client.post(
        f"/api/v1/orders/{order.reference}/status",
        json={"status": "cancelled"},
        headers=line.auth(WRITE),
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "cancelled"
    assert len(line.sms_to()) == before + 1
    assert line.audit()[0].action == "order.cancel"


def test_a_move_the_machine_refuses_is_409(line: ApiLine) -> None:
    order = line.order(line.customer())
    answer = line.client.post(
        f"/api/v1/orders/{order.reference}/status",
        json={"status": "delivered"},
        headers=line.auth(WRITE),
    )
    assert answer.status_code == 409
    assert answer.json()["error"].startswith("status change not allowed")


def test_bad_bodies_are_400_and_unknown_orders_404(line: ApiLine) -> None:
    order = line.order(line.customer())
    headers = line.auth(READ, WRITE)
    path = f"/api/v1/orders/{order.reference}/status"
    bodies: list[object] = [{"status": "lost"}, {"status": 3}, {}, {"status": "paid", "x": 1}, []]
    for body in bodies:
        answer = line.client.post(path, json=body, headers=headers)
        assert answer.status_code == 400, body
        assert answer.json()["error"].startswith("invalid request"), body
    for status in ("awaiting_payment", "payment_failed"):  # the line's own moves, not staff's
        answer = line.client.post(path, json={"status": status}, headers=headers)
        assert answer.status_code == 400
    malformed = line.client.post(path, content=b'{"status": ', headers=headers)
    assert malformed.status_code == 400
    assert "error" in malformed.json()
    assert line.client.get("/api/v1/orders/NG-ZZZZZZ", headers=headers).status_code == 404
    assert line.client.get("/api/v1/orders/%00%01", headers=headers).status_code == 404
    moved = line.client.post(
        "/api/v1/orders/NG-ZZZZZZ/status", json={"status": "paid"}, headers=headers
    )
    assert moved.status_code == 404
    assert line.client.get("/api/v1/orders?status=lost", headers=headers).status_code == 400
