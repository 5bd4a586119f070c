"""Browser tests: Debian's chromium driven by Playwright against the app served on a real port.

Each test gets a live server over the test database (CSRF switched on, so the forms' tokens are
really checked) and signs its people in through /masuk in their own browser contexts. When a
test fails, every page still open is saved as a full-page screenshot in tests/browser/artifacts/.
"""
from __future__ import annotations

import os
import re
import shutil

import pytest
from support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, VIEWPORT, Person, sign_in
from support.servers import served

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
