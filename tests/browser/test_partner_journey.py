"""The article end to end in a real browser: invite, accept, revoke, refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bizcenter.accounts.services import sign_up
from bizcenter.centers.services import create_center
from bizcenter.core.actor import Actor
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("test-results/screenshots")


def log_in(page, who: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email or phone").fill(who)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_invite_accept_revoke_in_the_browser(new_page, run_worker, mailbox):
    owner = sign_up(Actor.system(), email="owner@brand.com", password=PASSWORD, name="Olivia")
    center = create_center(Actor(owner), name="Brand Co")
    SHOTS.mkdir(parents=True, exist_ok=True)

    admin = new_page()
    log_in(admin, "owner@brand.com")
    admin.get_by_role("link", name="Brand Co").click()
    admin.get_by_role("link", name="Add Partners").click()
    admin.get_by_label("Email addresses or phone numbers").fill("jane@agency.com")
    admin.get_by_label("Campaigns").check()
    admin.get_by_label("Partner kind").select_option("agency")
    admin.get_by_role("button", name="Send Invite").click()
    expect(admin.get_by_text("Invitation sent to jane@agency.com")).to_be_visible()
    admin.screenshot(path=str(SHOTS / "add-partners.png"), full_page=True)

    run_worker()  # the background worker delivers the email
    link = re.search(r"https?://\S+/invite/\S+/", mailbox[0].body).group(0)

    partner = new_page()
    partner.goto(link)
    expect(partner.get_by_text("Join Brand Co")).to_be_visible()
    expect(partner.get_by_text("j***@agency.com").first).to_be_visible()
    partner.get_by_role("link", name="Create an account").click()
    partner.get_by_label("Email").fill("jane@agency.com")
    partner.get_by_label("Your name").fill("Jane")
    partner.get_by_label("Password").fill(PASSWORD)
    partner.get_by_role("button", name="Create account").click()
    partner.get_by_role("button", name="Accept Invite").click()
    expect(partner.get_by_text("You joined Brand Co.")).to_be_visible()

    admin.goto(f"/c/{center.pk}/partners/")
    row = admin.get_by_role("row", name=re.compile("jane@agency.com"))
    assert "analytics, campaigns" in row.inner_text()
    admin.screenshot(path=str(SHOTS / "members.png"), full_page=True)
    row.get_by_role("link", name="Revoke Access").click()
    admin.get_by_role("button", name="Revoke Access").click()
    expect(admin.get_by_text("no longer has access")).to_be_visible()

    # The partner's page is still open; the next click no longer reaches Brand Co.
    partner.reload()
    assert partner.get_by_text("Brand Co").count() == 0
    response = partner.goto(f"/c/{center.pk}/partners/")
    assert response.status == 404


def test_partner_pages_fit_a_phone_screen(new_page, make_user):
    owner = sign_up(Actor.system(), email="owner@brand.com", password=PASSWORD)
    center = create_center(Actor(owner), name="Brand Co")
    from bizcenter.invitations import services as invitations

    invitations.invite(Actor(owner), center, ["a.very.long.address@agency.example.com",
                                              "+14155550123"])
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, "owner@brand.com")
    for path in (f"/c/{center.pk}/partners/", f"/c/{center.pk}/partners/invitations/",
                 f"/c/{center.pk}/partners/add/", "/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px screen"
