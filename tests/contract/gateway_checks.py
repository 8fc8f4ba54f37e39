"""What the contract tests of the JSON aggregators (Hubtel, Arkesel, Nalo) share.

Each test posts a body as the aggregator would and reads back the HTTP answer; `answer()`
insists on a 200 whose JSON is well formed and whose text fits the gateway's screen in GSM-7.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.application.ussd.session import SessionRecord
from lpg_ussd.application.ussd.texts import is_gsm7, load_texts
from lpg_ussd.domain.customer import Customer
from lpg_ussd.domain.outbox import OutboxKind
from tests.acceptance.handsets import Handset
from tests.acceptance.harness import Harness

JSON = "application/json"
NUMBER = "+233244000001"
TEXTS = load_texts("en")
WELCOME = "Welcome to Demo Gas\n1. Register\n2. Customer care"
FIRST_NAME = TEXTS("register.first_name")
NO_ORDERS = TEXTS("orders.none")
# Bodies no aggregator should send, each refused with 400 by every JSON gateway.
NOT_AN_OBJECT = [
    pytest.param(b"", id="empty body"),
    pytest.param(b"{", id="truncated JSON"),
    pytest.param(b"SessionId=1&Mobile=233244000001", id="a form"),
    pytest.param(b"\xff\xfe{}", id="invalid utf-8"),
    pytest.param(b"[]", id="an array"),
    pytest.param(b'"initiation"', id="a string"),
    pytest.param(b"null", id="null"),
    pytest.param(b"42", id="a number"),
    pytest.param(b"true", id="a boolean"),
]


def post(line: Harness, gateway: str, body: bytes | dict[str, Any]) -> Any:
    content = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = {"content-type": JSON}
    return line.run(line.client.post(f"/ussd/{gateway}/callback", content=content, headers=headers))


def answer(response: Any, text_field: str, limit: int) -> dict[str, Any]:
    """The JSON answer of a hop, checked: HTTP 200, an object, its text within the screen."""
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text}"
    assert response.headers["content-type"] == JSON, response.headers
    assert response.headers["content-length"] == str(len(response.content)), response.headers
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    text = body[text_field]
    assert isinstance(text, str), body
    assert len(text) <= limit, f"{len(text)} characters:\n{text}"
    assert is_gsm7(text), f"not GSM-7: {text!r}"
    return body


def refused(response: Any, reason: str = "") -> None:
    assert response.status_code == 400, f"HTTP {response.status_code}: {response.text}"
    assert reason in response.text, response.text


def session(line: Harness, number: str = NUMBER) -> SessionRecord | None:
    record: SessionRecord | None = line.run(line.container.session_store().get(number))
    return record


def customers(line: Harness) -> list[Customer]:
    async def read() -> list[Customer]:
        async with line.container.uow()() as uow:
            return await uow.customers.list(limit=1000)

    return line.run(read())


def payment_requests(line: Harness) -> int:
    return len(line.outbox(OutboxKind.PAYMENT_REQUEST))


def order_count(line: Harness, number: str = NUMBER) -> int:
    card = line.run(line.container.find_customer_card()(number))
    if card is None:
        return 0
    return len(line.run(line.container.customer_orders()(card.id, 100)))


def random_bodies(template: dict[str, Any], count: int, seed: int) -> list[bytes]:
    """Random bytes, and the template with fields replaced by random values of every type."""
    rng = random.Random(seed)
    alphabet = '0123456789*#+ %&=\x00\r\n\t\x1bƐɛƆɔ₵😀aZ"{}[]'
    values: list[Any] = [None, True, False, 0, -1, 2**70, 1.5, [], {}, [1, "a"], {"a": 1}, ""]
    bodies = [rng.randbytes(rng.randint(0, 200)) for _ in range(count)]
    for _ in range(count):
        payload = dict(template)
        for name in rng.sample(sorted(payload), rng.randint(1, len(payload))):
            if rng.random() < 0.5:
                payload[name] = rng.choice(values)
            else:
                payload[name] = "".join(rng.choices(alphabet, k=rng.randint(0, 300)))
        if rng.random() < 0.2:
            payload.pop(rng.choice(sorted(payload)))
        bodies.append(json.dumps(payload).encode())
    return bodies


def registered(line: Harness, gateway: str, verified: bool = True, pin: str = "4826") -> Handset:
    """A customer registered through `gateway` (and verified by staff, unless told not)."""
    phone = Handset(line, NUMBER, gateway=gateway)
    phone.dial()
    for entry in ("1", "Ama", "Mensah", "Accra", "GA-183-8164", pin, pin, "1"):
        phone.enter(entry)
    assert phone.ended and "will be verified" in phone.screen, phone.screen
    if verified:
        line.run(line.container.verify_customer()(normalise_msisdn(NUMBER)))
    return phone
