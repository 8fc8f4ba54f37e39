"""Africa's Talking SMS against a local fake that keeps its documented contract."""

from __future__ import annotations

import pytest

from lpg_ussd.adapters.sms.africastalking import (
    PRODUCTION_BASE_URL,
    SANDBOX_BASE_URL,
    AfricasTalkingSmsSender,
)
from lpg_ussd.application.ports import SmsError
from tests.contract.sms.conftest import TIMEOUT
from tests.contract.sms.providers import Delivered, FakeAfricasTalking
from tests.contract.sms.server import LocalServer, Reply, StaticAnswer, closed_port_url

NUMBER = "+233244123456"
TEXT = "Demo Gas: order NG-1234 is paid. Delivery tomorrow. Thank you!"


def recipients(entry: dict[str, object], message: str) -> dict[str, object]:
    return {"SMSMessageData": {"Message": message, "Recipients": [entry]}}


async def refused(sender: AfricasTalkingSmsSender, to: str = NUMBER) -> SmsError:
    with pytest.raises(SmsError) as caught:
        await sender.send(to, TEXT)
    return caught.value


# ---------------------------------------------------------------- the request


async def test_the_request_is_a_form_post_with_the_documented_fields(
    at_sender: AfricasTalkingSmsSender, at: FakeAfricasTalking, server: LocalServer
) -> None:
    await at_sender.send(NUMBER, TEXT)

    (request,) = server.requests
    assert request.method == "POST"
    assert request.path == "/version1/messaging"
    assert request.query == ""
    assert request.headers["apikey"] == at.api_key
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form() == {
        "username": [at.username],
        "to": [NUMBER],  # E.164, with its plus
        "message": [TEXT],
        "from": ["DemoGas"],
    }


async def test_without_a_sender_id_no_from_is_sent(
    server: LocalServer, at: FakeAfricasTalking
) -> None:
    sender = AfricasTalkingSmsSender(at.username, at.api_key, base_url=server.url)
    try:
        await sender.send(NUMBER, TEXT)
    finally:
        await sender.aclose()

    assert "from" not in server.requests[0].form()
    assert at.delivered == [Delivered(NUMBER, TEXT, None)]


async def test_text_beyond_ascii_and_form_characters_arrives_intact(
    at_sender: AfricasTalkingSmsSender, at: FakeAfricasTalking
) -> None:
    text = "Paid GH₵ 150.00 & 10% off: a=b+c? Yes! Akwaaba, Ɔdɔ"

    await at_sender.send(NUMBER, text)

    assert at.delivered == [Delivered(NUMBER, text, "DemoGas")]


# ---------------------------------------------------------------- success


@pytest.mark.parametrize("code", [100, 101, 102])
async def test_processed_sent_or_queued_is_sent(
    at_sender: AfricasTalkingSmsSender, at: FakeAfricasTalking, code: int
) -> None:
    at.success_code = code

    await at_sender.send(NUMBER, TEXT)

    assert at.delivered == [Delivered(NUMBER, TEXT, "DemoGas")]


async def test_a_status_code_written_as_a_string_is_understood(
    at_sender: AfricasTalkingSmsSender, server: LocalServer
) -> None:
    server.install(
        StaticAnswer(
            Reply.of_json(201, recipients({"statusCode": "101", "number": NUMBER}, "Sent"))
        )
    )

    await at_sender.send(NUMBER, TEXT)  # no error


async def test_the_sandbox_takes_the_username_sandbox(server: LocalServer) -> None:
    fake = FakeAfricasTalking(username="sandbox", sender_ids=frozenset())
    server.install(fake)
    sender = AfricasTalkingSmsSender("sandbox", fake.api_key, base_url=server.url)
    try:
        await sender.send(NUMBER, TEXT)
    finally:
        await sender.aclose()

    assert server.requests[0].form()["username"] == ["sandbox"]
    assert len(fake.delivered) == 1


def test_the_sandbox_host_and_the_username_sandbox_go_together() -> None:
    with pytest.raises(ValueError, match="sandbox"):
        AfricasTalkingSmsSender("lpgline", "key", base_url=SANDBOX_BASE_URL)
    with pytest.raises(ValueError, match="sandbox"):
        AfricasTalkingSmsSender("sandbox", "key", base_url=PRODUCTION_BASE_URL)
    AfricasTalkingSmsSender("sandbox", "key", base_url=SANDBOX_BASE_URL)
    AfricasTalkingSmsSender("lpgline", "key")


