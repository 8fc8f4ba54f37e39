"""One app on its own SQLite file per test, with helpers to make keys and seed the line."""

from __future__ import annotations

from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from litestar.testing import TestClient

from lpg_ussd.adapters.persistence.migrate import upgrade
from lpg_ussd.application.customers import Registration
from lpg_ussd.container import Container, build_container
from lpg_ussd.domain.audit import AuditEntry
from lpg_ussd.domain.customer import Customer
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import Order, OrderKind, PaymentMethod
from lpg_ussd.domain.outbox import OutboxKind
from lpg_ussd.domain.staff import Permission, Role
from lpg_ussd.domain.ticket import Ticket, TicketTopic
from lpg_ussd.entrypoints.http.app import create_app
from lpg_ussd.settings import Settings
from tests.acceptance.harness import TEST_SETTINGS

T = TypeVar("T")
PHONE = "+233244000001"


class ApiLine:
    """The app, its container, and what a test needs to set the scene and look behind it."""

    def __init__(self, client: TestClient[Any], container: Container) -> None:
        self.client = client
        self.container = container

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        # The app's own event loop: the database engine belongs to it.
        async def awaited() -> T:
            return await coro

        return self.client.blocking_portal.call(awaited)

    def key(self, *scopes: Permission, name: str = "erp") -> str:
        _, secret = self.run(self.container.create_api_key()(name, scopes, "test"))
        return secret

    def auth(self, *scopes: Permission, name: str = "erp") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key(*scopes, name=name)}"}

    def customer(self, phone: str = PHONE, first_name: str = "Ama") -> Customer:
        registration = Registration(Msisdn(phone), first_name, "Mensah", "Accra", None, "x")
        return self.run(self.container.register_customer()(registration))

    def order(self, customer: Customer, method: PaymentMethod = PaymentMethod.ON_DELIVERY) -> Order:
        assert customer.id is not None
        placed = self.run(
            self.container.place_order()(customer.id, 1, OrderKind.DEPOSIT, method, None)
        )
        order: Order = placed.order  # type: ignore[union-attr]
        return order

    def ticket(self, customer: Customer) -> Ticket:
        ask = self.container.request_callback()
        return self.run(ask(customer.id, customer.msisdn.e164, TicketTopic.ORDER))

    def staff(self, username: str = "kofi") -> None:
        create = self.container.create_staff()
        self.run(create(username, "Kofi", Role.AGENT, "a long pass phrase", "test"))

    def audit(self) -> list[AuditEntry]:
        return self.run(self.container.list_audit()(None, None, 500))

    def sms_to(self, phone: str = PHONE) -> list[str]:
        async def read() -> list[Any]:
            async with self.container.uow()() as uow:
                return await uow.outbox.list(limit=1000)

        messages = self.run(read())
        return [
            m.payload["text"]
            for m in messages
            if m.kind is OutboxKind.SMS and m.payload["to"] == phone
        ]


def line_settings(database: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{database}"
    return Settings.from_env({}, database_url=url, **TEST_SETTINGS)


@pytest.fixture
def line(tmp_path: Path) -> Iterator[ApiLine]:
    settings = line_settings(tmp_path / "api.db")
    upgrade(settings.database_url)
    container = build_container(settings)
    with TestClient(create_app(settings, container)) as client:
        yield ApiLine(client, container)
