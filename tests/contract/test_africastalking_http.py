"""Africa's Talking's callback over HTTP: bad requests get a clear 4xx, never a 500, and bad
answers a polite re-prompt; nothing wrong is stored either way."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from lpg_ussd.application.ussd.session import SessionRecord
from lpg_ussd.application.ussd.texts import is_gsm7, load_texts
from lpg_ussd.domain.customer import Customer
from lpg_ussd.domain.msisdn import Msisdn
from tests.acceptance.harness import Harness

CALLBACK = "/ussd/africastalking/callback"
LEGACY_CALLBACK = "/ussd/callback"
FORM = "application/x-www-form-urlencoded"
NUMBER = "+233244000001"
SCREEN_LIMIT = 160
TEXTS = load_texts("en")
WELCOME = "Welcome to Demo Gas\n1. Register\n2. Customer care"
FIRST_NAME = TEXTS("register.first_name")


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.close()


def form(session_id: str = "ATUid_contract", text: str = "", **fields: str) -> dict[str, str]:
    return {
        "sessionId": session_id,
        "serviceCode": "*384*303#",
        "phoneNumber": NUMBER,
        "networkCode": "62001",
        "text": text,
        **fields,
    }


def post(line: Harness, body: bytes | str, path: str = CALLBACK, content_type: str = FORM) -> Any:
    headers = {"content-type": content_type}
    return line.run(line.client.post(path, content=body, headers=headers))


def hop(line: Harness, text: str, path: str = CALLBACK, session_id: str = "ATUid_contract") -> str:
    """One hop that must be answered as a USSD screen; returns the body (`CON ` or `END `)."""
    response = post(line, urlencode(form(session_id, text)), path)
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text}"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-length"] == str(len(response.content))
    body = response.text
    assert body.startswith(("CON ", "END ")), body
    screen = body[4:]
    assert len(screen) <= SCREEN_LIMIT, f"{len(screen)} characters:\n{screen}"
    assert is_gsm7(screen), f"not GSM-7: {screen!r}"
    return str(body)


def session(line: Harness, number: str = NUMBER) -> SessionRecord | None:
    record: SessionRecord | None = line.run(line.container.session_store().get(number))
    return record


def customers(line: Harness) -> list[Customer]:
    async def read() -> list[Customer]:
        async with line.container.uow()() as uow:
            return await uow.customers.list(limit=1000)

    return line.run(read())


def assert_reprompt(body: str, previous: str, reasons: set[str]) -> None:
    """The same screen again, with a one-line reason on top, and the session goes on."""
    assert body.startswith("CON "), body
    reason, _, rest = body[4:].partition("\n")
    assert reason in reasons, f"{reason!r} is not a reason:\n{body}"
    assert rest == previous, f"not the same screen:\n{previous}\n---\n{rest}"


# -- requests that cannot be read: HTTP 400 with a clear message ------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"", "session id", id="empty body"),
        pytest.param(b"sessionId=\xff\xfe&phoneNumber=\xc3(", "not a form", id="invalid utf-8"),
        pytest.param(
            urlencode({k: v for k, v in form().items() if k != "sessionId"}),
            "session id",
            id="no sessionId",
        ),
        pytest.param(urlencode(form(session_id="")), "session id", id="blank sessionId"),
        pytest.param(urlencode(form(session_id="x" * 129)), "session id", id="huge sessionId"),
        pytest.param(urlencode(form(session_id="AT\x00id")), "session id", id="control sessionId"),
        pytest.param(
            urlencode({k: v for k, v in form().items() if k != "phoneNumber"}),
            "phoneNumber",
            id="no phoneNumber",
        ),
        pytest.param(b'{"sessionId": "ATUid_1"}', "session id", id="json body"),
    ],
)
def test_an_unreadable_request_is_refused_with_400(
    line: Harness, body: bytes | str, message: str
) -> None:
    response = post(line, body)

    assert response.status_code == 400
    assert message in response.text
    assert session(line) is None
    assert customers(line) == []


@pytest.mark.parametrize(
    "number",
    ["", "   ", "abc", "12", "1234567890", "+999123456789", "+2332440000011", "0244\x00000001"],
)
def test_an_invalid_phone_number_is_refused_with_400(line: Harness, number: str) -> None:
    response = post(line, urlencode(form(phoneNumber=number)))

    assert response.status_code == 400
    assert "phoneNumber" in response.text
    assert customers(line) == []


@pytest.mark.parametrize("number", ["0000000000", "024400000"])
def test_a_number_no_network_could_have_is_refused_with_400(line: Harness, number: str) -> None:
    response = post(line, urlencode(form(phoneNumber=number)))

    assert response.status_code == 400


@pytest.mark.parametrize("number", ["0244000001", "233244000001", "+233 24 400 0001"])
def test_a_number_in_any_usual_form_is_kept_in_e164(line: Harness, number: str) -> None:
    response = post(line, urlencode(form(phoneNumber=number)))

    assert response.status_code == 200
    assert session(line) is not None  # keyed by +233244000001


def test_an_unknown_gateway_is_404(line: Harness) -> None:
    response = post(line, urlencode(form()), "/ussd/no-such-aggregator/callback")

    assert response.status_code == 404
    assert "unknown gateway" in response.text
    assert session(line) is None


def test_a_body_over_the_size_limit_is_413(line: Harness) -> None:
    limit = line.settings.max_body_bytes
    body = urlencode(form(text="1" * limit))

    response = post(line, body)

    assert response.status_code == 413
    assert session(line) is None


# -- both routes speak Africa's Talking ---------------------------------------------------


@pytest.mark.parametrize("path", [CALLBACK, LEGACY_CALLBACK])
def test_both_routes_answer_a_dial(line: Harness, path: str) -> None:
    assert hop(line, "", path) == "CON " + WELCOME


def test_the_two_routes_share_one_dialogue(line: Harness) -> None:
    hop(line, "", CALLBACK)
    assert hop(line, "1", LEGACY_CALLBACK) == "CON " + FIRST_NAME
    assert hop(line, "1*Ama", CALLBACK) == "CON " + TEXTS("register.last_name")


# -- answers that make no sense: a polite re-prompt, GSM-7, within the screen -------------

BAD_ANSWERS = [
    pytest.param("x" * 10_000, id="10000 characters"),
    pytest.param("1" * 10_000, id="10000 digits"),
    pytest.param("1*" * 5_000, id="10000 characters of stars"),
    pytest.param("😀🔥", id="emoji"),
    pytest.param("₵50", id="cedi sign"),
    pytest.param("Ɛɛ Ɔɔ", id="ghanaian letters"),
    pytest.param("\x00", id="nul"),
    pytest.param("\r\n", id="carriage return"),
    pytest.param("\t", id="tab"),
    pytest.param("\x1b[2J", id="escape sequence"),
    pytest.param("\x00\r\t\x1b", id="control characters"),
    pytest.param("\ufffd", id="replacement character"),
]
MENU_REASONS = {TEXTS("common.choose_option")}
NAME_REASONS = {TEXTS("reason.name_letters"), TEXTS("reason.name_length")}


@pytest.mark.parametrize("answer", BAD_ANSWERS)
def test_a_bad_answer_to_a_menu_is_reprompted(line: Harness, answer: str) -> None:
    welcome = hop(line, "")

    body = hop(line, answer)

    assert_reprompt(body, welcome[4:], MENU_REASONS)
    record = session(line)
    assert record is not None and record.path == ["welcome"] and record.strikes == 1


# On the first screen an empty answer cannot be told from a repeated dial (both send text ""),
# so it is tried on a prompt only.
@pytest.mark.parametrize("answer", [*BAD_ANSWERS, pytest.param("", id="empty answer")])
def test_a_bad_answer_to_a_prompt_is_reprompted(line: Harness, answer: str) -> None:
    hop(line, "")
    prompt = hop(line, "1")

    body = hop(line, "1*" + answer)

    assert_reprompt(body, prompt[4:], NAME_REASONS)
    record = session(line)
    assert record is not None and record.path[-1] == "reg_first"
    assert "first_name" not in record.data


def test_percent_escapes_that_are_not_utf8_are_reprompted(line: Harness) -> None:
    hop(line, "")
    prompt = hop(line, "1")
    body = "sessionId=ATUid_contract&phoneNumber=%2B233244000001&text=1%2A%E2%82%FF"

    response = post(line, body)

    assert response.status_code == 200
    assert_reprompt(response.text, prompt[4:], NAME_REASONS)


def test_a_control_character_never_reaches_what_is_stored(line: Harness) -> None:
    hop(line, "")
    hop(line, "1")

    hop(line, "1*Ama\x00")
    hop(line, "1*Ama\x00*Men\tsah\r")

    record = session(line)
    assert record is not None
    assert record.data["first_name"] == "Ama"
    assert record.data["last_name"] == "Mensah"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        (["Ɛfua"], "first name"),
        (["Akosua", "Ɔwusu"], "last name"),
        (["Kwamé"], "first name"),
        (["Ama", "Mensah", "Dambaï"], "town"),
        (["Ａｍａ"], "first name"),  # fullwidth letters
        (["Ama😀"], "first name"),
    ],
)
def test_a_name_with_unicode_is_refused_and_not_stored(
    line: Harness, answers: list[str], field: str
) -> None:
    hop(line, "")
    texts = ["1"]
    previous = hop(line, "1")
    for answer in answers:
        texts.append(answer)
        body = hop(line, "*".join(texts))
        if answer.isascii():
            previous = body
    reasons = {TEXTS("reason.name_letters"), TEXTS("reason.town_letters")}

    assert_reprompt(body, previous[4:], reasons)
    record = session(line)
    assert record is not None
    assert all(str(value).isascii() for value in record.data.values()), record.data
    assert customers(line) == []


def test_a_unicode_name_refused_then_an_ascii_one_is_registered(line: Harness) -> None:
    answers = ["1", "Ɛfua", "Efua", "Ɔwusu", "Owusu", "Accra", "9", "4826", "4826", "1"]
    hop(line, "")
    for count in range(1, len(answers) + 1):
        body = hop(line, "*".join(answers[:count]))

    assert body.startswith("END ") and "will be verified" in body
    [customer] = customers(line)
    assert (customer.first_name, customer.last_name, customer.town) == ("Efua", "Owusu", "Accra")
    assert customer.msisdn == Msisdn(NUMBER)


# -- whatever arrives: never a 500 ----------------------------------------------------------


def random_bodies(count: int, seed: int = 303) -> list[bytes]:
    """Random bytes, and forms whose fields hold random text of every kind."""
    rng = random.Random(seed)
    alphabet = "0123456789*#+ %&=\x00\r\n\t\x1bƐɛƆɔ₵😀aZ"
    bodies = [rng.randbytes(rng.randint(0, 300)) for _ in range(count)]
    for _ in range(count):
        fields = form(
            session_id="".join(rng.choices(alphabet, k=rng.randint(0, 12))) or "s",
            text="".join(rng.choices(alphabet, k=rng.randint(0, 400))),
        )
        if rng.random() < 0.5:
            fields["phoneNumber"] = "".join(rng.choices(alphabet, k=rng.randint(0, 16)))
        bodies.append(urlencode(fields).encode())
    return bodies


def test_no_body_whatever_its_bytes_gives_a_server_error(line: Harness) -> None:
    for body in random_bodies(100):
        response = post(line, body)

        assert response.status_code in (200, 400), (body, response.status_code, response.text)
        if response.status_code == 200:
            assert response.text.startswith(("CON ", "END ")), (body, response.text)
            assert len(response.text) - 4 <= SCREEN_LIMIT
            assert is_gsm7(response.text), (body, response.text)
