"""The Business Center pages as their users meet them: the navigation and switcher,
My access, a partner's detail, the troubleshooter, the access review, the activity
log and its export, settings, assets, asset groups and partner Business Centers.

Every test drives the real pages with Django's test client over the real
database; state is built with the services, as the product itself builds it.
Each page is tried on its good path and on the ways a person gets it wrong:
the error must be readable, beside the field it is about, with what was typed
kept, and at a 4xx status; a Standard member gets a helpful 403, an outsider 404.
"""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from bizcenter.accounts import two_factor
from bizcenter.assets import groups as group_services
from bizcenter.assets import partners as partner_services
from bizcenter.assets.models import (
    AccessRequest,
    Asset,
    AssetGrant,
    AssetGroup,
    PartnerShare,
    Partnership,
)
from bizcenter.assets.services import assign, create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.audit.services import EXPORT_FIELDS
from bizcenter.centers.models import BusinessCenter, Membership, MembershipState
from bizcenter.centers.services import create_center, revoke_member
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from bizcenter.web.context import SECTIONS
from tests.conftest import act, fresh_code, partner_up


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    """These tests are about pages, not passwords: sign-up need not run Argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def member(as_admin, center, make_user, email, **grant) -> Membership:
    """Invite a new person and accept for them, as they would from the link."""
    [sent] = invitations.invite(as_admin, center, [email], Grant(**grant))
    assert sent.ok, sent.message
    person = make_user(email, name=email.split("@")[0].title())
    return invitations.accept(act(person), sent.link.rstrip("/").rsplit("/", 1)[-1])


def text(page: HttpResponse) -> str:
    """What the person reads, with HTML entities turned back into characters."""
    return htmllib.unescape(page.content.decode())


def raw(page: HttpResponse) -> str:
    return page.content.decode()


def plain(page: HttpResponse) -> str:
    """The words on the page, without markup, as a screen reader would say them."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", raw(page))).split())


def field_error(page: HttpResponse, field: str) -> str:
    """The error lines shown beside one input (the _form.html markup)."""
    found = re.findall(rf'id="id_{field}-error">([^<]*)<', raw(page))
    return htmllib.unescape(" ".join(found))


def activity_field_error(page: HttpResponse, field: str) -> str:
    """The activity filters put their error inside the field's own block."""
    block = re.search(rf'<label for="id_{field}">.*?</div>', raw(page), re.S)
    assert block, f"no {field} field"
    return htmllib.unescape(" ".join(re.findall(r'class="field-error">([^<]*)<', block.group(0))))


def nav_labels(page: HttpResponse) -> list[str]:
    side = re.search(r'<nav class="side"[^>]*>(.*?)</nav>', raw(page), re.S)
    return re.findall(r"<a [^>]*>([^<]+)</a>", side.group(1)) if side else []


def current_section(page: HttpResponse) -> str | None:
    side = re.search(r'<nav class="side"[^>]*>(.*?)</nav>', raw(page), re.S)
    found = re.search(r'aria-current="page">([^<]+)<', side.group(1)) if side else None
    return found.group(1) if found else None


def switcher(page: HttpResponse) -> list[str]:
    box = re.search(r'<details class="switcher">(.*?)</details>', raw(page), re.S)
    assert box, "no Business Center switcher"
    return [htmllib.unescape(n).strip() for n in
            re.findall(r'<a href="/c/\d+/"[^>]*>([^<]+)<span', box.group(1))]


