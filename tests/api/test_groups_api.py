"""Asset groups through the API: create, list, read, change assets and members, delete."""

from __future__ import annotations

import pytest
from django.test import Client

from bizcenter.assets import groups
from bizcenter.assets.models import AssetGroup, AssetGroupMember
from bizcenter.assets.services import create_asset
from tests.conftest import act, join
from tests.support.api import api_for, error_of, stranger

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def tiktok(center, as_owner):
    return create_asset(as_owner, center, type="TT_ACCOUNT", name="Brand TikTok")


@pytest.fixture
def sam(center, as_owner, make_user):
    return join(as_owner, center, make_user("sam@agency.com", name="Sam"),
                modules=("ASSETS",))


@pytest.fixture
def team(center, as_owner, ads):
    return groups.create_group(as_owner, center, "EU agency", [ads.pk])


def test_create_list_and_read_groups(center, admin_api, ads, tiktok):
    base = f"/centers/{center.pk}/asset-groups"
    made = admin_api.send("post", base, {"name": " EU agency ",
                                         "asset_ids": [str(tiktok.pk), str(ads.pk)]})
    assert made.status_code == 201
    body = made.json()
    assert body["name"] == "EU agency" and body["id"] == str(AssetGroup.objects.get().pk)
    assert [a["name"] for a in body["assets"]] == ["Main ads", "Brand TikTok"]
    assert body["members"] == []
    assert admin_api.send("post", base, {"name": "Empty"}).status_code == 201
    listed = admin_api.get(base, page_size=1).json()
    assert listed["page_info"] == {"page": 1, "page_size": 1, "total": 2, "pages": 2}
    assert [g["name"] for g in listed["items"]] == ["EU agency"]
    assert admin_api.get(f"{base}/{body['id']}").json() == body


def test_duplicate_names_are_409_and_bad_input_400(center, admin_api, team, make_user):
    base = f"/centers/{center.pk}/asset-groups"
    twice = admin_api.send("post", base, {"name": "EU agency"})
    assert twice.status_code == 409 and error_of(twice)["code"] == "duplicate_name"
    assert error_of(twice)["message"] == "Brand Co already has a group named 'EU agency'."
    for payload, field in (({"name": ""}, "name"), ({"name": "x" * 101}, "name"), ({}, "name"),
                           ({"name": "Ok", "asset_ids": ["one"]}, "assets"),
                           ({"name": "Ok", "asset_ids": ["999999"]}, "assets"),
                           ({"name": "Ok", "asset_ids": "12"}, "asset_ids"),
                           ({"name": "EU\x00"}, "name")):
        refused = admin_api.send("post", base, payload)
        assert refused.status_code == 400, payload
        assert field in error_of(refused)["fields"], payload
    # An asset of another Business Center is no asset here: refused, and no group is made.
    rival = stranger(make_user)
    foreign = admin_api.send("post", base, {"name": "Ok", "asset_ids": [str(rival.asset.pk)]})
    assert foreign.status_code == 400
    assert error_of(foreign)["message"] == f"No asset with id {rival.asset.pk} in Brand Co."
    assert list(AssetGroup.objects.values_list("name", flat=True)) == ["EU agency"]


