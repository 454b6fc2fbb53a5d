"""bc/asset/*, bc/asset_group/*, changelog/get/ and advertiser/info/ in
TikTok's documented shapes (the SDK 1.0.1 has none of them)."""

from __future__ import annotations

import pytest

from bizcenter.assets import groups as group_services
from bizcenter.assets.models import AssetGrant, AssetGroup
from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.core.errors import Conflict
from tests.conftest import join


@pytest.fixture
def sam(center, as_owner, make_user):
    """A Standard member with no assets yet."""
    return join(as_owner, center, make_user("sam@agency.com", name="Sam"),
                modules=("ASSETS", "CAMPAIGNS"))


# -- assets and who holds them ------------------------------------------------------------


def test_assign_list_and_unassign(admin, center, as_owner, ads, sam):
    catalog = create_asset(as_owner, center, type="CATALOG", name="Spring catalog")
    bc = str(center.pk)
    admin.ok("POST", "bc/asset/assign/", bc_id=bc, user_id=str(sam.pk), asset_type="ADVERTISER",
             asset_id=str(ads.pk), advertiser_role="OPERATOR")
    admin.ok("POST", "bc/asset/assign/", bc_id=bc, user_id=str(sam.pk), asset_type="CATALOG",
             asset_ids=[str(catalog.pk)], catalog_role="AD_PROMOTE")
    assert sorted(AssetGrant.objects.filter(membership=sam).values_list("roles", flat=True)) \
        == [["AD_PROMOTE"], ["OPERATOR"]]
    assert AuditEvent.objects.filter(action="asset.assigned", via="tiktok-api").count() == 2

    theirs = admin.ok("GET", "bc/asset/get/", bc_id=bc, asset_type="ADVERTISER",
                      filtering={"user_id": str(sam.pk)})
    assert [(a["asset_id"], a["advertiser_role"]) for a in theirs["list"]] == [
        (str(ads.pk), "OPERATOR")]

    holders = admin.ok("GET", "bc/asset/member/get/", bc_id=bc, asset_type="ADVERTISER",
                       asset_id=str(ads.pk))
    assert [(m["user_email"], m["advertiser_role"], m["relation_status"])
            for m in holders["list"]] == [("owner@brand.com", "ADMIN", "BOUND"),
                                          ("sam@agency.com", "OPERATOR", "BOUND")]
    wrong_type = admin.get("bc/asset/member/get/", bc_id=bc, asset_type="CATALOG",
                           asset_id=str(ads.pk))
    assert wrong_type["code"] == 40002 and "not a CATALOG" in wrong_type["message"]

    admin.ok("POST", "bc/asset/unassign/", bc_id=bc, user_id=str(sam.pk),
             asset_type="ADVERTISER", asset_id=str(ads.pk))
    assert not AssetGrant.objects.filter(membership=sam, asset=ads).exists()
    again = admin.post("bc/asset/unassign/", bc_id=bc, user_id=str(sam.pk),
                       asset_type="ADVERTISER", asset_id=str(ads.pk))
    assert again["code"] == 40007


def test_assigning_is_all_or_nothing_and_checks_roles(admin, center, as_owner, ads, sam):
    other = create_asset(as_owner, center, type="ADVERTISER", name="Other ads")
    bc = str(center.pk)
    bad_role = admin.post("bc/asset/assign/", bc_id=bc, user_id=str(sam.pk),
                          asset_type="ADVERTISER", asset_ids=[str(ads.pk)],
                          advertiser_role="OWNER")
    assert bad_role["code"] == 40002 and "OWNER is not a role" in bad_role["message"]
    no_role = admin.post("bc/asset/assign/", bc_id=bc, user_id=str(sam.pk),
                         asset_type="ADVERTISER", asset_ids=[str(ads.pk)])
    assert no_role["code"] == 40002 and "advertiser_role is required" in no_role["message"]
    half = admin.post("bc/asset/assign/", bc_id=bc, user_id=str(sam.pk),
                      asset_type="ADVERTISER", asset_ids=[str(ads.pk), str(other.pk), "999999"],
                      advertiser_role="ANALYST")
    assert half["code"] == 40007
    assert not AssetGrant.objects.filter(membership=sam).exists()  # the first two rolled back


