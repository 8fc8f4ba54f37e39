"""Callback authentication per gateway: a secret path token, HTTP Basic credentials, allowed
source networks (a trusted proxy's X-Forwarded-For believed, nobody else's). A refused request
gets 401 or 403 and leaves no session and no customer behind; an open route is warned about at
start-up."""

from __future__ import annotations

import base64
import logging
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from lpg_ussd.adapters.persistence.migrate import upgrade
from lpg_ussd.application.ussd.session import SessionRecord
from lpg_ussd.container import Container, build_container
from lpg_ussd.entrypoints.http.app import callback_routes, create_app
from lpg_ussd.entrypoints.http.callback_auth import (
    CallbackAuth,
    basic_credentials,
    parse_address,
)
from lpg_ussd.settings import CALLBACK_GATEWAYS, Settings, SettingsError
from tests.acceptance.harness import TEST_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
FORM = "application/x-www-form-urlencoded"
NUMBER = "+233244000001"
TOKEN = "s3cret-Token_0123456789"
OTHER_TOKEN = "s3cret-Token_0123456788"
USER, PASSWORD = "aggregator", "pass:word-with-colon"
AGGREGATOR = "198.51.100.7"  # inside ALLOWED
STRANGER = "203.0.113.50"  # outside ALLOWED
PROXY = "10.1.2.3"  # inside TRUSTED
ALLOWED = "198.51.100.0/24"
TRUSTED = "10.0.0.0/8"
WELCOME = "CON Welcome to Demo Gas"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def dial(session_id: str = "ATUid_auth") -> str:
    return urlencode(
        {
            "sessionId": session_id,
            "serviceCode": "*384*303#",
            "phoneNumber": NUMBER,
            "networkCode": "62001",
            "text": "",
        }
    )


class Line:
    """The app on its own migrated SQLite file, called from any address."""

    def __init__(self, workdir: Path, template: Path, **overrides: Any) -> None:
        path = workdir / "line.db"
        shutil.copyfile(template, path)
        settings = Settings.from_env(
            {}, database_url=f"sqlite+aiosqlite:///{path}", **{**TEST_SETTINGS, **overrides}
        )
        self.container: Container = build_container(settings)
        self.app = create_app(settings, self.container)

    async def post(
        self,
        path: str,
        body: str = "",
        *,
        peer: str = "127.0.0.1",
        headers: dict[str, str] | None = None,
        content_type: str = FORM,
    ) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://line.test") as client:
            sent = {"content-type": content_type, **(headers or {})}
            return await client.post(path, content=body, headers=sent)

    async def session(self) -> SessionRecord | None:
        record: SessionRecord | None = await self.container.session_store().get(NUMBER)
        return record

    async def customer_count(self) -> int:
        async with self.container.uow()() as uow:
            return len(await uow.customers.list(limit=1000))

    async def outcome_count(self) -> int:
        async with self.container.uow()() as uow:
            return sum(count.count for count in await uow.session_outcomes.counts())

    async def assert_untouched(self) -> None:
        assert await self.session() is None
        assert await self.customer_count() == 0
        assert await self.outcome_count() == 0

    async def close(self) -> None:
        await self.container.db_engine().dispose()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "line.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


MakeLine = Callable[..., Line]


@pytest.fixture
async def make_line(tmp_path: Path, template: Path) -> AsyncIterator[MakeLine]:
    made: list[Line] = []

    def make(**overrides: Any) -> Line:
        workdir = tmp_path / f"line{len(made)}"
        workdir.mkdir()
        line = Line(workdir, template, **overrides)
        made.append(line)
        return line

    yield make
    for line in made:
        await line.close()


