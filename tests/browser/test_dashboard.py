"""The dashboard in a real browser: customers use the line over USSD (two register and stay
to the end, one gives up on the last-name screen), Africa's Talking posts its end-of-session
notices, and an admin signs in and sees every chart drawn with those sessions in it. A
screenshot of the dashboard is kept."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.browser import line
from tests.browser.server import LiveServer

ADMIN, PASSWORD = "figures.admin", "a long figures password"
REGISTRATION = ["1", "Kwame", "Boateng", "Tamale", "9", "4826", "4826", "1"]


def session(server: LiveServer, phone: str, answers: list[str], status: str) -> str:
    """One USSD session through the callback route, then the aggregator's notice of its end."""
    session_id, screen = line.dial(server, phone, answers)
    notice = {"sessionId": session_id, "phoneNumber": phone, "status": status}
    answer = httpx.post(f"{server.url}/ussd/africastalking/events", data=notice, timeout=10)
    assert answer.status_code == 200, answer.text
    return screen


def test_the_dashboard_draws_the_lines_use(
    page: Page, live_server: LiveServer, artefacts: Path
) -> None:
    assert "will be verified" in session(live_server, "0244888001", REGISTRATION, "Success")
    assert "will be verified" in session(live_server, "0244888002", REGISTRATION, "Success")
    assert "last name" in session(live_server, "0244888003", ["1", "Yaw"], "Incomplete").lower()
    line.create_staff(live_server, ADMIN, PASSWORD)

    page.goto("/admin/dashboard")
    page.fill("#username", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/admin/dashboard")

    charts = page.locator("svg[role=img]")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 6  # sessions, three business charts, networks, funnels
    content = page.locator("main")
    expect(content).to_contain_text("Sessions per day")
    expect(content).to_contain_text("Registrations per day")
    expect(content).to_contain_text("Payment success by network")
    registration_funnel = page.locator("svg[role=img][aria-label*='egistration']").first
    expect(registration_funnel).to_be_visible()
    page.screenshot(path=str(artefacts / "dashboard.png"), full_page=True)

    page.click("a[href='?days=30']")
    expect(page).to_have_url(f"{live_server.url}/admin/dashboard?days=30")
    expect(page.locator("svg[role=img]").first).to_be_visible()
