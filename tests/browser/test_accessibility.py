"""axe-core on every page of the demo (issue 21): as its Admin and as a Standard member,
at 1280 px and at 375 px, no violation of impact "serious" or "critical".

The pages are found the way a person finds them, by following the links of each page
from the Business Center's home (tests/support/browser.py ``site_pages``), one page of
each kind; axe's script is the one the pinned package ships (tests/support/axe.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bizcenter import demo
from tests.support.axe import axe_violations, describe
from tests.support.browser import DESKTOP, PHONE, log_in, site_pages

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _check_site(page, start: str) -> tuple[list[str], dict[str, list[str]]]:
    visited, found = [], {}
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for url in site_pages(page, start):
            visited.append(f"{size['width']} {url}")
            if violations := axe_violations(page):
                found[f"{size['width']}px {url}"] = describe(violations)
    return visited, found


@pytest.mark.parametrize("who", [demo.OWNER_EMAIL, "maria@agency.example"],
                         ids=["admin", "standard-member"])
def test_no_serious_accessibility_violation_on_any_page(new_page, who):
    center = demo.seed().center
    page = new_page()
    log_in(page, who, demo.PASSWORD)
    visited, found = _check_site(page, f"/c/{center.pk}/")
    # Account pages, reached from the header.
    for url in ("/", "/account/security/", "/account/tokens/"):
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.goto(url)
            if violations := axe_violations(page):
                found[f"{size['width']}px {url}"] = describe(violations)
    assert not found, found
    # The walk really went through the site, not one page.
    pages = {v.split(" ", 1)[1] for v in visited}
    if who == demo.OWNER_EMAIL:
        assert len(pages) >= 25, sorted(pages)
        for needed in ("/partners/", "/reports/", "/billing/", "/activity/", "/settings/"):
            assert any(needed in p for p in pages), (needed, sorted(pages))
    else:
        assert len(pages) >= 5, sorted(pages)
        assert not any("/settings/" in p for p in pages)


def test_no_serious_violation_with_the_menu_open_and_a_form_in_error(new_page):
    center = demo.seed().center
    page = new_page()
    log_in(page, demo.OWNER_EMAIL, demo.PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(f"/c/{center.pk}/")
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("navigation", name=center.name)).to_be_visible()
    assert not axe_violations(page), describe(axe_violations(page))
    # A form sent with errors: the summary, the invalid fields and their messages.
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto("/account/tokens/")
        page.get_by_role("button", name="Create token").click()
        expect(page.locator(".error-summary")).to_be_visible()
        assert not axe_violations(page), describe(axe_violations(page))
