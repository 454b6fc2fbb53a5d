"""The article's other stories in a real browser, one test each: a phone invitation,
the wrong account, an expired or replaced link, the 21st Admin, a Standard member's
own view, the troubleshooter and a CSV import of 120 addresses."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bizcenter.accounts.models import User
from bizcenter.assets.services import create_asset
from bizcenter.centers.choices import Module
from bizcenter.centers.models import Membership
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation
from bizcenter.invitations.services import Grant
from bizcenter.outbox import sms
from tests.conftest import PASSWORD, act, code_sent_to
from tests.support.browser import join, link_in, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def invite(owner, center, address: str, grant: Grant | None = None) -> str:
    """An invitation made through the service; its link, as the message carries it."""
    [result] = invitations.invite(act(owner), center, [address], grant)
    assert result.ok and result.link, result.message
    return result.link


def sign_up_and_accept(page, link: str, address: str, run_worker, *, name: str = "") -> None:
    """Create the account from the link (with the invited address), prove the address
    with the code delivered to it, and accept."""
    page.goto(link)
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Confirm your address")).to_be_visible()
    run_worker()
    page.get_by_label("Code").fill(code_sent_to(address))
    page.get_by_role("button", name="Confirm", exact=True).click()
    page.get_by_role("button", name="Accept Invite").click()
    expect(page.get_by_text("You joined Brand Co.")).to_be_visible()


def test_a_phone_number_is_invited_by_text_message(new_page, owner, center, run_worker):
    admin = new_page()
    log_in(admin, "owner@brand.com")
    admin.goto(f"/c/{center.pk}/partners/add/")
    admin.get_by_label("Email addresses or phone numbers").fill("+1 415 555 0123")
    admin.get_by_role("button", name="Send Invite").click()
    expect(admin.get_by_role("row", name=re.compile(r"\+1 415 555 0123"))).to_contain_text(
        "Invitation sent to +14155550123")

    run_worker()
    [message] = sms.sent
    assert message["to"] == "+14155550123"
    link = link_in(message["body"])

    partner = new_page()
    partner.goto(link)
    expect(partner.get_by_role("heading", name="Join Brand Co")).to_be_visible()
    expect(partner.get_by_text("Sent to +14*****0123")).to_be_visible()
    sign_up_and_accept(partner, link, "+14155550123", run_worker, name="Pat")
    expect(partner.get_by_role("heading", name="Your access to Brand Co")).to_be_visible()

    admin.goto(f"/c/{center.pk}/partners/")
    expect(admin.get_by_role("row", name=re.compile(r"\+14155550123"))).to_contain_text("Pat")
    admin.get_by_role("link", name="Pending invitations").click()
    expect(admin.get_by_text("No invitations here.")).to_be_visible()


def test_the_wrong_account_is_refused_and_the_link_still_works(new_page, owner, center,
                                                                make_user):
    link = invite(owner, center, "jane@agency.com")
    make_user("bob@other.com", name="Bob")
    make_user("jane@agency.com", name="Jane")

    page = new_page()
    log_in(page, "bob@other.com")
    page.goto(link)
    expect(page.get_by_text("You are logged in as bob@other.com.")).to_be_visible()
    with page.expect_response(re.compile("/invite/")) as refused:
        page.get_by_role("button", name="Accept Invite").click()
    assert refused.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text(
        "This invitation was sent to j***@agency.com, but you are logged in as bob@other.com.")
    expect(page.get_by_role("button", name="Accept Invite")).to_have_count(0)

    # The way out: log out, back to the same link, log in with the invited address.
    page.get_by_role("main").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Join Brand Co")).to_be_visible()
    expect(page.get_by_text("Log in or create an account with j***@agency.com")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email or phone").fill("jane@agency.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Accept Invite").click()
    expect(page.get_by_text("You joined Brand Co.")).to_be_visible()
    assert not Membership.objects.filter(user__email="bob@other.com").exists()


def test_an_expired_link_says_so_and_to_ask_for_a_resend(new_page, owner, center):
    link = invite(owner, center, "jane@agency.com")
    Invitation.objects.filter(address="jane@agency.com").update(
        expires_at=timezone.now() - timedelta(days=1))

    page = new_page()
    response = page.goto(link)
    assert response is not None and response.status == 410
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This invitation to Brand Co expired on")
    expect(alert).to_contain_text("Ask an Admin of Brand Co to resend it")
    expect(page.get_by_role("button", name="Accept Invite")).to_have_count(0)
    expect(page.get_by_role("link", name="Create an account")).to_have_count(0)


def test_resend_replaces_the_link(new_page, owner, center, run_worker, mailbox):
    old = invite(owner, center, "jane@agency.com")
    admin = new_page()
    log_in(admin, "owner@brand.com")
    admin.goto(f"/c/{center.pk}/partners/invitations/")
    admin.get_by_role("row", name=re.compile("jane@agency.com")).get_by_role(
        "button", name="Resend").click()
    expect(admin.get_by_text("Sent a new link to jane@agency.com; the old link no longer "
                             "works.")).to_be_visible()
    expect(admin.get_by_role("row", name=re.compile("jane@agency.com"))).to_contain_text(
        "resent 1\N{MULTIPLICATION SIGN}")

    partner = new_page()
    response = partner.goto(old)
    assert response is not None and response.status == 410
    expect(partner.get_by_role("alert")).to_contain_text(
        "This link was replaced by a newer invitation to Brand Co")
    expect(partner.get_by_role("alert")).to_contain_text("Open the link in the newest message")

    run_worker()
    new = link_in(mailbox[-1].body)
    assert new != old
    sign_up_and_accept(partner, new, "jane@agency.com", run_worker, name="Jane")


def test_the_21st_admin_is_refused_with_the_limit(new_page, owner, center):
    """The owner and 19 more Admins fill the 20 Admin seats."""
    users = []
    for i in range(19):
        user = User(email=f"admin{i}@brand.com", name=f"Admin {i}")
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    Membership.objects.bulk_create(
        Membership(center=center, user=u, role="ADMIN", kind="employee",
                   modules=list(Module.values))
        for u in User.objects.filter(email__startswith="admin"))

    admin = new_page()
    log_in(admin, "owner@brand.com")
    admin.goto(f"/c/{center.pk}/partners/add/")
    admin.get_by_label("Email addresses or phone numbers").fill(
        "twenty.first@agency.com\nstandard@agency.com")
    admin.get_by_label("Role", exact=True).select_option(label="Admin")
    admin.get_by_role("button", name="Send Invite").click()
    refused = admin.get_by_role("row", name=re.compile("twenty.first@agency.com"))
    expect(refused).to_contain_text("Admin limit reached: this Business Center has 20 of 20 "
                                    "Admin seats in use")
    expect(refused).to_contain_text("Invite this person as Standard")
    expect(admin.get_by_role("row", name=re.compile("standard@agency.com"))).to_contain_text(
        "Admin limit reached")
    # Only the refused addresses stay in the box, ready to send as Standard.
    expect(admin.get_by_label("Email addresses or phone numbers")).to_have_value(
        "twenty.first@agency.com\nstandard@agency.com")
    admin.get_by_label("Role", exact=True).select_option(label="Standard")
    admin.get_by_role("button", name="Send Invite").click()
    expect(admin.get_by_role("row", name=re.compile("twenty.first@agency.com"))).to_contain_text(
        "Invitation sent to twenty.first@agency.com")


def test_each_address_result_is_named_in_words(new_page, owner, center):
    page = new_page()
    log_in(page, "owner@brand.com")
    page.goto(f"/c/{center.pk}/partners/add/")
    page.get_by_label("Email addresses or phone numbers").fill("owner@brand.com")
    page.get_by_role("button", name="Send Invite").click()
    row = page.get_by_role("row", name=re.compile("owner@brand.com"))
    expect(row).to_contain_text("is already a member of Brand Co")
    assert row.get_by_role("cell").nth(1).inner_text() == "Already member"


def test_a_standard_member_sees_only_their_own_access(new_page, owner, center, make_user):
    ad = create_asset(act(owner), center, type="ADVERTISER", name="Main ads")
    create_asset(act(owner), center, type="ADVERTISER", name="Other ads")
    jane = make_user("jane@agency.com", name="Jane")
    join(owner, center, jane, Grant(modules=("ANALYTICS", "ASSETS"),
                                    assets={ad.pk: ["ANALYST"]}))

    page = new_page()
    log_in(page, "jane@agency.com")  # one Business Center: the log-in lands in it (issue 21)
    expect(page.get_by_role("heading", name="Your access to Brand Co")).to_be_visible()
    nav = page.get_by_role("navigation", name="Brand Co")
    expect(nav.get_by_role("link")).to_have_text(["My access", "Reports", "Assets"])
    main = page.get_by_role("main")
    for admin_only in ("Add Partners", "Edit", "Revoke Access", "Troubleshoot", "Partners"):
        expect(main.get_by_role("link", name=admin_only, exact=True)).to_have_count(0)
        expect(main.get_by_role("button", name=admin_only, exact=True)).to_have_count(0)

    nav.get_by_role("link", name="Assets").click()
    expect(page.get_by_role("row", name=re.compile("Main ads"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Other ads"))).to_have_count(0)
    expect(page.get_by_role("heading", name="Add an asset")).to_have_count(0)

    # Typing an Admin page's address gets a page that says why and whom to ask.
    response = page.goto(f"/c/{center.pk}/partners/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Only Admins of Brand Co can see members")
    expect(page.get_by_role("alert")).to_contain_text("Ask an Admin of Brand Co")
    expect(page.get_by_role("link", name="Go to your Business Centers")).to_be_visible()
    expect(nav.get_by_role("link")).to_have_text(["My access", "Reports", "Assets"])
    shot(page, "403")
    for path in ("partners/add/", "troubleshoot/", "review/", "activity/", "settings/"):
        response = page.goto(f"/c/{center.pk}/{path}")
        assert response is not None and response.status == 403, path


def test_the_troubleshooter_explains_a_denial_and_its_fix(new_page, owner, center, make_user):
    ad = create_asset(act(owner), center, type="ADVERTISER", name="Main ads")
    jane = make_user("jane@agency.com", name="Jane")
    join(owner, center, jane, Grant(kind="agency", modules=("ANALYTICS", "CAMPAIGNS"),
                                    assets={ad.pk: ["OPERATOR"]}))

    admin = new_page()
    log_in(admin, "owner@brand.com")
    admin.goto(f"/c/{center.pk}/partners/")
    admin.get_by_role("link", name="Jane").click()
    admin.get_by_role("main").get_by_role("link", name="Troubleshoot", exact=True).click()
    expect(admin.get_by_role("heading", name="Troubleshooter")).to_be_visible()
    expect(admin.get_by_label("Person (email or phone)")).to_have_value("jane@agency.com")
    admin.get_by_label("Trying to").select_option(label="Change campaigns directly")
    admin.get_by_label("On", exact=True).select_option(label="Ad account Main ads")
    admin.get_by_role("button", name="Explain").click()

    verdict = admin.locator("section.answer")
    # Issue 21: about Jane, to the Admin reading it, with the form that would change it.
    expect(verdict.get_by_role("heading")).to_contain_text(
        "No: Jane cannot change campaigns directly on Ad account Main ads")
    expect(verdict).to_contain_text(
        "Jane cannot change campaigns directly: Standard members propose changes, and an "
        "Admin approves them.")
    expect(verdict.get_by_role("link", name="Edit Jane's access")).to_be_visible()
    shot(admin, "troubleshooter")

    # The fix it names is allowed.
    admin.get_by_label("Trying to").select_option(label="Propose campaign changes")
    admin.get_by_role("button", name="Explain").click()
    expect(verdict.get_by_role("heading")).to_contain_text(
        "Yes: Jane can propose campaign changes on Ad account Main ads")
    expect(verdict).to_contain_text("Jane is Operator on Ad account Main ads, given directly")


def test_a_csv_of_120_addresses_is_invited_with_live_progress(new_page, owner, center,
                                                              run_worker):
    addresses = [f"p{i}@agency.com" for i in range(118)]
    addresses[10:10] = ["p3@agency.com"]  # a repeat, in the same batch of 50
    addresses[20:20] = ["not an address"]
    rows = ["name,email", *(f"Person {i},{a}" for i, a in enumerate(addresses))]
    admin = new_page()
    log_in(admin, "owner@brand.com")
    admin.goto(f"/c/{center.pk}/partners/add/")
    admin.get_by_label("Or upload a CSV file").set_input_files(
        files=[{"name": "partners.csv", "mimeType": "text/csv",
                "buffer": "\n".join(rows).encode()}])
    admin.get_by_label("Partner kind").select_option(label="Client")
    admin.get_by_role("button", name="Send Invite").click()

    expect(admin).to_have_url(re.compile(rf"/c/{center.pk}/partners/imports/\d+/$"))
    progress = admin.locator("#import-progress")
    expect(progress.get_by_role("heading")).to_have_text(
        "Inviting 120 rows from partners.csv")
    expect(progress).to_contain_text("0 of 120")
    expect(progress).to_contain_text("Waiting for the background worker to start")
    admin.evaluate("window.stillTheSamePage = true")

    # htmx asks every second. Its requests wait in Playwright while the worker runs in
    # this thread, so the worker and the live server never share SQLite's one connection
    # at the same moment; the page only sees the answers after.
    admin.route(re.compile(r"/partners/imports/\d+/$"), lambda route: route.continue_())
    run_worker()
    expect(progress).to_contain_text("120 of 120", timeout=15_000)
    expect(progress).to_contain_text("Done")
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "120")
    assert admin.evaluate("window.stillTheSamePage") is True  # no reload: htmx swapped it
    expect(progress.get_by_role("heading", name="Not invited")).to_be_visible()
    expect(progress.get_by_role("row", name=re.compile("not an address"))).to_contain_text(
        "Invalid")
    expect(progress.get_by_role("row", name=re.compile("p3@agency.com"))).to_contain_text(
        "p3@agency.com is a duplicate of row 5; it is invited once.")
    shot(admin, "import-progress")

    progress.get_by_role("link", name="See pending invitations").click()
    expect(admin.get_by_text("118 in all")).to_be_visible()
    assert Invitation.objects.filter(center=center, kind="client").count() == 118
