"""bc/partner/get|add|delete/ and bc/partner/asset/get|delete/ (and the partner parts of
bc/asset/*) as a TikTok client sees them, now that partnerships need both sides: a
request by the other's public id, PENDING until its Admins accept, nothing shared or
named before, either side ending it."""

from __future__ import annotations

from typing import Any

import pytest

from bizcenter.accounts.tokens import create_token
from bizcenter.assets import partners as partner_services
from bizcenter.assets.models import AssetGrant, PartnerShare, Partnership
from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.models import BusinessCenter
from tests.conftest import act, join, partner_up

MADE_UP = "1000000000000000001"


@pytest.fixture
def made_up() -> str:
    """A well-formed Business Center id that belongs to no Business Center."""
    assert not BusinessCenter.objects.filter(public_id=MADE_UP).exists()
    return MADE_UP


@pytest.fixture
def their_api(tik, rival):
    """The rival Business Center's Admin, through the same door."""
    other, _, boss = rival
    return tik(create_token(act(boss), other, "rival tools").secret)


def _accept(rival: Any) -> Partnership:
    """The rival's Admin accepts the request waiting for it (on its web page)."""
    other, _, boss = rival
    [waiting] = partner_services.requests_to(act(boss), other)
    return partner_services.accept(act(boss), other, waiting.pk)


def _without_id(body: dict[str, Any], public_id: str) -> str:
    """An answer with what differs between any two calls taken out: its request id,
    and the id the caller sent itself."""
    import json

    return json.dumps({**body, "request_id": None}, sort_keys=True).replace(public_id, "<id>")


# -- asking ---------------------------------------------------------------------------------


def test_add_answers_pending_alike_for_a_real_and_a_made_up_id(admin, center, rival,
                                                               made_up):
    other, _, _ = rival
    bc = str(center.pk)
    real = admin.post("bc/partner/add/", bc_id=bc, partner_id=other.public_id)
    fake = admin.post("bc/partner/add/", bc_id=bc, partner_id=made_up)
    assert real["code"] == 0 and real["message"] == "OK"
    assert real["data"] == {"partner_id": other.public_id, "relation_status": "PENDING"}
    assert _without_id(real, other.public_id) == _without_id(fake, made_up)
    # Asking twice is refused alike too, without naming anyone.
    again_real = admin.post("bc/partner/add/", bc_id=bc, partner_id=other.public_id)
    again_fake = admin.post("bc/partner/add/", bc_id=bc, partner_id=made_up)
    assert again_real["code"] == 40002 and "waits for their Admins" in again_real["message"]
    assert _without_id(again_real, other.public_id) == _without_id(again_fake, made_up)
    assert "Rival" not in again_real["message"]
    assert Partnership.objects.pending().count() == 2


def test_ids_are_public_ids_and_malformed_ones_are_40002(admin, center, rival):
    other, _, _ = rival
    bc = str(center.pk)
    row_id = admin.post("bc/partner/add/", bc_id=bc, partner_id=str(other.pk))
    assert row_id["code"] == 40002
    assert f"'{other.pk}' is not a Business Center id: it has 19 digits" in row_id["message"]
    words = admin.post("bc/partner/add/", bc_id=bc, partner_id="rival inc")
    assert words["code"] == 40002 and "19 digits" in words["message"]
    own = admin.post("bc/partner/add/", bc_id=bc, partner_id=center.public_id)
    assert own["code"] == 40002 and "this Business Center's own id" in own["message"]
    missing = admin.post("bc/partner/add/", bc_id=bc)
    assert missing["code"] == 40002 and missing["message"] == "partner_id is required."
    # Typed with spaces or dashes, as people copy it, it is the same id.
    spaced = " ".join([other.public_id[:7], other.public_id[7:13], other.public_id[13:]])
    admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=spaced)
    assert Partnership.objects.get().asked_for == other.public_id
    for path in ("bc/partner/delete/", "bc/partner/asset/delete/"):
        bad = admin.post(path, bc_id=bc, partner_id="42", asset_type="ADVERTISER",
                         asset_ids=["1"])
        assert bad["code"] == 40002 and "19 digits" in bad["message"], path
    bad_get = admin.get("bc/partner/asset/get/", bc_id=bc, partner_id="42",
                        asset_type="ADVERTISER", share_type="SHARING")
    assert bad_get["code"] == 40002 and "19 digits" in bad_get["message"]