def flash(page: HttpResponse) -> str:
    box = re.search(r'<ul class="flash"[^>]*>(.*?)</ul>', raw(page), re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", box.group(1))) if box else ""


def logged_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def admin(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def other_center(make_user):
    """Another company's Business Center, with its own Admin."""
    boss = make_user("boss@agency.com", name="Bo Boss")
    return create_center(act(boss), name="Agency Inc")


@pytest.fixture
def ads(center, as_owner) -> Asset:
    return create_asset(as_owner, center, type="ADVERTISER", name="Main ads")


ADMIN_PAGES = ["partners/", "partners/{member}/", "troubleshoot/", "review/", "activity/",
               "settings/", "groups/", "partner-centers/", "partners/invitations/",
               "partners/add/"]
# An Admin reaches every section there is, in the menu's order.
ALL_SECTIONS = [label for _, label, _, _ in SECTIONS]


# -- navigation, switcher, who may open what -------------------------------------------


def test_an_admin_sees_every_section_and_the_current_one_is_marked(admin, center, ads):
    page = admin.get(f"/c/{center.pk}/")
    assert page.status_code == 200
    assert nav_labels(page) == ALL_SECTIONS
    assert current_section(page) == "My access"
    for path, label in [("partners/", "Partners"), ("assets/", "Assets"),
                        (f"assets/{ads.pk}/", "Assets"), ("partner-centers/",
                                                           "Partner Business Centers"),
                        ("troubleshoot/", "Troubleshooter"), ("review/", "Access review"),
                        ("activity/", "Activity log"), ("settings/", "Settings"),
                        ("groups/", "Asset groups")]:
        shown = admin.get(f"/c/{center.pk}/{path}")
        assert shown.status_code == 200, path
        assert current_section(shown) == label, path


@pytest.mark.parametrize(("modules", "sections"), [
    (("ANALYTICS",), ["My access", "Reports"]),
    (("ANALYTICS", "ASSETS"), ["My access", "Reports", "Assets"]),
])
def test_a_standard_member_sees_only_what_they_may_open(client, center, as_owner, make_user,
                                                        modules, sections):
    std = member(as_owner, center, make_user, "std@agency.com", modules=modules)
    client.force_login(std.user)
    page = client.get(f"/c/{center.pk}/")
    assert page.status_code == 200
    assert nav_labels(page) == sections
    html = raw(page)
    for admin_only in ("/partners/", "/review/", "/settings/", "/activity/", "/groups/"):
        assert f'href="/c/{center.pk}{admin_only}' not in html
    assets = client.get(f"/c/{center.pk}/assets/")
    assert assets.status_code == (200 if "ASSETS" in modules else 403)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_standard_member_gets_a_helpful_403_on_each_admin_page(client, center, as_owner,
                                                                 make_user, path):
    std = member(as_owner, center, make_user, "std@agency.com", modules=("ANALYTICS",
                                                                          "ASSETS"))
    other = member(as_owner, center, make_user, "ana@agency.com")
    client.force_login(std.user)
    page = client.get(f"/c/{center.pk}/" + path.format(member=other.pk))
    html = text(page)
    assert page.status_code == 403, html
    assert "Not allowed" in html
    assert "Only Admins of Brand Co can do this" in html and "Ask an Admin" in html
    assert 'href="/"' in html  # a way back
    # still inside the Business Center
    assert nav_labels(page) == ["My access", "Reports", "Assets"]


def test_a_standard_member_cannot_open_a_group_or_troubleshoot_with_a_query(
    client, center, as_owner, make_user, ads
):
    std = member(as_owner, center, make_user, "std@agency.com", modules=("ASSETS",))
    group = group_services.create_group(as_owner, center, "Media team")
    client.force_login(std.user)
    assert client.get(f"/c/{center.pk}/groups/{group.pk}/").status_code == 403
    asked = client.get(f"/c/{center.pk}/troubleshoot/", {
        "person": "owner@brand.com", "action": "asset.view", "resource": f"asset:{ads.pk}"})
    assert asked.status_code == 403
    for query in ("?format=csv", "?person=nobody@nowhere.com", "?since=yesterday"):
        refused = client.get(f"/c/{center.pk}/activity/{query}")
        assert refused.status_code == 403, query
        assert "No account uses" not in text(refused)  # no probing who has an account


def test_a_standard_members_posts_to_admin_pages_change_nothing(client, center, as_owner,
                                                               make_user, other_center, ads):
    std = member(as_owner, center, make_user, "std@agency.com", modules=("ASSETS",))
    group = group_services.create_group(as_owner, center, "Media team")
    client.force_login(std.user)
    base = f"/c/{center.pk}"
    posts = [
        ("/settings/", {"name": "Hijacked", "timezone": "UTC", "currency": "EUR",
                        "two_factor_policy": "NOBODY"}),
        ("/assets/", {"type": "PIXEL", "name": "Sneaky pixel"}),
        (f"/assets/{ads.pk}/", {"step": "assign", "person": "std@agency.com",
                                "roles": "ADMIN"}),
        (f"/assets/{ads.pk}/", {"step": "status", "status": "CLOSED"}),
        ("/groups/", {"name": "Sneaky group"}),
        (f"/groups/{group.pk}/", {"step": "delete"}),
        ("/partner-centers/", {"step": "request", "partner_id": other_center.public_id}),
    ]
    for path, data in posts:
        page = client.post(base + path, data)
        # An ad account they were not given is not found, as a made-up id would be.
        assert page.status_code == (404 if path.startswith("/assets/") and path != "/assets/"
                                    else 403), path
    center.refresh_from_db()
    ads.refresh_from_db()
    assert center.name == "Brand Co" and center.currency == "USD"
    assert ads.status == "ACTIVE"
    assert not Asset.objects.filter(name="Sneaky pixel").exists()
    assert not AssetGrant.objects.exists()
    assert list(AssetGroup.objects.values_list("name", flat=True)) == ["Media team"]
    assert not Partnership.objects.exists()


@pytest.mark.parametrize("path", ["", "assets/", "partners/", "troubleshoot/", "review/",
                                  "activity/", "settings/", "groups/", "partner-centers/"])
def test_a_page_of_another_business_center_is_not_found(client, center, other_center, path):
    boss = other_center.memberships.get().user
    client.force_login(boss)
    page = client.get(f"/c/{center.pk}/{path}")
    html = text(page)
    assert page.status_code == 404
    assert f"No Business Center with id {center.pk} is visible to you" in html
    assert "Brand Co" not in html  # not even its name
    assert "<nav class=\"side\"" not in raw(page)


def test_the_switcher_lists_only_my_current_centers(client, owner, center, as_owner,
                                                    make_user, other_center):
    create_center(act(owner), name="Zebra Shop")
    gone = create_center(act(owner), name="Old Shop")
    heir = member(act(owner), gone, make_user, "heir@brand.com", role="ADMIN")
    revoke_member(act(heir.user), gone, gone.memberships.get(user=owner).pk)
    client.force_login(owner)
    page = client.get(f"/c/{center.pk}/")
    assert switcher(page) == ["Brand Co", "Zebra Shop"]
    assert "Agency Inc" not in text(page) and "Old Shop" not in text(page)
    assert re.search(rf'href="/c/{center.pk}/" aria-current="true"', raw(page))


def test_the_center_pages_need_a_login(client, center):
    page = client.get(f"/c/{center.pk}/settings/")
    assert page.status_code == 302 and page.url.startswith("/login/?next=")


# -- My access ------------------------------------------------------------------------


def answer_line(html: str, label: str) -> str:
    """The list item of one answer: its verdict, reasons and fix."""
    found = re.search(rf'<li class="(yes|no)">(?:(?!</li>).)*?<strong>{re.escape(label)}'
                      r"</strong>(?:(?!</li>).)*</li>", html, re.S)
    assert found, f"no answer for {label}"
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split()) + (
        " [ALLOWED]" if found.group(1) == "yes" else " [DENIED]")


def test_my_access_of_a_standard_operator_on_an_ad_account(client, center, as_owner,
                                                           make_user, ads):
    std = member(as_owner, center, make_user, "op@agency.com",
                 modules=("ANALYTICS", "CAMPAIGNS"))
    assign(as_owner, center, std.pk, ads.pk, ["OPERATOR"])
    client.force_login(std.user)
    page = client.get(f"/c/{center.pk}/")
    html = raw(page)
    assert page.status_code == 200
    assert "Your access to Brand Co" in text(page)
    assert "Ad account Main ads" in text(page) and "OPERATOR" in html
    propose = answer_line(html, "Propose campaign changes")
    assert "[ALLOWED]" in propose and "You are OPERATOR on Ad account Main ads" in propose
    edit = answer_line(html, "Change campaigns directly")
    assert "[DENIED]" in edit
    assert "Fix: Propose the change instead: an Admin approves it." in edit
    assert "[DENIED]" in answer_line(html, "Change settings")
    assert "[ALLOWED]" in answer_line(html, "Open the Business Center")


def test_my_access_of_an_analyst_says_whom_to_ask_for_more(client, center, as_owner,
                                                          make_user, ads):
    std = member(as_owner, center, make_user, "an@agency.com",
                 modules=("ANALYTICS", "CAMPAIGNS"))
    assign(as_owner, center, std.pk, ads.pk, ["ANALYST"])
    client.force_login(std.user)
    html = raw(client.get(f"/c/{center.pk}/"))
    propose = answer_line(html, "Propose campaign changes")
    assert "[DENIED]" in propose and "make you OPERATOR on Ad account Main ads" in propose
    assert "[ALLOWED]" in answer_line(html, "See reports")


def test_my_access_without_assets_says_so(client, center, as_owner, make_user):
    std = member(as_owner, center, make_user, "new@agency.com")
    client.force_login(std.user)
    assert "No assets are assigned to you" in text(client.get(f"/c/{center.pk}/"))


def test_my_access_of_an_admin_says_every_asset(admin, center, ads):
    html = text(admin.get(f"/c/{center.pk}/"))
    assert "As an Admin, you reach every asset Brand Co owns." in html
    assert "[ALLOWED]" in answer_line(raw(admin.get(f"/c/{center.pk}/")), "Change settings")


def test_an_admins_own_grant_is_not_shown_as_a_partner_share(admin, center, as_owner, ads):
    mine = center.memberships.get()
    assign(as_owner, center, mine.pk, ads.pk, ["ANALYST"])
    html = text(admin.get(f"/c/{center.pk}/"))
    assert "shared by partners" not in html
    assert "ANALYST" not in html  # an Admin is never just an analyst of its own account


def test_a_revoked_member_reaches_nothing_on_the_next_click(client, center, as_owner,
                                                            make_user):
    std = member(as_owner, center, make_user, "gone@agency.com", modules=("ASSETS",))
    client.force_login(std.user)
    assert client.get(f"/c/{center.pk}/").status_code == 200
    revoke_member(as_owner, center, std.pk)
    for path in ("", "assets/"):
        page = client.get(f"/c/{center.pk}/{path}")
        assert page.status_code == 404
        assert "is visible to you" in text(page)
    assert "Brand Co" not in text(client.get("/"))


def test_a_missing_two_step_set_up_is_a_refusal_that_says_what_to_do(client, center,
                                                                    as_owner, make_user):
    std = member(as_owner, center, make_user, "std@agency.com")
    center.two_factor_policy = "EVERYONE"
    center.save()
    from bizcenter.centers.services import bump_access_version

    bump_access_version(center)
    client.force_login(std.user)
    page = client.get(f"/c/{center.pk}/")
    assert page.status_code == 403
    assert "Set up 2-step verification" in text(page)


# -- a partner's detail ---------------------------------------------------------------


def test_partner_detail_shows_their_access_and_the_actions(admin, center, as_owner,
                                                           make_user, ads):
    std = member(as_owner, center, make_user, "eve@agency.com", kind="agency",
                 modules=("ANALYTICS", "CAMPAIGNS"))
    assign(as_owner, center, std.pk, ads.pk, ["OPERATOR"])
    page = admin.get(f"/c/{center.pk}/partners/{std.pk}/")
    html = raw(page)
    assert page.status_code == 200
    assert "<h1>Eve</h1>" in html and "eve@agency.com" in html
    assert "Agency" in text(page) and "Analytics, Campaigns" in text(page)
    assert "[DENIED]" in answer_line(html, "Change campaigns directly")
    assert f'href="/c/{center.pk}/partners/{std.pk}/edit/"' in html
    assert f'href="/c/{center.pk}/partners/{std.pk}/revoke/"' in html
    trouble = re.search(r'href="([^"]*/troubleshoot/\?person=[^"]*)"', html).group(1)
    assert current_section(page) == "Partners"
    # The Troubleshoot button opens the troubleshooter for this person, ready to ask.
    opened = admin.get(htmllib.unescape(trouble))
    assert opened.status_code == 200
    assert 'value="eve@agency.com"' in raw(opened)
    assert "This field is required" not in text(opened)


def test_partner_detail_of_a_revoked_member_has_no_actions(admin, center, as_owner,
                                                           make_user):
    std = member(as_owner, center, make_user, "old@agency.com")
    revoke_member(as_owner, center, std.pk)
    page = admin.get(f"/c/{center.pk}/partners/{std.pk}/")
    assert page.status_code == 200
    assert "Revoked" in text(page)
    assert "Revoke Access" not in text(page) and "/edit/" not in raw(page)


def test_partner_detail_of_someone_elsewhere_is_not_found(admin, center, other_center):
    theirs = other_center.memberships.get()
    for member_id in (theirs.pk, 999999):
        page = admin.get(f"/c/{center.pk}/partners/{member_id}/")
        assert page.status_code == 404
        assert "Bo Boss" not in text(page) and "boss@agency.com" not in text(page)


def test_a_standard_member_reading_their_own_detail_gets_no_admin_buttons(
    client, center, as_owner, make_user
):
    std = member(as_owner, center, make_user, "std@agency.com")
    client.force_login(std.user)
    page = client.get(f"/c/{center.pk}/partners/{std.pk}/")
    assert page.status_code == 200
    html = raw(page)
    assert "Revoke Access" not in html and "/edit/" not in html
    assert "/troubleshoot/" not in html


# -- troubleshooter ----------------------------------------------------------------------


def troubleshoot(browser, center, **query) -> HttpResponse:
    return browser.get(f"/c/{center.pk}/troubleshoot/", query)


def answer_box(page: HttpResponse) -> str:
    box = re.search(r'<section class="card answer[^>]*>(.*?)</section>', raw(page), re.S)
    assert box, "no answer on the page"
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", box.group(1))).split())


def test_troubleshooter_says_the_asset_is_not_assigned_and_how_to_fix_it(
    admin, center, as_owner, make_user, ads
):
    member(as_owner, center, make_user, "ana@agency.com", modules=("CAMPAIGNS",))
    blank = admin.get(f"/c/{center.pk}/troubleshoot/")
    assert blank.status_code == 200 and "card answer" not in raw(blank)
    assert f'value="asset:{ads.pk}"' in raw(blank)  # the assets to ask about
    page = troubleshoot(admin, center, person="Ana@Agency.com", action="campaign.view",
                        resource=f"asset:{ads.pk}")
    assert page.status_code == 200
    said = answer_box(page)
    assert "Denied" in said and "asset_not_assigned" in said
    assert "Ad account Main ads is not assigned" in said
    assert "Fix: Ask an Admin of Brand Co to assign Ad account Main ads" in said
    assert 'value="Ana@Agency.com"' in raw(page)  # the question stays on screen
    assert re.search(rf'value="asset:{ads.pk}" selected', raw(page))


def test_troubleshooter_allows_what_was_assigned(admin, center, as_owner, make_user, ads):
    std = member(as_owner, center, make_user, "ana@agency.com", modules=("CAMPAIGNS",))
    assign(as_owner, center, std.pk, ads.pk, ["OPERATOR"])
    said = answer_box(troubleshoot(admin, center, person="ana@agency.com",
                                   action="campaign.propose", resource=f"asset:{ads.pk}"))
    assert said.split()[0] == "Allowed"
    said = answer_box(troubleshoot(admin, center, person="ana@agency.com",
                                   action="settings.manage", resource="center"))
    assert "Denied" in said and "admins_only" in said


def test_troubleshooter_for_a_revoked_member(admin, center, as_owner, make_user):
    gone = member(as_owner, center, make_user, "gone@agency.com")
    revoke_member(as_owner, center, gone.pk)
    said = answer_box(troubleshoot(admin, center, person="gone@agency.com",
                                   action="center.view", resource="center"))
    assert "Denied" in said and "revoked" in said
    assert "invite you again" in said


def test_troubleshooter_for_an_invited_address_without_an_account(admin, center, as_owner):
    invitations.invite(as_owner, center, ["late@agency.com"])
    said = answer_box(troubleshoot(admin, center, person="LATE@agency.com",
                                   action="center.view", resource="center"))
    assert "Denied" in said and "invitation_pending" in said
    assert "late@agency.com has no membership in Brand Co yet" in said
    assert "still pending" in said
    assert "logging in or signing up with late@agency.com itself" in said
    assert "No account" not in said  # the same words whether or not it has one


def test_troubleshooter_for_an_address_nobody_invited(admin, center, make_user):
    said = answer_box(troubleshoot(admin, center, person="who@else.com",
                                   action="center.view", resource="center"))
    assert "Denied" in said and "not_in_center" in said
    assert "who@else.com has no membership and no pending invitation in Brand Co" in said
    assert "Invite who@else.com from Users → Partners → Add Partners" in said
    # An account that has nothing to do with this Business Center gets the very same
    # answer: the troubleshooter does not tell an Admin who has an account.
    make_user("known@else.com")
    known = answer_box(troubleshoot(admin, center, person="known@else.com",
                                    action="center.view", resource="center"))
    assert known == said.replace("who@else.com", "known@else.com")
    assert "No account" not in said and "not a member" not in known


def test_troubleshooter_never_answers_about_another_centers_asset(admin, center,
                                                                  other_center):
    boss = other_center.memberships.get().user
    secret = create_asset(act(boss), other_center, type="ADVERTISER", name="Secret ads")
    page = troubleshoot(admin, center, person="boss@agency.com", action="asset.view",
                        resource=f"asset:{secret.pk}")
    assert page.status_code == 404
    html = text(page)
    assert f"No asset with id {secret.pk} in Brand Co" in html
    assert "Secret ads" not in html and "card answer" not in raw(page)
    assert 'value="boss@agency.com"' in raw(page)


@pytest.mark.parametrize("resource", ["asset:abc", "member:1", "center:999999"])
def test_troubleshooter_refuses_a_resource_it_does_not_know(admin, center, resource):
    page = troubleshoot(admin, center, person="owner@brand.com", action="asset.view",
                        resource=resource)
    assert page.status_code == 400
    assert "is not something in Brand Co" in field_error(page, "resource")


def test_troubleshooter_unknown_action_keeps_what_was_typed(admin, center):
    page = troubleshoot(admin, center, person="ana@agency.com", action="campaign.delete",
                        resource="center")
    assert page.status_code == 400
    assert "Unknown action 'campaign.delete'" in field_error(page, "action")
    assert 'value="ana@agency.com"' in raw(page)
    assert "card answer" not in raw(page)


def test_troubleshooter_bad_address_is_shown_beside_the_person(admin, center):
    page = troubleshoot(admin, center, person="ana at agency", action="center.view",
                        resource="center")
    assert page.status_code == 400
    assert "neither an email address nor a phone number" in field_error(page, "person")
    assert 'value="ana at agency"' in raw(page)
    missing = troubleshoot(admin, center, action="center.view", resource="center")
    assert missing.status_code == 400 and "required" in field_error(missing, "person")


# -- access review -------------------------------------------------------------------------


def review_rows(page: HttpResponse) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", raw(page), re.S).group(1)
    return [htmllib.unescape(re.sub(r"<[^>]+>", " ", r))
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_access_review_flags_idle_members_and_filters_them(admin, center, as_owner,
                                                           make_user, other_center, ads):
    with time_machine.travel(timezone.now() - timedelta(days=120)):
        sleepy = member(as_owner, center, make_user, "sleepy@agency.com")
    busy = member(as_owner, center, make_user, "busy@agency.com")
    invitations.invite(as_owner, center, ["later@agency.com"])
    partner_up(as_owner, center, other_center)
    partner_services.share(as_owner, center, other_center.public_id, ads.pk, "ANALYST")
    page = admin.get(f"/c/{center.pk}/review/")
    assert page.status_code == 200
    html = text(page)
    assert "1 of 5 look idle (no activity for 90 days)" in html
    rows = review_rows(page)
    [idle] = [r for r in rows if "sleepy@agency.com" in r]
    assert "idle" in idle and "never active since joining 120 days ago" in idle
    [fresh] = [r for r in rows if "busy@agency.com" in r]
    assert "idle" not in fresh
    assert any("later@agency.com" in r and "pending for 0 days" in r for r in rows)
    assert any("Agency Inc (Business Center)" in r and "Main ads as ANALYST" in r
               for r in rows)
    assert f'href="/c/{center.pk}/partners/{sleepy.pk}/"' in raw(page)

    only = admin.get(f"/c/{center.pk}/review/?only=idle")
    assert [r for r in review_rows(only) if "@" in r] == [idle]
    assert "busy@agency.com" not in text(only) and busy.user.email not in text(only)
    assert re.search(r'<option value="idle" selected>', raw(only))
    # A shorter idle period is the reviewer's choice too.
    assert "0 of 5 look idle" in text(admin.get(f"/c/{center.pk}/review/?idle=200"))
    assert "no activity for 1 days" in text(admin.get(f"/c/{center.pk}/review/?idle=-3"))


def test_revoking_from_the_review_comes_back_to_the_review(admin, center, as_owner,
                                                           make_user):
    with time_machine.travel(timezone.now() - timedelta(days=120)):
        sleepy = member(as_owner, center, make_user, "sleepy@agency.com")
    member(as_owner, center, make_user, "other@agency.com")
    review = admin.get(f"/c/{center.pk}/review/?idle=30&only=idle")
    link = re.search(rf'href="(/c/{center.pk}/partners/{sleepy.pk}/revoke/\?next=[^"]+)"',
                     raw(review)).group(1)
    confirm = admin.get(htmllib.unescape(link))
    assert confirm.status_code == 200
    assert "Revoke the access of Sleepy <sleepy@agency.com>?" in text(confirm)
    back = htmllib.unescape(re.search(r'name="next" value="([^"]*)"', raw(confirm)).group(1))
    assert back == f"/c/{center.pk}/review/?idle=30&only=idle"
    assert Membership.objects.get(pk=sleepy.pk).state == MembershipState.ACTIVE  # asked first
    done = admin.post(htmllib.unescape(link), {"next": back})
    assert done.status_code == 302 and done.url == back
    after = admin.get(done.url)
    assert "no longer has access to Brand Co" in flash(after)
    assert not any("sleepy@agency.com" in r for r in review_rows(after))
    assert Membership.objects.get(pk=sleepy.pk).state == MembershipState.REVOKED


# -- activity log --------------------------------------------------------------------------


@pytest.fixture
def busy_log(center, as_owner, make_user):
    """Some history: the owner makes an ad account and a pixel; a second Admin a catalog."""
    second = member(as_owner, center, make_user, "second@brand.com", role="ADMIN")
    create_asset(as_owner, center, type="ADVERTISER", name="Ads one")
    create_asset(as_owner, center, type="PIXEL", name="Pixel one")
    create_asset(act(second.user), center, type="CATALOG", name="Catalog two")
    return second


def log_rows(page: HttpResponse) -> list[str]:
    return review_rows(page)


def test_activity_log_filters_by_category_and_person(admin, center, busy_log):
    page = admin.get(f"/c/{center.pk}/activity/")
    assert page.status_code == 200
    everything = log_rows(page)
    assert any("center.created" in r for r in everything)
    assert any("asset.created" in r and "Catalog two" in r for r in everything)

    ads_only = log_rows(admin.get(f"/c/{center.pk}/activity/?category=ACCOUNT"))
    assert len(ads_only) == 1 and "Ads one" in ads_only[0]

    by_second = admin.get(f"/c/{center.pk}/activity/", {"person": "Second@Brand.com"})
    rows = log_rows(by_second)
    assert rows and all("second@brand.com" in r for r in rows)
    assert any("Catalog two" in r for r in rows)
    assert not any("Ads one" in r for r in rows)
    assert 'value="Second@Brand.com"' in raw(by_second)

    both = log_rows(admin.get(f"/c/{center.pk}/activity/",
                              {"person": "owner@brand.com", "category": "ASSET"}))
    assert len(both) == 1 and "Pixel one" in both[0]
    by_action = log_rows(admin.get(f"/c/{center.pk}/activity/?action=center.created"))
    assert len(by_action) == 1


def test_activity_log_date_range_in_whole_days(admin, center, busy_log):
    today = timezone.now().date()
    shown = log_rows(admin.get(f"/c/{center.pk}/activity/",
                               {"since": today.isoformat(), "until": today.isoformat()}))
    assert any("Ads one" in r for r in shown)
    none = admin.get(f"/c/{center.pk}/activity/",
                     {"until": (today - timedelta(days=1)).isoformat()})
    assert none.status_code == 200 and "Nothing happened in this range" in text(none)


@pytest.mark.parametrize("days_apart", [1, 30])
def test_activity_log_since_after_until_is_refused(admin, center, days_apart):
    until = timezone.now().date() - timedelta(days=40)
    since = until + timedelta(days=days_apart)
    page = admin.get(f"/c/{center.pk}/activity/", {"since": since.isoformat(),
                                                    "until": until.isoformat()})
    assert page.status_code == 400
    assert "not before its end" in activity_field_error(page, "since")
    assert f'value="{since.isoformat()}"' in raw(page)
    assert f'value="{until.isoformat()}"' in raw(page)


def test_activity_log_unknown_person_is_an_empty_log_and_a_bad_one_an_error(admin, center):
    page = admin.get(f"/c/{center.pk}/activity/", {"person": "ghost@nowhere.com",
                                                    "category": "USER"})
    # Nobody by that address acted here: whether they have an account is not said.
    assert page.status_code == 200 and "No account" not in raw(page)
    assert 'value="ghost@nowhere.com"' in raw(page)
    assert re.search(r'value="USER" selected', raw(page))
    bad = admin.get(f"/c/{center.pk}/activity/", {"person": "ghost"})
    assert bad.status_code == 400
    assert "neither an email address nor a phone number" in activity_field_error(bad, "person")


def test_activity_log_bad_date_keeps_it(admin, center):
    page = admin.get(f"/c/{center.pk}/activity/", {"since": "last tuesday"})
    assert page.status_code == 400
    assert "Enter a valid date" in activity_field_error(page, "since")
    assert 'value="last tuesday"' in raw(page)


def streamed(page) -> str:
    return b"".join(page.streaming_content).decode()


def test_activity_export_csv_has_the_header_and_only_the_filtered_events(admin, center,
                                                                         busy_log):
    page = admin.get(f"/c/{center.pk}/activity/?category=ASSET&format=csv")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/csv")
    assert re.fullmatch(rf'attachment; filename="activity-{center.pk}-\d{{8}}-\d{{4}}\.csv"',
                        page["Content-Disposition"])
    rows = list(csv.reader(io.StringIO(streamed(page))))
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert len(rows) == 3
    assert {r[EXPORT_FIELDS.index("category")] for r in rows[1:]} == {"ASSET"}
    assert {r[EXPORT_FIELDS.index("target_label")] for r in rows[1:]} == {
        "Pixel Pixel one", "Catalog Catalog two"}
    # The page's own export links carry the filters.
    html = raw(admin.get(f"/c/{center.pk}/activity/?category=ASSET&page=2"))
    assert 'href="?category=ASSET&amp;format=csv"' in html


def test_activity_export_json_lines_parse(admin, center, busy_log):
    page = admin.get(f"/c/{center.pk}/activity/",
                     {"format": "json", "person": "second@brand.com", "category": "ASSET"})
    assert page.status_code == 200
    assert page["Content-Type"].startswith("application/x-ndjson")
    assert page["Content-Disposition"].startswith("attachment;")
    assert page["Content-Disposition"].endswith('.jsonl"')
    events = [json.loads(line) for line in streamed(page).splitlines()]
    assert [e["target_label"] for e in events] == ["Catalog Catalog two"]
    assert events[0]["actor_id"] == str(busy_log.user_id)
    assert set(events[0]) == set(EXPORT_FIELDS)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_activity_export_of_an_empty_range_is_an_empty_file(admin, center, fmt):
    page = admin.get(f"/c/{center.pk}/activity/", {"format": fmt, "action": "no.such"})
    assert page.status_code == 200
    body = streamed(page)
    assert body.strip() == ("" if fmt == "json" else ",".join(EXPORT_FIELDS))


def test_activity_export_unknown_format_is_refused(admin, center):
    page = admin.get(f"/c/{center.pk}/activity/?format=xml")
    assert page.status_code == 400
    assert "Unknown export format 'xml'. Use csv or json." in text(page)


# -- settings ----------------------------------------------------------------------------------


def settings_form(**changes) -> dict:
    return {"name": "Brand Co", "company": "", "timezone": "UTC", "currency": "USD",
            "two_factor_policy": "NOBODY", "allowed_email_domains": "", **changes}


def test_settings_save_and_show_after_the_redirect(admin, center):
    page = admin.get(f"/c/{center.pk}/settings/")
    assert page.status_code == 200
    assert f"Business Center id {center.public_id}" in plain(page)
    assert 'value="Brand Co"' in raw(page)
    done = admin.post(f"/c/{center.pk}/settings/", settings_form(
        name="Brand Company", currency="eur", timezone="Europe/Paris",
        allowed_email_domains="Agency.com, @brand.com"))
    assert done.status_code == 302 and done.url == f"/c/{center.pk}/settings/"
    after = admin.get(done.url)
    assert "Settings saved." in flash(after)
    html = raw(after)
    assert 'value="Brand Company"' in html and 'value="EUR"' in html
    assert 'value="Europe/Paris"' in html and 'value="agency.com, brand.com"' in html
    assert switcher(after)[0] == "Brand Company"
    center.refresh_from_db()
    assert (center.name, center.currency, center.allowed_email_domains) == (
        "Brand Company", "EUR", ["agency.com", "brand.com"])
    event = AuditEvent.objects.get(center=center, action="center.updated")
    assert event.via == "web" and event.actor.email == "owner@brand.com"
    assert event.before["name"] == "Brand Co" and event.after["currency"] == "EUR"
    # Saving again without a change writes no new event.
    admin.post(f"/c/{center.pk}/settings/", settings_form(
        name="Brand Company", currency="EUR", timezone="Europe/Paris",
        allowed_email_domains="agency.com, brand.com"))
    assert AuditEvent.objects.filter(action="center.updated").count() == 1


@pytest.mark.parametrize(("field", "typed", "says"), [
    ("timezone", "Mars/Olympus", "'Mars/Olympus' is not a time zone"),
    ("currency", "XYZ", "'XYZ' is not an ISO 4217 currency code"),
    ("allowed_email_domains", "agency, brand.com", "'agency' is not a domain name"),
    ("name", "   ", "This field is required."),
])
def test_settings_refuse_bad_values_and_keep_them(admin, center, field, typed, says):
    form = {**settings_form(name="New name", currency="GBP"), field: typed}
    page = admin.post(f"/c/{center.pk}/settings/", form)
    assert page.status_code == 400
    assert says in field_error(page, field)
    if typed.strip():
        assert f'value="{typed}"' in raw(page)
    if field != "name":
        assert 'value="New name"' in raw(page)  # the rest of the form stays too
    center.refresh_from_db()
    assert (center.name, center.currency, center.timezone) == ("Brand Co", "USD", "UTC")
    assert not AuditEvent.objects.filter(action="center.updated").exists()


def test_requiring_two_step_without_having_it_is_refused(admin, center):
    page = admin.post(f"/c/{center.pk}/settings/", settings_form(
        name="Renamed", two_factor_policy="ADMINS"))
    assert page.status_code == 409
    assert "Set up 2-step verification for yourself first" in text(page)
    assert 'value="Renamed"' in raw(page)
    assert re.search(r'value="ADMINS" selected', raw(page))
    center.refresh_from_db()
    assert (center.name, center.two_factor_policy) == ("Brand Co", "NOBODY")


def test_requiring_two_step_when_the_admin_has_it(admin, owner, center):
    setup = two_factor.start(act(owner))
    two_factor.confirm(act(owner), fresh_code(setup.secret))
    done = admin.post(f"/c/{center.pk}/settings/", settings_form(two_factor_policy="ADMINS"))
    assert done.status_code == 302
    center.refresh_from_db()
    assert center.two_factor_policy == "ADMINS"
    assert admin.get(f"/c/{center.pk}/settings/").status_code == 200  # not locked out


# -- assets ------------------------------------------------------------------------------------


def test_create_an_asset_and_find_it_in_the_list(admin, center):
    empty = admin.get(f"/c/{center.pk}/assets/")
    assert "No assets yet. Add the first one below." in text(empty)
    assert "Add an asset" in text(empty)
    done = admin.post(f"/c/{center.pk}/assets/", {"type": "ADVERTISER", "name": "Spring ads"})
    made = Asset.objects.get(name="Spring ads")
    assert done.status_code == 302 and done.url == f"/c/{center.pk}/assets/{made.pk}/"
    assert "Created Ad account Spring ads" in flash(admin.get(done.url))
    admin.post(f"/c/{center.pk}/assets/", {"type": "PIXEL", "name": "Shop pixel"})
    listed = text(admin.get(f"/c/{center.pk}/assets/"))
    assert "Spring ads" in listed and "Shop pixel" in listed
    pixels = text(admin.get(f"/c/{center.pk}/assets/?type=PIXEL"))
    assert "Shop pixel" in pixels and "Spring ads" not in pixels
    found = text(admin.get(f"/c/{center.pk}/assets/?q=spring"))
    assert "Spring ads" in found and "Shop pixel" not in found


def test_creating_an_asset_with_a_bad_name_keeps_the_form(admin, center):
    page = admin.post(f"/c/{center.pk}/assets/", {"type": "CATALOG", "name": "   "})
    assert page.status_code == 400
    assert "This field is required." in field_error(page, "name")
    assert re.search(r'value="CATALOG" selected', raw(page))
    bad_type = admin.post(f"/c/{center.pk}/assets/", {"type": "SPACESHIP", "name": "X"})
    assert bad_type.status_code == 400 and 'value="X"' in raw(bad_type)
    assert not Asset.objects.exists()


def holder_rows(page: HttpResponse) -> list[str]:
    return review_rows(page)


def test_asset_detail_shows_everyone_who_has_it_and_through_what(
    admin, center, as_owner, make_user, other_center, ads
):
    direct = member(as_owner, center, make_user, "dan@agency.com")
    grouped = member(as_owner, center, make_user, "gia@agency.com")
    assign(as_owner, center, direct.pk, ads.pk, ["OPERATOR"])
    group = group_services.create_group(as_owner, center, "Media team", [ads.pk])
    group_services.set_member(as_owner, center, group.pk, grouped.pk)
    partner_up(as_owner, center, other_center)
    partner_services.share(as_owner, center, other_center.public_id, ads.pk, "ANALYST")
    page = admin.get(f"/c/{center.pk}/assets/{ads.pk}/")
    assert page.status_code == 200
    rows = holder_rows(page)
    assert any("owner@brand.com" in r and "Admin" in r and "all roles" in r for r in rows)
    assert any("dan@agency.com" in r and "OPERATOR" in r and "direct" in r
               and "Unassign" in r for r in rows)
    assert any("gia@agency.com" in r and "ANALYST" in r and "group Media team" in r
               for r in rows)
    assert any("Agency Inc (partner Business Center)" in r and "ANALYST" in r
               and "shared" in r for r in rows)
    assert not any("gia@agency.com" in r and "Unassign" in r for r in rows)
    assert "Assign to a member" in text(page) and "Status" in text(page)


def test_a_group_without_a_role_for_the_type_does_not_list_its_members(
    admin, center, as_owner, make_user
):
    pixel = create_asset(as_owner, center, type="PIXEL", name="Shop pixel")
    seated = member(as_owner, center, make_user, "gia@agency.com")
    group = group_services.create_group(as_owner, center, "Media team", [pixel.pk])
    group_services.set_member(as_owner, center, group.pk, seated.pk,
                              {"ADVERTISER": "ANALYST"})
    rows = holder_rows(admin.get(f"/c/{center.pk}/assets/{pixel.pk}/"))
    assert not any("gia@agency.com" in r for r in rows)  # the group gives them no pixel role


def test_assign_to_a_member_then_unassign(admin, center, as_owner, make_user, ads):
    dan = member(as_owner, center, make_user, "dan@agency.com", modules=("CAMPAIGNS",))
    done = admin.post(f"/c/{center.pk}/assets/{ads.pk}/", {
        "step": "assign", "person": "DAN@agency.com", "roles": "OPERATOR",
        "expires": (timezone.now().date() + timedelta(days=10)).isoformat()})
    assert done.status_code == 302
    assert "Dan <dan@agency.com> now has Ad account Main ads" in flash(admin.get(done.url))
    grant = AssetGrant.objects.get(membership=dan, asset=ads)
    assert grant.roles == ["OPERATOR"] and grant.expires_at is not None
    dans = logged_in(dan.user)
    assert "Ad account Main ads" in text(dans.get(f"/c/{center.pk}/"))

    gone = admin.post(f"/c/{center.pk}/assets/{ads.pk}/members/{dan.pk}/unassign/")
    assert gone.status_code == 302
    assert "Removed the direct assignment." in flash(admin.get(gone.url))
    assert not AssetGrant.objects.filter(membership=dan).exists()
    assert "Ad account Main ads" not in text(dans.get(f"/c/{center.pk}/"))
    again = admin.post(f"/c/{center.pk}/assets/{ads.pk}/members/{dan.pk}/unassign/")
    assert again.status_code == 404
    assert "is not assigned to member" in text(again)
    assert "Who has access" in text(again)  # still on the asset's page
    assert admin.get(f"/c/{center.pk}/assets/{ads.pk}/members/{dan.pk}/unassign/"
                     ).status_code == 405


def test_assign_to_someone_who_is_not_a_member_changes_nothing(admin, center, as_owner,
                                                               make_user, ads):
    make_user("stranger@else.com")
    revoked = member(as_owner, center, make_user, "ex@agency.com")
    revoke_member(as_owner, center, revoked.pk)
    for who in ("stranger@else.com", "nobody@else.com", "ex@agency.com"):
        page = admin.post(f"/c/{center.pk}/assets/{ads.pk}/", {
            "step": "assign", "person": who, "roles": "ANALYST"})
        assert page.status_code == 400, who
        assert f"{who} is not a current member of Brand Co" in field_error(page, "person")
        assert f'value="{who}"' in raw(page)
    bad = admin.post(f"/c/{center.pk}/assets/{ads.pk}/", {
        "step": "assign", "person": "not an address", "roles": "ANALYST"})
    assert bad.status_code == 400
    assert "neither an email address nor a phone number" in field_error(bad, "person")
    assert not AssetGrant.objects.exists()


def test_assign_with_a_role_the_type_does_not_have(admin, center, as_owner, make_user, ads):
    member(as_owner, center, make_user, "dan@agency.com")
    page = admin.post(f"/c/{center.pk}/assets/{ads.pk}/", {
        "step": "assign", "person": "dan@agency.com", "roles": "POST"})
    assert page.status_code == 400
    assert field_error(page, "roles")
    assert 'value="dan@agency.com"' in raw(page)
    past = admin.post(f"/c/{center.pk}/assets/{ads.pk}/", {
        "step": "assign", "person": "dan@agency.com", "roles": "ANALYST",
        "expires": "2001-01-01"})
    assert past.status_code == 400
    assert "must be in the future" in field_error(past, "expires")
    assert 'value="2001-01-01"' in raw(past)
    assert not AssetGrant.objects.exists()


def test_a_tiktok_account_takes_several_roles(admin, center, as_owner, make_user):
    tiktok = create_asset(as_owner, center, type="TT_ACCOUNT", name="Brand TikTok")
    dan = member(as_owner, center, make_user, "dan@agency.com")
    done = admin.post(f"/c/{center.pk}/assets/{tiktok.pk}/", {
        "step": "assign", "person": "dan@agency.com", "roles": ["POST", "LIVE"]})
    assert done.status_code == 302
    assert sorted(AssetGrant.objects.get(membership=dan).roles) == ["LIVE", "POST"]
    page = admin.get(f"/c/{center.pk}/assets/{tiktok.pk}/")
    assert "Save status" not in text(page)  # only ad accounts have a status


def test_disable_an_ad_account(admin, center, as_owner, make_user, ads):
    op = member(as_owner, center, make_user, "op@agency.com", modules=("CAMPAIGNS",))
    assign(as_owner, center, op.pk, ads.pk, ["OPERATOR"])
    done = admin.post(f"/c/{center.pk}/assets/{ads.pk}/", {"step": "status",
                                                            "status": "DISABLED"})
    assert done.status_code == 302
    assert "is now DISABLED" in flash(admin.get(done.url))
    ads.refresh_from_db()
    assert ads.status == "DISABLED"
    event = AuditEvent.objects.get(action="asset.updated")
    assert event.after == {"status": "DISABLED"}
    html = raw(logged_in(op.user).get(f"/c/{center.pk}/"))
    propose = answer_line(html, "Propose campaign changes")
    assert "[DENIED]" in propose and "must reactivate Ad account Main ads first" in propose
    assert "Disabled" in text(admin.get(f"/c/{center.pk}/assets/"))
    bad = admin.post(f"/c/{center.pk}/assets/{ads.pk}/", {"step": "status", "status": "GONE"})
    assert bad.status_code == 400 and field_error(bad, "status")


def test_a_standard_member_with_assets_sees_only_theirs(client, center, as_owner, make_user,
                                                        ads, other_center):
    mine = create_asset(as_owner, center, type="CATALOG", name="My catalog")
    by_group = create_asset(as_owner, center, type="PIXEL", name="Group pixel")
    std = member(as_owner, center, make_user, "std@agency.com", modules=("ASSETS",))
    assign(as_owner, center, std.pk, mine.pk, ["AD_PROMOTE"])
    group = group_services.create_group(as_owner, center, "Pixels", [by_group.pk])
    group_services.set_member(as_owner, center, group.pk, std.pk, {"PIXEL": "ACCESS"})
    client.force_login(std.user)
    page = client.get(f"/c/{center.pk}/assets/")
    html = text(page)
    assert page.status_code == 200
    assert "My catalog" in html and "Group pixel" in html
    assert "Main ads" not in html
    assert "Add an asset" not in html and 'name="name"' not in raw(page)
    detail = client.get(f"/c/{center.pk}/assets/{mine.pk}/")
    assert detail.status_code == 200
    assert "because it is assigned to you" in text(detail)
    assert "Who has access" not in text(detail) and "Assign to a member" not in text(detail)
    # One not given to them is not found, like a made-up id: no name, no type.
    refused = client.get(f"/c/{center.pk}/assets/{ads.pk}/")
    assert refused.status_code == 404
    assert f"No asset with id {ads.pk} in Brand Co" in text(refused)
    assert "Main ads" not in text(refused)
    boss = other_center.memberships.get().user
    theirs = create_asset(act(boss), other_center, type="PIXEL", name="Their pixel")
    assert client.get(f"/c/{center.pk}/assets/{theirs.pk}/").status_code == 404
    empty = logged_in(member(as_owner, center, make_user, "nil@agency.com",
                             modules=("ASSETS",)).user).get(f"/c/{center.pk}/assets/")
    assert "No assets are assigned to you here." in text(empty)


def test_an_asset_of_another_center_is_not_found(admin, center, other_center):
    boss = other_center.memberships.get().user
    theirs = create_asset(act(boss), other_center, type="ADVERTISER", name="Their ads")
    for path in (f"assets/{theirs.pk}/", "assets/999999/"):
        page = admin.get(f"/c/{center.pk}/{path}")
        assert page.status_code == 404
        assert "Their ads" not in text(page)
    post = admin.post(f"/c/{center.pk}/assets/{theirs.pk}/", {"step": "status",
                                                              "status": "CLOSED"})
    assert post.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "ACTIVE"


# -- asset groups ---------------------------------------------------------------------------


def test_create_a_group_and_refuse_a_duplicate_name(admin, center):
    empty = admin.get(f"/c/{center.pk}/groups/")
    assert empty.status_code == 200 and "No groups yet." in text(empty)
    done = admin.post(f"/c/{center.pk}/groups/", {"name": "Media team"})
    group = AssetGroup.objects.get()
    assert done.status_code == 302 and done.url == f"/c/{center.pk}/groups/{group.pk}/"
    assert "Created group Media team" in flash(admin.get(done.url))
    again = admin.post(f"/c/{center.pk}/groups/", {"name": " Media team "})
    assert again.status_code == 409
    assert "Brand Co already has a group named 'Media team'" in text(again)
    assert 'value=" Media team "' in raw(again)
    assert AssetGroup.objects.count() == 1
    blank = admin.post(f"/c/{center.pk}/groups/", {"name": ""})
    assert blank.status_code == 400 and "required" in field_error(blank, "name")
    assert "Media team" in text(admin.get(f"/c/{center.pk}/groups/"))


def test_group_assets_and_members_give_access(admin, center, as_owner, make_user, ads):
    catalog = create_asset(as_owner, center, type="CATALOG", name="Shop catalog")
    gia = member(as_owner, center, make_user, "gia@agency.com", modules=("CAMPAIGNS",))
    group = group_services.create_group(as_owner, center, "Media team")
    url = f"/c/{center.pk}/groups/{group.pk}/"
    saved = admin.post(url, {"step": "assets", "assets": [str(ads.pk), str(catalog.pk)]})
    assert saved.status_code == 302
    page = admin.get(url)
    assert "Saved the assets of group Media team" in flash(page)
    assert re.search(rf'value="{ads.pk}" checked', raw(page))
    assert "Ad account Main ads" in text(admin.get(f"/c/{center.pk}/groups/"))

    added = admin.post(url, {"step": "member", "person": "gia@agency.com",
                             "roles_ADVERTISER": "OPERATOR", "roles_CATALOG": "AD_PROMOTE"})
    assert added.status_code == 302
    page = admin.get(url)
    assert "Gia <gia@agency.com> is in group Media team" in flash(page)
    assert "OPERATOR" in text(page) and "AD_PROMOTE" in text(page)
    gias = logged_in(gia.user)
    html = raw(gias.get(f"/c/{center.pk}/"))
    assert "via group Media team" in htmllib.unescape(html)
    assert "[ALLOWED]" in answer_line(html, "Propose campaign changes")

    # Changing the assets changes what the members reach at once.
    admin.post(url, {"step": "assets", "assets": [str(catalog.pk)]})
    assert "Ad account Main ads" not in text(gias.get(f"/c/{center.pk}/"))

    seat = group.members.get()
    removed = admin.post(url, {"step": "remove", "member": str(seat.membership_id)})
    assert removed.status_code == 302
    assert "Removed from group Media team" in flash(admin.get(url))
    assert "Shop catalog" not in text(gias.get(f"/c/{center.pk}/"))


def test_group_member_form_gives_nothing_unasked(admin, center, as_owner, make_user):
    """In the browser a select always sends a value: each role picker must offer
    "no access", and only ad accounts start at a role (ANALYST), as the service does."""
    group = group_services.create_group(as_owner, center, "Media team")
    html = raw(admin.get(f"/c/{center.pk}/groups/{group.pk}/"))
    for kind in ("CATALOG", "PIXEL"):
        select = re.search(rf'<select name="roles_{kind}"[^>]*>(.*?)</select>', html, re.S)
        assert select, kind
        first = re.search(r'<option value="([^"]*)"([^>]*)>', select.group(1))
        assert first.group(1) == "", kind
        assert "selected" in first.group(2) or "selected" not in select.group(1), kind
    advertiser = re.search(r'<select name="roles_ADVERTISER"[^>]*>(.*?)</select>', html, re.S)
    assert re.search(r'value="ANALYST" selected', advertiser.group(1))
    gia = member(as_owner, center, make_user, "gia@agency.com")
    # What the browser sends with the picks left alone.
    admin.post(f"/c/{center.pk}/groups/{group.pk}/", {
        "step": "member", "person": "gia@agency.com", "roles_ADVERTISER": "ANALYST",
        "roles_CATALOG": "", "roles_PIXEL": ""})
    assert group.members.get(membership=gia).roles == {"ADVERTISER": ["ANALYST"]}


def test_adding_a_non_member_to_a_group_keeps_the_form(admin, center, as_owner):
    group = group_services.create_group(as_owner, center, "Media team")
    page = admin.post(f"/c/{center.pk}/groups/{group.pk}/", {
        "step": "member", "person": "nobody@else.com", "roles_ADVERTISER": "OPERATOR"})
    assert page.status_code == 400
    assert "nobody@else.com is not a current member" in field_error(page, "person")
    assert 'value="nobody@else.com"' in raw(page)
    assert re.search(r'value="OPERATOR" selected', raw(page))
    assert not group.members.exists()


def test_group_changes_refused_by_the_service_are_errors(admin, center, as_owner,
                                                         other_center):
    group = group_services.create_group(as_owner, center, "Media team")
    boss = other_center.memberships.get().user
    theirs = create_asset(act(boss), other_center, type="PIXEL", name="Their pixel")
    url = f"/c/{center.pk}/groups/{group.pk}/"
    page = admin.post(url, {"step": "assets", "assets": [str(theirs.pk)]})
    assert page.status_code == 400
    assert f"No asset with id {theirs.pk} in Brand Co" in text(page)
    assert not group.assets.exists()
    for data in ({"step": "assets", "assets": ["abc"]}, {"step": "remove", "member": "abc"},
                 {"step": "remove", "member": "999999"}):
        refused = admin.post(url, data)
        assert 400 <= refused.status_code < 500, data
        assert flash(refused), data


def test_deleting_a_group_asks_first_and_its_members_lose_the_assets(
    admin, center, as_owner, make_user, ads
):
    gia = member(as_owner, center, make_user, "gia@agency.com")
    group = group_services.create_group(as_owner, center, "Media team", [ads.pk])
    group_services.set_member(as_owner, center, group.pk, gia.pk)
    url = f"/c/{center.pk}/groups/{group.pk}/"
    gias = logged_in(gia.user)
    assert "Ad account Main ads" in text(gias.get(f"/c/{center.pk}/"))
    before = admin.get(url)
    assert "Delete Media team?" not in text(before) and 'href="?delete=1"' in raw(before)
    confirm = admin.get(url + "?delete=1")
    assert confirm.status_code == 200
    assert "Delete Media team?" in text(confirm) and "This cannot be undone" in text(confirm)
    assert re.search(r'name="step" value="delete"', raw(confirm))
    assert AssetGroup.objects.filter(pk=group.pk).exists()  # asking deleted nothing
    done = admin.post(url, {"step": "delete"})
    assert done.status_code == 302 and done.url == f"/c/{center.pk}/groups/"
    listing = admin.get(done.url)
    assert "Deleted group Media team" in flash(listing) and "No groups yet." in text(listing)
    assert not AssetGroup.objects.exists()
    assert "Ad account Main ads" not in text(gias.get(f"/c/{center.pk}/"))
    assert admin.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="asset_group.deleted").count() == 1


def test_a_group_of_another_center_is_not_found(admin, center, other_center):
    boss = other_center.memberships.get().user
    theirs = group_services.create_group(act(boss), other_center, "Their team")
    page = admin.get(f"/c/{center.pk}/groups/{theirs.pk}/")
    assert page.status_code == 404 and "Their team" not in text(page)
    assert admin.post(f"/c/{center.pk}/groups/{theirs.pk}/",
                      {"step": "delete"}).status_code == 404
    assert AssetGroup.objects.filter(pk=theirs.pk).exists()


# -- partner Business Centers ------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "status", "says"), [
    ("own", 400, "That is this Business Center's own id"),
    ("999999", 400, "'999999' is not a Business Center id: it has 19 digits."),
    ("agency", 400, "'agency' is not a Business Center id"),
    ("", 400, "This field is required."),
])
def test_a_partner_request_explains_a_wrong_id(admin, center, typed, status, says):
    value = center.public_id if typed == "own" else typed
    page = admin.post(f"/c/{center.pk}/partner-centers/",
                      {"step": "request", "partner_id": value})
    assert page.status_code == status
    assert says in field_error(page, "partner_id") or says in text(page)
    if value:
        assert f'value="{value}"' in raw(page)
    assert not Partnership.objects.exists()