def assert_refused(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, f"HTTP {response.status_code}: {response.text}"
    assert not response.text.startswith(("CON ", "END "))


# -- open by default, with a warning per open route ---------------------------------------


async def test_the_default_is_open_and_warns_once_per_route(
    make_line: MakeLine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="lpg_ussd.http.callback_auth")
    line = make_line()

    warned = {r.getMessage().split()[1] for r in caplog.records if "is open" in r.getMessage()}
    routes = callback_routes(line.container)
    expected = {path for paths in routes.values() for path in paths}
    assert warned == expected
    assert len([r for r in caplog.records if "is open" in r.getMessage()]) == len(expected)
    assert {"/ussd/callback", "/ussd/africastalking/callback", "/ussd/africastalking/events"} <= (
        expected
    )
    assert set(routes) == set(line.container.ussd_gateways())
    assert (await line.post("/ussd/africastalking/callback", dial())).text.startswith(WELCOME)


async def test_a_gateway_with_credentials_is_not_warned_about(
    make_line: MakeLine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="lpg_ussd.http.callback_auth")
    make_line(africastalking_callback_token=TOKEN, hubtel_basic_auth=f"{USER}:{PASSWORD}")

    warned = " ".join(r.getMessage() for r in caplog.records if "is open" in r.getMessage())
    assert "/ussd/africastalking/" not in warned
    assert "/ussd/callback " not in warned
    assert "/ussd/hubtel/" not in warned
    assert "/ussd/nalo/callback" in warned


async def test_a_network_list_alone_still_warns_but_names_the_networks(
    make_line: MakeLine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="lpg_ussd.http.callback_auth")
    make_line(nalo_allowed_networks=(ALLOWED,))

    nalo = [r.getMessage() for r in caplog.records if "/ussd/nalo/callback" in r.getMessage()]
    assert nalo == [
        "POST /ussd/nalo/callback is open to anyone in LPG_USSD_NALO_ALLOWED_NETWORKS: set "
        "LPG_USSD_NALO_CALLBACK_TOKEN or LPG_USSD_NALO_BASIC_AUTH"
    ]


def test_the_production_example_of_env_example_closes_every_route(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    start = next(i for i, text in enumerate(lines) if text.startswith("# Production example"))
    example = dict(
        text[2:].split("=", 1) for text in lines[start:] if text.startswith("# LPG_USSD_")
    )
    settings = Settings.from_env(example)

    caplog.set_level(logging.WARNING, logger="lpg_ussd.http.callback_auth")
    auth = CallbackAuth.from_settings(settings)
    routes = {gateway: [f"/ussd/{gateway}/callback"] for gateway in CALLBACK_GATEWAYS}
    assert auth.open_routes(routes) == []
    assert all(policy.has_credentials for policy in auth.policies.values())
    assert auth.trusted_proxies


# -- a secret path token ------------------------------------------------------------------


async def test_the_right_token_in_the_path_is_answered(make_line: MakeLine) -> None:
    line = make_line(africastalking_callback_token=TOKEN)

    response = await line.post(f"/ussd/africastalking/callback/{TOKEN}", dial())

    assert response.status_code == 200
    assert response.text.startswith(WELCOME)
    assert await line.session() is not None


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(f"/ussd/africastalking/callback/{OTHER_TOKEN}", id="wrong token"),
        pytest.param(f"/ussd/africastalking/callback/{TOKEN[:-1]}", id="token cut short"),
        pytest.param(f"/ussd/africastalking/callback/{TOKEN}x", id="token too long"),
        pytest.param(f"/ussd/africastalking/callback/{TOKEN.upper()}", id="token in capitals"),
        pytest.param("/ussd/africastalking/callback/%C3%A9t%C3%A9", id="non-ascii token"),
        pytest.param("/ussd/africastalking/callback/%FF%FE", id="undecodable token"),
        pytest.param("/ussd/africastalking/callback/" + "x" * 4000, id="huge token"),
        pytest.param("/ussd/africastalking/callback", id="no token"),
        pytest.param("/ussd/callback", id="the legacy route, which has no token"),
    ],
)
async def test_a_missing_or_wrong_token_is_401_and_touches_nothing(
    make_line: MakeLine, path: str
) -> None:
    line = make_line(africastalking_callback_token=TOKEN)

    response = await line.post(path, dial())

    assert_refused(response, 401)
    assert "www-authenticate" not in response.headers
    await line.assert_untouched()


