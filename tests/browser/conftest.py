"""Playwright driving Debian's Chromium against a live server (see shared browser notes).

Besides the fixtures, the helpers every browser test shares: logging in through
the form, reading a link out of a delivered message, letting someone join a
Business Center the way the product does, and saving screenshots.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bizcenter.accounts.models import User
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import PASSWORD, act

# Playwright's sync API runs an event loop; the live server's ORM calls are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium")
SHOTS = Path("test-results/screenshots")
# The top of a page, 1280 wide, small enough for the README (docs/screenshots/).
DOCS_SLICE = 1000


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


def log_in(page, who: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Email or phone").fill(who)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def link_in(text: str, kind: str = "invite") -> str:
    """The first link to /<kind>/... in a delivered email or SMS."""
    found = re.search(rf"https?://\S+/{kind}/\S+/", text)
    assert found, f"no /{kind}/ link in: {text!r}"
    return found.group(0)


def join(admin: User, center: BusinessCenter, person: User, grant: Grant) -> Membership:
    """Invite this person and accept for them, through the same services as the pages."""
    [result] = invitations.invite(act(admin), center, [person.email or person.phone], grant)
    assert result.ok, result.message
    assert result.link is not None
    return invitations.accept(act(person), result.link.rstrip("/").rsplit("/", 1)[-1])


def shot(page, name: str) -> None:
    """A full-page PNG for the test report in test-results/screenshots/, and the top of
    the page, 1280 wide, in test-results/screenshots/docs/ for the README to pick from."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    viewport = page.viewport_size
    if viewport and viewport["width"] == 1280:
        (SHOTS / "docs").mkdir(exist_ok=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=str(SHOTS / "docs" / f"{name}.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": 1280,
                              "height": min(height, DOCS_SLICE)})