def test_a_standard_member_cannot_assign_and_is_told_why(tik, center, ads, operator,
                                                         operator_token, sam):
    refused = tik(operator_token).post("bc/asset/assign/", bc_id=str(center.pk),
                                       user_id=str(sam.pk), asset_type="ADVERTISER",
                                       asset_id=str(ads.pk), advertiser_role="ADMIN")
    assert refused["code"] == 40001
    assert "Only Admins of Brand Co can manage assets and sharing" in refused["message"]


# -- asset groups -----------------------------------------------------------------------------


def test_asset_groups_create_update_list_get_delete(admin, center, as_owner, ads, sam):
    bc = str(center.pk)
    second = create_asset(as_owner, center, type="ADVERTISER", name="Second ads")
    made = admin.ok("POST", "bc/asset_group/create/", bc_id=bc, asset_group_name="EU accounts",
                    assets=[{"asset_id": str(ads.pk), "asset_type": "ADVERTISER"}],
                    members=[{"member_id": str(sam.pk),
                              "asset_roles": {"ADVERTISER": "OPERATOR"}}])
    group_id = made["asset_group_id"]
    group = AssetGroup.objects.get(pk=group_id)
    assert [a.pk for a in group.assets.all()] == [ads.pk]
    assert group.members.get().roles == {"ADVERTISER": ["OPERATOR"]}

    admin.ok("POST", "bc/asset_group/update/", bc_id=bc, asset_group_id=group_id,
             update_entity="ASSET", action="ADD",
             assets=[{"asset_id": str(second.pk), "asset_type": "ADVERTISER"}])
    assert {a.pk for a in group.assets.all()} == {ads.pk, second.pk}
    admin.ok("POST", "bc/asset_group/update/", bc_id=bc, asset_group_id=group_id,
             update_entity="ASSET", action="DELETE", assets=[{"asset_id": str(ads.pk)}])
    assert [a.pk for a in group.assets.all()] == [second.pk]
    admin.ok("POST", "bc/asset_group/update/", bc_id=bc, asset_group_id=group_id,
             update_entity="MEMBER", action="UPDATE",
             members=[{"member_id": str(sam.pk), "asset_roles": {"ADVERTISER": "ANALYST"}}])
    assert group.members.get().roles == {"ADVERTISER": ["ANALYST"]}
    admin.ok("POST", "bc/asset_group/update/", bc_id=bc, asset_group_id=group_id,
             update_entity="NAME", asset_group_name="Europe")
    group.refresh_from_db()
    assert group.name == "Europe"
    assert AuditEvent.objects.filter(action="asset_group.renamed", via="tiktok-api",
                                     before={"name": "EU accounts"}).exists()

    listed = admin.ok("GET", "bc/asset_group/list/", bc_id=bc)
    assert listed["list"] == [{"asset_group_id": group_id, "asset_group_name": "Europe",
                               "asset_count": 1, "member_count": 1}]
    assets = admin.ok("GET", "bc/asset_group/get/", bc_id=bc, asset_group_id=group_id,
                      query_entity="ASSET")
    assert assets["asset_group"] == {"asset_group_id": group_id, "asset_group_name": "Europe"}
    assert [a["asset_name"] for a in assets["list"]] == ["Second ads"]
    members = admin.ok("GET", "bc/asset_group/get/", bc_id=bc, asset_group_id=group_id,
                       query_entity="MEMBER")
    assert members["list"] == [{"member_id": str(sam.pk), "user_name": "Sam",
                                "user_email": "sam@agency.com",
                                "asset_roles": {"ADVERTISER": "ANALYST"}}]

    admin.ok("POST", "bc/asset_group/update/", bc_id=bc, asset_group_id=group_id,
             update_entity="MEMBER", action="DELETE", members=[{"member_id": str(sam.pk)}])
    assert not group.members.exists()
    admin.ok("POST", "bc/asset_group/delete/", bc_id=bc, asset_group_ids=[group_id])
    assert not AssetGroup.objects.exists()