def test_change_assets_and_members(center, admin_api, team, ads, tiktok, sam):
    path = f"/centers/{center.pk}/asset-groups/{team.pk}"
    changed = admin_api.send("patch", path, {"asset_ids": [str(tiktok.pk)]})
    assert changed.status_code == 200
    assert [a["name"] for a in changed.json()["assets"]] == ["Brand TikTok"]
    assert admin_api.send("patch", path, {}).json() == changed.json()  # nothing sent, no change
    words = admin_api.send("patch", path, {"asset_ids": "all"})
    assert words.status_code == 400 and "asset_ids" in error_of(words)["fields"]
    seat = admin_api.send("put", f"{path}/members/{sam.pk}", {"roles": {"tt_account": ["post"]}})
    assert seat.status_code == 200
    assert seat.json()["members"] == [{"member_id": str(sam.pk), "name": "Sam <sam@agency.com>",
                                       "roles": {"TT_ACCOUNT": ["POST"]}}]
    # The member reaches the group's asset on their next call, and holders say how.
    sams = api_for(sam.user, center)
    assert [a["name"] for a in sams.get(f"/centers/{center.pk}/assets").json()["items"]] == [
        "Brand TikTok"]
    who = admin_api.get(f"/centers/{center.pk}/assets/{tiktok.pk}/holders").json()["items"]
    assert ("group EU agency", ["POST"]) in [(h["via"], h["roles"]) for h in who]
    default = admin_api.send("put", f"{path}/members/{sam.pk}", {})
    assert default.json()["members"][0]["roles"] == {"ADVERTISER": ["ANALYST"]}
    out = admin_api.send("delete", f"{path}/members/{sam.pk}")
    assert out.status_code == 204 and not AssetGroupMember.objects.exists()
    again = admin_api.send("delete", f"{path}/members/{sam.pk}")
    assert again.status_code == 404
    assert error_of(again)["message"] == f"Member {sam.pk} is not in group EU agency."
    assert sams.get(f"/centers/{center.pk}/assets").json()["items"] == []


def test_bad_seat_roles_are_400(center, admin_api, team, sam):
    path = f"/centers/{center.pk}/asset-groups/{team.pk}/members/{sam.pk}"
    for roles, field in (({"ADVERTISER": ["KING"]}, "roles"), ({"BILLBOARD": ["X"]},
                                                                "asset type"),
                         ({"ADVERTISER": ["ADMIN", "ANALYST"]}, "roles")):
        refused = admin_api.send("put", path, {"roles": roles})
        assert refused.status_code == 400, roles
        assert field in error_of(refused)["fields"], roles
    assert not AssetGroupMember.objects.exists()


def test_delete_a_group(center, admin_api, team, sam, as_owner):
    groups.set_member(as_owner, center, team.pk, sam.pk)
    path = f"/centers/{center.pk}/asset-groups/{team.pk}"
    gone = admin_api.send("delete", path)
    assert gone.status_code == 204 and not AssetGroup.objects.exists()
    assert admin_api.get(path).status_code == 404
    assert admin_api.send("delete", path).status_code == 404


def test_no_token_is_401(center, team):
    base = f"/api/v1/centers/{center.pk}/asset-groups"
    for method, path in (("get", base), ("post", base), ("get", f"{base}/{team.pk}"),
                         ("patch", f"{base}/{team.pk}"), ("delete", f"{base}/{team.pk}")):
        response = getattr(Client(), method)(path, content_type="application/json")
        assert response.status_code == 401 and error_of(response)["code"] == "token_missing"
    assert AssetGroup.objects.count() == 1


def test_standard_members_are_refused_with_the_reason(center, team, sam, ads):
    api = api_for(sam.user, center)
    base = f"/centers/{center.pk}/asset-groups"
    for method, path, body in (("get", base, None), ("post", base, {"name": "Mine"}),
                               ("get", f"{base}/{team.pk}", None),
                               ("patch", f"{base}/{team.pk}", {"asset_ids": []}),
                               ("put", f"{base}/{team.pk}/members/{sam.pk}", {}),
                               ("delete", f"{base}/{team.pk}/members/{sam.pk}", None),
                               ("delete", f"{base}/{team.pk}", None)):
        refused = api.send(method, path, body)
        assert refused.status_code == 403, (method, path)
        assert ("Only Admins of Brand Co can manage assets and sharing"
                in error_of(refused)["message"])
    team.refresh_from_db()
    assert [a.pk for a in team.assets.all()] == [ads.pk]
    assert not AssetGroupMember.objects.exists() and AssetGroup.objects.count() == 1