async def test_a_token_segment_where_no_token_is_set_is_404(make_line: MakeLine) -> None:
    line = make_line()

    response = await line.post(f"/ussd/africastalking/callback/{TOKEN}", dial())

    assert_refused(response, 404)
    await line.assert_untouched()


@pytest.mark.parametrize("gateway", CALLBACK_GATEWAYS)
async def test_every_gateway_takes_its_own_token(make_line: MakeLine, gateway: str) -> None:
    line = make_line(**{f"{gateway}_callback_token": TOKEN})

    refused = await line.post(f"/ussd/{gateway}/callback", "{}", content_type="application/json")
    wrong = await line.post(f"/ussd/{gateway}/callback/{OTHER_TOKEN}", "{}")
    passed = await line.post(f"/ussd/{gateway}/callback/{TOKEN}", "{}")

    assert_refused(refused, 401)
    assert_refused(wrong, 401)
    # Past the check, the adapter reads the body: an empty JSON object is its 400, not ours.
    assert passed.status_code == 400, passed.text
    await line.assert_untouched()
    others = [name for name in CALLBACK_GATEWAYS if name != gateway]
    assert (await line.post(f"/ussd/{others[0]}/callback", "{}")).status_code == 400


# -- HTTP Basic ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/ussd/africastalking/callback", "/ussd/callback"])
@pytest.mark.parametrize("scheme", ["Basic", "basic", "BASIC"])
async def test_the_right_basic_credentials_are_answered(
    make_line: MakeLine, path: str, scheme: str
) -> None:
    line = make_line(africastalking_basic_auth=f"{USER}:{PASSWORD}")
    authorization = basic(USER, PASSWORD).replace("Basic", scheme, 1)

    response = await line.post(path, dial(), headers={"authorization": authorization})

    assert response.status_code == 200
    assert response.text.startswith(WELCOME)


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no header"),
        pytest.param("", id="empty header"),
        pytest.param(basic(USER, "wrong"), id="wrong password"),
        pytest.param(basic("someone", PASSWORD), id="wrong user"),
        pytest.param(basic(USER, PASSWORD[:-1]), id="password cut short"),
        pytest.param(basic(USER.upper(), PASSWORD), id="user in capitals"),
        pytest.param(basic("", ""), id="empty credentials"),
        pytest.param("Basic", id="scheme only"),
        pytest.param("Basic ", id="scheme and a space"),
        pytest.param("Basic !!!not-base64!!!", id="not base64"),
        pytest.param("Basic " + base64.b64encode(USER.encode()).decode(), id="no colon"),
        pytest.param(
            "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode())[:-2].decode(),
            id="truncated base64",
        ),
        pytest.param("Basic " + base64.b64encode(b"\xff\xfe:\x00").decode(), id="binary"),
        pytest.param(f"Bearer {PASSWORD}", id="another scheme"),
        pytest.param(f"{USER}:{PASSWORD}", id="credentials in clear"),
    ],
)
async def test_missing_wrong_or_malformed_basic_credentials_are_401(
    make_line: MakeLine, authorization: str | None
) -> None:
    line = make_line(africastalking_basic_auth=f"{USER}:{PASSWORD}")
    headers = {} if authorization is None else {"authorization": authorization}

    response = await line.post("/ussd/africastalking/callback", dial(), headers=headers)

    assert_refused(response, 401)
    assert response.headers["www-authenticate"].startswith('Basic realm="lpg-ussd"')
    await line.assert_untouched()


async def test_token_and_basic_together_need_both(make_line: MakeLine) -> None:
    line = make_line(
        africastalking_callback_token=TOKEN, africastalking_basic_auth=f"{USER}:{PASSWORD}"
    )
    good = {"authorization": basic(USER, PASSWORD)}
    with_token = f"/ussd/africastalking/callback/{TOKEN}"

    assert_refused(await line.post("/ussd/africastalking/callback", dial(), headers=good), 401)
    assert_refused(await line.post(with_token, dial()), 401)
    await line.assert_untouched()
    assert (await line.post(with_token, dial(), headers=good)).text.startswith(WELCOME)