def test_rename_group_service_refuses_a_taken_name_and_logs_a_rename(center, as_owner):
    first = group_services.create_group(as_owner, center, "First")
    group_services.create_group(as_owner, center, "Second")
    with pytest.raises(Conflict) as taken:
        group_services.rename_group(as_owner, center, first.pk, "Second")
    assert taken.value.code == "duplicate_name"
    first.refresh_from_db()
    assert first.name == "First"
    same = group_services.rename_group(as_owner, center, first.pk, "  First ")
    assert same.name == "First"
    assert not AuditEvent.objects.filter(action="asset_group.renamed").exists()
    group_services.rename_group(as_owner, center, first.pk, "Renamed")
    assert AuditEvent.objects.get(action="asset_group.renamed").after == {"name": "Renamed"}


def test_a_duplicate_group_name_is_40002(admin, center, as_owner):
    group_services.create_group(as_owner, center, "Taken")
    refused = admin.post("bc/asset_group/create/", bc_id=str(center.pk),
                         asset_group_name="Taken", assets=[], members=[])
    assert refused["code"] == 40002 and "already has a group named" in refused["message"]


# -- the activity log -------------------------------------------------------------------------


def test_changelog_lists_what_every_door_did(admin, center, as_owner, ads, sam, tik,
                                             operator_token):
    admin.ok("POST", "bc/asset/assign/", bc_id=str(center.pk), user_id=str(sam.pk),
             asset_type="ADVERTISER", asset_id=str(ads.pk), advertiser_role="ANALYST")
    log = admin.ok("GET", "changelog/get/", bc_id=center.pk, page_size=50)
    newest = log["list"][0]
    assert newest["action"] == "asset.assigned" and newest["activity_type"] == "ACCOUNT"
    assert newest["source"] == "tiktok-api" and newest["operator_name"].startswith("Olivia")
    assert newest["object_id"] == str(ads.pk)
    doors = {e["source"] for e in log["list"]}
    assert {"test", "tiktok-api"} <= doors
    users = admin.ok("GET", "changelog/get/", bc_id=center.pk, activity_type="USER")
    assert users["list"] and {e["activity_type"] for e in users["list"]} == {"USER"}
    assigned = admin.ok("GET", "changelog/get/", bc_id=center.pk,
                        filtering={"action": "asset.assigned",
                                   "operator_id": str(center.memberships.get(
                                       user__email="owner@brand.com").pk)})
    assert assigned["page_info"]["total_number"] == 1
    future = admin.ok("GET", "changelog/get/", bc_id=center.pk,
                      filtering={"start_date": "2999-01-01"})
    assert future["list"] == []
    refused = tik(operator_token).get("changelog/get/", bc_id=center.pk)
    assert refused["code"] == 40001 and "can read the activity log" in refused["message"]


# -- advertiser/info -----------------------------------------------------------------------------


def test_advertiser_info(admin, tik, center, ads, rival, operator_token, as_owner):
    hidden = create_asset(as_owner, center, type="ADVERTISER", name="Hidden ads")
    info = admin.ok("GET", "advertiser/info/", advertiser_ids=[str(ads.pk)])
    assert info["list"] == [{"advertiser_id": str(ads.pk), "name": "Main ads",
                             "status": "STATUS_ENABLE", "currency": "USD", "timezone": "UTC",
                             "display_timezone": "UTC", "company": "Brand Co",
                             "owner_bc_id": str(center.pk),
                             "create_time": info["list"][0]["create_time"]}]
    some = admin.ok("GET", "advertiser/info/", advertiser_ids=[str(ads.pk)],
                    fields=["name", "status"])
    assert some["list"] == [{"name": "Main ads", "status": "STATUS_ENABLE"}]
    _, their_ads, _ = rival
    assert admin.get("advertiser/info/", advertiser_ids=[str(their_ads.pk)])["code"] == 40007
    standard = tik(operator_token)
    assert standard.ok("GET", "advertiser/info/", advertiser_ids=[str(ads.pk)])["list"]
    # Not assigned to them: not found, as a made-up id is, and never named.
    refused = standard.get("advertiser/info/", advertiser_ids=[str(hidden.pk)])
    assert refused["code"] == 40007
    assert f"No asset with id {hidden.pk} in Brand Co" in refused["message"]
    assert "Hidden ads" not in str(refused)