def test_a_made_up_id_and_a_real_one_get_the_same_page(admin, center, other_center):
    base = f"/c/{center.pk}/partner-centers/"
    pages = []
    for public_id in (other_center.public_id, "1234567890123456789"):
        sent = admin.post(base, {"step": "request", "partner_id": public_id})
        assert sent.status_code == 302
        pages.append(flash(admin.get(base)).replace(public_id, "{id}"))
    assert pages[0] == pages[1]
    assert "Nothing is shared until its Admins accept" in pages[0]
    # Until they accept, the brand's page shows only the id it typed, never a name.
    waiting = plain(admin.get(base))
    assert other_center.public_id in waiting and "Agency Inc" not in waiting
    again = admin.post(base, {"step": "request", "partner_id": other_center.public_id})
    assert again.status_code == 409 and "already asked" in text(again)


def test_a_partnership_from_request_to_end_in_the_browser(admin, center, make_user,
                                                         other_center, ads):
    base = f"/c/{center.pk}/partner-centers/"
    boss = other_center.memberships.get().user
    worker = member(act(boss), other_center, make_user, "wes@agency.com",
                    modules=("CAMPAIGNS",))
    page = admin.get(base)
    assert f'value="{center.public_id}"' in raw(page)  # the id to hand over, to copy
    admin.post(base, {"step": "request", "partner_id": f" {other_center.public_id} ",
                      "message": "Run our spring ads?"})
    # The agency's Admin sees the brand's name and message, and accepts.
    bosses = logged_in(boss)
    theirs = f"/c/{other_center.pk}/partner-centers/"
    asked = plain(bosses.get(theirs))
    assert "Requests waiting for you" in asked and "Brand Co" in asked
    assert "Run our spring ads?" in asked and "wants to share its assets" in asked
    [request] = Partnership.objects.filter(status="PENDING")
    # Declining asks first.
    assert "Decline this request?" in text(bosses.get(f"{theirs}?confirm=decline&other="
                                                      f"{request.pk}"))
    accepted = bosses.post(theirs, {"step": "accept", "request": str(request.pk)})
    assert accepted.status_code == 302
    assert "You are now partners with Brand Co" in flash(bosses.get(theirs))
    # The brand now sees the agency's name, and shares with approval required.
    assert "Agency Inc" in plain(admin.get(base))
    shared = admin.post(base, {"step": "share", "other": other_center.public_id,
                               "asset": str(ads.pk), "roles": "operator",
                               "needs_approval": "on"})
    assert shared.status_code == 302
    mine = admin.get(base)
    assert "Shared Ad account Main ads as OPERATOR, changes need your approval." in flash(mine)
    assert "Ad account Main ads · OPERATOR · changes need your approval" in plain(mine)
    received = plain(bosses.get(theirs)).split("Shared with Agency Inc", 1)[1]
    assert "From Brand Co" in received and "Ad account Main ads · OPERATOR" in received
    assert "campaign changes need Brand Co's approval" in received
    assign(act(boss), other_center, worker.pk, ads.pk, ["ANALYST"])
    wes = logged_in(worker.user)
    assert wes.get(f"/c/{other_center.pk}/assets/{ads.pk}/").status_code == 200
    # The agency removes the asset from its side, after confirming.
    assert "Remove Ad account Main ads from your side?" in text(
        bosses.get(f"{theirs}?confirm=drop&asset={ads.pk}"))
    dropped = bosses.post(theirs, {"step": "drop", "other": center.public_id,
                                   "asset": str(ads.pk)})
    assert dropped.status_code == 302
    assert wes.get(f"/c/{other_center.pk}/assets/{ads.pk}/").status_code == 404
    assert not AssetGrant.objects.exists()
    # The brand shares it again, then ends the partnership, after confirming.
    admin.post(base, {"step": "share", "other": other_center.public_id, "asset": str(ads.pk),
                      "roles": "ANALYST"})
    confirm = admin.get(f"{base}?confirm=end&other={other_center.public_id}")
    assert "End the partnership with Agency Inc?" in text(confirm)
    assert Partnership.objects.exists()
    ended = admin.post(base, {"step": "end", "other": other_center.public_id})
    assert ended.status_code == 302
    assert "Partnership ended" in flash(admin.get(base))
    assert not Partnership.objects.exists() and not PartnerShare.objects.exists()
    assert bosses.get(f"/c/{other_center.pk}/assets/{ads.pk}/").status_code == 404


