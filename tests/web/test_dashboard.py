"""GET /admin/dashboard after real USSD sessions: customers register and pay through the
Africa's Talking callback, Africa's Talking posts its end-of-session notices, and the page
shows the sessions, the funnel, the business per day and the payments by network, in SVG
drawn on the server, with nothing inline that the Content-Security-Policy would block."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from lpg_ussd.domain.staff import Role
from tests.acceptance.harness import Harness, Phone

EVENTS = "/ussd/africastalking/events"
DASHBOARD = "/admin/dashboard"
PIN = "2468"
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="_csrf_token" value="([^"]*)"')
# Plain http in tests: the console's cookies must not be marked Secure, or none is sent back.
CONSOLE = {"auto_verify": True, "secure_cookies": "false", "secret_key": "k" * 48}


def choose(phone: Phone, label: str) -> str:
    found = re.search(rf"(\d+)\. {re.escape(label)}", phone.screen)
    assert found, f"no {label!r} on:\n{phone.screen}"
    return phone.enter(found.group(1))


def ended(line: Harness, phone: Phone, status: str) -> None:
    """Africa's Talking's end-of-session notice for the phone's last session."""
    form = {
        "sessionId": phone.session_id,
        "serviceCode": "*384*303#",
        "networkCode": "62001",
        "phoneNumber": phone.number,
        "status": status,
        "input": "*".join(phone.answers),
    }
    headers = {"content-type": "application/x-www-form-urlencoded"}
    response = line.run(line.client.post(EVENTS, content=urlencode(form), headers=headers))
    assert response.status_code == 200


def register(line: Harness, phone: Phone, first: str) -> None:
    phone.dial()
    for answer in ("1", first, "Mensah", "Kumasi", "9", PIN, PIN, "1"):
        phone.enter(answer)
    assert phone.ended
    ended(line, phone, "Success")


def pay_a_deposit_by_mtn(line: Harness, phone: Phone) -> None:
    phone.dial()
    for label in ("Make deposit", "Cylinder deposit", "6kg steel", "Confirm", "MTN MoMo"):
        choose(phone, label)
    assert phone.ended
    ended(line, phone, "Success")


def a_line(workdir: Path) -> Harness:
    harness = Harness(workdir)
    harness.overrides.update(CONSOLE)
    return harness


def get(line: Harness, path: str, **params: Any) -> Any:
    return line.run(line.client.get(path, params=params, follow_redirects=False))


def sign_in(line: Harness, username: str = "esi", role: Role = Role.AGENT) -> None:
    """A staff member with `role` (every role may read the figures) signs in."""
    create = line.container.create_staff()
    line.run(create(username, "Esi Boateng", role, PASSWORD, "cli"))
    form = CSRF.search(get(line, "/admin/sign-in").text)
    assert form, "no CSRF field on the sign-in page"
    body = urlencode(
        {"_csrf_token": form.group(1), "username": username, "password": PASSWORD, "next": "/admin"}
    )
    headers = {"content-type": "application/x-www-form-urlencoded"}
    answer = line.run(
        line.client.post("/admin/sign-in", content=body, headers=headers, follow_redirects=False)
    )
    assert answer.status_code == 303, answer.text


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Two customers register and pay; a third gives up on the last-name screen; then a
    member of staff signs in."""
    harness = a_line(tmp_path_factory.mktemp("dashboard"))
    for number, name in (("0244000001", "Ama"), ("0244000002", "Kofi")):
        phone = Phone(harness, number)
        register(harness, phone, name)
        pay_a_deposit_by_mtn(harness, phone)
    harness.settle()
    quitter = Phone(harness, "0244000003")
    quitter.dial()
    quitter.enter("1")
    quitter.enter("Yaa")
    ended(harness, quitter, "Incomplete")
    sign_in(harness)
    yield harness
    harness.close()


def svgs(page: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", page, re.DOTALL)


def test_the_dashboard_shows_every_chart_with_the_sessions_that_ran(line: Harness) -> None:
    response = get(line, DASHBOARD)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for title in (
        "Sessions per day",
        "Registrations per day",
        "Orders per day",
        "Revenue per day",
        "Payment success by network",
        "Funnel: Registration",
        "Funnel: Deposit and top-up",
    ):
        assert f'<figcaption class="chart-title">{title}</figcaption>' in page
    assert len(svgs(page)) >= 7
    assert all('role="img"' in svg and "aria-label=" in svg for svg in svgs(page))
    # 5 sessions ended today: 2 registrations, 2 deposits, 1 left on the last-name screen.
    assert "Sessions per day: 5 sessions over 14 days" in page
    assert "<dt>Registrations</dt><dd>2</dd>" in page
    assert "<dt>Orders</dt><dd>2</dd>" in page
    assert re.search(r"<dt>Revenue</dt><dd>GHS [1-9][\d,]*\.\d\d</dd>", page)
    assert "MTN MoMo: 2 succeeded" in page and "100% succeeded" in page
    assert "Registration: last name: 1 dropped off here" in page
    assert '<link rel="stylesheet" href="/static/charts.css">' in page
    # Inside the console's layout, its menu showing where we are.
    assert '<a href="/admin/dashboard" aria-current="page">Dashboard</a>' in page
    assert "Esi Boateng" in page


def test_nothing_inline_that_the_policy_blocks(line: Harness) -> None:
    response = get(line, DASHBOARD)
    page = response.text
    assert "<script" not in page.replace('<script src="/static/', "")
    assert "<style" not in page and "style=" not in page
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers
    policy = response.headers["content-security-policy"]
    assert "style-src 'self'" in policy and "script-src 'self'" in policy
    css = get(line, "/static/charts.css")
    assert css.status_code == 200 and ".chart-bar" in css.text


@pytest.mark.parametrize("days", [14, 30, 90])
def test_each_period_can_be_chosen(line: Harness, days: int) -> None:
    page = get(line, DASHBOARD, days=days).text
    assert f"Sessions per day: 5 sessions over {days} days" in page
    assert f'<a href="?days={days}" aria-current="page">' in page


def test_another_period_is_refused(line: Harness) -> None:
    assert get(line, DASHBOARD, days=7).status_code == 400
    assert get(line, DASHBOARD, days="all").status_code == 400


def test_the_dashboard_stays_out_of_the_openapi_document(line: Harness) -> None:
    paths = get(line, "/ussd/docs/openapi.json").json()["paths"]
    assert DASHBOARD not in paths


def test_anonymous_is_sent_to_sign_in_and_then_sees_a_line_with_no_sessions(
    tmp_path: Path,
) -> None:
    line = a_line(tmp_path)
    try:
        refused = get(line, DASHBOARD, days=30)
        assert refused.status_code == 303
        assert refused.headers["location"] == "/admin/sign-in?next=/admin/dashboard%3Fdays%3D30"
        assert "Sessions per day" not in refused.text
        sign_in(line, "kojo", Role.DISPATCHER)
        page = get(line, DASHBOARD).text
    finally:
        line.close()
    assert "No sessions yet" in page and "No payments yet" in page
    assert "No orders yet" in page and "No revenue yet" in page
    assert "<dt>Revenue</dt><dd>GHS 0.00</dd>" in page
