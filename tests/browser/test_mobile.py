"""The pages on a phone, 375 px wide (issue 21): a Menu button that opens the whole
navigation (the sidebar was a strip cut off at "Bi…"), every page reachable (the
Security page too), tables that scroll inside their frame with their actions in
sight, and charts whose text stays readable (it shrank to 4 px). And at every width,
the action column of a table is the last one, aligned right."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from playwright.sync_api import expect

from bizcenter import demo
from tests.support.browser import DESKTOP, PHONE, SHOTS, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every chart text's height on screen: its font size times the SVG's scale.
CHART_TEXT = """() => Array.from(document.querySelectorAll('figure.chart svg text'))
  .filter(t => t.getClientRects().length > 0)
  .map(t => parseFloat(getComputedStyle(t).fontSize) * t.closest('svg').getScreenCTM().a)"""


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a 375 px screen"


@pytest.fixture
def phone_admin(new_page):
    center = demo.seed().center
    page = new_page()
    page.set_viewport_size(PHONE)
    log_in(page, demo.OWNER_EMAIL, demo.PASSWORD)
    return page, center


def test_the_menu_opens_the_whole_navigation_and_reaches_security(phone_admin):
    page, center = phone_admin
    page.goto(f"/c/{center.pk}/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name=center.name)
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    _fits(page)
    shot(page, "phone-home")

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    links = nav.get_by_role("link")
    # The twelve sections, each whole and inside the screen, then the account's links.
    for label in ("My access", "Campaigns", "Reports", "Billing", "Assets", "Partners",
                  "Partner Business Centers", "Asset groups", "Troubleshooter",
                  "Access review", "Activity log", "Settings"):
        box = nav.get_by_role("link", name=label, exact=True).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], label
    assert links.count() >= 15
    shot(page, "phone-menu")
    nav.get_by_role("link", name=re.compile("^Security")).click()
    expect(page).to_have_url(re.compile("/account/security/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _fits(page)

    # Escape closes the menu and gives the focus back to its button.
    page.goto(f"/c/{center.pk}/reports/")
    menu.click()
    expect(nav.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()


def test_every_section_is_reached_from_the_menu(phone_admin):
    page, center = phone_admin
    page.goto(f"/c/{center.pk}/")
    labels = page.get_by_role("navigation", name=center.name).get_by_role("link").all_inner_texts()
    for label in labels:
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("navigation", name=center.name).get_by_role(
            "link", name=label, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_role("button", name="Menu")).to_be_visible()


def test_a_table_keeps_its_actions_in_reach(phone_admin):
    page, center = phone_admin
    page.goto(f"/c/{center.pk}/partners/")
    _fits(page)
    row = page.get_by_role("row").filter(has_text="Maria (Agency)")
    edit = row.get_by_role("link", name="Edit")
    box = edit.bounding_box()
    assert box and box["x"] + box["width"] <= PHONE["width"], "Edit is off the screen"
    shot(page, "phone-partners")
    edit.click()
    expect(page).to_have_url(re.compile(r"/partners/\d+/edit/"))
    # The wide tables scroll inside their frame, which a keyboard can reach and scroll.
    page.goto(f"/c/{center.pk}/activity/")
    _fits(page)
    frame = page.locator(".table-wrap").first
    assert page.evaluate("el => el.scrollWidth > el.clientWidth", frame.element_handle())
    expect(frame).to_have_attribute("tabindex", "0")
    expect(frame).to_have_attribute("role", "region")


def test_charts_are_readable_on_a_phone(phone_admin):
    page, center = phone_admin
    page.goto(f"/c/{center.pk}/reports/")
    expect(page.locator("svg.small-line-chart")).to_be_visible()
    expect(page.locator("svg.line-chart")).to_be_hidden()
    sizes = page.evaluate(CHART_TEXT)
    assert len(sizes) >= 8
    assert min(sizes) >= 10, f"chart text as small as {min(sizes):.1f} px"
    # Few enough date labels that they do not run into each other.
    dates = page.locator("svg.small-line-chart .axis.bottom text")
    assert dates.count() <= 4
    boxes = [dates.nth(i).bounding_box() for i in range(dates.count())]
    for one, two in pairwise(boxes):
        assert one and two and one["x"] + one["width"] <= two["x"], "date labels overlap"
    _fits(page)
    shot(page, "phone-report")
    # For the README: the phone's chart itself, below the fold in the page's top.
    page.locator("section.chart-card").first.screenshot(
        path=str(SHOTS / "docs" / "phone-report.png"))
    # On a wide screen, the wide chart, as before.
    page.set_viewport_size(DESKTOP)
    expect(page.locator("svg.line-chart")).to_be_visible()
    expect(page.locator("svg.small-line-chart")).to_be_hidden()
    assert min(page.evaluate(CHART_TEXT)) >= 10


def test_the_action_column_is_last_and_aligned_right(new_page):
    center = demo.seed().center
    page = new_page()
    log_in(page, demo.OWNER_EMAIL, demo.PASSWORD)
    checked = 0
    for url in (f"/c/{center.pk}/partners/", f"/c/{center.pk}/partners/invitations/",
                f"/c/{center.pk}/review/", "/account/tokens/"):
        page.goto(url)
        for table in page.locator("table:has(td.actions)").all():
            cells = table.evaluate("""t => Array.from(t.querySelectorAll('tbody tr'))
                .filter(r => r.querySelector('td.actions'))
                .map(r => [r.lastElementChild.classList.contains('actions'),
                           getComputedStyle(r.querySelector('td.actions')).textAlign])""")
            assert cells, url
            for last, align in cells:
                assert last, f"{url}: the actions are not the last column"
                assert align in ("right", "end"), f"{url}: actions aligned {align}"
                checked += 1
            head = table.evaluate("""t => { const h = t.querySelector('thead tr');
                return h ? getComputedStyle(h.lastElementChild).textAlign : 'right'; }""")
            assert head in ("right", "end"), f"{url}: the actions' header is aligned {head}"
    assert checked >= 5