def test_an_agency_asks_for_access_and_the_brand_approves_lower(admin, center, other_center,
                                                                ads):
    boss = other_center.memberships.get().user
    bosses = logged_in(boss)
    ask = f"/c/{other_center.pk}/partner-centers/ask/"
    form = bosses.get(f"{ask}?owner={center.public_id}&asset={ads.pk}&role=OPERATOR")
    assert form.status_code == 200 and f'value="{center.public_id}"' in raw(form)
    bad = bosses.post(ask, {"owner_id": "12", "asset_ids": str(ads.pk), "role": "OPERATOR"})
    assert bad.status_code == 400 and "19 digits" in field_error(bad, "owner_id")
    sent = bosses.post(ask, {"owner_id": center.public_id, "asset_ids": str(ads.pk),
                             "role": "OPERATOR", "message": "For spring"})
    assert sent.status_code == 302
    assert "nothing is shared until its Admins accept" in flash(
        bosses.get(f"/c/{other_center.pk}/partner-centers/"))
    base = f"/c/{center.pk}/partner-centers/"
    asked = plain(admin.get(base))
    assert "Agency Inc" in asked and "asks to work on Brand Co's assets" in asked
    [request] = Partnership.objects.all()
    admin.post(base, {"step": "accept", "request": str(request.pk)})
    page = plain(admin.get(base))
    assert "Partners asking for access" in page and "as OPERATOR" in page
    [access] = AccessRequest.objects.all()
    too_high = admin.post(base, {"step": "approve", "request": str(access.pk),
                                 "roles": "ADMIN"})
    assert too_high.status_code == 400 and "that role or a lower one" in flash(too_high)
    approved = admin.post(base, {"step": "approve", "request": str(access.pk),
                                 "roles": "ANALYST"})
    assert approved.status_code == 302
    assert "Shared Ad account Main ads as ANALYST." in flash(admin.get(base))
    assert PartnerShare.objects.get().roles == ["ANALYST"]


