"""The assets and asset groups pages of web/assets.py: creating, assigning, disabling,
who holds what and through what, and groups giving access.

Every test drives the real pages with Django's test client over the real
database; state is built with the services, as the product itself builds it.
Each page is tried on its good path and on the ways a person gets it wrong:
the error must be readable, beside the field it is about, with what was typed
kept, and at a 4xx status; a Standard member gets a helpful 403, an outsider 404.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.utils import timezone

from bizcenter.assets import groups as group_services
from bizcenter.assets import partners as partner_services
from bizcenter.assets.models import (
    Asset,
    AssetGrant,
    AssetGroup,
)
from bizcenter.assets.services import assign, create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import revoke_member
from tests.conftest import act, partner_up
from tests.support import web
from tests.support.web import (
    field_error,
    flash,
    logged_in,
    member,
    plain,
    raw,
    table_rows,
    text,
)

# The center page tests' fixtures, shared through tests/support/web.py.
admin, ads, other_center = web.admin, web.ads, web.other_center

# These tests are about pages, not passwords: sign-up need not run Argon2.
pytestmark = pytest.mark.usefixtures("quick_hashing")


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
    return table_rows(page)


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
    assert any("owner@brand.com" in r and "Admin" in r and "All roles" in r for r in rows)
    assert any("dan@agency.com" in r and "Operator" in r and "direct" in r
               and "Unassign" in r for r in rows)
    assert any("gia@agency.com" in r and "Analyst" in r and "group Media team" in r
               for r in rows)
    assert any("Agency Inc (partner Business Center)" in r and "Analyst" in r
               and "shared" in r for r in rows)
    assert not any(code in r for r in rows for code in ("OPERATOR", "ANALYST"))  # words
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

    gone = admin.post(f"/c/{center.pk}/assets/{ads.pk}/members/{dan.pk}/unassign/",
                      {"confirmed": "1"})
    assert gone.status_code == 302
    assert "Removed the direct assignment." in flash(admin.get(gone.url))
    assert not AssetGrant.objects.filter(membership=dan).exists()
    assert "Ad account Main ads" not in text(dans.get(f"/c/{center.pk}/"))
    again = admin.post(f"/c/{center.pk}/assets/{ads.pk}/members/{dan.pk}/unassign/",
                       {"confirmed": "1"})
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
    # Issue 21: what the operator cannot do, in words, with who can lift it.
    said = plain(logged_in(op.user).get(f"/c/{center.pk}/"))
    assert ("Nothing in Ad account Main ads can be changed while it is not active. An Admin "
            "of Brand Co must reactivate Ad account Main ads first.") in said
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
    # Issue 21: where the access comes from, in words.
    words = plain(gias.get(f"/c/{center.pk}/"))
    assert "Operator, through the group Media team" in words
    assert "Propose campaign changes — on Ad account Main ads" in words

    # Changing the assets changes what the members reach at once.
    admin.post(url, {"step": "assets", "assets": [str(catalog.pk)]})
    assert "Ad account Main ads" not in text(gias.get(f"/c/{center.pk}/"))

    seat = group.members.get()
    removed = admin.post(url, {"step": "remove", "member": str(seat.membership_id),
                               "confirmed": "1"})
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
    assert 'data-confirm="Delete group Media team?"' in raw(before)
    confirm = admin.post(url, {"step": "delete"})
    assert confirm.status_code == 200
    assert "Delete group Media team?" in text(confirm) and "This cannot be undone" in text(confirm)
    assert re.search(r'name="step" value="delete"', raw(confirm))
    assert AssetGroup.objects.filter(pk=group.pk).exists()  # asking deleted nothing
    done = admin.post(url, {"step": "delete", "confirmed": "1"})
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
