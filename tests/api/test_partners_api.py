"""Partner Business Centers through the API, both sides: ask by public id, answer, share,
change, unshare, drop, ask for assets, decide, end; and what neither side may learn or do
before the other agreed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from bizcenter.accounts.models import User
from bizcenter.assets import partners
from bizcenter.assets.models import AccessRequest, AssetGrant, PartnerShare, Partnership
from bizcenter.assets.services import assign, create_asset
from bizcenter.campaigns import services as campaigns
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import create_center
from tests.conftest import act, join, partner_up
from tests.support.api import Api, api_for, error_of, stranger

pytestmark = pytest.mark.usefixtures("quick_hashing")

NOBODY = "1111 2222 3333 4444 555"  # a well-formed public id no Business Center has
HUGE = "99999999999999999999999"  # past any row id


@dataclass
class Agency:
    center: BusinessCenter
    boss: User
    operator: Membership
    api: Api


@pytest.fixture
def agency(make_user) -> Agency:
    boss = make_user("boss@agency.com", name="Bea Boss")
    place = create_center(act(boss), name="Agency Co")
    operator = join(act(boss), place, make_user("op@agency.com", name="Otto"),
                    modules=("ASSETS", "CAMPAIGNS"))
    return Agency(place, boss, operator, api_for(boss, place))


@pytest.fixture
def linked(center, as_owner, agency) -> Partnership:
    return partner_up(as_owner, center, agency.center)


def _ids_in(body: Any) -> set[str]:
    """Every value of an ``id`` key of a Business Center reference in an answer."""
    found: set[str] = set()

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("owner", "partner") and isinstance(v, dict):
                    found.add(v["id"])
                walk(v, k)
        elif isinstance(node, list):
            for item in node:
                walk(item, key)

    walk(body)
    return found


# -- asking and answering --------------------------------------------------------------


def test_a_partnership_starts_with_a_request_the_other_side_accepts(
    center, admin_api, agency
):
    sent = admin_api.send("post", f"/centers/{center.pk}/partners",
                          {"partner_id": agency.center.public_id, "message": "Spring work"})
    assert sent.status_code == 202
    request = sent.json()
    assert request["status"] == "PENDING" and request["direction"] == "outgoing"
    assert request["partner_id"] == agency.center.public_id
    assert request["partner_name"] is None and request["asked_by"] == "OWNER"
    assert request["requested_by"] == "Olivia Owner" and request["message"] == "Spring work"
    # Nothing is active yet: no partner on either side, nothing to share with.
    assert admin_api.get(f"/centers/{center.pk}/partners").json()["items"] == []
    not_yet = admin_api.send("post", f"/centers/{center.pk}/partners/"
                             f"{agency.center.public_id}/shares",
                             {"asset_id": "1", "roles": ["ANALYST"]})
    assert not_yet.status_code == 404
    # The agency's Admins see who asks, by name and public id, with the message.
    incoming = agency.api.get(f"/centers/{agency.center.pk}/partner-requests").json()
    [theirs] = incoming["items"]
    assert (theirs["id"], theirs["direction"], theirs["partner_id"], theirs["partner_name"],
            theirs["requested_by"], theirs["message"]) == (
        request["id"], "incoming", center.public_id, "Brand Co", "Olivia Owner",
        "Spring work")
    accepted = agency.api.send("post", f"/centers/{agency.center.pk}/partner-requests/"
                               f"{theirs['id']}/accept")
    assert accepted.status_code == 200
    link = accepted.json()
    assert link["owner"] == {"id": center.public_id, "name": "Brand Co"}
    assert link["partner"] == {"id": agency.center.public_id, "name": "Agency Co"}
    assert (link["id"], link["name"], link["our_side"], link["shares"]) == (
        center.public_id, "Brand Co", "PARTNER", [])
    # Now both sides see each other, each from its own side.
    [ours] = admin_api.get(f"/centers/{center.pk}/partners").json()["items"]
    assert (ours["id"], ours["name"], ours["our_side"]) == (
        agency.center.public_id, "Agency Co", "OWNER")
    assert admin_api.get(f"/centers/{center.pk}/partners/{agency.center.public_id}"
                         ).json() == ours
    [owner] = agency.api.get(f"/centers/{agency.center.pk}/partner-owners").json()["items"]
    assert owner["name"] == "Brand Co" and owner["our_side"] == "PARTNER"
    assert agency.api.get(f"/centers/{agency.center.pk}/partners/{center.public_id}"
                          ).json() == owner
    assert admin_api.get(f"/centers/{center.pk}/partner-requests",
                         direction="outgoing").json()["items"] == []


def test_a_made_up_id_and_a_real_one_get_the_same_answer(center, admin_api, agency):
    base = f"/centers/{center.pk}/partners"
    answers = []
    with time_machine.travel(timezone.now(), tick=False):
        for public_id in (agency.center.public_id, NOBODY.replace(" ", "")):
            answers.append((public_id, admin_api.send(
                "post", base, {"partner_id": public_id, "message": "Hello"})))
        for public_id, _ in list(answers):
            answers.append((public_id, admin_api.send(
                "post", base, {"partner_id": public_id, "message": "Hello"})))

    def masked(public_id: str, response: Any) -> tuple[int, str, bytes]:
        text = response.content.replace(public_id.encode(), b"<id>")
        if response.status_code == 202:
            text = text.replace(f'"id": "{response.json()["id"]}"'.encode(), b'"id": "<n>"')
        return response.status_code, response["Content-Type"], text

    (real, first), (nobody, second), (real_again, third), (nobody_again, fourth) = answers
    assert first.status_code == 202
    assert masked(real, first) == masked(nobody, second)
    assert third.status_code == 409 and error_of(third)["code"] == "already_requested"
    assert masked(real_again, third) == masked(nobody_again, fourth)
    # Listed the same way too: the id typed, no name, whatever it matched.
    sent = admin_api.get(f"/centers/{center.pk}/partner-requests", direction="outgoing")
    rows = sent.json()["items"]
    assert [(r["partner_id"], r["partner_name"]) for r in rows] == [
        (nobody, None), (real, None)]
    for row in rows:
        del row["id"], row["partner_id"]
    assert rows[0] == rows[1]


def test_a_pending_request_never_names_the_other_side(center, admin_api, agency):
    sent = admin_api.send("post", f"/centers/{center.pk}/partners",
                          {"partner_id": agency.center.public_id})
    request_id = sent.json()["id"]
    for response in (sent,
                     admin_api.get(f"/centers/{center.pk}/partner-requests",
                                   direction="outgoing"),
                     admin_api.get(f"/centers/{center.pk}/partners"),
                     admin_api.get(f"/centers/{center.pk}/access/review")):
        assert response.status_code in (200, 202)
        assert b"Agency Co" not in response.content and b"Bea Boss" not in response.content
    # Nor can it be read as a partnership, or answered by the side that sent it.
    hidden = admin_api.get(f"/centers/{center.pk}/partners/{agency.center.public_id}")
    assert hidden.status_code == 404 and "Agency Co" not in error_of(hidden)["message"]
    own = admin_api.send("post", f"/centers/{center.pk}/partner-requests/{request_id}/accept")
    assert own.status_code == 404 and "Agency Co" not in error_of(own)["message"]
    assert Partnership.objects.get().status == "PENDING"


def test_asking_twice_or_the_wrong_way_is_a_clear_refusal(center, admin_api, linked, agency,
                                                          make_user):
    base = f"/centers/{center.pk}/partners"
    again = admin_api.send("post", base, {"partner_id": agency.center.public_id})
    assert again.status_code == 409 and error_of(again)["code"] == "already_partner"
    itself = admin_api.send("post", base, {"partner_id": center.public_id})
    assert itself.status_code == 400
    assert error_of(itself)["fields"] == {"partner_id": "another Business Center"}
    for bad in ("the agency", str(agency.center.pk), "12345678901234567890"):
        refused = admin_api.send("post", base, {"partner_id": bad})
        assert refused.status_code == 400, bad
        assert error_of(refused)["fields"] == {"partner_id": "19 digits"}, bad
    assert admin_api.send("post", base, {}).status_code == 400
    # Another agency asked Brand Co first, for its assets: asking it the same way says to
    # accept theirs. (Asked the other way, to share ITS assets, it is another request.)
    other_boss = make_user("boss@client.com", name="Cleo")
    client = create_center(act(other_boss), name="Client Co")
    partners.ask_for_access(act(other_boss), client, center.public_id, ["1"], "ANALYST")
    theirs = admin_api.send("post", base, {"partner_id": client.public_id})
    assert theirs.status_code == 409 and error_of(theirs)["code"] == "asked_by_them"
    assert Partnership.objects.count() == 2


def test_decline_and_cancel(center, admin_api, agency, make_user):
    base = f"/centers/{center.pk}/partners"
    first = admin_api.send("post", base, {"partner_id": agency.center.public_id}).json()
    declined = agency.api.send("post", f"/centers/{agency.center.pk}/partner-requests/"
                               f"{first['id']}/decline")
    assert declined.status_code == 204 and not Partnership.objects.exists()
    assert admin_api.get(f"/centers/{center.pk}/partner-requests",
                         direction="outgoing").json()["items"] == []
    second = admin_api.send("post", base, {"partner_id": agency.center.public_id}).json()
    # The asked side cannot cancel it; the asking side can.
    assert agency.api.send("delete", f"/centers/{agency.center.pk}/partner-requests/"
                           f"{second['id']}").status_code == 404
    cancelled = admin_api.send("delete", f"/centers/{center.pk}/partner-requests/"
                               f"{second['id']}")
    assert cancelled.status_code == 204 and not Partnership.objects.exists()
    assert agency.api.get(f"/centers/{agency.center.pk}/partner-requests").json()[
        "items"] == []
    gone = agency.api.send("post", f"/centers/{agency.center.pk}/partner-requests/"
                           f"{second['id']}/accept")
    assert gone.status_code == 404


def test_another_admin_cannot_answer_or_cancel_a_request_that_is_not_theirs(
    center, admin_api, agency, make_user
):
    rival = stranger(make_user)
    rival_api = api_for(rival.owner, rival.center)
    request_id = admin_api.send("post", f"/centers/{center.pk}/partners",
                                {"partner_id": agency.center.public_id}).json()["id"]
    made_up = str(int(request_id) + 1000)
    base = f"/centers/{rival.center.pk}/partner-requests"
    for method, suffix in (("post", "/accept"), ("post", "/decline"), ("delete", "")):
        real = rival_api.send(method, f"{base}/{request_id}{suffix}")
        fake = rival_api.send(method, f"{base}/{made_up}{suffix}")
        assert real.status_code == fake.status_code == 404, (method, suffix)
        assert error_of(real)["message"] == error_of(fake)["message"].replace(
            made_up, request_id), (method, suffix)
        assert "Brand Co" not in error_of(real)["message"]
        huge = rival_api.send(method, f"{base}/{HUGE}{suffix}")
        assert huge.status_code in (400, 404), (method, suffix)
    # Nor through Brand Co's path with the rival's token.
    assert rival_api.send("post", f"/centers/{center.pk}/partner-requests/{request_id}/"
                          "accept").status_code == 404
    assert Partnership.objects.get().status == "PENDING"


# -- sharing ---------------------------------------------------------------------------


def test_share_change_unshare_and_drop(center, admin_api, linked, agency, ads):
    shares = f"/centers/{center.pk}/partners/{agency.center.public_id}/shares"
    shared = admin_api.send("post", shares, {"asset_id": str(ads.pk), "roles": ["operator"]})
    assert shared.status_code == 201
    body = shared.json()
    assert (body["roles"], body["needs_approval"], body["shared_by"]) == (
        ["OPERATOR"], False, "Olivia Owner")
    assert body["asset"] == {"id": str(ads.pk), "type": "ADVERTISER", "name": "Main ads",
                             "status": "ACTIVE"}
    # The agency sees it as its partner's, named by public id, never by row id.
    received = agency.api.get(f"/centers/{agency.center.pk}/partner-assets").json()
    [row] = received["items"]
    assert row["owner"] == {"id": center.public_id, "name": "Brand Co"}
    assert (row["asset"]["name"], row["roles"], row["needs_approval"]) == (
        "Main ads", ["OPERATOR"], False)
    assert "owner_center_id" not in json.dumps(received)
    # Sharing again changes it in place (200); PATCH changes only what it is sent.
    lowered = admin_api.send("post", shares, {"asset_id": str(ads.pk), "roles": ["ANALYST"],
                                              "needs_approval": True})
    assert lowered.status_code == 200
    assert (lowered.json()["roles"], lowered.json()["needs_approval"]) == (["ANALYST"], True)
    patched = admin_api.send("patch", f"{shares}/{ads.pk}", {"roles": ["OPERATOR"]})
    assert patched.status_code == 200
    assert (patched.json()["roles"], patched.json()["needs_approval"]) == (["OPERATOR"], True)
    off = admin_api.send("patch", f"{shares}/{ads.pk}", {"needs_approval": False})
    assert (off.json()["roles"], off.json()["needs_approval"]) == (["OPERATOR"], False)
    [listed] = admin_api.get(f"/centers/{center.pk}/partners").json()["items"]
    assert [(s["asset"]["name"], s["roles"]) for s in listed["shares"]] == [
        ("Main ads", ["OPERATOR"])]
    assert admin_api.send("delete", f"{shares}/{ads.pk}").status_code == 204
    assert not PartnerShare.objects.exists()
    again = admin_api.send("delete", f"{shares}/{ads.pk}")
    assert again.status_code == 404
    unshared = admin_api.send("patch", f"{shares}/{ads.pk}", {"roles": ["ANALYST"]})
    assert unshared.status_code == 404 and not PartnerShare.objects.exists()
    # The agency drops one from its side; its member's assignment goes with it.
    admin_api.send("post", shares, {"asset_id": str(ads.pk), "roles": ["ANALYST"]})
    assign(act(agency.boss), agency.center, agency.operator.pk, ads.pk, ["ANALYST"])
    drop = f"/centers/{agency.center.pk}/partner-assets/{center.public_id}/{ads.pk}"
    assert agency.api.send("delete", drop).status_code == 204
    assert not PartnerShare.objects.exists() and not AssetGrant.objects.exists()
    assert agency.api.send("delete", drop).status_code == 404
    assert Partnership.objects.get().status == "ACTIVE"  # the partnership stays


def test_bad_share_input_is_400_and_strangers_404(center, admin_api, linked, agency, ads,
                                                  make_user):
    shares = f"/centers/{center.pk}/partners/{agency.center.public_id}/shares"
    for payload, field in (({"asset_id": str(ads.pk), "roles": ["KING"]}, "roles"),
                           ({"asset_id": str(ads.pk), "roles": ["ADMIN", "ANALYST"]}, "roles"),
                           ({"asset_id": str(ads.pk)}, "roles"),
                           ({"roles": ["ANALYST"]}, "asset_id")):
        refused = admin_api.send("post", shares, payload)
        assert refused.status_code == 400, payload
        assert field in error_of(refused)["fields"], payload
    rival = stranger(make_user)
    for method, path, body in (
        ("post", shares, {"asset_id": str(rival.asset.pk), "roles": ["ANALYST"]}),
        ("post", f"/centers/{center.pk}/partners/{rival.center.public_id}/shares",
         {"asset_id": str(ads.pk), "roles": ["ANALYST"]}),
        ("get", f"/centers/{center.pk}/partners/{rival.center.public_id}", None),
        ("delete", f"/centers/{center.pk}/partners/{rival.center.public_id}", None),
        ("delete", f"/centers/{center.pk}/partner-assets/{rival.center.public_id}/"
                   f"{rival.asset.pk}", None),
        ("delete", f"/centers/{center.pk}/partner-assets/{agency.center.public_id}/"
                   f"{HUGE}", None),
    ):
        response = admin_api.send(method, path, body)
        assert response.status_code == 404, (method, path)
        assert "Rival" not in error_of(response)["message"], (method, path)
    malformed = admin_api.get(f"/centers/{center.pk}/partners/{agency.center.pk}")
    assert malformed.status_code == 400  # a row id is not how partners are named
    assert not PartnerShare.objects.exists()


def test_ending_cuts_access_at_the_next_request_on_both_sides(center, as_owner, admin_api,
                                                              linked, agency, ads):
    partners.share(as_owner, center, agency.center.public_id, ads.pk, ["OPERATOR"])
    assign(act(agency.boss), agency.center, agency.operator.pk, ads.pk, ["OPERATOR"])
    campaign = campaigns.create_campaign(as_owner, center, ads.pk, name="Spring sale",
                                         objective="TRAFFIC", budget="100").campaign
    assert campaign is not None
    operator = api_for(agency.operator.user, agency.center)
    where = f"/centers/{agency.center.pk}"
    assert operator.get(f"{where}/assets/{ads.pk}").status_code == 200
    assert operator.get(f"{where}/campaigns/{campaign.pk}").status_code == 200
    # The partner ends it, by the owner's public id.
    assert agency.api.send("delete", f"{where}/partners/{center.public_id}").status_code == 204
    assert operator.get(f"{where}/assets/{ads.pk}").status_code == 404
    assert operator.get(f"{where}/campaigns/{campaign.pk}").status_code in (403, 404)
    assert operator.get(f"{where}/assets").json()["items"] == []
    assert agency.api.get(f"{where}/partner-assets").json()["items"] == []
    for api, path in ((admin_api, f"/centers/{center.pk}/partners/{agency.center.public_id}"),
                      (agency.api, f"{where}/partners/{center.public_id}")):
        assert api.get(path).status_code == 404
        assert api.send("delete", path).status_code == 404
    assert not Partnership.objects.exists() and not AssetGrant.objects.exists()


def test_the_owner_ends_it_too(center, as_owner, admin_api, linked, agency, ads):
    partners.share(as_owner, center, agency.center.public_id, ads.pk, ["ANALYST"])
    assign(act(agency.boss), agency.center, agency.operator.pk, ads.pk, ["ANALYST"])
    operator = api_for(agency.operator.user, agency.center)
    asset = f"/centers/{agency.center.pk}/assets/{ads.pk}"
    assert operator.get(asset).status_code == 200
    ended = admin_api.send("delete", f"/centers/{center.pk}/partners/"
                           f"{agency.center.public_id}")
    assert ended.status_code == 204
    assert operator.get(asset).status_code == 404


# -- access requests -------------------------------------------------------------------


def test_a_partner_asks_for_assets_and_the_owner_decides(center, as_owner, admin_api, agency,
                                                         ads):
    catalog = create_asset(as_owner, center, type="CATALOG", name="Spring catalog")
    asks = f"/centers/{agency.center.pk}/access-requests"
    # Not partners yet: asking sends a partner request carrying the assets.
    first = agency.api.send("post", asks, {"owner_id": center.public_id,
                                           "asset_ids": [str(ads.pk)], "role": "operator",
                                           "message": "For the summer"})
    assert first.status_code == 202
    body = first.json()
    assert body["status"] == "PENDING" and body["access_requests"] == []
    assert body["partner_request"]["partner_name"] is None
    assert body["partner_request"]["asked_assets"] == [{"asset_id": str(ads.pk),
                                                        "roles": ["OPERATOR"]}]
    [incoming] = admin_api.get(f"/centers/{center.pk}/partner-requests").json()["items"]
    assert (incoming["partner_name"], incoming["asked_by"], incoming["message"]) == (
        "Agency Co", "PARTNER", "For the summer")
    accepted = admin_api.send("post", f"/centers/{center.pk}/partner-requests/"
                              f"{incoming['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["our_side"] == "OWNER"
    # Accepting turned the assets into access requests for the owner to decide.
    listed = admin_api.get(f"/centers/{center.pk}/access-requests").json()
    [asked] = listed["items"]
    assert (asked["direction"], asked["asset"]["name"], asked["roles"], asked["state"]) == (
        "incoming", "Main ads", ["OPERATOR"], "PENDING")
    assert _ids_in(listed) == {center.public_id, agency.center.public_id}
    decide = f"/centers/{center.pk}/access-requests/{asked['id']}"
    above = admin_api.send("post", f"{decide}/approve", {"roles": ["ADMIN"]})
    assert above.status_code == 400 and "roles" in error_of(above)["fields"]
    approved = admin_api.send("post", f"{decide}/approve", {"roles": ["ANALYST"]})
    assert approved.status_code == 200
    assert (approved.json()["state"], approved.json()["granted_roles"]) == (
        "APPROVED", ["ANALYST"])
    assert PartnerShare.objects.get(asset=ads).roles == ["ANALYST"]
    twice = admin_api.send("post", f"{decide}/decline")
    assert twice.status_code == 409 and error_of(twice)["code"] == "decided"
    # Partners now: asking makes access requests at once.
    more = agency.api.send("post", asks, {"owner_id": center.public_id,
                                          "asset_ids": [str(ads.pk), str(catalog.pk)],
                                          "role": "admin"})
    assert more.status_code == 202 and more.json()["status"] == "ACTIVE"
    assert more.json()["partner_request"] is None
    # The partner reads the ids it asked for, never the names, until the owner shares.
    assert all(r["asset"] is None for r in more.json()["access_requests"])
    names = {str(ads.pk): "Main ads", str(catalog.pk): "Spring catalog"}
    made = {names[r["asset_id"]]: r for r in more.json()["access_requests"]}
    assert sorted(made) == ["Main ads", "Spring catalog"]
    declined = admin_api.send(
        "post", f"/centers/{center.pk}/access-requests/{made['Main ads']['id']}/decline")
    assert declined.status_code == 200 and declined.json()["state"] == "DECLINED"
    withdrawn = agency.api.send("delete", f"{asks}/{made['Spring catalog']['id']}")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "WITHDRAWN"
    # The owner cannot withdraw what it was asked; the partner cannot decide it.
    assert admin_api.send("delete", f"/centers/{center.pk}/access-requests/"
                          f"{asked['id']}").status_code == 404
    assert agency.api.send("post", f"{asks}/{asked['id']}/approve", {}).status_code == 404
    every = agency.api.get(asks, direction="outgoing", state="all").json()["items"]
    assert sorted(r["state"] for r in every) == ["APPROVED", "DECLINED", "WITHDRAWN"]
    assert admin_api.get(f"/centers/{center.pk}/access-requests").json()["items"] == []
    bad_state = admin_api.get(f"/centers/{center.pk}/access-requests", state="maybe")
    assert bad_state.status_code == 400 and error_of(bad_state)["fields"] == {
        "state": "a request state"}
    assert admin_api.send("post", f"/centers/{center.pk}/access-requests/{HUGE}/approve",
                          {}).status_code in (400, 404)
    assert AccessRequest.objects.count() == 3


# -- who may -----------------------------------------------------------------------------


def _writes(center: BusinessCenter, agency: Agency, ads: Any) -> list[tuple[str, str, Any]]:
    c, other = f"/centers/{center.pk}", agency.center.public_id
    return [
        ("post", f"{c}/partners", {"partner_id": NOBODY}),
        ("delete", f"{c}/partners/{other}", None),
        ("post", f"{c}/partners/{other}/shares", {"asset_id": str(ads.pk),
                                                  "roles": ["ANALYST"]}),
        ("patch", f"{c}/partners/{other}/shares/{ads.pk}", {"roles": ["ANALYST"]}),
        ("delete", f"{c}/partners/{other}/shares/{ads.pk}", None),
        ("delete", f"{c}/partner-assets/{other}/{ads.pk}", None),
        ("post", f"{c}/partner-requests/1/accept", None),
        ("post", f"{c}/partner-requests/1/decline", None),
        ("delete", f"{c}/partner-requests/1", None),
        ("post", f"{c}/access-requests", {"owner_id": other, "asset_ids": ["1"],
                                          "role": "ANALYST"}),
        ("post", f"{c}/access-requests/1/approve", {}),
        ("post", f"{c}/access-requests/1/decline", None),
        ("delete", f"{c}/access-requests/1", None),
    ]


def test_a_read_only_token_reads_but_never_writes(center, owner, as_owner, linked, agency,
                                                  ads):
    partners.share(as_owner, center, agency.center.public_id, ads.pk, ["ANALYST"])
    api = api_for(owner, center, read_only=True)
    assert api.get(f"/centers/{center.pk}/partners").json()["page_info"]["total"] == 1
    for path in ("partner-requests", "access-requests", "partner-assets", "partner-owners"):
        assert api.get(f"/centers/{center.pk}/{path}").status_code == 200, path
    for method, path, body in _writes(center, agency, ads):
        refused = api.send(method, path, body)
        assert refused.status_code == 403, (method, path)
        assert error_of(refused)["code"] == "read_only_token", (method, path)
    assert Partnership.objects.count() == 1 and PartnerShare.objects.get().roles == ["ANALYST"]


def test_standard_members_and_no_token_are_refused(center, as_owner, linked, agency, ads,
                                                   make_user):
    sam = join(as_owner, center, make_user("sam@brand.com"), modules=("ASSETS",))
    api = api_for(sam.user, center)
    for method, path, body in _writes(center, agency, ads):
        refused = api.send(method, path, body)
        assert refused.status_code == 403, (method, path)
        assert error_of(refused)["message"].startswith("Only Admins of Brand Co can ")
        anonymous = getattr(Client(), method)(f"/api/v1{path}", body,
                                              content_type="application/json")
        assert anonymous.status_code == 401, (method, path)
    for path in ("partners", "partner-requests", "access-requests", "partner-assets"):
        assert api.get(f"/centers/{center.pk}/{path}").status_code == 403, path
    assert Partnership.objects.count() == 1 and not PartnerShare.objects.exists()


def test_no_other_business_center_is_named_by_its_row_id(center, as_owner, admin_api, linked,
                                                         agency, ads):
    partners.share(as_owner, center, agency.center.public_id, ads.pk, ["ANALYST"])
    partners.ask_for_access(act(agency.boss), agency.center, center.public_id,
                            [create_asset(as_owner, center, type="PIXEL", name="Px").pk],
                            "ACCESS")
    answers = [agency.api.get(f"/centers/{agency.center.pk}/{p}") for p in (
        "partner-owners", "partner-assets", f"partners/{center.public_id}")]
    answers.append(agency.api.get(f"/centers/{agency.center.pk}/access-requests",
                                  direction="outgoing"))
    for answer in answers:
        assert answer.status_code == 200
        assert "owner_center_id" not in answer.content.decode()
        assert all(re.fullmatch(r"\d{19}", i) for i in _ids_in(answer.json()))
        assert center.public_id in answer.content.decode()


def test_an_idempotency_key_asks_and_shares_once(center, admin_api, agency, ads):
    base = f"/centers/{center.pk}/partners"
    body = {"partner_id": agency.center.public_id}
    first = admin_api.send("post", base, body, **{"Idempotency-Key": "partner-1"})
    again = admin_api.send("post", base, body, **{"Idempotency-Key": "partner-1"})
    assert first.status_code == again.status_code == 202 and first.json() == again.json()
    assert Partnership.objects.count() == 1
    plain = admin_api.send("post", base, body)  # no key: a new request, and a conflict
    assert plain.status_code == 409 and error_of(plain)["code"] == "already_requested"
    agency.api.send("post", f"/centers/{agency.center.pk}/partner-requests/"
                    f"{first.json()['id']}/accept")
    share = {"asset_id": str(ads.pk), "roles": ["ANALYST"]}
    shares = f"{base}/{agency.center.public_id}/shares"
    made = admin_api.send("post", shares, share, **{"Idempotency-Key": "share-1"})
    replay = admin_api.send("post", shares, share, **{"Idempotency-Key": "share-1"})
    assert made.status_code == replay.status_code == 201 and made.json() == replay.json()
    assert PartnerShare.objects.count() == 1


def test_the_assets_list_names_a_shared_assets_owner_by_public_id_and_name(
        center, as_owner, admin_api, agency, linked):
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    partners.share(as_owner, center, agency.center.public_id, ads.pk, "ANALYST")
    theirs = agency.api.get(f"/centers/{agency.center.pk}/assets").json()["items"]
    assert [(a["name"], a["owner_center_id"], a["shared_by"]) for a in theirs] == [
        ("Main ads", center.public_id, "Brand Co")]
    one = agency.api.get(f"/centers/{agency.center.pk}/assets/{ads.pk}").json()
    assert one["owner_center_id"] == center.public_id
    # The owner's own list keeps its own id, and nothing is "shared by".
    [mine] = admin_api.get(f"/centers/{center.pk}/assets").json()["items"]
    assert mine["owner_center_id"] == str(center.pk) and mine["shared_by"] is None
    assert str(center.pk) not in {a["owner_center_id"] for a in theirs}


def test_assets_offered_with_a_request_are_shared_when_it_is_accepted(
        center, as_owner, admin_api, agency):
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    sent = admin_api.send("post", f"/centers/{center.pk}/partners", {
        "partner_id": agency.center.public_id, "offer": [
            {"asset_id": str(ads.pk), "roles": ["OPERATOR"]}], "needs_approval": True})
    assert sent.status_code == 202
    [theirs] = agency.api.get(f"/centers/{agency.center.pk}/partner-requests").json()["items"]
    assert theirs["asked_assets"] == [{"asset_id": str(ads.pk), "roles": ["OPERATOR"]}]
    assert agency.api.get(f"/centers/{agency.center.pk}/partner-assets").json()["items"] == []
    agency.api.send("post", f"/centers/{agency.center.pk}/partner-requests/{theirs['id']}"
                            "/accept")
    [got] = agency.api.get(f"/centers/{agency.center.pk}/partner-assets").json()["items"]
    assert (got["asset"]["name"], got["roles"], got["needs_approval"]) == (
        "Main ads", ["OPERATOR"], True)
    # Offering what is not ours is refused before anything is asked.
    bad = admin_api.send("post", f"/centers/{center.pk}/partners", {
        "partner_id": NOBODY, "offer": [{"asset_id": "999999", "roles": ["ANALYST"]}]})
    assert bad.status_code == 404 and not Partnership.objects.filter(
        asked_for=NOBODY.replace(" ", "")).exists()
