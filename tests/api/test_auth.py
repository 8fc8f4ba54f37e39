"""Who may call the JSON API: a key, unrevoked, holding the scope each route declares."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lpg_ussd.domain.staff import Permission
from tests.api.conftest import ApiLine

PARAM = re.compile(r"\{([a-z_]+)(?::[a-z]+)?\}")
SAMPLE = {"phone": "0244000001", "reference": "NG-ABCDEF", "ticket_id": "1", "type_id": "1"}


def api_routes(line: ApiLine) -> list[tuple[str, str, Any]]:
    """Every /api operation of the app: method, a callable path, and its handler."""
    found = []
    for route in line.client.app.routes:
        if not route.path.startswith("/api"):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method != "OPTIONS":
                    path = PARAM.sub(lambda m: SAMPLE[m.group(1)], route.path)
                    found.append((method, path, handler))
    return found


def test_every_api_route_declares_the_permission_it_needs(line: ApiLine) -> None:
    routes = api_routes(line)
    assert len(routes) == 18
    for method, path, handler in routes:
        assert isinstance(handler.opt.get("permission"), Permission), (method, path)


def test_without_a_key_every_route_answers_401_with_a_challenge(line: ApiLine) -> None:
    for method, path, _ in api_routes(line):
        answer = line.client.request(method, path, json={})
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.json()["error"] == "an API key is required"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer lpg_abcdefgh_" + "x" * 43},
        {"Authorization": "Bearer not-a-key"},
        {"X-API-Key": "lpg_abcdefgh_" + "x" * 43},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_an_unknown_key_is_401(line: ApiLine, headers: dict[str, str]) -> None:
    line.key(Permission.CUSTOMERS_READ)
    answer = line.client.get("/api/v1/customers", headers=headers)
    assert answer.status_code == 401
    assert "www-authenticate" in answer.headers
    assert "error" in answer.json()


def test_a_key_is_accepted_as_a_bearer_token_or_in_x_api_key(line: ApiLine) -> None:
    key = line.key(Permission.CUSTOMERS_READ)
    assert line.client.get("/api/v1/customers", headers={"X-API-Key": key}).status_code == 200
    bearer = {"Authorization": f"Bearer {key}"}
    assert line.client.get("/api/v1/customers", headers=bearer).status_code == 200
    both = {**bearer, "X-API-Key": key}
    assert line.client.get("/api/v1/customers", headers=both).status_code == 200


def test_two_different_keys_in_one_request_are_refused(line: ApiLine) -> None:
    one, two = line.key(Permission.CUSTOMERS_READ), line.key(Permission.CUSTOMERS_READ, name="crm")
    headers = {"Authorization": f"Bearer {one}", "X-API-Key": two}
    assert line.client.get("/api/v1/customers", headers=headers).status_code == 401


def test_a_revoked_key_is_401(line: ApiLine) -> None:
    key = line.key(Permission.CUSTOMERS_READ)
    prefix = key.split("_")[1]
    line.run(line.container.revoke_api_key()(prefix, "test"))
    answer = line.client.get("/api/v1/customers", headers={"X-API-Key": key})
    assert answer.status_code == 401
    assert answer.json()["error"] == "unknown or revoked API key"


def test_a_key_without_the_routes_scope_is_403_everywhere(line: ApiLine) -> None:
    for method, path, handler in api_routes(line):
        needed = handler.opt["permission"]
        others = [p for p in Permission if p is not needed]
        headers = line.auth(*others, name=f"k{abs(hash((method, path))) % 10**8}")
        answer = line.client.request(method, path, headers=headers, json={})
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["error"] == f"this API key lacks the scope {needed.value}"


def test_a_read_scope_does_not_write(line: ApiLine) -> None:
    line.customer()
    headers = line.auth(Permission.CUSTOMERS_READ)
    assert line.client.get("/api/v1/customers/0244000001", headers=headers).status_code == 200
    answer = line.client.post("/api/v1/customers/0244000001/verify", headers=headers)
    assert answer.status_code == 403
    assert len(line.sms_to()) == 1  # only the registration's
    assert not [entry for entry in line.audit() if entry.action == "customer.verify"]


def test_the_api_needs_no_csrf_token_and_sets_no_cookie(line: ApiLine) -> None:
    line.customer()
    headers = line.auth(Permission.CUSTOMERS_WRITE)
    answer = line.client.post("/api/v1/customers/0244000001/verify", headers=headers)
    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers


def test_the_openapi_document_lists_every_operation_with_its_security(line: ApiLine) -> None:
    document = line.client.get("/ussd/docs/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKeyBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "lpg_<prefix>_<secret>",
        "description": schemes["ApiKeyBearer"]["description"],
    }
    assert schemes["ApiKeyHeader"]["in"] == "header"
    assert schemes["ApiKeyHeader"]["name"] == "X-API-Key"
    operations = {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
    }
    expected = {(m, PARAM.sub(lambda g: "{" + g.group(1) + "}", p)) for m, p in EXPECTED}
    assert set(operations) == expected
    for (method, path), operation in operations.items():
        assert operation["security"] == [{"ApiKeyBearer": []}, {"ApiKeyHeader": []}], path
        assert operation["tags"][0].startswith("API: "), path
        assert operation["summary"] and operation["description"], path
        assert {"400", "401", "403"} <= set(operation["responses"]), (method, path)
        error = operation["responses"]["401"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}


EXPECTED = [
    ("GET", "/api/v1/customers"),
    ("GET", "/api/v1/customers/{phone}"),
    ("POST", "/api/v1/customers/{phone}/verify"),
    ("POST", "/api/v1/customers/{phone}/reject"),
    ("POST", "/api/v1/customers/{phone}/unlock-pin"),
    ("GET", "/api/v1/orders"),
    ("GET", "/api/v1/orders/{reference}"),
    ("POST", "/api/v1/orders/{reference}/status"),
    ("GET", "/api/v1/tickets"),
    ("POST", "/api/v1/tickets/{ticket_id}/assign"),
    ("POST", "/api/v1/tickets/{ticket_id}/resolve"),
    ("GET", "/api/v1/catalogue"),
    ("POST", "/api/v1/catalogue/{type_id}/prices"),
    ("POST", "/api/v1/catalogue/{type_id}/on-sale"),
    ("GET", "/api/v1/payments"),
    ("POST", "/api/v1/payments/{reference}/recheck"),
    ("GET", "/api/v1/figures"),
    ("GET", "/api/v1/audit"),
]
