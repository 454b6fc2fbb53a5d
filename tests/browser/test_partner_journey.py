"""The article end to end in a real browser: an Admin invites a partner with exactly
the access they need, the partner joins and sees it, the Admin edits it, revokes it
(the partner's open page is refused on its next click) and invites them again.
Then the same pages with the keyboard alone, and on a phone-sized screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bizcenter.assets.services import create_asset
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import PASSWORD, act, code_sent_to
from tests.support.browser import join, link_in, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fact(page, term: str):
    """The value beside a term of the access summary ("Role" -> "Standard")."""
    return page.locator("dl.facts > div").filter(
        has=page.get_by_text(term, exact=True)).locator("dd")


def test_invite_accept_edit_revoke_and_invite_again(new_page, owner, center, make_user,
                                                    run_worker, mailbox):
    create_asset(act(owner), center, type="ADVERTISER", name="Main ads")
    # Two partners already in, so the lists look like a Business Center's.
    join(owner, center, make_user("sam@creator.com", name="Sam Creator"),
         Grant(kind="influencer", modules=("ANALYTICS",)))
    join(owner, center, make_user(phone="+14155550188", name="Lee Client"),
         Grant(kind="client", modules=("ANALYTICS", "ASSETS"), finance_role="ANALYST"))

    # -- The Admin: Users -> Partners -> Add Partners ---------------------------------
    admin = new_page()
    log_in(admin, "owner@brand.com")  # one Business Center: the log-in lands in it (issue 21)
    expect(admin.get_by_role("heading", name="Brand Co · Partners")).to_be_visible()
    admin.get_by_role("link", name="Add Partners").click()
    admin.get_by_label("Email addresses or phone numbers").fill(
        "jane@agency.com\njane at agency")
    expect(admin.get_by_label("Analytics")).to_be_checked()  # the default module
    admin.get_by_label("Campaigns").check()
    admin.get_by_label("Partner kind").select_option(label="Agency")
    # The asset picker (picker.js): find the account, add it, pick its role on the chip.
    admin.get_by_label("Find assets by name or id").fill("main")
    admin.get_by_role("button", name=re.compile("^Add Main ads · ad account")).click()
    admin.get_by_label(re.compile("^Role on Main ads")).select_option(label="Operator")
    admin.get_by_role("button", name="Send Invite").click()
    # What happened to each address; only the one to fix stays in the box.
    expect(admin.get_by_role("row", name=re.compile("jane@agency.com"))).to_contain_text(
        "Invitation sent to jane@agency.com")
    expect(admin.get_by_role("row", name=re.compile("jane at agency"))).to_contain_text(
        "Invalid")
    expect(admin.get_by_label("Email addresses or phone numbers")).to_have_value(
        "jane at agency")
    shot(admin, "add-partners")

    run_worker()  # the background worker delivers the email
    # (The owner was told by email that Sam and Lee accepted: issue 21's notifications.)
    [email] = [m for m in mailbox if m.to != ["owner@brand.com"]]
    assert email.to == ["jane@agency.com"]
    link = link_in(email.body)

    # -- The partner opens the link, signs up, accepts -----------------------------------
    partner = new_page()
    partner.goto(link)
    expect(partner.get_by_role("heading", name="Join Brand Co")).to_be_visible()
    expect(partner.get_by_text("j***@agency.com").first).to_be_visible()
    partner.get_by_role("link", name="Create an account").click()
    # The account is made with the invited address, shown and locked, not typed.
    expect(partner.get_by_text("j***@agency.com").first).to_be_visible()
    expect(partner.get_by_label("Email")).to_have_count(0)
    partner.get_by_label("Your name").fill("Jane")
    partner.get_by_label("Password").fill(PASSWORD)
    partner.get_by_role("button", name="Create account").click()
    # The code sent to the address proves it is hers; nothing else opens before it.
    expect(partner.get_by_role("heading", name="Confirm your address")).to_be_visible()
    shot(partner, "confirm-address")
    run_worker()
    partner.get_by_label("Code").fill(code_sent_to("jane@agency.com"))
    partner.get_by_role("button", name="Confirm", exact=True).click()
    expect(partner.get_by_text("jane@agency.com is confirmed as yours.")).to_be_visible()
    partner.get_by_role("button", name="Accept Invite").click()

    # They land on exactly what they were given.
    expect(partner.get_by_text("You joined Brand Co.")).to_be_visible()
    expect(partner).to_have_url(re.compile(rf"/c/{center.pk}/$"))
    expect(partner.get_by_role("heading", name="Your access to Brand Co")).to_be_visible()
    expect(fact(partner, "Role")).to_have_text("Standard")
    expect(fact(partner, "Partner kind")).to_have_text("Agency")
    expect(fact(partner, "Modules")).to_have_text("Analytics, Campaigns")
    expect(fact(partner, "Billing access")).to_have_text("None")
    # What she can do, where, and where it comes from; what she cannot, collapsed (issue 21).
    expect(partner.locator("section.can")).to_contain_text(
        "Propose campaign changes — on Ad account Main ads")
    expect(partner.locator("section.sources")).to_contain_text(
        "Ad account Main ads — Operator, given directly")
    cannot = partner.locator("details.cannot")
    cannot.locator("summary").click()
    expect(cannot).to_contain_text("Standard members cannot change campaigns directly")
    expect(cannot).to_contain_text(
        "To see billing and change billing, ask Olivia Owner (Admin) for Billing access")
    shot(partner, "my-access")

    # -- The Admin: the partner's name in Partners opens their detail; Edit ---------------
    admin.get_by_role("navigation", name="Brand Co").get_by_role("link", name="Partners").click()
    row = admin.get_by_role("row", name=re.compile("jane@agency.com"))
    expect(row).to_contain_text("analytics, campaigns")
    shot(admin, "members")
    row.get_by_role("link", name="Jane").click()
    expect(admin.get_by_role("heading", name="Jane", exact=True)).to_be_visible()
    expect(admin.locator("section.sources")).to_contain_text(
        "Ad account Main ads — Operator, given directly")
    shot(admin, "partner-detail")
    admin.get_by_role("link", name="Edit").click()
    expect(admin.get_by_role("heading", name="Edit the access of")).to_be_visible()
    admin.get_by_label("Campaigns").uncheck()
    admin.get_by_role("checkbox", name="Assets", exact=True).check()
    admin.get_by_role("button", name="Confirm").click()
    expect(admin.get_by_text("Saved the access of Jane")).to_be_visible()
    side = admin.get_by_role("navigation", name="Brand Co")
    side.get_by_role("link", name="Partners").click()
    expect(admin.get_by_role("row", name=re.compile("jane@agency.com"))).to_contain_text(
        "analytics, assets")

    # The partner's next reload shows the change.
    partner.reload()
    expect(fact(partner, "Modules")).to_have_text("Analytics, Assets")
    expect(partner.locator("details.cannot")).to_contain_text(
        "To see campaigns, propose campaign changes and change campaigns directly, ask "
        "Olivia Owner (Admin) to add the Campaigns module to your access.")
    expect(partner.get_by_role("navigation", name="Brand Co").get_by_role("link")).to_have_text(
        ["My access", "Reports", "Assets"])

    # -- Revoke Access, with its confirmation step -----------------------------------------
    admin.get_by_role("row", name=re.compile("jane@agency.com")).get_by_role(
        "link", name="Jane").click()
    admin.get_by_role("link", name="Revoke Access").click()
    expect(admin.get_by_role("heading", name="Revoke the access of Jane")).to_be_visible()
    expect(admin.get_by_role("link", name="Keep access")).to_be_visible()
    admin.get_by_role("button", name="Revoke Access").click()
    expect(admin.get_by_text("no longer has access to Brand Co")).to_be_visible()
    expect(admin.get_by_role("row", name=re.compile("jane@agency.com"))).to_have_count(0)

    # The partner's page is still open; its next click no longer reaches Brand Co.
    with partner.expect_response(re.compile(rf"/c/{center.pk}/$")) as refused:
        partner.get_by_role("link", name="My access").click()
    assert refused.value.status == 404
    expect(partner.get_by_role("heading", name="Not found")).to_be_visible()
    expect(partner.get_by_text(f"No Business Center with id {center.pk} is visible to you")
           ).to_be_visible()
    expect(partner.get_by_role("navigation", name="Brand Co")).to_have_count(0)
    assert partner.goto(f"/c/{center.pk}/partners/").status == 404
    partner.get_by_role("link", name="Go to your Business Centers").click()
    # Told which Business Center removed her, not "You are not in any" (issue 21).
    expect(partner.get_by_text(re.compile(r"Brand Co removed you on \d{4}-\d{2}-\d{2}\. Ask "
                                          "its Admin if this is a mistake."))).to_be_visible()

    # -- The Admin invites the same address again -----------------------------------------
    admin.get_by_role("link", name="Add Partners").click()
    admin.get_by_label("Email addresses or phone numbers").fill("jane@agency.com")
    admin.get_by_role("button", name="Send Invite").click()
    expect(admin.get_by_role("row", name=re.compile("jane@agency.com"))).to_contain_text(
        "Invitation sent to jane@agency.com")
    admin.get_by_role("link", name="Pending invitations").click()
    # The page lists pending invitations only (its filter says so): no status column.
    expect(admin.get_by_label("Status")).to_have_value("PENDING")
    pending = admin.get_by_role("row", name=re.compile("jane@agency.com"))
    expect(pending).to_contain_text("Standard")
    expect(pending.get_by_role("button", name="Resend")).to_be_visible()
    shot(admin, "pending-invitations")

    # -- What an Admin reviews afterwards: access review, activity log, settings ------------
    side.get_by_role("link", name="Access review").click()
    expect(admin.get_by_role("row", name=re.compile("jane@agency.com"))).to_contain_text(
        "invitation")
    expect(admin.get_by_role("row", name=re.compile("Olivia"))).to_contain_text("member")
    shot(admin, "access-review")
    side.get_by_role("link", name="Activity log").click()
    log = admin.get_by_role("table")
    for action in ("invitation.sent", "invitation.accepted", "member.updated",
                   "member.revoked"):
        expect(log.get_by_text(action).first).to_be_visible()
    shot(admin, "activity")
    side.get_by_role("link", name="Settings").click()
    expect(admin.get_by_label("Business Center name")).to_have_value("Brand Co")
    expect(admin.get_by_text(center.public_id)).to_be_visible()
    shot(admin, "settings")


def tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element is the one named so, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " const l = e.labels && e.labels[0];"
            " return ((l && l.textContent) || e.textContent || e.value || '').trim(); }")
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_keyboard_alone_logs_in_and_sends_an_invite(new_page, owner, center):
    page = new_page()
    page.goto("/login/")
    # The address field has the focus on arrival; Tab moves through the form.
    page.keyboard.type("owner@brand.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    tab_to(page, "Log in")
    page.keyboard.press("Enter")
    # In one Business Center only: the log-in lands in it (issue 21).
    expect(page.get_by_role("heading", name="Brand Co · Partners")).to_be_visible()
    tab_to(page, "Add Partners")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Email addresses or phone numbers")).to_be_visible()

    tab_to(page, "Email addresses or phone numbers")
    page.keyboard.type("kai@agency.com")
    tab_to(page, "Campaigns")
    page.keyboard.press("Space")
    expect(page.get_by_label("Campaigns")).to_be_checked()
    tab_to(page, "Partner kind")
    page.keyboard.type("Manager")  # a closed select picks the option typed
    expect(page.get_by_label("Partner kind")).to_have_value("manager")
    tab_to(page, "Send Invite")
    page.keyboard.press("Enter")
    expect(page.get_by_role("row", name=re.compile("kai@agency.com"))).to_contain_text(
        "Invitation sent to kai@agency.com")
    [invitation] = invitations.list_invitations(act(owner), center).items
    assert (invitation.kind, invitation.modules) == ("manager", ["ANALYTICS", "CAMPAIGNS"])


def test_partner_pages_fit_a_phone_screen(new_page, owner, center, make_user):
    ad = create_asset(act(owner), center, type="ADVERTISER", name="Main ads")
    invitations.invite(act(owner), center, ["a.very.long.address@agency.example.com",
                                            "+14155550123"])
    jane = make_user("jane@agency.com", name="Jane")
    member = join(owner, center, jane, Grant(modules=("ANALYTICS", "CAMPAIGNS", "ASSETS"),
                                             assets={ad.pk: ["OPERATOR"]}))
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, "owner@brand.com")
    expect(page.get_by_role("heading", name="Brand Co · Partners")).to_be_visible()  # landed
    c = f"/c/{center.pk}"
    for path in (f"{c}/partners/", f"{c}/partners/invitations/", f"{c}/partners/add/", "/",
                 f"{c}/", f"{c}/partners/{member.pk}/", f"{c}/partners/{member.pk}/edit/",
                 f"{c}/troubleshoot/?person=jane%40agency.com&action=campaign.edit"
                 f"&resource=asset%3A{ad.pk}",
                 f"{c}/review/", f"{c}/activity/", f"{c}/settings/", f"{c}/assets/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px screen"
