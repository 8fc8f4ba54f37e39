"""Arkesel SMS against a local fake that keeps its documented contract."""

from __future__ import annotations

import pytest

from lpg_ussd.adapters.sms.arkesel import ArkeselSmsSender
from lpg_ussd.application.ports import SmsError
from tests.contract.sms.conftest import TIMEOUT
from tests.contract.sms.providers import Delivered, FakeArkesel
from tests.contract.sms.server import LocalServer, Reply, StaticAnswer, closed_port_url

NUMBER = "+233244123456"
DIGITS = "233244123456"
TEXT = "Demo Gas: order NG-1234 is paid. Delivery tomorrow. Thank you!"


async def refused(sender: ArkeselSmsSender, to: str = NUMBER) -> SmsError:
    with pytest.raises(SmsError) as caught:
        await sender.send(to, TEXT)
    return caught.value


# ---------------------------------------------------------------- the request


async def test_the_request_is_a_json_post_with_the_documented_fields(
    arkesel_sender: ArkeselSmsSender, arkesel: FakeArkesel, server: LocalServer
) -> None:
    await arkesel_sender.send(NUMBER, TEXT)

    (request,) = server.requests
    assert request.method == "POST"
    assert request.path == "/api/v2/sms/send"
    assert request.query == ""
    assert request.headers["api-key"] == arkesel.api_key
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"sender": "DemoGas", "message": TEXT, "recipients": [DIGITS]}
    assert arkesel.delivered == [Delivered(DIGITS, TEXT, "DemoGas")]


@pytest.mark.parametrize("sender_id", ["", "DemoGasGhana"])
def test_a_sender_id_must_have_1_to_11_characters(sender_id: str) -> None:
    with pytest.raises(ValueError, match="sender id"):
        ArkeselSmsSender("key", sender_id)


def test_an_api_key_is_required() -> None:
    with pytest.raises(ValueError, match="API key"):
        ArkeselSmsSender("", "DemoGas")


# ---------------------------------------------------------------- success


async def test_status_success_is_sent(
    arkesel_sender: ArkeselSmsSender, server: LocalServer
) -> None:
    server.install(StaticAnswer(Reply.of_json(200, {"status": "Success", "data": []})))

    await arkesel_sender.send(NUMBER, TEXT)  # no error, whatever the case of "success"


# ---------------------------------------------------------------- permanent failures


async def test_an_invalid_number_is_a_permanent_failure(
    arkesel_sender: ArkeselSmsSender, arkesel: FakeArkesel
) -> None:
    arkesel.refuse = frozenset({DIGITS})

    error = await refused(arkesel_sender)

    assert error.permanent
    assert "HTTP 422 Invalid phone number" in str(error)
    assert arkesel.delivered == []


async def test_a_number_not_in_e164_is_refused_without_calling_out(
    arkesel_sender: ArkeselSmsSender, server: LocalServer
) -> None:
    error = await refused(arkesel_sender, to="+0244")

    assert error.permanent
    assert server.requests == []


async def test_a_bad_api_key_is_a_permanent_failure(
    server: LocalServer, arkesel: FakeArkesel
) -> None:
    sender = ArkeselSmsSender("wrong-key", "DemoGas", base_url=server.url)
    try:
        error = await refused(sender)
    finally:
        await sender.aclose()

    assert error.permanent
    assert "HTTP 401" in str(error)
    assert "wrong-key" not in str(error)


async def test_an_unapproved_sender_id_is_a_permanent_failure(
    server: LocalServer, arkesel: FakeArkesel
) -> None:
    sender = ArkeselSmsSender(arkesel.api_key, "NotOurs", base_url=server.url)
    try:
        error = await refused(sender)
    finally:
        await sender.aclose()

    assert error.permanent
    assert "Sender ID" in str(error)


async def test_an_error_status_in_a_2xx_answer_is_a_permanent_failure(
    arkesel_sender: ArkeselSmsSender, server: LocalServer
) -> None:
    server.install(StaticAnswer(Reply.of_json(200, {"status": "error", "message": "Rejected"})))

    error = await refused(arkesel_sender)

    assert error.permanent
    assert "Rejected" in str(error)


# ---------------------------------------------------------------- temporary failures


async def test_insufficient_balance_is_temporary(
    arkesel_sender: ArkeselSmsSender, arkesel: FakeArkesel
) -> None:
    arkesel.credit = 0

    error = await refused(arkesel_sender)

    assert not error.permanent
    assert "Insufficient balance" in str(error)


async def test_a_balance_problem_told_in_words_is_temporary(
    arkesel_sender: ArkeselSmsSender, server: LocalServer
) -> None:
    reply = Reply.of_json(422, {"status": "error", "message": "You have insufficient credit"})
    server.install(StaticAnswer(reply))

    error = await refused(arkesel_sender)

    assert not error.permanent


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_a_server_error_is_temporary(
    arkesel_sender: ArkeselSmsSender, arkesel: FakeArkesel, server: LocalServer, status: int
) -> None:
    server.faults.fail_next(status)

    error = await refused(arkesel_sender)

    assert not error.permanent
    assert f"HTTP {status}" in str(error)
    assert arkesel.delivered == []


async def test_no_answer_in_time_is_temporary(
    arkesel_sender: ArkeselSmsSender, arkesel: FakeArkesel, server: LocalServer
) -> None:
    server.faults.stall_next(seconds=TIMEOUT * 3)

    error = await refused(arkesel_sender)

    assert not error.permanent
    assert "no answer in time" in str(error)
    assert arkesel.delivered == []


async def test_a_refused_connection_is_temporary(arkesel: FakeArkesel) -> None:
    sender = ArkeselSmsSender(arkesel.api_key, "DemoGas", base_url=closed_port_url())
    try:
        error = await refused(sender)
    finally:
        await sender.aclose()

    assert not error.permanent


@pytest.mark.parametrize(
    "reply",
    [Reply.of_text(200, "<html>captive portal</html>"), Reply.of_json(200, {"data": []})],
    ids=["not-json", "no-status"],
)
async def test_a_2xx_answer_that_does_not_say_success_is_retried(
    arkesel_sender: ArkeselSmsSender, server: LocalServer, reply: Reply
) -> None:
    server.install(StaticAnswer(reply))

    error = await refused(arkesel_sender)

    assert not error.permanent
    assert "unexpected answer" in str(error)
