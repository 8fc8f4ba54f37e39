"""The staff console under test: an app on its own SQLite file, staff and customers seeded
through the use cases, a client signed in as a given role, and what the action left behind
(audit entries, SMS in the outbox)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from litestar.testing import TestClient

from lpg_ussd.adapters.persistence.migrate import upgrade
from lpg_ussd.application.customers import Registration
from lpg_ussd.container import Container, build_container
from lpg_ussd.domain.audit import AuditEntry
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderKind, PaymentMethod
from lpg_ussd.domain.outbox import OutboxKind, OutboxMessage
from lpg_ussd.domain.staff import Role
from lpg_ussd.entrypoints.http.app import create_app
from lpg_ussd.settings import Settings
from tests.acceptance.harness import TEST_SETTINGS

T = TypeVar("T")
PASSWORD = "correct horse battery"
BASE_URL = "https://console.test"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


@dataclass
class Console:
    settings: Settings
    client: TestClient[Any]

    def run(self, use: Callable[[Container], Awaitable[T]]) -> T:
        """Run `use` against the same database with a container of its own."""

        async def go() -> T:
            container = build_container(self.settings)
            try:
                return await use(container)
            finally:
                await container.db_engine().dispose()

        return asyncio.run(go())

    def add_staff(self, username: str, role: Role, password: str = PASSWORD) -> None:
        self.run(lambda c: c.create_staff()(username, username.title(), role, password, "test"))

    def add_customer(self, phone: str = "0244000001", first: str = "Ama") -> Msisdn:
        msisdn = Msisdn(f"+233{phone[1:]}")

        async def register(c: Container) -> None:
            pin_hash = await c.pin_hasher().hash("4826")
            await c.register_customer()(
                Registration(msisdn, first, "Mensah", "Accra", None, pin_hash)
            )

        self.run(register)
        return msisdn

    def place_order(
        self, msisdn: Msisdn, method: PaymentMethod = PaymentMethod.ON_DELIVERY
    ) -> Order:
        async def place(c: Container) -> Order:
            async with c.uow()(read_only=True) as uow:
                customer = await uow.customers.get_by_msisdn(msisdn)
            assert customer is not None and customer.id is not None
            cylinders = await c.list_catalogue()()
            placed = await c.place_order()(customer.id, cylinders[0].id, OrderKind.DEPOSIT, method)
            return placed.order  # type: ignore[union-attr]

        return self.run(place)

    def audit(self) -> list[AuditEntry]:
        return self.run(lambda c: c.list_audit()(limit=1000))

    def actions_by(self, actor: str) -> list[tuple[str, str]]:
        return [(e.action, e.subject) for e in self.audit() if e.actor == actor]

    def sms_to(self, msisdn: Msisdn) -> list[str]:
        messages: list[OutboxMessage] = self.run(lambda c: c.list_outbox()(limit=1000))
        return [
            m.payload["text"]
            for m in messages
            if m.kind is OutboxKind.SMS and m.payload["to"] == msisdn.e164
        ]

    def csrf(self, path: str = "/admin/sign-in") -> str:
        match = CSRF.search(self.client.get(path).text)
        assert match, f"no CSRF field on {path}"
        return match.group(1)

    def post(self, path: str, data: dict[str, Any] | None = None, page: str = "/admin") -> Any:
        """Post a console form as the browser would: with the token of the page it is on."""
        return self.client.post(path, data={**(data or {}), "_csrf_token": self.csrf(page)})

    def sign_in(self, username: str, password: str = PASSWORD) -> Any:
        token = self.csrf()
        return self.client.post(
            "/admin/sign-in",
            data={"username": username, "password": password, "_csrf_token": token},
        )

    def flashes(self, path: str) -> str:
        return self.client.get(path).text


def console_settings(tmp_path: Path, **overrides: Any) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'console.db'}"
    return Settings.from_env({}, database_url=url, **{**TEST_SETTINGS, **overrides})


def open_console(tmp_path: Path, **overrides: Any) -> Iterator[Console]:
    settings = console_settings(tmp_path, **overrides)
    upgrade(settings.database_url)
    with TestClient(create_app(settings), base_url=BASE_URL) as client:
        yield Console(settings, client)


def signed_in_as(console: Console, role: Role, username: str | None = None) -> Console:
    name = username or role.value
    console.add_staff(name, role)
    answer = console.sign_in(name)
    assert answer.status_code in (200, 303), answer.text
    return console