def test_a_standard_member_is_refused_before_the_id_is_read(tik, center, operator_token,
                                                           rival, made_up):
    other, _, _ = rival
    api = tik(operator_token)
    answers = [api.post("bc/partner/add/", bc_id=str(center.pk), partner_id=partner_id)
               for partner_id in (other.public_id, made_up, "not an id")]
    assert {a["code"] for a in answers} == {40001}
    assert len({a["message"] for a in answers}) == 1
    assert not Partnership.objects.exists()


def test_assets_named_with_a_new_request_are_shared_once_it_is_accepted(
        admin, center, ads, rival, made_up):
    other, their_ads, _ = rival
    bc = str(center.pk)
    answers = [admin.post("bc/partner/add/", bc_id=bc, partner_id=partner_id,
                          asset_type="ADVERTISER", asset_ids=[str(ads.pk)],
                          advertiser_role="OPERATOR")
               for partner_id in (other.public_id, made_up)]
    real, fake = answers
    assert real["code"] == 0
    assert real["data"] == {"partner_id": other.public_id, "relation_status": "PENDING"}
    assert _without_id(real, other.public_id) == _without_id(fake, made_up)
    assert not PartnerShare.objects.exists()  # nothing before the partner accepts
    # Assets are checked now: a mistake is not left for later, and nothing is sent.
    Partnership.objects.all().delete()
    theirs = admin.post("bc/partner/add/", bc_id=bc, partner_id=made_up,
                        asset_type="ADVERTISER", asset_ids=[str(their_ads.pk)])
    assert theirs["code"] == 40007 and f"No asset with id {their_ads.pk}" in theirs["message"]
    bad_role = admin.post("bc/partner/add/", bc_id=bc, partner_id=made_up,
                          asset_type="ADVERTISER", asset_ids=[str(ads.pk)],
                          advertiser_role="OWNER")
    assert bad_role["code"] == 40002 and "OWNER" in bad_role["message"]
    assert not Partnership.objects.exists()

    # Accepting shares what was offered with the request, at its role.
    admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=other.public_id,
             asset_type="ADVERTISER", asset_ids=[str(ads.pk)], advertiser_role="OPERATOR")
    _accept(rival)
    assert PartnerShare.objects.get(asset=ads).roles == ["OPERATOR"]
    # Once BOUND, the same call changes the role in place.
    shared = admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=other.public_id,
                      asset_type="ADVERTISER", asset_ids=[str(ads.pk)],
                      advertiser_role="ANALYST")
    assert shared == {"partner_id": other.public_id, "relation_status": "BOUND"}
    assert PartnerShare.objects.get(asset=ads).roles == ["ANALYST"]


# -- listing --------------------------------------------------------------------------------


def test_get_lists_bound_partners_and_pending_requests_never_naming_the_asked(
        admin, their_api, center, rival, made_up):
    other, _, _ = rival
    bc, theirs = str(center.pk), str(other.pk)
    admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=other.public_id)
    admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=made_up)

    assert admin.ok("GET", "bc/partner/get/", bc_id=bc) == {
        "list": [], "page_info": {"page": 1, "page_size": 10, "total_number": 0,
                                  "total_page": 0}}
    sent = admin.ok("GET", "bc/partner/get/", bc_id=bc,
                    filtering={"relation_status": "PENDING"})
    assert sorted(sent["list"], key=lambda r: r["bc_id"]) == sorted([
        {"bc_id": other.public_id, "bc_name": None, "relation_status": "PENDING",
         "share_types": ["SHARING"], "request_direction": "SENT"},
        {"bc_id": made_up, "bc_name": None, "relation_status": "PENDING",
         "share_types": ["SHARING"], "request_direction": "SENT"}], key=lambda r: r["bc_id"])
    # The asked side sees who asked: asking names the asker.
    received = their_api.ok("GET", "bc/partner/get/", bc_id=theirs,
                            filtering={"relation_status": "PENDING"})
    assert received["list"] == [
        {"bc_id": center.public_id, "bc_name": "Brand Co", "relation_status": "PENDING",
         "share_types": ["SHARED"], "request_direction": "RECEIVED"}]
    assert their_api.ok("GET", "bc/partner/get/", bc_id=theirs)["list"] == []
    wrong = admin.get("bc/partner/get/", bc_id=bc, filtering={"relation_status": "ACTIVE"})
    assert wrong["code"] == 40002 and "BOUND" in wrong["message"]

    _accept(rival)
    mine = admin.ok("GET", "bc/partner/get/", bc_id=bc)
    assert mine["list"] == [{"bc_id": other.public_id, "bc_name": "Rival Inc",
                             "relation_status": "BOUND", "share_types": ["SHARING"],
                             "request_direction": None}]
    assert their_api.ok("GET", "bc/partner/get/", bc_id=theirs)["list"] == [
        {"bc_id": center.public_id, "bc_name": "Brand Co", "relation_status": "BOUND",
         "share_types": ["SHARED"], "request_direction": None}]
    by_name = admin.ok("GET", "bc/partner/get/", bc_id=bc, filtering={"name": "rival"})
    assert [r["bc_id"] for r in by_name["list"]] == [other.public_id]
    assert admin.ok("GET", "bc/partner/get/", bc_id=bc, filtering={"name": "zz"})["list"] == []
    still = admin.ok("GET", "bc/partner/get/", bc_id=bc, filtering={"relation_status": "PENDING"})
    assert [r["bc_id"] for r in still["list"]] == [made_up]