def test_partner_steps_refused_by_the_service_are_errors(admin, center, other_center, ads):
    base = f"/c/{center.pk}/partner-centers/"
    not_partner = admin.post(base, {"step": "end", "other": other_center.public_id})
    assert not_partner.status_code == 404
    assert "has no partnership with Business Center" in flash(not_partner)
    assert admin.post(base, {"step": "unshare", "other": "x",
                             "asset": str(ads.pk)}).status_code == 400
    stale = admin.post(base, {"step": "share", "other": other_center.public_id,
                              "asset": str(ads.pk), "roles": "ANALYST"})
    assert stale.status_code == 404
    assert "send a partner request first" in flash(stale)
    assert admin.post(base, {"step": "accept", "request": "999"}).status_code == 404
    assert not PartnerShare.objects.exists()


def test_a_partners_admin_sees_what_members_really_hold_after_a_lower_share(
    admin, center, as_owner, make_user, other_center, ads
):
    boss = other_center.memberships.get().user
    worker = member(act(boss), other_center, make_user, "wes@agency.com",
                    modules=("CAMPAIGNS",))
    partner_up(as_owner, center, other_center)
    partner_services.share(as_owner, center, other_center.public_id, ads.pk, "OPERATOR")
    assign(act(boss), other_center, worker.pk, ads.pk, ["OPERATOR"])
    # The owner lowers the share: the partner's member is an analyst from now on.
    lowered = admin.post(f"/c/{center.pk}/partner-centers/", {
        "step": "share", "other": other_center.public_id, "asset": str(ads.pk),
        "roles": "ANALYST"})
    assert lowered.status_code == 302
    bosses = logged_in(boss)
    rows = holder_rows(bosses.get(f"/c/{other_center.pk}/assets/{ads.pk}/"))
    [wes] = [r for r in rows if "wes@agency.com" in r]
    assert "ANALYST" in wes and "OPERATOR" not in wes
    [me] = [r for r in rows if "boss@agency.com" in r]
    assert "ANALYST" in me and "Admin" in me
    html = raw(logged_in(worker.user).get(f"/c/{other_center.pk}/"))
    assert "[DENIED]" in answer_line(html, "Propose campaign changes")
    # The troubleshooter of the partner answers about the shared account in its own terms.
    said = answer_box(bosses.get(f"/c/{other_center.pk}/troubleshoot/", {
        "person": "wes@agency.com", "action": "campaign.propose",
        "resource": f"asset:{ads.pk}"}))
    assert "Denied" in said and "role_too_low" in said


