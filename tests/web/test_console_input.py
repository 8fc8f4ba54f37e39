"""Odd input to the console answers clearly, never with a 500: amounts with commas in the
wrong place, ticket numbers and ids out of range, control characters in filters, references in
lower case. And the session files stay private."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from lpg_ussd.domain.errors import InvalidValue
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.staff import Role
from lpg_ussd.entrypoints.http.admin.catalogue import parse_cedis
from lpg_ussd.entrypoints.http.admin.common import order_reference, printable
from tests.web.admin_support import Console, open_console, signed_in_as


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    for opened in open_console(tmp_path):
        yield signed_in_as(opened, Role.ADMIN)


@pytest.mark.parametrize(
    ("text", "pesewas"), [("120", 12000), ("120.50", 12050), ("1,200.50", 120050)]
)
def test_amounts_in_cedis(text: str, pesewas: int) -> None:
    assert parse_cedis(text) == Money(pesewas)


@pytest.mark.parametrize("text", ["12,50", "1,2,0", "1,20", "-5", "12.5", "1e3", "", "12.500"])
def test_amounts_with_a_slip_are_refused(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_cedis(text)


def test_filters_lose_control_characters_and_references_their_case() -> None:
    assert printable("a\x00b\n ") == "ab"
    assert order_reference(" ng-9vzdjq ") == "NG-9VZDJQ"
    assert order_reference("AB\x00C") == ""


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/admin/tickets/%C2%B2/assign"),
        ("POST", "/admin/tickets/T12345678901234567890123/resolve"),
        ("POST", "/admin/catalogue/99999999999999999999999/sale"),
        ("POST", "/admin/catalogue/99999999999999999999999/price"),
        ("GET", "/admin/customers?q=a%00b"),
        ("GET", "/admin/audit?actor=a%00b&subject=%00"),
        ("GET", "/admin/outbox?to=%00"),
        ("GET", "/admin/orders/AB%00C"),
        ("GET", "/admin/orders/ng-aaaaaa/cancel"),
    ],
)
def test_odd_input_never_answers_500(console: Console, method: str, path: str) -> None:
    data = {"_csrf_token": console.csrf("/admin"), "deposit": "1", "gas_price": "1"}
    answer = console.client.request(method, path, data=data if method == "POST" else None)
    assert answer.status_code < 500, answer.text


def test_a_price_from_an_absurd_date_is_refused(console: Console) -> None:
    answer = console.post(
        "/admin/catalogue/1/price",
        {"deposit": "120", "gas_price": "90", "effective_from": "0001-01-01"},
    )
    assert answer.status_code == 200 and "Price change saved" not in answer.text


def test_a_lower_case_reference_finds_the_order(console: Console) -> None:
    msisdn = console.add_customer()
    order = console.place_order(msisdn)
    page = console.client.get(f"/admin/orders/{order.reference.lower()}/cancel")
    assert page.status_code == 200 and order.reference in page.text


def test_session_files_are_private(console: Console) -> None:
    folder = Path(console.settings.database_url.split("///", 1)[1]).parent / "console-sessions"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
