"""The pages of web/access_pages.py and the navigation around every center page: the
menu and switcher and who may open what, My access, a partner's detail, the
troubleshooter and the access review.

Every test drives the real pages with Django's test client over the real
database; state is built with the services, as the product itself builds it.
Each page is tried on its good path and on the ways a person gets it wrong:
the error must be readable, beside the field it is about, with what was typed
kept, and at a 4xx status; a Standard member gets a helpful 403, an outsider 404.
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
import time_machine
from django.http import HttpResponse
from django.utils import timezone

from bizcenter.assets import groups as group_services
from bizcenter.assets import partners as partner_services
from bizcenter.assets.models import (
    Asset,
    AssetGrant,
    AssetGroup,
    Partnership,
)
from bizcenter.assets.services import assign, create_asset
from bizcenter.centers.models import Membership, MembershipState
from bizcenter.centers.services import create_center, revoke_member
from bizcenter.invitations import services as invitations
from bizcenter.web.context import SECTIONS
from tests.conftest import act, partner_up
from tests.support import web
from tests.support.web import (
    answer_box,
    current_section,
    field_error,
    flash,
    member,
    nav_labels,
    plain,
    raw,
    switcher,
    table_rows,
    text,
)

# The center page tests' fixtures, shared through tests/support/web.py.
admin, ads, other_center = web.admin, web.ads, web.other_center

# These tests are about pages, not passwords: sign-up need not run Argon2.
pytestmark = pytest.mark.usefixtures("quick_hashing")


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
    assert "Only Admins of Brand Co can" in html and "Ask an Admin" in html
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
    # Issue 21: grouped by what they can do and where, in words, no codes.
    assert "Ad account Main ads — Operator, given directly" in plain(page)
    assert "OPERATOR" not in html
    assert "Propose campaign changes — on Ad account Main ads" in plain(page)
    assert ("Standard members cannot change campaigns directly: they propose changes, and "
            "an Admin approves them.") in plain(page)
    assert "Only Admins can" in plain(page) and "change settings" in plain(page)


def test_my_access_of_an_analyst_says_whom_to_ask_for_more(client, center, as_owner,
                                                          make_user, ads):
    std = member(as_owner, center, make_user, "an@agency.com",
                 modules=("ANALYTICS", "CAMPAIGNS"))
    assign(as_owner, center, std.pk, ads.pk, ["ANALYST"])
    client.force_login(std.user)
    page = client.get(f"/c/{center.pk}/")
    # Issue 21: the refusal names the Admin to ask and the role, in words.
    assert ("You are Analyst on Ad account Main ads, which only views: to propose campaign "
            "changes there, ask Olivia Owner (Admin) to make you Operator.") in plain(page)
    assert "See reports — on Ad account Main ads" in plain(page)


def test_my_access_without_assets_says_so(client, center, as_owner, make_user):
    std = member(as_owner, center, make_user, "new@agency.com")
    client.force_login(std.user)
    assert "No assets are assigned to you" in text(client.get(f"/c/{center.pk}/"))


def test_my_access_of_an_admin_says_every_asset(admin, center, ads):
    html = text(admin.get(f"/c/{center.pk}/"))
    assert "As an Admin, you reach every asset Brand Co owns." in html
    assert "Do everything in Brand Co, on every asset it owns" in html


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
    home = text(client.get("/"))
    assert "Brand Co removed you on" in home  # said once, as news, not as a way in
    assert f'href="/c/{center.pk}/' not in home


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
    # Issue 21: phrased for the Admin reading about Eve, not as if the Admin were Eve.
    assert ("Eve cannot change campaigns directly: Standard members propose changes, and an "
            "Admin approves them.") in plain(page)
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
    # Issue 21: about Ana, for the Admin reading it; no code.
    assert said.startswith("No: Ana cannot see campaigns on Ad account Main ads")
    assert "asset_not_assigned" not in said
    assert "Ana cannot see campaigns on Ad account Main ads: it is not assigned to Ana" in said
    assert f'href="/c/{center.pk}/assets/{ads.pk}/">Open Ad account Main ads' in raw(page)
    assert 'value="Ana@Agency.com"' in raw(page)  # the question stays on screen
    assert re.search(rf'value="asset:{ads.pk}" selected', raw(page))


def test_troubleshooter_allows_what_was_assigned(admin, center, as_owner, make_user, ads):
    std = member(as_owner, center, make_user, "ana@agency.com", modules=("CAMPAIGNS",))
    assign(as_owner, center, std.pk, ads.pk, ["OPERATOR"])
    said = answer_box(troubleshoot(admin, center, person="ana@agency.com",
                                   action="campaign.propose", resource=f"asset:{ads.pk}"))
    assert said.startswith("Yes: Ana can propose campaign changes on Ad account Main ads")
    assert "Ana is Operator on Ad account Main ads, given directly" in said
    said = answer_box(troubleshoot(admin, center, person="ana@agency.com",
                                   action="settings.manage", resource="center"))
    assert said.startswith("No: Ana cannot change settings in Brand Co")
    assert "only Admins can" in said and "admins_only" not in said


def test_troubleshooter_for_a_revoked_member(admin, center, as_owner, make_user):
    gone = member(as_owner, center, make_user, "gone@agency.com")
    revoke_member(as_owner, center, gone.pk)
    said = answer_box(troubleshoot(admin, center, person="gone@agency.com",
                                   action="center.view", resource="center"))
    assert said.startswith("No: Gone cannot open the Business Center in Brand Co")
    assert "Gone's access to Brand Co was revoked" in said and "Invite Gone again" in said


def test_troubleshooter_for_an_invited_address_without_an_account(admin, center, as_owner):
    invitations.invite(as_owner, center, ["late@agency.com"])
    said = answer_box(troubleshoot(admin, center, person="LATE@agency.com",
                                   action="center.view", resource="center"))
    assert said.startswith("No: late@agency.com cannot open the Business Center")
    assert "invitation_pending" not in said
    assert "late@agency.com has no membership in Brand Co yet" in said
    assert "still pending" in said
    assert "logging in or signing up with late@agency.com itself" in said
    assert "No account" not in said  # the same words whether or not it has one


def test_troubleshooter_for_an_address_nobody_invited(admin, center, make_user):
    said = answer_box(troubleshoot(admin, center, person="who@else.com",
                                   action="center.view", resource="center"))
    assert said.startswith("No: who@else.com cannot open the Business Center")
    assert "not_in_center" not in said
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
    return table_rows(page)


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
    done = admin.post(htmllib.unescape(link), {"next": back, "confirmed": "1"})
    assert done.status_code == 302 and done.url == back
    after = admin.get(done.url)
    assert "no longer has access to Brand Co" in flash(after)
    assert not any("sleepy@agency.com" in r for r in review_rows(after))
    assert Membership.objects.get(pk=sleepy.pk).state == MembershipState.REVOKED
