"""My access, a partner's detail and the troubleshooter read in a real browser at 1280 px
and 375 px (issue 21): a Standard member reads what they can do and where, and whom to
ask for the rest; an Admin reads what the partner cannot do and the link that fixes it.
No internal code is on screen, nothing is cut off sideways, and axe-core finds nothing
serious."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bizcenter.access.actions import Action
from bizcenter.assets import groups as group_services
from bizcenter.assets.services import create_asset
from bizcenter.invitations.services import Grant
from tests.conftest import act
from tests.support.axe import axe_violations, describe
from tests.support.browser import DESKTOP, PHONE, join, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = [a.value for a in Action] + ["OPERATOR", "ANALYST", "ANALYTICS", "CAMPAIGNS",
                                     "Denied", "✕", "via direct"]


def read(page) -> str:
    """The main content's words, with every collapsed part opened first."""
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")
    return page.locator("main").inner_text()


def fits(page) -> bool:
    """Nothing on the page is wider than the screen."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_a_member_and_an_admin_read_access_in_words(new_page, owner, center, make_user,
                                                    viewport):
    de = create_asset(act(owner), center, type="ADVERTISER", name="Brand Co DE")
    fr = create_asset(act(owner), center, type="ADVERTISER", name="Brand Co FR")
    bob = join(owner, center, make_user("bob@agency.com", name="Bob"),
               Grant(kind="agency", modules=("ANALYTICS",), assets={de.pk: ["OPERATOR"]}))
    retail = group_services.create_group(act(owner), center, "Retail", [fr.pk])
    group_services.set_member(act(owner), center, retail.pk, bob.pk, {"ADVERTISER": "ANALYST"})

    # -- Bob, a Standard member, lands on his access --------------------------------------
    member = new_page()
    member.set_viewport_size(viewport)
    log_in(member, "bob@agency.com")
    member.goto(f"/c/{center.pk}/")
    expect(member.get_by_role("heading", name="Your access to Brand Co")).to_be_visible()
    can = member.locator("section.can")
    expect(can.get_by_role("heading", name="You can")).to_be_visible()
    expect(can).to_contain_text("See reports — on Ad account Brand Co DE, Ad account Brand Co FR")
    sources = member.locator("section.sources")
    expect(sources).to_contain_text("Ad account Brand Co DE — Operator, given directly")
    expect(sources).to_contain_text("Ad account Brand Co FR — Analyst, through the group Retail")
    # What he cannot do is collapsed until he opens it, and names whom to ask.
    cannot = member.locator("details.cannot")
    expect(cannot.locator("li").first).to_be_hidden()
    cannot.locator("summary").click()
    expect(cannot).to_contain_text(
        "To see campaigns, propose campaign changes and change campaigns directly, ask "
        "Olivia Owner (Admin) to add the Campaigns module to your access.")
    expect(cannot.locator("li").first).to_be_visible()
    words = read(member)
    assert not [code for code in CODES if code in words], words
    assert fits(member)
    assert not (found := axe_violations(member)), describe(found)
    shot(member, f"my-access-words-{viewport['width']}")

    # -- Olivia, an Admin, reads Bob's detail ------------------------------------------------
    admin = new_page()
    admin.set_viewport_size(viewport)
    log_in(admin, "owner@brand.com")
    admin.goto(f"/c/{center.pk}/partners/{bob.pk}/")
    expect(admin.get_by_role("heading", name="Bob", exact=True)).to_be_visible()
    expect(admin.locator("section.can").get_by_role("heading", name="Bob can")).to_be_visible()
    admins_view = admin.locator("details.cannot")
    admins_view.locator("summary").click()
    expect(admins_view).to_contain_text(
        "Bob cannot see campaigns, propose campaign changes and change campaigns directly — "
        "give Bob the Campaigns module.")
    words = read(admin)
    assert "ask Olivia" not in words and "your access" not in words
    assert not [code for code in CODES if code in words], words
    assert fits(admin)
    assert not (found := axe_violations(admin)), describe(found)
    shot(admin, f"partner-detail-words-{viewport['width']}")
    # The link beside it opens the form that fixes it.
    admins_view.get_by_role("link", name="Edit Bob's access").first.click()
    expect(admin).to_have_url(f"{admin.url.split('/c/')[0]}/c/{center.pk}/partners/{bob.pk}/edit/")

    # -- and asks the troubleshooter about him ---------------------------------------------
    admin.goto(f"/c/{center.pk}/troubleshoot/?person=bob%40agency.com&action=campaign.propose"
               f"&resource=asset%3A{fr.pk}")
    verdict = admin.locator("section.answer")
    expect(verdict.get_by_role("heading")).to_contain_text(
        "No: Bob cannot propose campaign changes on Ad account Brand Co FR")
    words = verdict.inner_text()
    assert not [code for code in CODES if code in words], words
    assert fits(admin)
