"""check, explain, access profiles and the access review through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from bizcenter.assets import partners
from bizcenter.assets.services import assign
from bizcenter.centers.models import Membership
from bizcenter.centers.services import create_center
from bizcenter.invitations import services as invitations
from tests.conftest import act, join, partner_up
from tests.support.api import api_for, error_of, stranger

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def sam(center, as_owner, make_user):
    """A Standard member with Campaigns and Assets, OPERATOR on nothing yet."""
    return join(as_owner, center, make_user("sam@agency.com", name="Sam"),
                modules=("ASSETS", "CAMPAIGNS"))


def test_an_admin_troubleshoots_an_address_with_no_account(center, as_owner, admin_api, ads):
    invitations.invite(as_owner, center, ["new@agency.com"])
    base = f"/centers/{center.pk}/access"
    question = {"address": "New@Agency.com", "action": "campaign.view",
                "resource": f"asset:{ads.pk}"}
    explained = admin_api.get(f"{base}/explain", **question)
    assert explained.status_code == 200
    body = explained.json()
    assert body["allowed"] is False and body["code"] == "invitation_pending"
    assert body["reasons"][0] == "new@agency.com has no membership in Brand Co yet."
    assert "is still pending" in body["reasons"][1]
    assert "signing up with new@agency.com itself" in body["fix"]
    assert body["text"].startswith("Denied (invitation_pending).")
    checked = admin_api.get(f"{base}/check", **question).json()
    assert checked == {"allowed": False, "code": "invitation_pending",
                       "reason": "new@agency.com has no membership in Brand Co yet.",
                       "fix": body["fix"]}
    # An address this Business Center never invited: a neutral answer, account or not.
    never = admin_api.get(f"{base}/check", address="+14155550123", action="center.view").json()
    assert never["code"] == "not_in_center" and "Invite +14155550123" in never["fix"]


def test_an_admin_learns_why_a_member_cannot_and_the_fix(center, as_owner, admin_api, ads, sam):
    base = f"/centers/{center.pk}/access"
    question = {"address": "sam@agency.com", "action": "campaign.propose",
                "resource": f"asset:{ads.pk}"}
    missing = admin_api.get(f"{base}/explain", **question).json()
    assert missing["code"] == "asset_not_assigned" and missing["allowed"] is False
    assert missing["reasons"] == ["Ad account Main ads is not assigned to you in Brand Co."]
    assert missing["fix"].startswith("Ask an Admin of Brand Co to assign Ad account Main ads")
    assign(as_owner, center, sam.pk, ads.pk, ["ANALYST"])
    low = admin_api.get(f"{base}/check", **question).json()
    assert low["code"] == "role_too_low" and "OPERATOR" in low["fix"]
    assign(as_owner, center, sam.pk, ads.pk, ["OPERATOR"])
    ok = admin_api.get(f"{base}/explain", **question).json()
    assert ok["allowed"] is True and ok["code"] == "allowed" and ok["fix"] == ""
    assert ok["reasons"][1] == "Your change becomes a request that an Admin approves."
    center_wide = admin_api.get(f"{base}/check", address="sam@agency.com",
                                action="member.invite").json()
    assert center_wide["code"] == "admins_only"


def test_a_member_asks_about_themself_and_only_admins_about_others(center, as_owner, ads, sam):
    assign(as_owner, center, sam.pk, ads.pk, ["OPERATOR"])
    api = api_for(sam.user, center)
    base = f"/centers/{center.pk}/access"
    mine = api.get(f"{base}/check", action="campaign.propose", resource=f"asset:{ads.pk}")
    assert mine.status_code == 200 and mine.json()["allowed"] is True
    direct = api.get(f"{base}/explain", action="campaign.edit", resource=f"asset:{ads.pk}").json()
    assert direct["code"] == "role_too_low"
    assert direct["fix"] == "Propose the change instead: an Admin approves it."
    billing = api.get(f"{base}/check", action="billing.view").json()
    assert billing["allowed"] is False and billing["code"] == "finance_role_missing"
    # Asking about anyone else is the Admin's troubleshooter, whether the address has an
    # account or not: the same 403, so no one learns which addresses are signed up.
    for address in ("owner@brand.com", "nobody@nowhere.com"):
        refused = api.get(f"{base}/check", address=address, action="center.view")
        assert refused.status_code == 403
        assert error_of(refused)["message"] == (
            "Only Admins of Brand Co can see members; you are a Standard member. "
            "Ask an Admin of Brand Co to do it, or to make you an Admin.")


def test_bad_questions_are_400_with_the_field(center, admin_api, ads):
    base = f"/centers/{center.pk}/access"
    for params, field in (({"action": "launch.rockets"}, "action"), ({}, "action"),
                          ({"action": "asset.view", "resource": "campaign:1"}, "resource"),
                          ({"action": "asset.view", "resource": "asset:abc"}, "resource"),
                          ({"action": "asset.view", "address": "not an address"}, "address")):
        for endpoint in ("check", "explain"):
            refused = admin_api.get(f"{base}/{endpoint}", **params)
            assert refused.status_code == 400, (endpoint, params)
            assert field in error_of(refused)["fields"], (endpoint, params)
    unknown = admin_api.get(f"{base}/check", action="launch.rockets")
    assert "Use one of: center.view, member.view" in error_of(unknown)["message"]


def test_profiles_show_what_a_member_reaches_and_why(center, as_owner, admin_api, ads, sam,
                                                    owner):
    assign(as_owner, center, sam.pk, ads.pk, ["OPERATOR"])
    api = api_for(sam.user, center)
    mine = api.get(f"/centers/{center.pk}/access/me")
    assert mine.status_code == 200
    body = mine.json()
    assert body["member"]["id"] == str(sam.pk) and body["member"]["role"] == "STANDARD"
    assert body["all_assets"] is False
    answers = {a["action"]: a for a in body["center"]}
    assert answers["center.view"]["allowed"] is True
    assert answers["member.invite"]["code"] == "admins_only"
    assert answers["member.invite"]["label"] == "Invite partners"
    assert answers["report.view"]["code"] == "module_missing"
    [reach] = body["assets"]
    assert reach["asset"]["id"] == str(ads.pk) and reach["roles"] == ["OPERATOR"]
    assert reach["via"] == ["direct"]
    on_asset = {a["action"]: (a["allowed"], a["code"]) for a in reach["answers"]}
    assert on_asset["campaign.propose"] == (True, "allowed")
    assert on_asset["campaign.edit"] == (False, "role_too_low")
    # An Admin reads the same profile; the member reads their own by id too.
    assert admin_api.get(f"/centers/{center.pk}/members/{sam.pk}/access").json() == body
    assert api.get(f"/centers/{center.pk}/members/{sam.pk}/access").json() == body
    owners = Membership.objects.get(user=owner).pk
    refused = api.get(f"/centers/{center.pk}/members/{owners}/access")
    assert refused.status_code == 403
    assert "Only Admins of Brand Co can see members" in error_of(refused)["message"]
    admin = admin_api.get(f"/centers/{center.pk}/access/me").json()
    assert admin["all_assets"] is True and all(a["allowed"] for a in admin["center"])


def test_the_access_review_flags_idle_members(center, as_owner, admin_api, sam, ads,
                                              make_user):
    invitations.invite(as_owner, center, ["pending@agency.com"])
    agency = create_center(act(make_user("boss@agency.com")), name="Agency Co")
    partner_up(as_owner, center, agency)
    partners.share(as_owner, center, agency.public_id, ads.pk, "ANALYST")
    base = f"/centers/{center.pk}/access/review"
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        whole = admin_api.get(base, idle_days=2)
        assert whole.status_code == 200
        body = whole.json()
        assert body["idle"] == 1 and body["page_info"]["total"] == 4
        rows = {(r["kind"], r["who"]): r for r in body["items"]}
        assert set(rows) == {("member", "Olivia Owner <owner@brand.com>"),
                             ("member", "Sam <sam@agency.com>"),
                             ("invitation", "pending@agency.com"),
                             ("partner", "Agency Co (Business Center)")}
        sams = rows[("member", "Sam <sam@agency.com>")]
        assert sams["idle"] is True and sams["id"] == str(sam.pk) and "3 days" in sams["note"]
        assert sams["modules"] == ["ASSETS", "CAMPAIGNS"]
        assert rows[("partner", "Agency Co (Business Center)")]["note"] == (
            "Ad account Main ads as ANALYST")
        idle = admin_api.get(base, idle_days=2, only_idle=True).json()
        assert [r["who"] for r in idle["items"]] == ["Sam <sam@agency.com>"]
        assert idle["idle"] == 1 and idle["page_info"]["total"] == 1
        paged = admin_api.get(base, idle_days=2, page_size=3, page=2).json()
        assert len(paged["items"]) == 1 and paged["page_info"]["pages"] == 2
    # By default (90 days) nobody who joined today is idle.
    assert admin_api.get(base).json()["idle"] == 0
    for bad in ({"idle_days": 0}, {"idle_days": "soon"}, {"page_size": 0}):
        refused = admin_api.get(base, **bad)
        assert refused.status_code == 400, bad
        assert set(error_of(refused)["fields"]) == set(bad), bad


def test_only_admins_review(center, sam):
    refused = api_for(sam.user, center).get(f"/centers/{center.pk}/access/review")
    assert refused.status_code == 403
    assert "Only Admins of Brand Co can edit and revoke members" in error_of(refused)["message"]


def test_no_token_is_401(center, sam):
    base = f"/api/v1/centers/{center.pk}"
    for path in (f"{base}/access/check?action=center.view", f"{base}/access/explain",
                 f"{base}/access/me", f"{base}/members/{sam.pk}/access",
                 f"{base}/access/review"):
        response = Client().get(path)
        assert response.status_code == 401 and error_of(response)["code"] == "token_missing"


def test_a_read_only_token_may_ask(center, owner, sam):
    api = api_for(owner, center, read_only=True)
    base = f"/centers/{center.pk}/access"
    assert api.get(f"{base}/check", action="member.manage").json()["allowed"] is True
    assert api.get(f"{base}/explain", address="sam@agency.com",
                   action="member.manage").json()["code"] == "admins_only"
    assert api.get(f"{base}/review").status_code == 200


def test_ids_of_another_business_center_are_404(center, admin_api, sam, make_user):
    rival = stranger(make_user)
    base = f"/centers/{center.pk}"
    asset = {"action": "asset.view", "resource": f"asset:{rival.asset.pk}"}
    for path, params, status in (
        (f"{base}/access/check", asset, 404),
        (f"{base}/access/explain", {**asset, "address": "sam@agency.com"}, 404),
        # Another Business Center is not something to ask about here: bad input.
        (f"{base}/access/check", {"action": "center.view",
                                  "resource": f"center:{rival.center.pk}"}, 400),
        (f"{base}/members/{rival.member.pk}/access", {}, 404),
        (f"/centers/{rival.center.pk}/access/me", {}, 404),
        (f"/centers/{rival.center.pk}/access/review", {}, 404),
    ):
        response = admin_api.get(path, **params)
        assert response.status_code == status, (path, params)
        assert "Rival" not in error_of(response)["message"], (path, params)
    found = admin_api.get(f"{base}/access/check", **asset)
    assert error_of(found)["message"] == f"No asset with id {rival.asset.pk} in Brand Co."
