"""Signing in to the staff console: right and wrong passwords, lock-out, switched-off
accounts, a fresh session id at sign-in, secure cookies, CSRF, and the guard on every route."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lpg_ussd.domain.staff import Permission, Role
from lpg_ussd.entrypoints.http.admin.session import CSRF_COOKIE, SESSION_COOKIE
from lpg_ussd.entrypoints.http.app import create_app
from tests.web.admin_support import PASSWORD, Console, console_settings, open_console


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    yield from open_console(tmp_path)


def test_anonymous_pages_go_to_sign_in_and_posts_are_refused(console: Console) -> None:
    page = console.client.get("/admin/customers?q=ama", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/admin/sign-in?next=/admin/customers%3Fq%3Dama"
    post = console.post("/admin/customers/0244000001/verify", page="/admin/sign-in")
    assert post.status_code == 401


def test_the_right_password_signs_in_and_goes_where_asked(console: Console) -> None:
    console.add_staff("ama", Role.AGENT)
    token = console.csrf("/admin/sign-in?next=/admin/tickets")
    answer = console.client.post(
        "/admin/sign-in",
        data={
            "username": "Ama",
            "password": PASSWORD,
            "next": "/admin/tickets",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/tickets"
    home = console.client.get("/admin")
    assert home.status_code == 200
    assert "Ama" in home.text and 'action="/admin/sign-out"' in home.text
    assert ("sign_in", "staff:ama") in console.actions_by("staff:ama")


def test_next_never_leads_out_of_the_console(console: Console) -> None:
    console.add_staff("ama", Role.AGENT)
    token = console.csrf()
    for target in ("https://evil.example/admin", "//evil.example", "/ussd/docs", "/admin//x"):
        answer = console.client.post(
            "/admin/sign-in",
            data={"username": "ama", "password": PASSWORD, "next": target, "_csrf_token": token},
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/admin", target


def test_a_wrong_password_or_name_says_the_same(console: Console) -> None:
    console.add_staff("ama", Role.AGENT)
    for name, password in (("ama", "wrong password!"), ("nobody", PASSWORD)):
        answer = console.sign_in(name, password)
        assert answer.status_code == 401
        assert "Wrong username or password." in answer.text
    assert console.client.get("/admin", follow_redirects=False).status_code == 303


def test_five_failures_lock_the_account_even_for_the_right_password(console: Console) -> None:
    console.add_staff("ama", Role.AGENT)
    answers = [console.sign_in("ama", "not the password") for _ in range(5)]
    assert "Wrong username or password." in answers[3].text
    assert "locked for 15 minutes" in answers[4].text
    right = console.sign_in("ama")
    assert right.status_code == 401 and "locked for 15 minutes" in right.text
    assert console.client.get("/admin", follow_redirects=False).status_code == 303


def test_a_switched_off_account_cannot_sign_in_and_is_out_at_once(console: Console) -> None:
    console.add_staff("boss", Role.ADMIN)
    console.add_staff("kofi", Role.DISPATCHER)
    console.sign_in("kofi")
    assert console.client.get("/admin/orders").status_code == 200
    console.run(lambda c: c.set_staff_active()("kofi", False, actor="staff:boss"))
    assert console.client.get("/admin/orders", follow_redirects=False).status_code == 303
    answer = console.sign_in("kofi")
    assert answer.status_code == 401 and "switched off" in answer.text


def session_cookies(console: Console) -> list[str]:
    return [c.value for c in console.client.cookies.jar if c.name == SESSION_COOKIE and c.value]


def test_signing_in_gives_a_new_session_id_and_signing_out_ends_it(console: Console) -> None:
    console.add_staff("ama", Role.AGENT)
    planted = "0" * 64
    console.client.cookies.set(SESSION_COOKIE, planted, domain="console.test", path="/admin")
    console.sign_in("ama")
    [session] = session_cookies(console)
    assert session != planted
    assert console.client.get("/admin").status_code == 200
    answer = console.client.post(
        "/admin/sign-out", data={"_csrf_token": console.csrf("/admin")}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert console.client.get("/admin", follow_redirects=False).status_code == 303
    # The old id is worth nothing now, even to someone who kept it.
    console.client.cookies.set(SESSION_COOKIE, session, domain="console.test", path="/admin")
    assert console.client.get("/admin", follow_redirects=False).status_code == 303


def test_cookies_are_http_only_same_site_and_secure_over_https(console: Console) -> None:
    console.add_staff("ama", Role.AGENT)
    page = console.client.get("/admin/sign-in")
    token = console.csrf()
    answer = console.client.post(
        "/admin/sign-in",
        data={"username": "ama", "password": PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )
    cookies = page.headers.get_list("set-cookie") + answer.headers.get_list("set-cookie")
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    assert names == {SESSION_COOKIE, CSRF_COOKIE}
    for header in cookies:
        lowered = header.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered, header
        assert "; secure" in lowered and "path=/admin" in lowered, header


def test_on_localhost_over_http_cookies_are_not_secure(tmp_path: Path) -> None:
    from litestar.testing import TestClient

    from lpg_ussd.adapters.persistence.migrate import upgrade

    settings = console_settings(tmp_path)
    upgrade(settings.database_url)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        page = client.get("/admin/sign-in")
        csrf = next(c for c in page.headers.get_list("set-cookie") if c.startswith(CSRF_COOKIE))
        assert "secure" not in csrf.lower() and "httponly" in csrf.lower()


def test_a_post_without_the_csrf_token_is_refused(console: Console) -> None:
    console.add_staff("ama", Role.AGENT)
    console.client.get("/admin/sign-in")
    answer = console.client.post("/admin/sign-in", data={"username": "ama", "password": PASSWORD})
    assert answer.status_code == 403
    assert console.client.get("/admin", follow_redirects=False).status_code == 303
    forged = console.client.post(
        "/admin/sign-in", data={"username": "ama", "password": PASSWORD, "_csrf_token": "x" * 128}
    )
    assert forged.status_code == 403


def test_csrf_leaves_the_ussd_callback_alone(console: Console) -> None:
    answer = console.client.post(
        "/ussd/africastalking/callback",
        data={
            "sessionId": "s1",
            "phoneNumber": "0244000001",
            "serviceCode": "*384*303#",
            "text": "",
        },
    )
    assert answer.status_code == 200 and answer.text.startswith("CON ")
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


def test_every_console_route_declares_what_it_needs(console: Console) -> None:
    for route in console.client.app.routes:
        if not route.path.startswith("/admin"):
            continue
        for handler in route.route_handlers:  # type: ignore[attr-defined]
            if handler.http_methods == {"OPTIONS"}:  # Litestar's own, for CORS preflight
                continue
            public = handler.opt.get("public") is True
            permission = handler.opt.get("permission")
            assert public or isinstance(permission, Permission), route.path
            if public:
                assert route.path in ("/admin/sign-in", "/admin/sign-out"), route.path


def test_a_role_without_the_permission_gets_a_friendly_403(console: Console) -> None:
    console.add_staff("ama", Role.AGENT)
    console.sign_in("ama")
    page = console.client.get("/admin/staff")
    assert page.status_code == 403
    assert "Not for your role" in page.text and "agent" in page.text
    home = console.client.get("/admin").text
    assert 'href="/admin/customers"' in home and 'href="/admin/staff"' not in home
    assert 'href="/admin/audit"' not in home and 'href="/admin/dashboard"' in home
    refused = console.post("/admin/orders/NG-AAAAAA/move", {"status": "dispatched"})
    assert refused.status_code == 403


def test_the_console_is_not_in_the_openapi_document(console: Console) -> None:
    schema = console.client.get("/ussd/docs/openapi.json").json()
    assert not [path for path in schema["paths"] if path.startswith("/admin")]
