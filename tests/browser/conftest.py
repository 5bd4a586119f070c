"""Browser tests: Debian's chromium driven by Playwright against the app served on a real port.

Each test gets a live server over the test database (CSRF switched on, so the forms' tokens are
really checked) and signs its people in through /masuk in their own browser contexts. When a
test fails, every page still open is saved as a full-page screenshot in tests/browser/artifacts/.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import PASSWORD
from helpers import served

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
ARTIFACTS = Path(__file__).parent / "artifacts"
# The README's screenshots are rewritten only on request (`make screenshots`), so that an
# ordinary test run leaves the working tree as it was; otherwise they land in artifacts/.
SCREENSHOTS = (Path(__file__).parents[2] / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS")
               else Path(__file__).parent / "artifacts" / "screenshots")
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000

_open_pages: dict[str, list] = {}  # test node id -> pages, for the failure hook


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    executable = CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium")
    if not executable:
        pytest.fail(f"chromium is not installed (looked for {CHROMIUM} and on PATH): the browser tests need "
                    "Debian's chromium — `apt-get install chromium` (.ci/run does this); never `playwright install`.",
                    pytrace=False)
    browser = playwright_driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def live_app(app_factory):
    """The app as a browser meets it: CSRF on."""
    return app_factory(WTF_CSRF_ENABLED=True)


@pytest.fixture
def live_server(live_app):
    """The live app on a free port of 127.0.0.1; yields its base URL."""
    with served(live_app) as url:
        yield url


class Person:
    """One user's browser context and page; console errors and uncaught exceptions are collected."""

    def __init__(self, context, page, username):
        self.context, self.page, self.username = context, page, username
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        # "Failed to load resource" comes for every status >= 400, a 422 page included: the
        # responses are judged in _response instead. What stays is a script error or a CSP refusal.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text} ({(message.location or {}).get('url', '')})")

    def _response(self, response) -> None:
        """A page's part (script, style, image, fetch) that failed; pages themselves may be 4xx."""
        request = response.request
        # The app has no icon; the browser's own request for one is not the page's error.
        if (response.status >= 400 and not request.is_navigation_request()
                and not response.url.endswith("/favicon.ico")):
            self.errors.append(f"{request.resource_type} {response.url}: HTTP {response.status}")


@pytest.fixture
def browse(request, browser, live_server):
    """browse(username=None) -> Person: a new browser context, signed in through /masuk when a
    username is given. At the end no page may have logged an error (a CSP violation, a failed
    script, a missing asset)."""
    people: list[Person] = []
    pages = _open_pages.setdefault(request.node.nodeid, [])

    def open_context(username: str | None = None, *, viewport=VIEWPORT) -> Person:
        context = browser.new_context(base_url=live_server, viewport=viewport, locale="id-ID",
                                      timezone_id="Asia/Jakarta")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        person = Person(context, page, username)
        people.append(person)
        pages.append(page)
        if username:
            sign_in(page, username)
        return person

    yield open_context
    _open_pages.pop(request.node.nodeid, None)
    errors = [f"{p.username or 'anonymous'}: {e}" for p in people for e in p.errors]
    for person in people:
        person.context.close()
    if errors and not getattr(request.node, "failed_call", False):
        pytest.fail("the browser reported errors:\n" + "\n".join(errors), pytrace=False)


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    from playwright.sync_api import expect

    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/masuk"))
    expect(page.get_by_role("status").filter(has_text="Selamat datang")).to_be_visible()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.failed_call = True
    if not report.failed or report.when == "teardown":
        return
    pages = [p for p in _open_pages.get(item.nodeid, []) if not p.is_closed()]
    if not pages:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name)
    saved = []
    for n, page in enumerate(pages, 1):
        path = ARTIFACTS / f"{name}-{n}.png"
        try:
            page.screenshot(path=str(path), full_page=True, timeout=5_000)
            saved.append(f"{path} ({page.url})")
        except Exception as exc:  # a crashed page must not hide the test's own failure
            saved.append(f"{path}: not saved ({exc})")
    report.sections.append(("browser screenshots", "\n".join(saved)))
