"""The web handset at /simulator, in a real browser against the real server: a new customer
dials, registers (features/registration.feature) and is told it will be verified, in Africa's
Talking's form format and in Hubtel's JSON; every hop goes through the callback route."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Page, Request, Response, expect

from tests.browser.server import LiveServer, serve

SERVICE_CODE = "*384*303#"
# features/registration.feature, as typed, and what each answer brings up.
REGISTRATION = [
    ("1", "Enter your first name"),
    ("ama", "Enter your last name"),
    ("MENSAH", "Enter your town or city"),
    ("Accra", "Enter your GhanaPost GPS address"),
    ("ga1838164", "Choose a 4-digit PIN"),
    ("4826", "Enter the same PIN again"),
    ("4826", "Ama Mensah, Accra, GA-183-8164"),
]


@dataclass
class Hop:
    request: Request
    response: Response

    @property
    def path(self) -> str:
        return self.request.url.split("://", 1)[1].split("/", 1)[1]

    @property
    def content_type(self) -> str:
        return self.request.headers.get("content-type", "")

    @property
    def body(self) -> str:
        return self.request.post_data or ""


@dataclass
class WebHandset:
    """The simulator page as a customer uses it; `hops` records what went over the wire."""

    page: Page
    hops: list[Hop] = field(default_factory=list)

    @property
    def screen(self) -> str:
        return self.page.inner_text("#sim-screen")

    def open(self, phone: str, gateway: str) -> None:
        self.page.goto("/simulator")
        self.page.fill("#sim-phone", phone)
        self.page.select_option("#sim-gateway", gateway)

    def _hop(self, act: Callable[[], None]) -> Hop:
        with self.page.expect_response(lambda answer: "/ussd/" in answer.url) as answered:
            act()
        response = answered.value
        hop = Hop(response.request, response)
        self.hops.append(hop)
        expect(self.page.locator("#handset")).not_to_have_attribute("data-state", "busy")
        return hop

    def dial(self, code: str = SERVICE_CODE) -> Hop:
        self.page.fill("#sim-dialled", code)
        return self._hop(lambda: self.page.click("#sim-call"))

    def enter(self, answer: str) -> Hop:
        self.page.fill("#sim-answer", answer)
        return self._hop(lambda: self.page.click("#sim-send"))

    def expect_open(self, text: str) -> None:
        expect(self.page.locator("#handset")).to_have_attribute("data-state", "open")
        expect(self.page.locator("#sim-screen")).to_contain_text(text)

    def expect_ended(self, text: str) -> None:
        expect(self.page.locator("#handset")).to_have_attribute("data-state", "ended")
        expect(self.page.locator("#sim-kind")).to_have_text("Session ended")
        expect(self.page.locator("#sim-screen")).to_contain_text(text)


@pytest.fixture
def handset(page: Page) -> Iterator[WebHandset]:
    yield WebHandset(page)


Reader = Callable[[str], tuple[str, bool]]


def africastalking_answer(body: str) -> tuple[str, bool]:
    assert body.startswith(("CON ", "END ")), body
    return body[4:], body.startswith("END ")


def hubtel_answer(body: str) -> tuple[str, bool]:
    answer = json.loads(body)
    return answer["Message"], answer["Type"] == "Release"


def shows_exactly(handset: WebHandset, hop: Hop, read: Reader) -> None:
    """The phone's screen is the answer's text as it came: line breaks kept, nothing added."""
    screen, ended = read(hop.response.text())
    assert handset.screen == screen
    state = handset.page.get_attribute("#handset", "data-state")
    assert state == ("ended" if ended else "open")


def register(handset: WebHandset, read: Reader, summary: Path | None = None) -> None:
    """Walk the registration; `summary`: where to keep a screenshot of its summary screen."""
    shows_exactly(handset, handset.dial(), read)
    handset.expect_open("Welcome to Demo Gas")
    handset.expect_open("1. Register")
    for answer, shown in REGISTRATION:
        shows_exactly(handset, handset.enter(answer), read)
        handset.expect_open(shown)
    expect(handset.page.locator("#sim-answer")).to_be_visible()
    if summary is not None:
        handset.page.screenshot(path=str(summary), full_page=True)
    shows_exactly(handset, handset.enter("1"), read)
    expect(handset.page.locator("#sim-answer")).to_be_hidden()
    handset.expect_ended("will be verified")


def test_a_new_customer_registers_on_africas_talking(
    handset: WebHandset, live_server: LiveServer, artefacts: Path
) -> None:
    handset.open("0244 100 001", "africastalking")
    register(handset, africastalking_answer)

    for hop in handset.hops:
        assert hop.path == "ussd/africastalking/callback"
        assert hop.content_type == "application/x-www-form-urlencoded"
        assert hop.response.status == 200
    first = parse_qs(handset.hops[0].body, keep_blank_values=True)
    last = parse_qs(handset.hops[-1].body, keep_blank_values=True)
    assert first["text"] == [""] and first["phoneNumber"] == ["+233244100001"]
    assert first["serviceCode"] == [SERVICE_CODE] and first["networkCode"] == ["62001"]
    assert last["text"] == ["1*ama*MENSAH*Accra*ga1838164*4826*4826*1"]
    assert last["sessionId"] == first["sessionId"]
    handset.page.screenshot(path=str(artefacts / "simulator.png"), full_page=True)

    handset.dial()
    handset.expect_ended("under review")


def test_a_new_customer_registers_on_hubtel(handset: WebHandset, artefacts: Path) -> None:
    handset.open("233244100002", "hubtel")
    register(handset, hubtel_answer, summary=artefacts / "simulator-hubtel.png")

    sent = [json.loads(hop.body) for hop in handset.hops]
    assert all(hop.path == "ussd/hubtel/callback" for hop in handset.hops)
    assert all(hop.content_type == "application/json" for hop in handset.hops)
    assert [hop["Type"] for hop in sent] == ["Initiation"] + ["Response"] * 8
    assert [hop["Sequence"] for hop in sent] == list(range(1, 10))
    assert sent[0]["Message"] == SERVICE_CODE and sent[0]["Mobile"] == "233244100002"
    assert [hop["Message"] for hop in sent[1:]] == [a for a, _ in REGISTRATION] + ["1"]
    assert {hop["SessionId"] for hop in sent} == {sent[0]["SessionId"]}
    answers = [json.loads(hop.response.text()) for hop in handset.hops]
    assert sent[2]["ClientState"] == answers[1]["ClientState"]  # echoed, as Hubtel does


def test_the_page_says_when_a_route_needs_a_token(
    page: Page, tmp_path: Path, artefacts: Path
) -> None:
    token = "browser-test-token-0123456789"
    with serve(tmp_path, {"LPG_USSD_NALO_CALLBACK_TOKEN": token}) as server:
        handset = WebHandset(page)
        page.goto(f"{server.url}/simulator")
        page.fill("#sim-phone", "0244100003")
        page.select_option("#sim-gateway", "nalo")
        expect(page.locator("#sim-auth-note")).to_contain_text("callback token")
        expect(page.locator("#sim-auth-note")).to_contain_text("cannot know")

        handset.dial()
        expect(page.locator("#handset")).to_have_attribute("data-state", "error")
        expect(page.locator("#sim-screen")).to_contain_text("HTTP 401")

        page.fill("#sim-token", token)
        hop = handset.dial()
        assert hop.path == f"ussd/nalo/callback/{token}"
        assert json.loads(hop.body)["MSGTYPE"] is True
        handset.expect_open("Welcome to Demo Gas")
        assert len(handset.screen) <= 120
