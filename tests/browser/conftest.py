"""Playwright driving Debian's Chromium against a live server (see shared browser notes).

The helpers every browser test shares besides these fixtures (logging in, reading a
link out of a message, joining a Business Center, screenshots) are in
tests/support/browser.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop; the live server's ORM calls are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        if os.environ.get("BIZCENTER_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed, and CI requires the browser tests")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    """These tests are about pages; Argon2 (a third of a second a hash) is tested with
    sign-up. Both the test and the live server read this setting."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def new_page(browser, live_server, settings):
    """A fresh browser context per person, so two people can be logged in at once."""
    settings.BIZCENTER_BASE_URL = live_server.url
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url,
                                      viewport={"width": 1280, "height": 800})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
