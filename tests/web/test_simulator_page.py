"""GET /simulator and its static files, without a browser: a page that loads nothing from
elsewhere, offers the wired aggregators, says which route asks for credentials, and is off
when the settings say so; none of it in the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from lpg_ussd.entrypoints.http.app import create_app
from lpg_ussd.settings import CALLBACK_GATEWAYS, Settings
from tests.acceptance.harness import TEST_SETTINGS

TOKEN = "page-test-token-0123456789"
RESOURCE = re.compile(r"""(?:src|href|action)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]*)""", re.IGNORECASE)


def client_for(tmp_path: Path, **settings: Any) -> TestClient[Any]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'page.db'}"
    return TestClient(
        create_app(Settings.from_env({}, database_url=url, **{**TEST_SETTINGS, **settings}))
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient[Any]]:
    with client_for(tmp_path, hubtel_callback_token=TOKEN) as client:
        yield client


def test_the_page_is_html_that_loads_nothing_from_elsewhere(client: TestClient[Any]) -> None:
    page = client.get("/simulator")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for url in RESOURCE.findall(page.text):
        assert url.startswith("/") and not url.startswith("//"), url
    assert "http://" not in page.text and "https://" not in page.text
    assert '<script src="/static/simulator.js"' in page.text
    assert '<link rel="stylesheet" href="/static/site.css">' in page.text


def test_the_script_and_the_stylesheet_are_served(client: TestClient[Any]) -> None:
    script = client.get("/static/simulator.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "/callback" in script.text and "fetch(" in script.text
    style = client.get("/static/site.css")
    assert style.status_code == 200
    assert style.headers["content-type"].startswith("text/css")
    for text in (script.text, style.text):
        assert "http://" not in text and "https://" not in text and "@import" not in text
    assert all(url.startswith(("data:", "/")) for url in CSS_URL.findall(style.text))


def test_every_wired_aggregator_is_offered_with_what_its_route_asks(
    client: TestClient[Any],
) -> None:
    page = client.get("/simulator").text
    offered = re.findall(r'<option value="([a-z]+)"\s+data-limit', page)
    assert offered == list(CALLBACK_GATEWAYS)
    hubtel = page.split('<option value="hubtel"', 1)[1].split(">", 1)[0]
    assert 'data-needs-token="true"' in hubtel
    nalo = page.split('<option value="nalo"', 1)[1].split(">", 1)[0]
    assert 'data-needs-token="false"' in nalo and 'data-limit="120"' in nalo
    assert 'data-service-code="*384*303#"' in page
    assert TOKEN not in page


def test_the_brand_is_on_the_page(tmp_path: Path) -> None:
    with client_for(tmp_path, company_name="Kumasi <Gas>", service_code="*920*55#") as client:
        page = client.get("/simulator").text
    assert '<span class="brand">Kumasi &lt;Gas&gt;</span>' in page
    assert 'value="*920*55#"' in page


def test_the_simulator_can_be_switched_off(tmp_path: Path) -> None:
    with client_for(tmp_path, simulator=False) as client:
        assert client.get("/simulator").status_code == 404
    assert Settings.from_env({"LPG_USSD_SIMULATOR": "false"}).simulator is False
    assert Settings.from_env({}).simulator is True


def test_the_pages_stay_out_of_the_openapi_document(client: TestClient[Any]) -> None:
    paths = client.get("/ussd/docs/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith(("/simulator", "/static"))]
