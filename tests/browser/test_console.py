"""The staff console in a real browser against the real server: a customer registers over
USSD, the first admin is made with `lpg-ussd staff create`, signs in through the page,
verifies the customer, dispatches and delivers the pay-on-delivery order the customer placed
over USSD, and sees the SMS each change sent on /admin/outbox. Screenshots are kept."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser import line
from tests.browser.server import LiveServer

PHONE = "0244777001"
E164 = "+233244777001"
ADMIN, PASSWORD = "console.admin", "a long console password"
REGISTRATION = ["1", "Abena", "Owusu", "Kumasi", "9", "4826", "4826", "1"]
# Make deposit > Cylinder deposit > 3kg steel > Confirm > Pay on delivery
DEPOSIT_ON_DELIVERY = ["1", "1", "1", "1", "5"]


def dial(server: LiveServer, answers: list[str]) -> str:
    return line.dial(server, PHONE, answers)[1]


def create_admin(server: LiveServer) -> None:
    line.create_staff(server, ADMIN, PASSWORD)


def shot(page: Page, artefacts: Path, name: str) -> None:
    page.screenshot(path=str(artefacts / name), full_page=True)


def test_staff_verify_a_customer_and_deliver_their_order(
    page: Page, live_server: LiveServer, artefacts: Path
) -> None:
    assert "will be verified" in dial(live_server, REGISTRATION)
    create_admin(live_server)

    page.goto("/admin/customers")
    expect(page).to_have_url(f"{live_server.url}/admin/sign-in?next=/admin/customers")
    page.fill("#username", ADMIN)
    page.fill("#password", "not the password")
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#sign-in-error")).to_have_text("Wrong username or password.")
    page.fill("#password", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/admin/customers")

    page.fill("#q", PHONE)
    page.click("form.filters button[type=submit]")
    page.click(f"#customers a:has-text('{E164}')")
    expect(page.locator("#customer-status")).to_have_text("unverified")
    page.click("#verify")
    expect(page.locator(".flash-success")).to_contain_text("Customer verified")
    expect(page.locator("#customer-status")).to_have_text("verified")
    shot(page, artefacts, "console-customer.png")

    ended = dial(live_server, DEPOSIT_ON_DELIVERY)
    assert "when it is delivered" in ended, ended

    page.goto("/admin/orders?status=pay_on_delivery")
    row = page.locator("#orders tbody tr", has_text="3kg steel").first
    reference = row.locator("a").inner_text()
    shot(page, artefacts, "console-orders.png")
    row.locator("a").click()
    expect(page.locator("#order-status")).to_have_text("pay on delivery")
    page.click("#move-dispatched")
    expect(page.locator("#order-status")).to_have_text("dispatched")
    page.click("#move-delivered")
    expect(page.locator("#order-status")).to_have_text("delivered")
    shot(page, artefacts, "console-order.png")

    page.goto(f"/admin/outbox?to={E164.replace('+', '%2B')}")
    outbox = page.locator("#outbox")
    expect(outbox).to_contain_text(f"order {reference} (3kg steel) was delivered")
    expect(outbox).to_contain_text(f"order {reference} (3kg steel) is on its way")
    shot(page, artefacts, "console-outbox.png")

    page.goto(f"/admin/audit?subject={reference}")
    expect(page.locator("#audit")).to_contain_text(f"staff:{ADMIN}")
    page.click("form.sign-out button")
    expect(page.locator(".flash-info")).to_have_text("You are signed out.")
