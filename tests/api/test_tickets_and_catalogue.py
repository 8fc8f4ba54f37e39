"""Tickets and the catalogue through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lpg_ussd.domain.staff import Permission
from tests.api.conftest import ApiLine

TICKETS = (Permission.TICKETS_READ, Permission.TICKETS_WRITE)
CATALOGUE = (Permission.CATALOGUE_READ, Permission.CATALOGUE_WRITE)


def test_assign_and_resolve_a_ticket(line: ApiLine) -> None:
    ticket = line.ticket(line.customer())
    line.staff("kofi")
    headers = line.auth(*TICKETS)
    open_ = line.client.get("/api/v1/tickets", headers=headers).json()["tickets"]
    assert [(t["number"], t["status"], t["topic"]) for t in open_] == [
        (ticket.number, "open", "order")
    ]
    assigned = line.client.post(
        f"/api/v1/tickets/{ticket.id}/assign", json={"assignee": "kofi"}, headers=headers
    )
    assert assigned.status_code == 200
    assert assigned.json()["assigned_to"] == "kofi"
    resolved = line.client.post(
        f"/api/v1/tickets/{ticket.id}/resolve", json={"note": "called back"}, headers=headers
    )
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_at"].endswith("Z")
    done = line.client.get("/api/v1/tickets?status=resolved", headers=headers).json()
    assert [t["number"] for t in done["tickets"]] == [ticket.number]
    resolve, assign = line.audit()[:2]
    assert (resolve.actor.split("/")[0], resolve.action, resolve.detail) == (
        "api:erp",
        "ticket.resolve",
        "called back",
    )
    assert (assign.actor.split("/")[0], assign.action, assign.detail) == (
        "api:erp",
        "ticket.assign",
        "kofi",
    )


def test_resolve_needs_no_body(line: ApiLine) -> None:
    ticket = line.ticket(line.customer())
    answer = line.client.post(f"/api/v1/tickets/{ticket.id}/resolve", headers=line.auth(*TICKETS))
    assert answer.status_code == 200
    assert answer.json()["status"] == "resolved"


def test_ticket_refusals(line: ApiLine) -> None:
    ticket = line.ticket(line.customer())
    headers = line.auth(*TICKETS)
    nobody = line.client.post(
        f"/api/v1/tickets/{ticket.id}/assign", json={"assignee": "ghost"}, headers=headers
    )
    assert nobody.status_code == 404
    for body in ({"assignee": "Not A Name!"}, {"assignee": 7}, {}):
        answer = line.client.post(f"/api/v1/tickets/{ticket.id}/assign", json=body, headers=headers)
        assert answer.status_code == 400, body
    long_note = {"note": "x" * 201}
    answer = line.client.post(
        f"/api/v1/tickets/{ticket.id}/resolve", json=long_note, headers=headers
    )
    assert answer.status_code == 400
    assert line.client.post("/api/v1/tickets/999/resolve", headers=headers).status_code == 404
    assert line.client.post("/api/v1/tickets/0/resolve", headers=headers).status_code == 400
    assert line.client.get("/api/v1/tickets?status=closed", headers=headers).status_code == 400


def test_the_catalogue_with_its_prices(line: ApiLine) -> None:
    answer = line.client.get("/api/v1/catalogue", headers=line.auth(Permission.CATALOGUE_READ))
    catalogue = answer.json()
    labels = {c["label"] for c in catalogue["cylinders"]}
    assert labels >= {"3kg steel", "6kg steel", "12kg steel", "6kg composite"}
    first = catalogue["cylinders"][0]
    total = first["deposit"]["pesewas"] + first["gas_price"]["pesewas"]
    assert first["deposit_total"]["pesewas"] == total
    assert first["on_sale"] is True
    assert catalogue["upcoming"] == []


def test_a_price_change_now_and_one_ahead(line: ApiLine) -> None:
    headers = line.auth(*CATALOGUE)
    now = line.client.post(
        "/api/v1/catalogue/1/prices",
        json={"deposit_pesewas": 11000, "gas_price_pesewas": 4550},
        headers=headers,
    )
    assert now.status_code == 201
    assert now.json()["gas_price"] == {"pesewas": 4550, "formatted": "GHS 45.50"}
    later = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    ahead = line.client.post(
        "/api/v1/catalogue/1/prices",
        json={
            "deposit_pesewas": 12000,
            "gas_price_pesewas": 5000,
            "effective_from": later.isoformat(),
        },
        headers=headers,
    )
    assert ahead.status_code == 201
    catalogue = line.client.get("/api/v1/catalogue", headers=headers).json()
    assert catalogue["cylinders"][0]["gas_price"]["pesewas"] == 4550
    assert [u["gas_price"]["pesewas"] for u in catalogue["upcoming"]] == [5000]
    assert catalogue["upcoming"][0]["effective_from"] == later.isoformat().replace("+00:00", "Z")
    entry = line.audit()[0]
    assert (entry.actor.split("/")[0], entry.action, entry.subject) == (
        "api:erp",
        "price.change",
        "cylinder:1",
    )


def test_bad_prices_are_400_and_unknown_types_404(line: ApiLine) -> None:
    headers = line.auth(*CATALOGUE)
    bad = [
        {"deposit_pesewas": 0, "gas_price_pesewas": 100},
        {"deposit_pesewas": 100, "gas_price_pesewas": -5},
        {"deposit_pesewas": 100, "gas_price_pesewas": 10_000_001},
        {"deposit_pesewas": 100.5, "gas_price_pesewas": 100},
        {"deposit_pesewas": [100], "gas_price_pesewas": 100},
        {"deposit_pesewas": 100, "gas_price_pesewas": 100, "effective_from": "2030-01-01T00:00:00"},
        {"deposit_pesewas": 100, "gas_price_pesewas": 100, "effective_from": "soon"},
        {"deposit_pesewas": 100},
        # Numbers in the wrong dress: "120.00" must not become 120 pesewas.
        {"deposit_pesewas": "120.00", "gas_price_pesewas": 100},
        {"deposit_pesewas": "12000", "gas_price_pesewas": 100},
        {"deposit_pesewas": 1000.0, "gas_price_pesewas": 100},
        {"deposit_pesewas": 100, "gas_price_pesewas": 100, "effective_from": "0001-01-01T00:00Z"},
    ]
    for body in bad:
        answer = line.client.post("/api/v1/catalogue/1/prices", json=body, headers=headers)
        assert answer.status_code == 400, body
        assert answer.json()["details"], body
    good = {"deposit_pesewas": 100, "gas_price_pesewas": 100}
    assert (
        line.client.post("/api/v1/catalogue/99/prices", json=good, headers=headers).status_code
        == 404
    )
    off = {"on_sale": False}
    assert (
        line.client.post("/api/v1/catalogue/99/on-sale", json=off, headers=headers).status_code
        == 404
    )
    assert (
        line.client.post(
            "/api/v1/catalogue/1/on-sale", json={"on_sale": "no"}, headers=headers
        ).status_code
        == 400
    )


def test_take_a_cylinder_off_sale_and_back(line: ApiLine) -> None:
    headers = line.auth(*CATALOGUE)
    off = line.client.post("/api/v1/catalogue/2/on-sale", json={"on_sale": False}, headers=headers)
    assert off.json() == {"cylinder_type_id": 2, "on_sale": False}
    cylinders = line.client.get("/api/v1/catalogue", headers=headers).json()["cylinders"]
    assert [c["on_sale"] for c in cylinders if c["id"] == 2] == [False]
    assert line.audit()[0].action == "cylinder.off_sale"
    line.client.post("/api/v1/catalogue/2/on-sale", json={"on_sale": True}, headers=headers)
    assert line.audit()[0].action == "cylinder.on_sale"
