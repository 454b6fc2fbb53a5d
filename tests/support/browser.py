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
    # Phone pages (375 wide) go to the README too, their top only, as on the phone.
    if viewport and viewport["width"] == 375:
        (SHOTS / "docs").mkdir(exist_ok=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=str(SHOTS / "docs" / f"{name}.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": 375, "height": min(height, 740)})
    if viewport and viewport["width"] == 1280:
        (SHOTS / "docs").mkdir(exist_ok=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=str(SHOTS / "docs" / f"{name}.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": 1280,
                              "height": min(height, DOCS_SLICE)})


PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# Links a crawl does not follow: downloads, the API's own documentation (Swagger's
# page, not ours) and leaving.
NOT_PAGES = re.compile(r"^/api/|/logout/|\.csv\b|/export\b|[?&]format=csv")


def _page_key(href: str) -> str:
    """Pages of one kind share a key: ids become N, and a query counts by its names."""
    path, _, query = href.partition("?")
    names = sorted({part.split("=", 1)[0] for part in query.split("&") if part})
    return re.sub(r"\d+", "N", path) + ("?" + "&".join(names) if names else "")


def site_pages(page, start: str, limit: int = 80):
    """Every page reachable by links from ``start``, one of each kind, as the person
    logged in on ``page`` sees them: goes to each and yields its address, the page
    loaded (HTTP status checked below 400)."""
    todo, seen = [start], set()
    while todo and len(seen) < limit:
        href = todo.pop(0).split("#", 1)[0]
        key = _page_key(href)
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(href)
        assert response is not None and response.status < 400, f"{href}: {response}"
        yield href
        for link in page.eval_on_selector_all(
                "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"):
            if (link.startswith("/") and not NOT_PAGES.search(link)
                    and _page_key(link.split("#", 1)[0]) not in seen):
                todo.append(link)


def luminance(css_color: str) -> float:
    """WCAG relative luminance of an rgb()/rgba() colour as computed styles give it."""
    parts = [float(x) for x in re.findall(r"[\d.]+", css_color)[:3]]

    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in parts)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio between two computed colours (1 to 21)."""
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)