def test_a_partner_both_ways_is_one_row(admin, their_api, center, as_owner, rival):
    other, _, boss = rival
    partner_up(as_owner, center, other)
    partner_up(act(boss), other, center)
    [row] = admin.ok("GET", "bc/partner/get/", bc_id=str(center.pk))["list"]
    assert row["bc_id"] == other.public_id and row["share_types"] == ["SHARED", "SHARING"]


# -- sharing --------------------------------------------------------------------------------


def test_share_list_both_sides_and_unshare(admin, their_api, center, as_owner, ads, rival):
    other, _, _ = rival
    bc, theirs = str(center.pk), str(other.pk)
    pixel = create_asset(as_owner, center, type="PIXEL", name="Site pixel")
    partner_up(as_owner, center, other)
    admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=other.public_id,
             asset_type="ADVERTISER", asset_ids=[str(ads.pk)], advertiser_role="OPERATOR")
    # Adding the same partner again shares more, as TikTok's partner/add does.
    admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=other.public_id,
             asset_type="PIXEL", asset_ids=[str(pixel.pk)])
    twice = admin.post("bc/partner/add/", bc_id=bc, partner_id=other.public_id,
                       asset_type="ADVERTISER")
    assert twice["code"] == 40002 and "already a partner" in twice["message"]

    sharing = admin.ok("GET", "bc/partner/asset/get/", bc_id=bc, partner_id=other.public_id,
                       asset_type="ADVERTISER", share_type="SHARING")
    assert sharing["list"] == [{
        "asset_id": str(ads.pk), "asset_name": "Main ads", "asset_type": "ADVERTISER",
        "relation_type": "OWNER_BC", "owner_bc_id": bc, "owner_bc_name": "Brand Co",
        "advertiser_status": "STATUS_ENABLE", "advertiser_role": "OPERATOR"}]
    assert sharing["page_info"]["total_number"] == 1
    # Nothing comes the other way: the rival shares nothing with Brand Co.
    other_way = admin.get("bc/partner/asset/get/", bc_id=bc, partner_id=other.public_id,
                          asset_type="ADVERTISER", share_type="SHARED")
    assert other_way["code"] == 40007
    by_asset = admin.ok("GET", "bc/asset/partner/get/", bc_id=bc, asset_type="ADVERTISER",
                        asset_id=str(ads.pk))
    assert by_asset["list"] == [{"bc_id": other.public_id, "bc_name": "Rival Inc",
                                 "advertiser_role": "OPERATOR"}]

    # The partner's side: what is shared with it, named by the owner's public id.
    shared = their_api.ok("GET", "bc/partner/asset/get/", bc_id=theirs,
                          partner_id=center.public_id, asset_type="ADVERTISER",
                          share_type="SHARED")
    assert [(a["asset_id"], a["relation_type"], a["owner_bc_id"], a["owner_bc_name"],
             a["advertiser_role"]) for a in shared["list"]] == [
        (str(ads.pk), "OWNER_PARTNER", center.public_id, "Brand Co", "OPERATOR")]
    seen = their_api.ok("GET", "bc/asset/get/", bc_id=theirs, asset_type="ADVERTISER")
    assert {(a["asset_name"], a["relation_type"], a["owner_bc_id"], a["advertiser_role"])
            for a in seen["list"]} == {("Rival ads", "OWNER_BC", theirs, "ADMIN"),
                                       ("Main ads", "OWNER_PARTNER", center.public_id,
                                        "OPERATOR")}
    [info] = their_api.ok("GET", "advertiser/info/", bc_id=theirs,
                          advertiser_ids=[str(ads.pk)])["list"]
    assert info["owner_bc_id"] == center.public_id and info["currency"] == "USD"

    # The owner stops sharing the ad account; the pixel stays.
    admin.ok("POST", "bc/partner/asset/delete/", bc_id=bc, partner_id=other.public_id,
             asset_type="ADVERTISER", asset_ids=[str(ads.pk)])
    assert list(PartnerShare.objects.values_list("asset_id", flat=True)) == [pixel.pk]
    assert their_api.ok("GET", "bc/partner/asset/get/", bc_id=theirs,
                        partner_id=center.public_id, asset_type="ADVERTISER",
                        share_type="SHARED")["list"] == []
    again = admin.post("bc/partner/asset/delete/", bc_id=bc, partner_id=other.public_id,
                       asset_type="ADVERTISER", asset_ids=[str(ads.pk)])
    assert again["code"] == 40007 and "is not shared with Rival Inc" in again["message"]
    wrong_type = admin.post("bc/partner/asset/delete/", bc_id=bc, partner_id=other.public_id,
                            asset_type="ADVERTISER", asset_ids=[str(pixel.pk)])
    assert wrong_type["code"] == 40002 and "is a PIXEL, not a ADVERTISER" in wrong_type["message"]


