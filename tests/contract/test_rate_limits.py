"""Hops over the per-phone or per-source limit get a polite answer, never an error page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from lpg_ussd.adapters.rate_limits import InMemoryRateLimiter
from lpg_ussd.application.ussd.texts import load_texts
from tests.acceptance.harness import Harness

SLOW_DOWN = load_texts("en")("common.slow_down")


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    harness.overrides.update(rate_limit_phone_per_minute=3, rate_limit_source_per_minute=5)
    yield harness
    harness.close()


def hop(line: Harness, phone: str, text: str = "", forwarded: str | None = None) -> str:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if forwarded:
        headers["x-forwarded-for"] = forwarded
    form = {"sessionId": f"s-{phone}", "phoneNumber": phone, "text": text}
    response = line.run(
        line.client.post("/ussd/africastalking/callback", content=urlencode(form), headers=headers)
    )
    assert response.status_code == 200
    return str(response.text)


def test_a_phone_over_its_limit_is_asked_to_slow_down(line: Harness) -> None:
    answers = [hop(line, "0244000001", "1" * i) for i in range(4)]

    assert all(a.startswith("CON ") for a in answers[:3])
    assert answers[3] == "END " + SLOW_DOWN
    assert hop(line, "0244000002").startswith("CON ")  # another phone goes on


def test_a_source_over_its_limit_is_asked_to_slow_down(line: Harness) -> None:
    answers = [hop(line, f"024400001{i}") for i in range(6)]

    assert all(a.startswith("CON ") for a in answers[:5])
    assert answers[5] == "END " + SLOW_DOWN


def test_a_forged_forwarded_address_does_not_escape_the_source_limit(line: Harness) -> None:
    answers = [hop(line, f"024400002{i}", forwarded=f"10.0.0.{i}") for i in range(6)]

    assert answers[5] == "END " + SLOW_DOWN


async def test_a_limit_of_zero_is_no_limit() -> None:
    limiter = InMemoryRateLimiter(phone_per_minute=0, source_per_minute=0)

    assert all([await limiter.allow("+233244000001", "127.0.0.1") for _ in range(1000)])


async def test_the_window_moves_on_after_a_minute() -> None:
    now = [0.0]
    limiter = InMemoryRateLimiter(phone_per_minute=1, source_per_minute=0, clock=lambda: now[0])

    assert await limiter.allow("+233244000001", None)
    assert not await limiter.allow("+233244000001", None)
    now[0] = 61.0
    assert await limiter.allow("+233244000001", None)
