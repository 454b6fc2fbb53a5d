"""Assets through the API: create, list, read, edit, delete, grants and who has access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bizcenter.assets.models import Asset, AssetGrant
from bizcenter.assets.services import assign, create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import revoke_member
from tests.conftest import join
from tests.support.api import api_for, error_of, stranger

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def sam(center, as_owner, make_user):
    """A Standard member with the Assets module and nothing assigned yet."""
    return join(as_owner, center, make_user("sam@agency.com", name="Sam"),
                modules=("ASSETS", "ANALYTICS"))


def test_admins_create_list_and_read_assets_with_string_ids(center, admin_api):
    base = f"/centers/{center.pk}/assets"
    made = admin_api.send("post", base, {"type": "advertiser", "name": "  Main ads "})
    assert made.status_code == 201
    body = made.json()
    assert body["type"] == "ADVERTISER" and body["name"] == "Main ads"
    assert body["status"] == "ACTIVE" and body["owner_center_id"] == str(center.pk)
    assert body["id"] == str(Asset.objects.get().pk) and body["created_at"].endswith("Z")
    for kind, name in (("CATALOG", "Spring catalog"), ("PIXEL", "Site pixel"),
                       ("ADVERTISER", "Brand ads")):
        assert admin_api.send("post", base, {"type": kind, "name": name}).status_code == 201
    listed = admin_api.get(base, page_size=2).json()
    assert listed["page_info"] == {"page": 1, "page_size": 2, "total": 4, "pages": 2}
    assert [a["name"] for a in listed["items"]] == ["Brand ads", "Main ads"]
    ads_only = admin_api.get(base, type="ADVERTISER", q="main").json()
    assert [a["id"] for a in ads_only["items"]] == [body["id"]]
    one = admin_api.get(f"{base}/{body['id']}")
    assert one.status_code == 200 and one.json() == body
    assert AuditEvent.objects.get(action="asset.created", target_label="Ad account Main ads"
                                  ).via == "api"


def test_bad_input_is_400_with_the_field_and_creates_nothing(center, admin_api):
    base = f"/centers/{center.pk}/assets"
    for payload, field in (({"type": "BILLBOARD", "name": "x"}, "type"),
                           ({"type": "ADVERTISER", "name": "   "}, "name"),
                           ({"type": "ADVERTISER", "name": "x" * 201}, "name"),
                           ({"type": "CATALOG", "name": "Cat", "status": "CLOSED"}, "status"),
                           ({"type": "ADVERTISER"}, "name"),
                           # PostgreSQL cannot hold a NUL: bad input, never a 500
                           ({"type": "PIXEL", "name": "a\x00b"}, "name")):
        response = admin_api.send("post", base, payload)
        assert response.status_code == 400, payload
        assert field in error_of(response)["fields"], payload
    bad_list = admin_api.get(base, type="BILLBOARD")
    assert bad_list.status_code == 400 and "type" in error_of(bad_list)["fields"]
    nul = admin_api.get(base, q="a\x00b")
    assert nul.status_code == 400 and "NUL" in error_of(nul)["fields"]["q"]
    assert admin_api.get(base, page_size=500).status_code == 400
    assert admin_api.get(f"{base}/abc").status_code == 400
    assert not Asset.objects.exists()


def test_without_a_token_every_asset_endpoint_is_401(center, ads, sam):
    anonymous = Client()
    base = f"/api/v1/centers/{center.pk}/assets"
    for method, path in (("get", base), ("post", base), ("get", f"{base}/{ads.pk}"),
                         ("patch", f"{base}/{ads.pk}"), ("delete", f"{base}/{ads.pk}"),
                         ("get", f"{base}/{ads.pk}/holders"),
                         ("put", f"{base}/{ads.pk}/grants/{sam.pk}"),
                         ("get", f"/api/v1/centers/{center.pk}/members/{sam.pk}/assets")):
        response = getattr(anonymous, method)(path, content_type="application/json")
        assert response.status_code == 401, (method, path)
        assert error_of(response)["code"] == "token_missing"
    assert Asset.objects.get() == ads and not AssetGrant.objects.exists()


def test_standard_members_see_only_their_assets_and_change_nothing(center, as_owner, ads, sam):
    other = create_asset(as_owner, center, type="CATALOG", name="Catalog")
    api = api_for(sam.user, center)
    base = f"/centers/{center.pk}/assets"
    assert api.get(base).json()["items"] == []
    assign(as_owner, center, sam.pk, ads.pk, ["ANALYST"])
    assert [a["name"] for a in api.get(base).json()["items"]] == ["Main ads"]
    assert api.get(f"{base}/{ads.pk}").status_code == 200
    # Not given to them: the very answer of an id that does not exist, never its name.
    hidden, made_up = api.get(f"{base}/{other.pk}"), api.get(f"{base}/987654321")
    assert hidden.status_code == made_up.status_code == 404
    assert error_of(hidden)["message"] == f"No asset with id {other.pk} in Brand Co."
    assert error_of(made_up)["message"] == "No asset with id 987654321 in Brand Co."
    for method, path, body in (("post", base, {"type": "PIXEL", "name": "Mine"}),
                               ("patch", f"{base}/{ads.pk}", {"name": "Mine"}),
                               ("delete", f"{base}/{ads.pk}", None),
                               ("put", f"{base}/{ads.pk}/grants/{sam.pk}", {"roles": ["ADMIN"]}),
                               ("delete", f"{base}/{ads.pk}/grants/{sam.pk}", None),
                               ("put", f"/centers/{center.pk}/members/{sam.pk}/assets",
                                {"assets": {str(other.pk): ["ADMIN"]}})):
        refused = api.send(method, path, body)
        assert refused.status_code == 403, (method, path)
        assert error_of(refused)["code"] == "admins_only"
        assert error_of(refused)["message"] == (
            "Only Admins of Brand Co can manage assets and sharing; you are a Standard member. "
            "Ask an Admin of Brand Co to do it, or to make you an Admin.")
    who = api.get(f"{base}/{ads.pk}/holders")
    assert who.status_code == 403 and "Only Admins of Brand Co" in error_of(who)["message"]
    grants = api.get(f"/centers/{center.pk}/members/{sam.pk}/assets")
    assert grants.status_code == 403
    assert "Only Admins of Brand Co can see members" in error_of(grants)["message"]
    assert set(Asset.objects.values_list("name", flat=True)) == {"Main ads", "Catalog"}
    assert list(AssetGrant.objects.values_list("roles", flat=True)) == [["ANALYST"]]


def test_a_member_without_the_assets_module_is_told_so(center, as_owner, make_user):
    person = join(as_owner, center, make_user("ana@agency.com"), modules=("ANALYTICS",))
    refused = api_for(person.user, center).get(f"/centers/{center.pk}/assets")
    assert refused.status_code == 403 and error_of(refused)["code"] == "module_missing"
    assert "You were not given the Assets module in Brand Co" in error_of(refused)["message"]


def test_rename_disable_and_delete(center, admin_api, ads, sam, as_owner):
    base = f"/centers/{center.pk}/assets/{ads.pk}"
    renamed = admin_api.send("patch", base, {"name": "US ads"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "US ads"
    disabled = admin_api.send("patch", base, {"status": "disabled"})
    assert disabled.json()["status"] == "DISABLED" and disabled.json()["name"] == "US ads"
    assert Asset.objects.get().status == "DISABLED"
    bad = admin_api.send("patch", base, {"status": "ASLEEP"})
    assert bad.status_code == 400 and "status" in error_of(bad)["fields"]
    nul = admin_api.send("patch", base, {"name": "US\x00ads"})
    assert nul.status_code == 400 and "name" in error_of(nul)["fields"]
    pixel = create_asset(as_owner, center, type="PIXEL", name="Pixel")
    closed = admin_api.send("patch", f"/centers/{center.pk}/assets/{pixel.pk}",
                            {"status": "CLOSED"})
    assert closed.status_code == 400
    assert error_of(closed)["message"] == "Only ad accounts can be disabled or closed."
    assign(as_owner, center, sam.pk, ads.pk, ["OPERATOR"])
    gone = admin_api.send("delete", base)
    assert gone.status_code == 204 and gone.content == b""
    assert not Asset.objects.filter(pk=ads.pk).exists() and not AssetGrant.objects.exists()
    again = admin_api.get(base)
    assert again.status_code == 404
    assert error_of(again)["message"] == f"No asset with id {ads.pk} in Brand Co."


def test_assign_replace_and_unassign_roles(center, admin_api, ads, sam, as_owner):
    path = f"/centers/{center.pk}/assets/{ads.pk}/grants/{sam.pk}"
    given = admin_api.send("put", path, {"roles": ["operator"]})
    assert given.status_code == 200
    assert given.json()["roles"] == ["OPERATOR"] and given.json()["member_id"] == str(sam.pk)
    assert given.json()["asset"]["id"] == str(ads.pk) and given.json()["expires_at"] is None
    # The member's next call sees it.
    sams = api_for(sam.user, center)
    assert [a["id"] for a in sams.get(f"/centers/{center.pk}/assets").json()["items"]] == [
        str(ads.pk)]
    ends = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    replaced = admin_api.send("put", path, {"roles": ["ANALYST"], "expires_at": ends.isoformat()})
    assert replaced.json()["roles"] == ["ANALYST"]
    assert replaced.json()["expires_at"] == ends.isoformat().replace("+00:00", "Z")
    assert AssetGrant.objects.get().roles == ["ANALYST"]
    who = admin_api.get(f"/centers/{center.pk}/assets/{ads.pk}/holders").json()
    assert who["asset"]["id"] == str(ads.pk)
    assert [(h["via"], h["roles"], h["member_id"]) for h in who["items"]] == [
        ("Admin", ["all roles"], str(center.memberships.get(role="ADMIN").pk)),
        ("direct", ["ANALYST"], str(sam.pk))]
    assert who["page_info"]["total"] == 2
    removed = admin_api.send("delete", path)
    assert removed.status_code == 204 and not AssetGrant.objects.exists()
    twice = admin_api.send("delete", path)
    assert twice.status_code == 404
    assert error_of(twice)["message"] == f"Ad account Main ads is not assigned to member {sam.pk}."
    assert sams.get(f"/centers/{center.pk}/assets").json()["items"] == []


def test_bad_roles_and_revoked_members_are_refused(center, admin_api, ads, sam, as_owner):
    path = f"/centers/{center.pk}/assets/{ads.pk}/grants/{sam.pk}"
    for roles, fragment in ((["KING"], "KING is not a role for an ad account"),
                            (["ADMIN", "ANALYST"], "An ad account takes one role, not 2"),
                            ([], "No role is not a role")):
        refused = admin_api.send("put", path, {"roles": roles})
        assert refused.status_code == 400, roles
        assert fragment in error_of(refused)["message"] and "roles" in error_of(refused)["fields"]
    missing = admin_api.send("put", path, {})
    assert missing.status_code == 400 and "roles" in error_of(missing)["fields"]
    past = admin_api.send("put", path, {"roles": ["ANALYST"],
                                        "expires_at": "2001-01-01T00:00:00Z"})
    assert past.status_code == 400 and "expires_at" in error_of(past)["fields"]
    revoke_member(as_owner, center, sam.pk)
    gone = admin_api.send("put", path, {"roles": ["ANALYST"]})
    assert gone.status_code == 409 and error_of(gone)["code"] == "revoked"
    assert not AssetGrant.objects.exists()


def test_set_a_members_assets_in_one_call(center, admin_api, ads, sam, as_owner):
    cat = create_asset(as_owner, center, type="CATALOG", name="Catalog")
    tt = create_asset(as_owner, center, type="TT_ACCOUNT", name="Brand TikTok")
    path = f"/centers/{center.pk}/members/{sam.pk}/assets"
    first = admin_api.send("put", path, {"assets": {str(ads.pk): ["OPERATOR"],
                                                    str(tt.pk): ["POST", "LIVE"]}})
    assert first.status_code == 200 and first.json()["changed"] == 2
    assert {g["asset"]["name"]: g["roles"] for g in first.json()["items"]} == {
        "Main ads": ["OPERATOR"], "Brand TikTok": ["LIVE", "POST"]}
    second = admin_api.send("put", path, {"assets": {str(ads.pk): ["OPERATOR"],
                                                     str(cat.pk): ["AD_PROMOTE"]}})
    assert second.json()["changed"] == 2  # catalog added, TikTok account taken away
    listed = admin_api.get(path).json()
    assert [(g["asset"]["name"], g["roles"]) for g in listed["items"]] == [
        ("Main ads", ["OPERATOR"]), ("Catalog", ["AD_PROMOTE"])]
    assert listed["page_info"]["total"] == 2
    # All or nothing: one bad role and no grant changes.
    bad = admin_api.send("put", path, {"assets": {str(ads.pk): ["ANALYST"],
                                                  str(cat.pk): ["OPERATOR"]}})
    assert bad.status_code == 400 and "roles" in error_of(bad)["fields"]
    not_ids = admin_api.send("put", path, {"assets": {"main": ["ANALYST"]}})
    assert not_ids.status_code == 400 and error_of(not_ids)["fields"] == {"assets": "numeric ids"}
    assert sorted(AssetGrant.objects.values_list("asset__name", "roles")) == [
        ("Catalog", ["AD_PROMOTE"]), ("Main ads", ["OPERATOR"])]
    assert admin_api.send("put", path, {"assets": {}}).json() == {"changed": 2, "items": []}


def test_ids_of_another_business_center_are_404_and_change_nothing(
    center, admin_api, ads, sam, make_user
):
    rival = stranger(make_user)
    mine = f"/centers/{center.pk}"
    theirs = f"/centers/{center.pk}/assets/{rival.asset.pk}"
    for method, path, body in (
        ("get", theirs, None),
        ("patch", theirs, {"name": "Taken"}),
        ("delete", theirs, None),
        ("get", f"{theirs}/holders", None),
        ("put", f"{theirs}/grants/{sam.pk}", {"roles": ["ADMIN"]}),
        ("delete", f"{theirs}/grants/{rival.member.pk}", None),
        ("put", f"{mine}/assets/{ads.pk}/grants/{rival.member.pk}", {"roles": ["ADMIN"]}),
        ("get", f"{mine}/members/{rival.member.pk}/assets", None),
        ("put", f"{mine}/members/{rival.member.pk}/assets", {"assets": {str(ads.pk): ["ADMIN"]}}),
        ("put", f"{mine}/members/{sam.pk}/assets", {"assets": {str(rival.asset.pk): ["ADMIN"]}}),
    ):
        response = admin_api.send(method, path, body)
        assert response.status_code == 404, (method, path)
        assert "Rival" not in error_of(response)["message"], (method, path)
    # The other Business Center's own path is refused whole, without a word about it.
    whole = admin_api.get(f"/centers/{rival.center.pk}/assets")
    assert whole.status_code == 404 and "visible to this token" in error_of(whole)["message"]
    rival.asset.refresh_from_db()
    assert rival.asset.name == "Rival ads" and Asset.objects.filter(pk=rival.asset.pk).exists()
    assert not AssetGrant.objects.exists()


def test_a_read_only_token_reads_but_never_writes(center, owner, ads, sam):
    api = api_for(owner, center, read_only=True)
    base = f"/centers/{center.pk}/assets"
    assert api.get(base).json()["page_info"]["total"] == 1
    assert api.get(f"{base}/{ads.pk}/holders").status_code == 200
    for method, path, body in (("post", base, {"type": "PIXEL", "name": "P"}),
                               ("patch", f"{base}/{ads.pk}", {"name": "Renamed"}),
                               ("delete", f"{base}/{ads.pk}", None),
                               ("put", f"{base}/{ads.pk}/grants/{sam.pk}", {"roles": ["ADMIN"]}),
                               ("put", f"/centers/{center.pk}/members/{sam.pk}/assets",
                                {"assets": {}})):
        refused = api.send(method, path, body)
        assert refused.status_code == 403 and error_of(refused)["code"] == "read_only_token"
    assert list(Asset.objects.values_list("name", flat=True)) == ["Main ads"]
    assert not AssetGrant.objects.exists()


def test_an_idempotency_key_creates_an_asset_once(center, admin_api):
    base = f"/centers/{center.pk}/assets"
    body = {"type": "ADVERTISER", "name": "Retry ads"}
    first = admin_api.send("post", base, body, **{"Idempotency-Key": "asset-1"})
    again = admin_api.send("post", base, body, **{"Idempotency-Key": "asset-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Asset.objects.count() == 1
    assert AuditEvent.objects.filter(action="asset.created").count() == 1
    other = admin_api.send("post", base, {"type": "PIXEL", "name": "P"},
                           **{"Idempotency-Key": "asset-1"})
    assert other.status_code == 409 and error_of(other)["code"] == "idempotency_key_reused"
    assert admin_api.send("post", base, body).status_code == 201  # no key: a second asset
    assert Asset.objects.count() == 2
