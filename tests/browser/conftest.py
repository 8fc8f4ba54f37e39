"""Browser tests: the real server in a subprocess, Debian's Chromium driven by Playwright.

Chromium is /usr/bin/chromium (or `LPG_USSD_TEST_CHROMIUM`): `make test` and .ci/run install
it when it is missing (.ci/ensure-chromium). Playwright's own browser download is never used.
Without Chromium the tests skip with the reason, or fail when `CI` is set.

Fixtures for any browser test:
- `live_server`: one `lpg-ussd serve` for these tests (SQLite, in-memory sessions, open
  callbacks); `tests.browser.server.serve` starts others with settings of their own.
- `page`: a Playwright page in a fresh browser context whose `base_url` is the live server.
  Requests to any host but this machine's are refused and fail the test, and so does a script error.
- `artefacts`: the folder for screenshots (`test-artifacts/`, git-ignored, or
  `LPG_USSD_TEST_ARTEFACTS`). A failing test leaves a screenshot of its page under
  `failures/` there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    ViewportSize,
    sync_playwright,
)

from tests.browser.server import LiveServer, serve
from tests.integration.services import in_ci

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_VARIABLE = "LPG_USSD_TEST_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Headless, and nothing that reaches out: no QUIC, no first-run, no background updates.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def artefacts() -> Path:
    folder = Path(os.environ.get("LPG_USSD_TEST_ARTEFACTS") or ROOT / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def chromium() -> str:
    path = os.environ.get(CHROMIUM_VARIABLE) or DEFAULT_CHROMIUM
    if not os.access(path, os.X_OK):
        reason = (
            f"Chromium not found at {path} (install Debian's chromium: `make test` does it "
            f"as root, or `apt-get install chromium`; {CHROMIUM_VARIABLE} names another)"
        )
        if in_ci():
            pytest.fail(f"{reason}. CI is set, so the browser tests must run.", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory.mktemp("live-server")) as server:
        yield server


# Playwright's sync API runs its own event loop in a greenlet, and while it is started asyncio
# believes a loop is running in this thread: an async test anywhere after it would fail with
# "Cannot run the event loop while another loop is running". So the driver and the browser
# live only as long as this package's tests, and the browser tests are synchronous.
@pytest.fixture(scope="package")
def playwright(chromium: str) -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright, chromium: str) -> Iterator[Browser]:
    # Each launch gets a fresh, temporary user data dir of its own (Playwright makes and
    # removes it), so no profile, cache or cookie survives from one run to the next.
    browser = playwright.chromium.launch(
        executable_path=chromium, args=CHROMIUM_ARGS, headless=True
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(
    context: BrowserContext, artefacts: Path, request: pytest.FixtureRequest
) -> Iterator[Page]:
    outside: list[str] = []
    errors: list[str] = []

    def only_our_server(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOOPBACK:  # the live server, or one a test started
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_our_server)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        (artefacts / "failures").mkdir(exist_ok=True)
        page.screenshot(path=str(artefacts / "failures" / f"{name}.png"), full_page=True)
    assert not outside, f"the page loaded from outside the server: {outside}"
    assert not errors, f"script errors on the page: {errors}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    if report.when == "call":
        item.report_call = report  # type: ignore[attr-defined]
    return report
