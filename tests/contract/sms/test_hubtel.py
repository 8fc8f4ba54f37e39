"""Hubtel SMS against a local fake that keeps its documented contract."""

from __future__ import annotations

import base64

import pytest

from lpg_ussd.adapters.sms.hubtel import HubtelSmsSender
from lpg_ussd.application.ports import SmsError
from tests.contract.sms.conftest import TIMEOUT
from tests.contract.sms.providers import Delivered, FakeHubtel
from tests.contract.sms.server import LocalServer, Reply, StaticAnswer, closed_port_url

NUMBER = "+233244123456"
DIGITS = "233244123456"
TEXT = "Demo Gas: order NG-1234 is paid. Delivery tomorrow. Thank you!"


async def refused(sender: HubtelSmsSender, to: str = NUMBER) -> SmsError:
    with pytest.raises(SmsError) as caught:
        await sender.send(to, TEXT)
    return caught.value


# ---------------------------------------------------------------- the request


async def test_the_request_is_a_json_post_with_basic_auth(
    hubtel_sender: HubtelSmsSender, hubtel: FakeHubtel, server: LocalServer
) -> None:
    await hubtel_sender.send(NUMBER, TEXT)

    (request,) = server.requests
    assert request.method == "POST"
    assert request.path == "/v1/messages/send"
    pair = f"{hubtel.client_id}:{hubtel.client_secret}".encode()
    assert request.headers["authorization"] == "Basic " + base64.b64encode(pair).decode()
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"From": "DemoGas", "To": DIGITS, "Content": TEXT}
    assert hubtel.delivered == [Delivered(DIGITS, TEXT, "DemoGas")]


async def test_the_client_secret_is_never_in_the_url(
    hubtel_sender: HubtelSmsSender, hubtel: FakeHubtel, server: LocalServer
) -> None:
    await hubtel_sender.send(NUMBER, TEXT)

    (request,) = server.requests
    assert request.query == ""
    assert hubtel.client_secret not in request.path


@pytest.mark.parametrize("sender_id", ["", "   ", "DemoGasGhana"])  # the last has 12 characters
def test_a_sender_id_must_have_1_to_11_characters(sender_id: str) -> None:
    with pytest.raises(ValueError, match="sender id"):
        HubtelSmsSender("id", "secret", sender_id)


def test_a_sender_id_of_11_characters_is_taken() -> None:
    HubtelSmsSender("id", "secret", "DemoGasGhan")


@pytest.mark.parametrize(
    "arguments",
    [
        {"client_id": "", "client_secret": "s", "sender_id": "DemoGas"},
        {"client_id": "i", "client_secret": "", "sender_id": "DemoGas"},
        {"client_id": "i", "client_secret": "s", "sender_id": "DemoGas", "base_url": "smsc"},
    ],
)
def test_a_bad_set_up_is_refused_at_start(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        HubtelSmsSender(**arguments)  # type: ignore[arg-type]


# ---------------------------------------------------------------- success


@pytest.mark.parametrize(
    "reply",
    [
        Reply.of_json(200, {"messageId": "m1", "status": 0}),
        Reply.of_json(201, {"messageId": "m1", "status": "0", "statusDescription": "ok"}),
        Reply.of_json(201, {"messageId": "m1", "rate": 0.03}),  # no status at all
        Reply.of_text(201, ""),  # 2xx is Hubtel's word that it took the message
    ],
    ids=["200", "status-as-string", "no-status", "empty-body"],
)
async def test_a_2xx_answer_is_sent(
    hubtel_sender: HubtelSmsSender, server: LocalServer, reply: Reply
) -> None:
    server.install(StaticAnswer(reply))

    await hubtel_sender.send(NUMBER, TEXT)  # no error


# ---------------------------------------------------------------- permanent failures


async def test_an_invalid_destination_is_a_permanent_failure(
    hubtel_sender: HubtelSmsSender, hubtel: FakeHubtel
) -> None:
    hubtel.refuse[DIGITS] = (400, 1, "invalid destination address")

    error = await refused(hubtel_sender)

    assert error.permanent
    assert "HTTP 400 status 1 invalid destination address" in str(error)
    assert hubtel.delivered == []


async def test_a_number_not_in_e164_is_refused_without_calling_out(
    hubtel_sender: HubtelSmsSender, server: LocalServer
) -> None:
    error = await refused(hubtel_sender, to="233244123456")

    assert error.permanent
    assert server.requests == []


async def test_bad_credentials_are_a_permanent_failure(
    server: LocalServer, hubtel: FakeHubtel
) -> None:
    sender = HubtelSmsSender(hubtel.client_id, "wrong-secret", "DemoGas", base_url=server.url)
    try:
        error = await refused(sender)
    finally:
        await sender.aclose()

    assert error.permanent
    assert "credentials refused" in str(error)
    assert "wrong-secret" not in str(error)


@pytest.mark.parametrize(
    ("http_status", "status"),
    [(400, 2), (400, 3), (400, 4), (400, 6), (400, 8), (403, 0), (404, 0), (201, 6)],
)
async def test_a_refusal_of_the_message_is_a_permanent_failure(
    hubtel_sender: HubtelSmsSender, hubtel: FakeHubtel, http_status: int, status: int
) -> None:
    hubtel.refuse[DIGITS] = (http_status, status, "refused")

    error = await refused(hubtel_sender)

    assert error.permanent, (http_status, status)


# ---------------------------------------------------------------- temporary failures


async def test_no_messaging_credit_is_temporary(
    hubtel_sender: HubtelSmsSender, hubtel: FakeHubtel
) -> None:
    hubtel.credit = 0

    error = await refused(hubtel_sender)

    assert not error.permanent
    assert "HTTP 402" in str(error)


async def test_payment_required_as_a_sub_code_is_temporary(
    hubtel_sender: HubtelSmsSender, hubtel: FakeHubtel
) -> None:
    hubtel.refuse[DIGITS] = (400, 12, "payment required on account")

    error = await refused(hubtel_sender)

    assert not error.permanent


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_a_server_error_is_temporary(
    hubtel_sender: HubtelSmsSender, hubtel: FakeHubtel, server: LocalServer, status: int
) -> None:
    server.faults.fail_next(status)

    error = await refused(hubtel_sender)

    assert not error.permanent
    assert f"HTTP {status}" in str(error)
    assert hubtel.delivered == []


async def test_no_answer_in_time_is_temporary(
    hubtel_sender: HubtelSmsSender, hubtel: FakeHubtel, server: LocalServer
) -> None:
    server.faults.stall_next(seconds=TIMEOUT * 3)

    error = await refused(hubtel_sender)

    assert not error.permanent
    assert "no answer in time" in str(error)
    assert hubtel.delivered == []


async def test_a_refused_connection_is_temporary(hubtel: FakeHubtel) -> None:
    sender = HubtelSmsSender(
        hubtel.client_id, hubtel.client_secret, "DemoGas", base_url=closed_port_url()
    )
    try:
        error = await refused(sender)
    finally:
        await sender.aclose()

    assert not error.permanent