# -- allowed source networks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "status"),
    [
        (AGGREGATOR, 200),
        ("198.51.100.255", 200),
        (STRANGER, 403),
        ("198.51.101.1", 403),
        ("127.0.0.1", 403),
        ("2001:db8::1", 403),
        ("2001:db8:aa::5", 200),
        ("::ffff:198.51.100.7", 200),  # an IPv4 client on a dual-stack socket
        ("testclient", 403),  # not an address: the source is unknown
    ],
)
async def test_only_the_allowed_networks_are_answered(
    make_line: MakeLine, peer: str, status: int
) -> None:
    line = make_line(africastalking_allowed_networks=(ALLOWED, "2001:db8:aa::/48"))

    response = await line.post("/ussd/africastalking/callback", dial(), peer=peer)

    assert response.status_code == status, response.text
    if status != 200:
        await line.assert_untouched()


async def test_the_network_is_checked_before_the_credentials(make_line: MakeLine) -> None:
    line = make_line(
        africastalking_callback_token=TOKEN, africastalking_allowed_networks=(ALLOWED,)
    )
    right = f"/ussd/africastalking/callback/{TOKEN}"

    assert_refused(await line.post(right, dial(), peer=STRANGER), 403)
    assert_refused(await line.post("/ussd/africastalking/callback", dial(), peer=AGGREGATOR), 401)
    await line.assert_untouched()
    assert (await line.post(right, dial(), peer=AGGREGATOR)).status_code == 200


# -- a trusted proxy's X-Forwarded-For, and nobody else's ---------------------------------


