"""What every browser test shares besides the fixtures (tests/browser/conftest.py):
logging in through the form, reading a link out of a delivered message, letting
someone join a Business Center the way the product does, and saving screenshots."""

from __future__ import annotations

import re
from pathlib import Path

from bizcenter.accounts.models import User
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import PASSWORD, act

SHOTS = Path("test-results/screenshots")
# The top of a page, 1280 wide, small enough for the README (docs/screenshots/).
DOCS_SLICE = 1000


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
