"""The other callbacks a stranger can reach: Hubtel's checkout fulfilment and the payment
providers' notifications. Any body is settled, ignored or refused (4xx): never a 500, never an
exception logged. (Nothing here talks to a provider: those addresses refuse at once.)"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.acceptance.harness import Harness
from tests.property.conftest import NO_RATE_LIMITS, ErrorLog
from tests.property.strategies import json_scalar, json_value

NOWHERE = "http://127.0.0.1:9"
CHECKOUT = {
    "hubtel_checkout": True,
    "hubtel_checkout_callback_url": f"{NOWHERE}/callback",
    "hubtel_status_base_url": NOWHERE,
    "hubtel_base_url": NOWHERE,
    "hubtel_pos_sales_id": "2000000",
    "hubtel_api_id": "prop-id",
    "hubtel_api_key": "prop-key",
    "provider_timeout_seconds": 1.0,
}
MAX_BODY = 65_536

# Amounts as providers might write them, and as nobody should (one third each). Amounts beyond
# Decimal's range are the subject of their own test below.
amount = st.one_of(
    st.sampled_from(["50", "50.00", "0.001", "-1", "1e3", "1e-9", "NaN", "inf", "-0", " 7 "]),
    st.decimals(min_value=-(10**12), max_value=10**12).map(str),
    json_scalar.map(lambda value: value),  # mapped: not flattened into this one_of
)
fate = st.sampled_from(["keep"] * 6 + ["drop", "any"])


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    harness = Harness(tmp_path_factory.mktemp("callbacks"))
    harness.overrides.update({**NO_RATE_LIMITS, **CHECKOUT})
    yield harness
    harness.close()


def post(line: Harness, errors: ErrorLog, path: str, body: bytes, note: bool = True) -> int:
    headers = {"content-type": "application/json"}
    response = line.run(line.client.post(path, content=body, headers=headers))
    logged = errors.take()
    assert not logged, logged
    if note:  # hypothesis records events only inside a property
        event(f"HTTP {response.status_code}")
    if response.status_code == 413:
        assert len(body) > MAX_BODY
    assert response.status_code < 500, f"HTTP {response.status_code}: {response.text}"
    return int(response.status_code)


@st.composite
def fulfilments(draw: st.DrawFn) -> dict[str, Any]:
    """Hubtel's fulfilment request, each part kept (mostly), dropped or replaced by anything."""
    payment = {
        "IsSuccessful": draw(st.booleans()),
        "AmountPaid": draw(amount),
        "PaymentType": "mobilemoney",
    }
    info = {
        "Status": draw(st.sampled_from(["Paid", "Unpaid", "paid", "?"])),
        "Currency": "GHS",
        "Payment": payment,
        "Items": [{"Name": "6kg", "Qty": 1, "Price": draw(amount)}],
    }
    body: dict[str, Any] = {
        "SessionId": draw(st.sampled_from(["hubtel-1", "nope", " ", "😀" * 40])),
        "OrderId": draw(st.sampled_from(["o-1", "", "\x00"])),
        "ExtraData": draw(st.dictionaries(st.text(max_size=8), json_scalar, max_size=2)),
        "OrderInfo": info,
    }
    for part in (payment, info, body):
        for name in list(part):
            chosen = draw(fate)
            if chosen == "drop":
                del part[name]
            elif chosen == "any":
                part[name] = draw(json_value)
    return body


@given(body=st.one_of(fulfilments(), fulfilments(), fulfilments(), json_value))
def test_any_checkout_fulfilment(line: Harness, errors: ErrorLog, body: Any) -> None:
    post(line, errors, "/ussd/hubtel/fulfilment", json.dumps(body).encode())


@pytest.mark.parametrize("paid", ["9e999999", "1E+999999", "9e999990"])
def test_an_amount_beyond_decimals_range_is_refused_not_a_500(
    line: Harness, errors: ErrorLog, paid: str
) -> None:
    payment = {"IsSuccessful": True, "AmountPaid": paid}
    body = {"SessionId": "hubtel-1", "OrderId": "o-1", "OrderInfo": {"Payment": payment}}
    started = time.perf_counter()
    status = post(line, errors, "/ussd/hubtel/fulfilment", json.dumps(body).encode(), note=False)
    assert status < 500
    assert time.perf_counter() - started < 2, "an absurd amount must not hold the line"


@given(
    provider=st.sampled_from(["simulated", "hubtel_checkout", "mtn_momo", "nobody"]),
    body=st.fixed_dictionaries({"reference": json_value}) | json_value,
)
def test_any_payment_notification(
    line: Harness, errors: ErrorLog, provider: str, body: Any
) -> None:
    post(line, errors, f"/payments/{provider}/callback", json.dumps(body).encode())