def test_share_type_is_tiktoks(admin, center, rival):
    other, _, _ = rival
    for value in (None, "RECEIVED"):
        params = {"share_type": value} if value else {}
        answer = admin.get("bc/partner/asset/get/", bc_id=str(center.pk),
                           partner_id=other.public_id, asset_type="ADVERTISER", **params)
        assert answer["code"] == 40002
        assert answer["message"].startswith("share_type is required: SHARING (the assets "
                                            "this Business Center shares with the partner)")


def test_the_partner_drops_a_shared_asset_from_its_side(admin, their_api, center, as_owner,
                                                        ads, rival):
    other, _, _ = rival
    partner_up(as_owner, center, other)
    partner_services.share(as_owner, center, other.public_id, ads.pk, ["ANALYST"])
    their_api.ok("POST", "bc/partner/asset/delete/", bc_id=str(other.pk),
                 partner_id=center.public_id, asset_type="ADVERTISER",
                 asset_ids=[str(ads.pk)])
    assert not PartnerShare.objects.exists()
    assert AuditEvent.objects.filter(action="asset.share_dropped", center=center,
                                     via="tiktok-api").exists()
    assert admin.ok("GET", "bc/partner/asset/get/", bc_id=str(center.pk),
                    partner_id=other.public_id, asset_type="ADVERTISER",
                    share_type="SHARING")["list"] == []


def test_sharing_another_centers_asset_is_40007(admin, center, as_owner, rival):
    other, their_ads, _ = rival
    partner_up(as_owner, center, other)
    refused = admin.post("bc/partner/add/", bc_id=str(center.pk), partner_id=other.public_id,
                         asset_type="ADVERTISER", asset_ids=[str(their_ads.pk)])
    assert refused["code"] == 40007
    assert not PartnerShare.objects.exists()


# -- pending shares nothing, ending cuts access -----------------------------------------------


