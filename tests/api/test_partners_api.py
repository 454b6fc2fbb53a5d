"""Partner Business Centers through the API: add, share, raise, lower, unshare, remove,
and what a partner's Admin sees of it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from bizcenter.accounts.models import User
from bizcenter.assets import partners
from bizcenter.assets.models import Asset, AssetGrant, PartnerShare, Partnership
from bizcenter.assets.services import assign, create_asset
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import create_center
from tests.api.scenario import api_for, stranger
from tests.api.test_api import error_of
from tests.conftest import act, join

pytestmark = pytest.mark.usefixtures("quick_hashing")


@dataclass
class Agency:
    center: BusinessCenter
    boss: User
    operator: Membership


@pytest.fixture
def agency(make_user) -> Agency:
    boss = make_user("boss@agency.com", name="Bea Boss")
    place = create_center(act(boss), name="Agency Co")
    operator = join(act(boss), place, make_user("op@agency.com", name="Otto"),
                    modules=("ASSETS", "CAMPAIGNS"))
    return Agency(place, boss, operator)


@pytest.fixture
def ads(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Brand ads")


@pytest.fixture
def linked(center, as_owner, agency):
    return partners.add_partner(as_owner, center, agency.center.pk)


def test_add_list_read_and_remove_a_partner(center, admin_api, agency):
    base = f"/centers/{center.pk}/partners"
    added = admin_api.send("post", base, {"partner_id": str(agency.center.pk)})
    assert added.status_code == 201
    body = added.json()
    assert body["id"] == str(agency.center.pk) and body["name"] == "Agency Co"
    assert body["shares"] == [] and body["since"].endswith("Z")
    listed = admin_api.get(base).json()
    assert listed["items"] == [body] and listed["page_info"]["total"] == 1
    assert admin_api.get(f"{base}/{agency.center.pk}").json() == body
    gone = admin_api.send("delete", f"{base}/{agency.center.pk}")
    assert gone.status_code == 204 and not Partnership.objects.exists()
    missing = admin_api.get(f"{base}/{agency.center.pk}")
    assert missing.status_code == 404
    assert "is not a partner of Brand Co" in error_of(missing)["message"]
    assert admin_api.send("delete", f"{base}/{agency.center.pk}").status_code == 404


def test_already_a_partner_is_409_and_bad_ids_are_refused(center, admin_api, linked, agency):
    base = f"/centers/{center.pk}/partners"
    twice = admin_api.send("post", base, {"partner_id": str(agency.center.pk)})
    assert twice.status_code == 409 and error_of(twice)["code"] == "already_partner"
    assert error_of(twice)["message"] == "Agency Co is already a partner of Brand Co."
    itself = admin_api.send("post", base, {"partner_id": str(center.pk)})
    assert itself.status_code == 400 and error_of(itself)["fields"] == {
        "partner_id": "another Business Center"}
    words = admin_api.send("post", base, {"partner_id": "the agency"})
    assert words.status_code == 400 and error_of(words)["fields"] == {"partner_id": "number"}
    assert admin_api.send("post", base, {}).status_code == 400
    nowhere = admin_api.send("post", base, {"partner_id": "999999"})
    assert nowhere.status_code == 404
    assert error_of(nowhere)["message"] == ("No Business Center with id 999999. Check the id "
                                            "with the partner.")
    assert Partnership.objects.count() == 1


def test_share_raise_lower_and_unshare(center, admin_api, linked, agency, ads):
    path = f"/centers/{center.pk}/partners/{agency.center.pk}/shares"
    shared = admin_api.send("post", path, {"asset_id": str(ads.pk), "roles": ["operator"]})
    assert shared.status_code == 201
    assert shared.json()["roles"] == ["OPERATOR"] and shared.json()["asset"]["id"] == str(ads.pk)
    # The partner's Admin sees it as a partner's asset and assigns it, never above the role.
    boss = api_for(agency.boss, agency.center)
    received = boss.get(f"/centers/{agency.center.pk}/partner-assets").json()
    assert [(r["owner_name"], r["asset"]["name"], r["roles"]) for r in received["items"]] == [
        ("Brand Co", "Brand ads", ["OPERATOR"])]
    assert received["items"][0]["owner_center_id"] == str(center.pk)
    grant = f"/centers/{agency.center.pk}/assets/{ads.pk}/grants/{agency.operator.pk}"
    above = boss.send("put", grant, {"roles": ["ADMIN"]})
    assert above.status_code == 400
    assert "shared with Agency Co as OPERATOR" in error_of(above)["message"]
    assert boss.send("put", grant, {"roles": ["OPERATOR"]}).status_code == 200
    # Posting it again changes the role in place: 200, not a second share.
    lowered = admin_api.send("post", path, {"asset_id": str(ads.pk), "roles": ["ANALYST"]})
    assert lowered.status_code == 200 and lowered.json()["roles"] == ["ANALYST"]
    assert PartnerShare.objects.get().roles == ["ANALYST"]
    raised = admin_api.send("patch", f"{path}/{ads.pk}", {"roles": ["OPERATOR"]})
    assert raised.status_code == 200 and raised.json()["roles"] == ["OPERATOR"]
    listed = admin_api.get(f"/centers/{center.pk}/partners").json()["items"]
    assert [(s["asset"]["name"], s["roles"]) for s in listed[0]["shares"]] == [
        ("Brand ads", ["OPERATOR"])]
    holders = admin_api.get(f"/centers/{center.pk}/assets/{ads.pk}/holders").json()["items"]
    assert ("Agency Co (partner Business Center)", "shared", None) in [
        (h["who"], h["via"], h["member_id"]) for h in holders]
    gone = admin_api.send("delete", f"{path}/{ads.pk}")
    assert gone.status_code == 204
    assert not PartnerShare.objects.exists() and not AssetGrant.objects.exists()
    assert boss.get(f"/centers/{agency.center.pk}/partner-assets").json()["items"] == []
    again = admin_api.send("delete", f"{path}/{ads.pk}")
    assert again.status_code == 404
    assert error_of(again)["message"] == "Ad account Brand ads is not shared with Agency Co."
    unshared = admin_api.send("patch", f"{path}/{ads.pk}", {"roles": ["ANALYST"]})
    assert unshared.status_code == 404 and not PartnerShare.objects.exists()


def test_removing_a_partner_takes_back_its_assignments(center, admin_api, as_owner, linked,
                                                       agency, ads):
    partners.share(as_owner, center, agency.center.pk, ads.pk, "ANALYST")
    assign(act(agency.boss), agency.center, agency.operator.pk, ads.pk, ["ANALYST"])
    operator = api_for(agency.operator.user, agency.center)
    assert operator.get(f"/centers/{agency.center.pk}/assets").json()["page_info"]["total"] == 1
    assert admin_api.send("delete", f"/centers/{center.pk}/partners/{agency.center.pk}"
                          ).status_code == 204
    assert operator.get(f"/centers/{agency.center.pk}/assets").json()["items"] == []
    assert not AssetGrant.objects.exists()


def test_bad_share_input_is_400(center, admin_api, linked, agency, ads, as_owner):
    path = f"/centers/{center.pk}/partners/{agency.center.pk}/shares"
    for payload, field in (({"asset_id": str(ads.pk), "roles": ["KING"]}, "roles"),
                           ({"asset_id": str(ads.pk), "roles": ["ADMIN", "ANALYST"]}, "roles"),
                           ({"asset_id": str(ads.pk)}, "roles"), ({"roles": ["ANALYST"]},
                                                                   "asset_id")):
        refused = admin_api.send("post", path, payload)
        assert refused.status_code == 400, payload
        assert field in error_of(refused)["fields"], payload
    not_partner = create_center(as_owner, name="Sister Co")
    nobody = admin_api.send("post", f"/centers/{center.pk}/partners/{not_partner.pk}/shares",
                            {"asset_id": str(ads.pk), "roles": ["ANALYST"]})
    assert nobody.status_code == 404
    assert error_of(nobody)["message"].endswith("Add it as a partner first.")
    assert not PartnerShare.objects.exists()


def test_no_token_is_401(center, linked, agency, ads):
    base = f"/api/v1/centers/{center.pk}"
    for method, path in (("get", f"{base}/partners"), ("post", f"{base}/partners"),
                         ("get", f"{base}/partners/{agency.center.pk}"),
                         ("delete", f"{base}/partners/{agency.center.pk}"),
                         ("post", f"{base}/partners/{agency.center.pk}/shares"),
                         ("patch", f"{base}/partners/{agency.center.pk}/shares/{ads.pk}"),
                         ("delete", f"{base}/partners/{agency.center.pk}/shares/{ads.pk}"),
                         ("get", f"{base}/partner-assets")):
        response = getattr(Client(), method)(path, content_type="application/json")
        assert response.status_code == 401 and error_of(response)["code"] == "token_missing"
    assert Partnership.objects.count() == 1


def test_standard_members_are_refused_with_the_reason(center, as_owner, linked, agency, ads,
                                                      make_user):
    partners.share(as_owner, center, agency.center.pk, ads.pk, "ANALYST")
    sam = join(as_owner, center, make_user("sam@brand.com"), modules=("ASSETS",))
    api = api_for(sam.user, center)
    base = f"/centers/{center.pk}/partners"
    shares = f"{base}/{agency.center.pk}/shares"
    for method, path, body in (
        ("get", base, None), ("post", base, {"partner_id": str(agency.center.pk)}),
        ("get", f"{base}/{agency.center.pk}", None),
        ("delete", f"{base}/{agency.center.pk}", None),
        ("post", shares, {"asset_id": str(ads.pk), "roles": ["OPERATOR"]}),
        ("patch", f"{shares}/{ads.pk}", {"roles": ["OPERATOR"]}),
        ("patch", f"{shares}/999999", {"roles": ["OPERATOR"]}),  # 403 first: nothing probed
        ("delete", f"{shares}/{ads.pk}", None),
        ("get", f"/centers/{center.pk}/partner-assets", None),
    ):
        refused = api.send(method, path, body)
        assert refused.status_code == 403, (method, path)
        assert error_of(refused)["message"].startswith(
            "Only Admins of Brand Co can do this (asset.manage); you are a Standard member.")
    assert PartnerShare.objects.get().roles == ["ANALYST"] and Partnership.objects.count() == 1
    # The partner's own Standard member cannot share or see what was shared either.
    operator = api_for(agency.operator.user, agency.center)
    assert operator.get(f"/centers/{agency.center.pk}/partner-assets").status_code == 403


def test_ids_of_another_business_center_are_404_and_change_nothing(
    center, admin_api, linked, agency, ads, make_user
):
    rival = stranger(make_user)
    partners.add_partner(act(rival.owner), rival.center, agency.center.pk)
    partners.share(act(rival.owner), rival.center, agency.center.pk, rival.asset.pk, "ADMIN")
    shares = f"/centers/{center.pk}/partners/{agency.center.pk}/shares"
    for method, path, body in (
        ("post", shares, {"asset_id": str(rival.asset.pk), "roles": ["ANALYST"]}),
        ("patch", f"{shares}/{rival.asset.pk}", {"roles": ["ANALYST"]}),
        ("delete", f"{shares}/{rival.asset.pk}", None),
        ("get", f"/centers/{center.pk}/partners/{rival.center.pk}", None),
        ("delete", f"/centers/{center.pk}/partners/{rival.center.pk}", None),
    ):
        response = admin_api.send(method, path, body)
        assert response.status_code == 404, (method, path)
        assert "Rival ads" not in error_of(response)["message"], (method, path)
    assert admin_api.get(f"/centers/{rival.center.pk}/partners").status_code == 404
    # The rival's own partnership and share are untouched; Brand Co's list shows only its own.
    assert PartnerShare.objects.get().roles == ["ADMIN"]
    assert Partnership.objects.filter(owner=rival.center).exists()
    listed = admin_api.get(f"/centers/{center.pk}/partners").json()["items"]
    assert [(p["name"], p["shares"]) for p in listed] == [("Agency Co", [])]
    assert Asset.objects.get(pk=rival.asset.pk).name == "Rival ads"


def test_a_read_only_token_reads_but_never_writes(center, owner, linked, agency, ads):
    api = api_for(owner, center, read_only=True)
    base = f"/centers/{center.pk}/partners"
    assert api.get(base).json()["page_info"]["total"] == 1
    for method, path, body in (
        ("post", base, {"partner_id": "999999"}),
        ("delete", f"{base}/{agency.center.pk}", None),
        ("post", f"{base}/{agency.center.pk}/shares", {"asset_id": str(ads.pk),
                                                       "roles": ["ANALYST"]}),
        ("delete", f"{base}/{agency.center.pk}/shares/{ads.pk}", None),
    ):
        refused = api.send(method, path, body)
        assert refused.status_code == 403 and error_of(refused)["code"] == "read_only_token"
    assert Partnership.objects.count() == 1 and not PartnerShare.objects.exists()


def test_an_idempotency_key_adds_a_partner_and_shares_once(center, admin_api, agency, ads):
    base = f"/centers/{center.pk}/partners"
    body = {"partner_id": str(agency.center.pk)}
    first = admin_api.send("post", base, body, **{"Idempotency-Key": "partner-1"})
    again = admin_api.send("post", base, body, **{"Idempotency-Key": "partner-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Partnership.objects.count() == 1
    plain = admin_api.send("post", base, body)  # no key: a new request, and a conflict
    assert plain.status_code == 409
    share = {"asset_id": str(ads.pk), "roles": ["ANALYST"]}
    shares = f"{base}/{agency.center.pk}/shares"
    made = admin_api.send("post", shares, share, **{"Idempotency-Key": "share-1"})
    replay = admin_api.send("post", shares, share, **{"Idempotency-Key": "share-1"})
    assert made.status_code == replay.status_code == 201 and made.json() == replay.json()
    assert PartnerShare.objects.count() == 1