@pytest.mark.parametrize(
    "arguments",
    [
        {"username": "", "api_key": "key"},
        {"username": "lpgline", "api_key": " "},
        {"username": "lpgline", "api_key": "key", "base_url": "api.africastalking.com"},
        {"username": "lpgline", "api_key": "key", "timeout_seconds": 0},
    ],
)
def test_a_bad_set_up_is_refused_at_start(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        AfricasTalkingSmsSender(**arguments)  # type: ignore[arg-type]


# ---------------------------------------------------------------- permanent failures


async def test_an_invalid_phone_number_is_a_permanent_failure(
    at_sender: AfricasTalkingSmsSender, at: FakeAfricasTalking
) -> None:
    at.refuse[NUMBER] = 403

    error = await refused(at_sender)

    assert error.permanent
    assert "403 InvalidPhoneNumber" in str(error)
    assert at.delivered == []


async def test_a_number_not_in_e164_is_refused_without_calling_out(
    at_sender: AfricasTalkingSmsSender, server: LocalServer
) -> None:
    error = await refused(at_sender, to="0244123456")

    assert error.permanent
    assert server.requests == []


@pytest.mark.parametrize("code", [401, 402, 403, 404, 406, 407, 409])
async def test_a_refused_recipient_is_a_permanent_failure(
    at_sender: AfricasTalkingSmsSender, at: FakeAfricasTalking, code: int
) -> None:
    at.refuse[NUMBER] = code

    error = await refused(at_sender)

    assert error.permanent, code
    assert str(code) in str(error)


async def test_bad_credentials_are_a_permanent_failure(
    server: LocalServer, at: FakeAfricasTalking
) -> None:
    sender = AfricasTalkingSmsSender(at.username, "wrong-key", base_url=server.url)
    try:
        error = await refused(sender)
    finally:
        await sender.aclose()

    assert error.permanent
    assert "credentials refused (HTTP 401)" in str(error)
    assert "wrong-key" not in str(error)


async def test_an_unknown_username_is_a_permanent_failure(
    server: LocalServer, at: FakeAfricasTalking
) -> None:
    sender = AfricasTalkingSmsSender("someone-else", at.api_key, base_url=server.url)
    try:
        error = await refused(sender)
    finally:
        await sender.aclose()

    assert error.permanent


async def test_an_unapproved_sender_id_is_a_permanent_failure(
    server: LocalServer, at: FakeAfricasTalking
) -> None:
    sender = AfricasTalkingSmsSender(
        at.username, at.api_key, sender_id="NotOurs", base_url=server.url
    )
    try:
        error = await refused(sender)  # answered 201 with no recipient, "InvalidSenderId"
    finally:
        await sender.aclose()

    assert error.permanent
    assert "InvalidSenderId" in str(error)


async def test_a_bad_request_is_a_permanent_failure(
    at_sender: AfricasTalkingSmsSender, server: LocalServer
) -> None:
    server.install(StaticAnswer(Reply.of_text(400, "Request is missing required form field")))

    error = await refused(at_sender)

    assert error.permanent
    assert "HTTP 400" in str(error)


# ---------------------------------------------------------------- temporary failures


async def test_insufficient_balance_is_temporary(
    at_sender: AfricasTalkingSmsSender, at: FakeAfricasTalking
) -> None:
    at.credit = 0

    error = await refused(at_sender)

    assert not error.permanent
    assert "405 InsufficientBalance" in str(error)


@pytest.mark.parametrize("code", [500, 501, 502])
async def test_a_provider_side_recipient_failure_is_temporary(
    at_sender: AfricasTalkingSmsSender, at: FakeAfricasTalking, code: int
) -> None:
    at.refuse[NUMBER] = code

    error = await refused(at_sender)

    assert not error.permanent


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_a_server_error_is_temporary(
    at_sender: AfricasTalkingSmsSender, at: FakeAfricasTalking, server: LocalServer, status: int
) -> None:
    server.faults.fail_next(status)

    error = await refused(at_sender)

    assert not error.permanent
    assert f"HTTP {status}" in str(error)
    assert at.delivered == []


async def test_no_answer_in_time_is_temporary(
    at_sender: AfricasTalkingSmsSender, at: FakeAfricasTalking, server: LocalServer
) -> None:
    server.faults.stall_next(seconds=TIMEOUT * 3)

    error = await refused(at_sender)

    assert not error.permanent
    assert "no answer in time" in str(error)
    assert at.delivered == []


async def test_a_refused_connection_is_temporary(at: FakeAfricasTalking) -> None:
    sender = AfricasTalkingSmsSender(at.username, at.api_key, base_url=closed_port_url())
    try:
        error = await refused(sender)
    finally:
        await sender.aclose()

    assert not error.permanent
    assert "network error" in str(error)


@pytest.mark.parametrize(
    "reply",
    [
        Reply.of_text(201, "<html>captive portal</html>"),
        Reply.of_json(201, {"SMSMessageData": {"Message": "?"}}),
        Reply.of_json(201, recipients({"number": NUMBER}, "?")),
    ],
    ids=["not-json", "no-recipients", "no-status-code"],
)
async def test_an_answer_that_does_not_say_sent_is_retried(
    at_sender: AfricasTalkingSmsSender, server: LocalServer, reply: Reply
) -> None:
    server.install(StaticAnswer(reply))

    error = await refused(at_sender)

    assert not error.permanent
    assert "unexpected answer" in str(error)