def test_a_pending_partner_sees_nothing_and_answers_as_a_made_up_id(admin, their_api, center,
                                                                    ads, rival, made_up):
    other, _, _ = rival
    bc, theirs = str(center.pk), str(other.pk)
    admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=other.public_id)
    # Neither side reaches anything through a request not yet accepted...
    pending = their_api.get("bc/partner/asset/get/", bc_id=theirs, partner_id=center.public_id,
                            asset_type="ADVERTISER", share_type="SHARED")
    nobody = their_api.get("bc/partner/asset/get/", bc_id=theirs, partner_id=made_up,
                           asset_type="ADVERTISER", share_type="SHARED")
    assert pending["code"] == 40007
    assert pending["message"].replace(center.public_id, "<id>") == \
        nobody["message"].replace(made_up, "<id>")
    assert "Brand Co" not in pending["message"]
    mine = admin.get("bc/partner/asset/get/", bc_id=bc, partner_id=other.public_id,
                     asset_type="ADVERTISER", share_type="SHARING")
    assert mine["code"] == 40007 and "Rival" not in mine["message"]
    # ...nor can the owner share through it.
    share = admin.post("bc/partner/add/", bc_id=bc, partner_id=other.public_id,
                       asset_type="ADVERTISER", asset_ids=[str(ads.pk)])
    assert share["code"] == 40002 and "waits for their Admins" in share["message"]
    assert not PartnerShare.objects.exists()
    seen = their_api.ok("GET", "bc/asset/get/", bc_id=theirs, asset_type="ADVERTISER")
    assert [a["asset_name"] for a in seen["list"]] == ["Rival ads"]


@pytest.mark.parametrize("ender", ["owner", "partner"])
def test_either_side_ending_cuts_access_at_once(ender, admin, their_api, center, as_owner,
                                                ads, rival, make_user):
    other, _, boss = rival
    bc, theirs = str(center.pk), str(other.pk)
    partner_up(as_owner, center, other)
    admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=other.public_id,
             asset_type="ADVERTISER", asset_ids=[str(ads.pk)], advertiser_role="OPERATOR")
    agent = join(act(boss), other, make_user("agent@rival.com", name="Agent"),
                 modules=("ASSETS", "CAMPAIGNS"))
    their_api.ok("POST", "bc/asset/assign/", bc_id=theirs, user_id=str(agent.pk),
                 asset_type="ADVERTISER", asset_id=str(ads.pk), advertiser_role="ANALYST")
    assert AssetGrant.objects.filter(membership=agent, asset=ads).exists()

    if ender == "owner":
        admin.ok("POST", "bc/partner/delete/", bc_id=bc, partner_id=other.public_id)
    else:
        their_api.ok("POST", "bc/partner/delete/", bc_id=theirs, partner_id=center.public_id)

    assert not Partnership.objects.exists() and not PartnerShare.objects.exists()
    assert not AssetGrant.objects.filter(membership=agent, asset=ads).exists()
    seen = their_api.ok("GET", "bc/asset/get/", bc_id=theirs, asset_type="ADVERTISER")
    assert [a["asset_name"] for a in seen["list"]] == ["Rival ads"]
    gone = their_api.get("bc/partner/asset/get/", bc_id=theirs, partner_id=center.public_id,
                         asset_type="ADVERTISER", share_type="SHARED")
    assert gone["code"] == 40007
    assert admin.ok("GET", "bc/partner/get/", bc_id=bc)["list"] == []
    assert their_api.ok("GET", "bc/partner/get/", bc_id=theirs)["list"] == []
    assert AuditEvent.objects.filter(action="partner.ended", center=center).exists()
    assert AuditEvent.objects.filter(action="partner.ended", center=other).exists()
    again = admin.post("bc/partner/delete/", bc_id=bc, partner_id=other.public_id)
    assert again["code"] == 40007


def test_delete_takes_back_a_sent_request_and_declines_a_received_one(admin, their_api,
                                                                      center, rival, made_up):
    other, _, _ = rival
    bc = str(center.pk)
    admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=made_up)
    admin.ok("POST", "bc/partner/delete/", bc_id=bc, partner_id=made_up)
    assert not Partnership.objects.exists()
    assert AuditEvent.objects.filter(action="partner.request_cancelled", center=center).exists()

    admin.ok("POST", "bc/partner/add/", bc_id=bc, partner_id=other.public_id)
    their_api.ok("POST", "bc/partner/delete/", bc_id=str(other.pk),
                 partner_id=center.public_id)
    assert not Partnership.objects.exists()
    assert AuditEvent.objects.filter(action="partner.declined", center=center).exists()

    unknown = admin.post("bc/partner/delete/", bc_id=bc, partner_id=made_up)
    assert unknown["code"] == 40007 and "no partner and no partner request" in \
        unknown["message"]