@pytest.mark.parametrize(
    ("peer", "forwarded", "status"),
    [
        pytest.param(PROXY, [AGGREGATOR], 200, id="proxy forwards the aggregator"),
        pytest.param(PROXY, [STRANGER], 403, id="proxy forwards a stranger"),
        pytest.param(PROXY, [], 403, id="proxy forwards nothing: the proxy is the source"),
        pytest.param(PROXY, [f"{AGGREGATOR}, 10.9.9.9"], 200, id="through two trusted proxies"),
        pytest.param(PROXY, [f"{AGGREGATOR}, {STRANGER}"], 403, id="spoofed hop on the left"),
        pytest.param(PROXY, [f"{STRANGER}, {AGGREGATOR}"], 200, id="rightmost untrusted hop"),
        pytest.param(PROXY, [AGGREGATOR, "10.9.9.9"], 200, id="two headers"),
        pytest.param(PROXY, [f"{AGGREGATOR}:5060"], 200, id="hop with a port"),
        pytest.param(PROXY, ["not-an-address"], 403, id="unreadable hop"),
        pytest.param(PROXY, [f"{AGGREGATOR}, junk"], 403, id="unreadable last hop"),
        pytest.param(STRANGER, [AGGREGATOR], 403, id="spoofed by an untrusted client"),
        pytest.param(AGGREGATOR, [STRANGER], 200, id="ignored from an untrusted client"),
    ],
)
async def test_the_forwarded_address_counts_only_from_a_trusted_proxy(
    make_line: MakeLine, peer: str, forwarded: list[str], status: int
) -> None:
    line = make_line(africastalking_allowed_networks=(ALLOWED,), trusted_proxies=(TRUSTED,))
    headers = httpx.Headers([("x-forwarded-for", value) for value in forwarded])

    transport = httpx.ASGITransport(app=line.app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://line.test") as client:
        headers["content-type"] = FORM
        response = await client.post(
            "/ussd/africastalking/callback", content=dial(), headers=headers
        )

    assert response.status_code == status, response.text
    if status != 200:
        await line.assert_untouched()


async def test_without_trusted_proxies_the_forwarded_header_is_ignored(make_line: MakeLine) -> None:
    line = make_line(africastalking_allowed_networks=(ALLOWED,))
    spoofed = {"x-forwarded-for": AGGREGATOR}

    response = await line.post("/ussd/africastalking/callback", dial(), peer=PROXY, headers=spoofed)

    assert_refused(response, 403)
    await line.assert_untouched()


# -- the events route is guarded with Africa's Talking's settings -------------------------


async def test_the_events_route_takes_africastalkings_token(make_line: MakeLine) -> None:
    line = make_line(africastalking_callback_token=TOKEN)
    event = urlencode({"sessionId": "ATUid_1", "phoneNumber": NUMBER, "status": "Incomplete"})

    assert_refused(await line.post("/ussd/africastalking/events", event), 401)
    assert_refused(await line.post(f"/ussd/africastalking/events/{OTHER_TOKEN}", event), 401)
    await line.assert_untouched()
    response = await line.post(f"/ussd/africastalking/events/{TOKEN}", event)
    assert response.status_code == 200 and response.content == b""
    assert await line.outcome_count() == 1


async def test_the_events_route_takes_africastalkings_networks(make_line: MakeLine) -> None:
    line = make_line(africastalking_allowed_networks=(ALLOWED,))
    event = urlencode({"sessionId": "ATUid_1", "phoneNumber": NUMBER, "status": "Success"})

    assert_refused(await line.post("/ussd/africastalking/events", event, peer=STRANGER), 403)
    assert await line.outcome_count() == 0
    assert (await line.post("/ussd/africastalking/events", event, peer=AGGREGATOR)).is_success


# -- settings -----------------------------------------------------------------------------


def test_settings_are_read_per_gateway_with_comma_separated_networks() -> None:
    settings = Settings.from_env(
        {
            "LPG_USSD_HUBTEL_CALLBACK_TOKEN": TOKEN,
            "LPG_USSD_ARKESEL_BASIC_AUTH": f"{USER}:{PASSWORD}",
            "LPG_USSD_NALO_ALLOWED_NETWORKS": " 198.51.100.0/24, 2001:db8::/32 ,",
            "LPG_USSD_TRUSTED_PROXIES": "10.0.0.0/8,172.16.0.0/12",
        }
    )

    security = settings.callback_security
    assert security["hubtel"].token == TOKEN
    assert security["arkesel"].basic_auth == f"{USER}:{PASSWORD}"
    assert security["nalo"].allowed_networks == ("198.51.100.0/24", "2001:db8::/32")
    assert settings.trusted_proxies == ("10.0.0.0/8", "172.16.0.0/12")
    assert security["africastalking"].token == ""
    policy = CallbackAuth.from_settings(settings).policies["arkesel"]
    assert (policy.user, policy.password) == (USER.encode(), PASSWORD.encode())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LPG_USSD_AFRICASTALKING_CALLBACK_TOKEN", "short"),
        ("LPG_USSD_HUBTEL_CALLBACK_TOKEN", "has/a/slash/in/it/123456"),
        ("LPG_USSD_HUBTEL_CALLBACK_TOKEN", "has a space in it 1234567"),
        ("LPG_USSD_ARKESEL_BASIC_AUTH", "no-colon"),
        ("LPG_USSD_ARKESEL_BASIC_AUTH", ":password"),
        ("LPG_USSD_ARKESEL_BASIC_AUTH", "user:"),
        ("LPG_USSD_NALO_ALLOWED_NETWORKS", "198.51.100.0/33"),
        ("LPG_USSD_NALO_ALLOWED_NETWORKS", "everyone"),
        ("LPG_USSD_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"),
    ],
)
def test_bad_security_settings_are_refused_clearly(name: str, value: str) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({name: value})


# -- the pieces -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("198.51.100.7", "198.51.100.7"),
        (" 198.51.100.7 ", "198.51.100.7"),
        ("198.51.100.7:443", "198.51.100.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("unknown", None),
        ("", None),
        (None, None),
        ("198.51.100.7.1", None),
    ],
)
def test_addresses_are_read_as_proxies_and_servers_write_them(
    text: str | None, address: str | None
) -> None:
    parsed = parse_address(text)
    assert (str(parsed) if parsed is not None else None) == address


def test_basic_credentials_keep_a_colon_in_the_password() -> None:
    assert basic_credentials(basic(USER, PASSWORD)) == (USER.encode(), PASSWORD.encode())
    assert basic_credentials("Basic " + base64.b64encode(b"user").decode()) is None
