"""Debian's chromium driven by Playwright: where it is and how it starts, where failure
screenshots and the README's screenshots go, one person's browser context and page with the
errors it reports, and signing in through /masuk."""
from __future__ import annotations

import os
import re
from pathlib import Path

from .people import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
ARTIFACTS = Path(__file__).parents[1] / "browser" / "artifacts"
# The README's screenshots are rewritten only on request (`make screenshots`), so that an
# ordinary test run leaves the working tree as it was; otherwise they land in artifacts/.
SCREENSHOTS = (Path(__file__).parents[2] / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS")
               else ARTIFACTS / "screenshots")
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000


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


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    from playwright.sync_api import expect

    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/masuk"))
    expect(page.get_by_role("status").filter(has_text="Selamat datang")).to_be_visible()