def test_only_the_owner_changes_a_shared_ad_accounts_status(admin, center, as_owner,
                                                            other_center, ads):
    partner_up(as_owner, center, other_center)
    partner_services.share(as_owner, center, other_center.public_id, ads.pk, "ADMIN")
    bosses = logged_in(other_center.memberships.get().user)
    page = bosses.post(f"/c/{other_center.pk}/assets/{ads.pk}/", {"step": "status",
                                                                  "status": "CLOSED"})
    assert page.status_code == 404
    assert f"No asset with id {ads.pk} in Agency Inc" in text(page)
    ads.refresh_from_db()
    assert ads.status == "ACTIVE"


def test_the_partners_member_cannot_open_the_partner_pages(client, center, as_owner,
                                                           make_user, other_center, ads):
    boss = other_center.memberships.get().user
    worker = member(act(boss), other_center, make_user, "wes@agency.com")
    partner_up(as_owner, center, other_center)
    partner_services.share(as_owner, center, other_center.public_id, ads.pk, "ANALYST")
    client.force_login(worker.user)
    assert client.get(f"/c/{other_center.pk}/partner-centers/").status_code == 403
    assert client.get(f"/c/{center.pk}/partner-centers/").status_code == 404
    assert client.get(f"/c/{other_center.pk}/assets/{ads.pk}/").status_code == 404
    assert BusinessCenter.objects.count() == 2