def test_ids_of_another_business_center_are_404_and_change_nothing(
    center, admin_api, team, sam, make_user
):
    rival = stranger(make_user)
    theirs = groups.create_group(act(rival.owner), rival.center, "Rival group", [rival.asset.pk])
    groups.set_member(act(rival.owner), rival.center, theirs.pk, rival.member.pk)
    base = f"/centers/{center.pk}/asset-groups"
    for method, path, body in (("get", f"{base}/{theirs.pk}", None),
                               ("patch", f"{base}/{theirs.pk}", {"asset_ids": []}),
                               ("delete", f"{base}/{theirs.pk}", None),
                               ("put", f"{base}/{theirs.pk}/members/{sam.pk}", {}),
                               ("delete", f"{base}/{theirs.pk}/members/{rival.member.pk}", None),
                               ("put", f"{base}/{team.pk}/members/{rival.member.pk}", {}),
                               ("delete", f"{base}/{team.pk}/members/{rival.member.pk}", None)):
        response = admin_api.send(method, path, body)
        assert response.status_code == 404, (method, path)
        assert "Rival" not in error_of(response)["message"], (method, path)
    theirs.refresh_from_db()
    assert [a.pk for a in theirs.assets.all()] == [rival.asset.pk]
    assert list(AssetGroupMember.objects.values_list("membership", flat=True)) == [
        rival.member.pk]
    assert admin_api.get(f"/centers/{rival.center.pk}/asset-groups").status_code == 404


def test_a_read_only_token_reads_but_never_writes(center, owner, team, sam):
    api = api_for(owner, center, read_only=True)
    base = f"/centers/{center.pk}/asset-groups"
    assert api.get(base).json()["page_info"]["total"] == 1
    for method, path, body in (("post", base, {"name": "New"}),
                               ("patch", f"{base}/{team.pk}", {"asset_ids": []}),
                               ("put", f"{base}/{team.pk}/members/{sam.pk}", {}),
                               ("delete", f"{base}/{team.pk}", None)):
        refused = api.send(method, path, body)
        assert refused.status_code == 403 and error_of(refused)["code"] == "read_only_token"
    assert team.assets.count() == 1 and not AssetGroupMember.objects.exists()
    assert AssetGroup.objects.count() == 1


def test_an_idempotency_key_creates_a_group_once(center, admin_api, ads):
    base = f"/centers/{center.pk}/asset-groups"
    body = {"name": "Retry", "asset_ids": [str(ads.pk)]}
    first = admin_api.send("post", base, body, **{"Idempotency-Key": "group-1"})
    again = admin_api.send("post", base, body, **{"Idempotency-Key": "group-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert AssetGroup.objects.count() == 1
    # Without the key the retry is a new request, and the name is taken.
    assert admin_api.send("post", base, body).status_code == 409


def test_rename_and_new_assets_together_are_all_or_nothing(center, admin_api, team, ads,
                                                           tiktok, as_owner):
    groups.create_group(as_owner, center, "Taken")
    route = f"/centers/{center.pk}/asset-groups/{team.pk}"
    both = admin_api.send("patch", route, {"name": "EU agency (all)",
                                           "asset_ids": [str(ads.pk), str(tiktok.pk)]})
    assert both.status_code == 200
    assert both.json()["name"] == "EU agency (all)" and len(both.json()["assets"]) == 2
    # A taken name refuses the whole change: the assets stay as they were.
    clash = admin_api.send("patch", route, {"name": "Taken", "asset_ids": [str(ads.pk)]})
    assert clash.status_code == 409 and "already has a group named 'Taken'" in (
        error_of(clash)["message"])
    team.refresh_from_db()
    assert team.name == "EU agency (all)" and team.assets.count() == 2
    # A bad asset refuses the rename with it.
    bad = admin_api.send("patch", route, {"name": "Renamed", "asset_ids": ["987654"]})
    assert bad.status_code in (400, 404)
    team.refresh_from_db()
    assert team.name == "EU agency (all)"
