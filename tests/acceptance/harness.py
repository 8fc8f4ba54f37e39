"""Drives the real HTTP app, as an aggregator would, for the Gherkin scenarios."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from litestar.testing import AsyncTestClient

from lpg_ussd.adapters.persistence.migrate import upgrade
from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.application.ussd.texts import is_gsm7
from lpg_ussd.container import Container, build_container
from lpg_ussd.domain.outbox import OutboxKind, OutboxMessage
from lpg_ussd.entrypoints.http.app import create_app
from lpg_ussd.settings import Settings

T = TypeVar("T")

TEST_SETTINGS: dict[str, Any] = {
    "run_worker": False,
    "simulated_payment_delay_seconds": 0,
    "pin_hash_time_cost": 1,
    "pin_hash_memory_kib": 1024,
    "auto_migrate": False,
    "staff_alert_numbers": ("+233200000999",),
    # Scenarios dial far faster than a person; the limits have tests of their own.
    "rate_limit_phone_per_minute": 0,
}


class Harness:
    """One app on its own SQLite file, built on first use so steps can change settings."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.overrides: dict[str, Any] = {}
        self.runner = asyncio.Runner()
        self._client: AsyncTestClient[Any] | None = None
        self._container: Container | None = None

    @property
    def settings(self) -> Settings:
        url = f"sqlite+aiosqlite:///{self.workdir / 'line.db'}"
        return Settings.from_env({}, database_url=url, **{**TEST_SETTINGS, **self.overrides})

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    @property
    def container(self) -> Container:
        self._start()
        assert self._container is not None
        return self._container

    @property
    def client(self) -> AsyncTestClient[Any]:
        self._start()
        assert self._client is not None
        return self._client

    def _start(self) -> None:
        if self._client is not None:
            return
        settings = self.settings
        upgrade(settings.database_url)
        self._container = build_container(settings)
        self._client = AsyncTestClient(create_app(settings, self._container))
        self.run(self._client.__aenter__())

    def post_form(self, path: str, form: dict[str, str]) -> Any:
        body = urlencode(form)
        headers = {"content-type": "application/x-www-form-urlencoded"}
        return self.run(self.client.post(path, content=body, headers=headers))

    def settle(self) -> None:
        """Let the worker send the outbox and the provider answer, as time would."""

        async def rounds() -> None:
            worker = self.container.worker()
            for _ in range(3):
                await worker.run_once()
                await self.container.simulated_payments().drain()

        self.run(rounds())

    def outbox(self, kind: OutboxKind | None = None) -> list[OutboxMessage]:
        async def read() -> list[OutboxMessage]:
            async with self.container.uow()() as uow:
                return await uow.outbox.list(limit=1000)

        messages = self.run(read())
        return [m for m in messages if kind is None or m.kind is kind]

    def sms_to(self, phone: str) -> list[str]:
        number = normalise_msisdn(phone).e164
        return [m.payload["text"] for m in self.outbox(OutboxKind.SMS) if m.payload["to"] == number]

    def close(self) -> None:
        if self._client is not None:
            self.run(self._client.__aexit__(None, None, None))
        self.runner.close()


class Phone:
    """A handset on the Africa's Talking line: `text` carries every answer so far."""

    def __init__(self, harness: Harness, number: str, limit: int = 160) -> None:
        self.harness = harness
        self.number = number
        self.limit = limit
        self.session_id = ""
        self.answers: list[str] = []
        self.screen = ""
        self.ended = True
        self.status = 0
        self.seen: list[str] = []
        self.path = "/ussd/africastalking/callback"

    def _form(self) -> dict[str, str]:
        return {
            "sessionId": self.session_id,
            "serviceCode": "*384*303#",
            "phoneNumber": self.number,
            "networkCode": "62001",
            "text": "*".join(self.answers),
        }

    def _send(self) -> str:
        response = self.harness.post_form(self.path, self._form())
        self.status = response.status_code
        body = response.text
        assert response.status_code == 200, f"HTTP {response.status_code}: {body}"
        assert body.startswith(("CON ", "END ")), f"not a USSD answer: {body!r}"
        self.ended = body.startswith("END ")
        self.screen = body[4:]
        self.seen.append(self.screen)
        assert len(self.screen) <= self.limit, f"{len(self.screen)} characters:\n{self.screen}"
        assert is_gsm7(self.screen), f"not GSM-7: {self.screen!r}"
        return self.screen

    def dial(self) -> str:
        self.session_id = "ATUid_" + uuid.uuid4().hex
        self.answers = []
        return self._send()

    def enter(self, answer: str) -> str:
        assert not self.ended, f"the session had ended with: {self.screen}"
        self.answers.append(answer)
        return self._send()

    def resend(self) -> str:
        return self._send()
