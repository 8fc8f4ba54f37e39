"""Every console route, every role: anonymous visitors are sent to sign in (pages) or refused
(actions), a role without the route's permission gets 403, a role with it gets past the guard.

The routes are read from the app itself, so a new page is covered the day it is added."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lpg_ussd.domain.staff import Permission, Role
from tests.web.admin_support import Console, console_settings, open_console

PARAMETER = re.compile(r"\{(\w+)(?::(\w+))?\}")
SAMPLES = {"int": "1", "str": "0244000001", "path": "x"}


def console_routes() -> list[tuple[str, str, Permission]]:
    """(method, path with sample parameters, permission) of every protected console route."""
    from lpg_ussd.entrypoints.http.app import create_app

    app = create_app(console_settings(Path("/nonexistent-unused")))
    found = []
    for route in app.routes:
        if not (route.path == "/admin" or route.path.startswith("/admin/")):
            continue
        for handler in route.route_handlers:  # type: ignore[attr-defined]
            if handler.opt.get("public"):
                continue
            path = PARAMETER.sub(lambda m: SAMPLES.get(m.group(2) or "str", "x"), route.path)
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                found.append((method, path, handler.opt["permission"]))
    return sorted(set(found))


ROUTES = console_routes()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    yield from open_console(tmp_path_factory.mktemp("console"))


def ask(console: Console, method: str, path: str) -> int:
    if method == "GET":
        return int(console.client.get(path, follow_redirects=False).status_code)
    token = console.csrf("/admin/sign-in")  # a valid token: the guard, not CSRF, must refuse
    answer = console.client.request(
        method, path, data={"_csrf_token": token}, follow_redirects=False
    )
    return int(answer.status_code)


def as_role(console: Console, role: Role) -> None:
    console.client.cookies.clear()
    name = f"{role.value}-a"
    console.add_staff(name, role)
    assert console.sign_in(name).status_code in (200, 303)


def test_the_console_has_routes_to_check() -> None:
    assert len(ROUTES) >= 20
    assert {m for m, _, _ in ROUTES} >= {"GET", "POST"}


@pytest.mark.parametrize(("method", "path", "permission"), ROUTES)
def test_anonymous_visitors_are_refused(
    console: Console, method: str, path: str, permission: Permission
) -> None:
    console.client.cookies.clear()
    status = ask(console, method, path)
    assert status == (303 if method == "GET" else 401), (method, path, status)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_only_what_its_permissions_allow(console: Console, role: Role) -> None:
    as_role(console, role)
    wrong = []
    for method, path, permission in ROUTES:
        status = ask(console, method, path)
        allowed = permission in role.permissions
        if status >= 500:
            wrong.append((method, path, status, "server error"))
        if allowed and status in (401, 403):
            wrong.append((method, path, status, "refused though allowed"))
        if not allowed and status != 403:
            wrong.append((method, path, status, "not refused"))
    assert not wrong, wrong
