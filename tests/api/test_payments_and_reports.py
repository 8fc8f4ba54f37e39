"""Payments, the dashboard's figures and the audit log through the API."""

from __future__ import annotations

from datetime import UTC, datetime

from lpg_ussd.domain.order import PaymentMethod
from lpg_ussd.domain.staff import Permission
from tests.api.conftest import PHONE, ApiLine


def test_list_payments_and_recheck_one(line: ApiLine) -> None:
    order = line.order(line.customer(), PaymentMethod.MTN)
    headers = line.auth(Permission.PAYMENTS_READ, Permission.PAYMENTS_WRITE)
    pending = line.client.get("/api/v1/payments?status=pending", headers=headers).json()
    [payment] = pending["payments"]
    assert payment["phone"] == PHONE
    assert payment["amount"]["pesewas"] == order.total.pesewas
    assert payment["network"] == "mtn"
    answer = line.client.post(f"/api/v1/payments/{payment['reference']}/recheck", headers=headers)
    assert answer.status_code == 200
    assert answer.json()["reference"] == payment["reference"]
    assert answer.json()["settlement"] in {"still_pending", "succeeded", "failed"}
    entry = line.audit()[0]
    assert (entry.actor.split("/")[0], entry.action, entry.subject) == (
        "api:erp",
        "payment.recheck",
        payment["reference"],
    )


def test_payment_refusals(line: ApiLine) -> None:
    headers = line.auth(Permission.PAYMENTS_READ, Permission.PAYMENTS_WRITE)
    assert (
        line.client.post("/api/v1/payments/PZZZZZZZZZZZ/recheck", headers=headers).status_code
        == 404
    )
    assert line.client.get("/api/v1/payments?status=lost", headers=headers).status_code == 400


def test_the_figures_cover_the_days_asked(line: ApiLine) -> None:
    line.order(line.customer())
    headers = line.auth(Permission.FIGURES_READ)
    figures = line.client.get("/api/v1/figures?days=3", headers=headers).json()
    assert len(figures["days"]) == 3
    assert figures["days"][-1] == datetime.now(UTC).date().isoformat()
    assert sum(day["count"] for day in figures["registrations"]) == 1
    assert sum(day["count"] for day in figures["orders"]) == 1
    assert all("formatted" in day["amount"] for day in figures["revenue"])
    assert isinstance(figures["funnels"], dict)
    default = line.client.get("/api/v1/figures", headers=headers).json()
    assert len(default["days"]) == 14
    for days in ("0", "367", "x"):
        assert line.client.get(f"/api/v1/figures?days={days}", headers=headers).status_code == 400


def test_the_audit_log_by_actor_and_subject(line: ApiLine) -> None:
    line.customer()
    line.client.post(
        f"/api/v1/customers/{PHONE}/verify", headers=line.auth(Permission.CUSTOMERS_WRITE)
    )
    headers = line.auth(Permission.AUDIT_READ, name="auditor")
    [erp] = {
        e["actor"]
        for e in line.client.get("/api/v1/audit", headers=headers).json()["entries"]
        if e["actor"].startswith("api:erp/")
    }
    mine = line.client.get("/api/v1/audit", params={"actor": erp}, headers=headers).json()[
        "entries"
    ]
    assert [(e["action"], e["subject"]) for e in mine] == [("customer.verify", PHONE)]
    assert mine[0]["at"].endswith("Z")
    about = line.client.get("/api/v1/audit", params={"subject": PHONE}, headers=headers).json()
    assert [e["actor"] for e in about["entries"]] == [erp]
    everything = line.client.get("/api/v1/audit?limit=200", headers=headers).json()["entries"]
    assert {e["action"] for e in everything} >= {"api_key.create", "customer.verify"}
    assert line.client.get("/api/v1/audit?limit=0", headers=headers).status_code == 400
