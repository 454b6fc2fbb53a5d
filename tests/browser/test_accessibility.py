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


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "375"])
@pytest.mark.parametrize("who", [demo.OWNER_EMAIL, "maria@agency.example"],
                         ids=["admin", "standard-member"])
def test_no_serious_accessibility_violation_on_any_page(new_page, who, size):
    """One person at one width a test, so the workers share the walks."""
    center = demo.seed().center
    page = new_page()
    page.set_viewport_size(size)
    log_in(page, who, demo.PASSWORD)
    found: dict[str, list[str]] = {}
    # Account pages, reached from the header, then everything linked from the home.
    pages = ["/", "/account/security/", "/account/tokens/"]
    for url in pages:
        page.goto(url)
        if violations := axe_violations(page):
            found[url] = describe(violations)
    for url in site_pages(page, f"/c/{center.pk}/"):
        pages.append(url)
        if violations := axe_violations(page):
            found[url] = describe(violations)
    assert not found, found
    # The walk really went through the site, not one page.
    if who == demo.OWNER_EMAIL:
        assert len(pages) >= 25, pages
        for needed in ("/partners/", "/reports/", "/billing/", "/activity/", "/settings/"):
            assert any(needed in p for p in pages), (needed, pages)
    else:
        assert len(pages) >= 8, pages
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
