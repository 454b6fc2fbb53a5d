"""Campaigns and change requests through the REST API: Admins change directly, Standard
OPERATORs propose (202), Admins approve or reject, stale or twice-decided approvals are
409, and another Business Center's ids are 404 and change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from bizcenter.accounts.tokens import create_token
from bizcenter.assets.services import create_asset
from bizcenter.campaigns import services
from bizcenter.campaigns.models import Campaign, ChangeRequest, RequestState
from bizcenter.centers.services import create_center, revoke_member
from tests.conftest import act, join
from tests.support.api import Api, error_of

pytestmark = pytest.mark.usefixtures("quick_hashing")

NEW = {"name": "Spring sale", "objective": "TRAFFIC", "budget_mode": "BUDGET_MODE_DAY",
       "budget": "150.50"}


@pytest.fixture
def live(center, as_owner, ads):
    return services.create_campaign(as_owner, center, ads.pk, **NEW).campaign


@pytest.fixture
def admin_api(center, as_owner) -> Api:
    return Api(create_token(as_owner, center, "script").secret)


@pytest.fixture
def operator(center, as_owner, ads, make_user):
    person = make_user("op@agency.com", name="Opal")
    join(as_owner, center, person, modules=("CAMPAIGNS", "ANALYTICS"),
         assets={ads.pk: ["OPERATOR"]})
    return person


@pytest.fixture
def op_api(center, operator) -> Api:
    return Api(create_token(act(operator), center, "mine").secret)


@pytest.fixture
def analyst_api(center, as_owner, ads, make_user) -> Api:
    person = make_user("an@agency.com", name="Ana")
    join(as_owner, center, person, modules=("CAMPAIGNS",), assets={ads.pk: ["ANALYST"]})
    return Api(create_token(act(person), center, "mine").secret)


@pytest.fixture
def rival(make_user):
    """Another Business Center with its own owner, ad account, campaign and proposal."""
    boss = make_user("boss@rival.com", name="Rita Rival")
    other = create_center(act(boss), name="Rival Inc")
    their_ads = create_asset(act(boss), other, type="ADVERTISER", name="Rival ads")
    campaign = services.create_campaign(act(boss), other, their_ads.pk, **NEW).campaign
    helper = make_user("helper@rival.com", name="Hal")
    join(act(boss), other, helper, modules=("CAMPAIGNS",), assets={their_ads.pk: ["OPERATOR"]})
    proposal = services.update_campaign(act(helper), other, campaign.pk, budget="999").request
    return other, their_ads, campaign, proposal


def url(center, rest: str = "") -> str:
    return f"/centers/{center.pk}{rest}"


# -- reading -------------------------------------------------------------------------------


def test_campaigns_are_listed_filtered_and_paged_with_string_ids_and_money(center, as_owner,
                                                                          ads, admin_api,
                                                                          live):
    services.create_campaign(as_owner, center, ads.pk, name="Video push",
                             objective="VIDEO_VIEWS", budget_mode="BUDGET_MODE_INFINITE")
    services.set_status(as_owner, center, live.pk, "DISABLE")
    page = admin_api.get(url(center, "/campaigns"), page_size=1).json()
    assert page["page_info"] == {"page": 1, "page_size": 1, "total": 2, "pages": 2}
    assert page["items"][0]["name"] == "Spring sale"  # changed last, listed first
    one = admin_api.get(url(center, f"/campaigns/{live.pk}")).json()
    assert one["id"] == str(live.pk) and one["advertiser_id"] == str(ads.pk)
    assert (one["budget"], one["status"], one["version"]) == ("150.50", "DISABLE", 2)
    assert one["created_at"].endswith("Z")

    def names(**filters) -> list[str]:
        response = admin_api.get(url(center, "/campaigns"), **filters)
        assert response.status_code == 200, response.content
        return [c["name"] for c in response.json()["items"]]

    assert names(status="ENABLE") == ["Video push"]
    assert names(objective="TRAFFIC") == ["Spring sale"]
    assert names(q="VIDEO") == ["Video push"]
    assert names(advertiser=str(ads.pk)) == ["Spring sale", "Video push"]
    video = admin_api.get(url(center, "/campaigns"), objective="VIDEO_VIEWS").json()["items"][0]
    assert video["budget"] is None and video["budget_mode"] == "BUDGET_MODE_INFINITE"


def test_bad_filters_and_unknown_ids_are_400_and_404(center, ads, admin_api, live):
    bad = admin_api.get(url(center, "/campaigns"), status="PAUSED")
    assert bad.status_code == 400 and "status" in error_of(bad)["fields"]
    big = admin_api.get(url(center, "/campaigns"), page_size=500)
    assert big.status_code == 400 and error_of(big)["fields"] == {"page_size": "between 1 and 200"}
    nonsense = admin_api.get(url(center, "/campaigns"), page="first")
    assert nonsense.status_code == 400 and "page" in error_of(nonsense)["fields"]
    # An ad account id that is not a number at all is a 404 like any unknown one.
    for advertiser in ("999999", "abc"):
        missing = admin_api.get(url(center, "/campaigns"), advertiser=advertiser)
        assert missing.status_code == 404, advertiser
    assert admin_api.get(url(center, "/campaigns/999999")).status_code == 404
    assert admin_api.get(url(center, "/change-requests/999999")).status_code == 404


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/campaigns"), ("post", "/campaigns"), ("get", "/campaigns/1"),
    ("patch", "/campaigns/1"), ("post", "/campaigns/1/status"), ("get", "/change-requests"),
    ("get", "/change-requests/1"), ("post", "/change-requests/1/approve"),
    ("post", "/change-requests/1/reject"), ("post", "/change-requests/1/withdraw")])
def test_every_endpoint_wants_a_token(center, live, method, path):
    response = getattr(Client(), method)(f"/api/v1{url(center, path)}", {},
                                         content_type="application/json")
    assert response.status_code == 401 and error_of(response)["code"] == "token_missing"


# -- an Admin changes directly -------------------------------------------------------------


def test_an_admin_creates_edits_and_disables_directly(center, ads, admin_api):
    created = admin_api.send("post", url(center, "/campaigns"), {
        "advertiser_id": str(ads.pk), **NEW, "start_at": "2026-04-01T09:00:00+02:00",
        "end_at": "2026-04-30T21:00:00Z"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["applied"] is True and set(body) == {"applied", "campaign"}
    campaign = body["campaign"]
    assert campaign["budget"] == "150.50" and campaign["start_at"] == "2026-04-01T07:00:00Z"
    path = url(center, f"/campaigns/{campaign['id']}")
    edited = admin_api.send("patch", path, {"budget": 200, "name": "Spring sale EU"})
    assert edited.status_code == 200
    assert edited.json()["campaign"]["budget"] == "200.00"
    assert edited.json()["campaign"]["version"] == 2
    disabled = admin_api.send("post", f"{path}/status", {"status": "DISABLE"})
    assert disabled.status_code == 200 and disabled.json()["campaign"]["status"] == "DISABLE"
    row = Campaign.objects.get()
    assert (row.name, row.budget, row.status, row.version) == (
        "Spring sale EU", Decimal("200.00"), "DISABLE", 3)
    assert not ChangeRequest.objects.exists()


def test_bad_campaign_input_is_400_with_the_field(center, ads, admin_api, live):
    def create(**changes):
        return admin_api.send("post", url(center, "/campaigns"),
                              {"advertiser_id": str(ads.pk), **NEW, **changes})

    cases = [
        (create(budget="150.505"), "budget", "more than 2 decimals"),
        (create(budget=150.505), "budget", "more than 2 decimals"),
        (create(budget="-3"), "budget", "more than 0"),
        (create(budget="lots"), "budget", "not an amount"),
        (create(objective="FAME"), "objective", "FAME"),
        (create(name="  "), "name", "name"),
        (create(start_at="2026-05-01T00:00:00Z", end_at="2026-04-01T00:00:00Z"), "end_at",
         "ends before it starts"),
        (create(start_at="next tuesday"), "start_at", "not valid"),
        (create(colour="red"), "colour", "not valid"),
        (admin_api.send("post", url(center, "/campaigns"), {"name": "No account"}),
         "advertiser_id", "not valid"),
    ]
    for response, field, words in cases:
        assert response.status_code == 400, (field, response.content)
        error = error_of(response)
        assert field in error["fields"] and words in error["message"], error
    patch = admin_api.send("patch", url(center, f"/campaigns/{live.pk}"), {"budget": "1.001"})
    assert patch.status_code == 400 and error_of(patch)["fields"] == {
        "budget": "at most 2 decimals"}
    typo = admin_api.send("patch", url(center, f"/campaigns/{live.pk}"), {"budgte": "300"})
    assert typo.status_code == 400 and "budgte" in error_of(typo)["fields"]
    same = admin_api.send("patch", url(center, f"/campaigns/{live.pk}"), {"name": "Spring sale"})
    assert same.status_code == 400 and "Nothing to change" in error_of(same)["message"]
    status = admin_api.send("post", url(center, f"/campaigns/{live.pk}/status"),
                            {"status": "PAUSE"})
    assert status.status_code == 400 and "status" in error_of(status)["fields"]
    assert Campaign.objects.count() == 1 and Campaign.objects.get().version == 1


def test_a_deleted_campaign_changes_no_more_409(center, admin_api, live):
    path = url(center, f"/campaigns/{live.pk}")
    assert admin_api.send("post", f"{path}/status", {"status": "DELETE"}).status_code == 200
    again = admin_api.send("patch", path, {"budget": "300"})
    assert again.status_code == 409 and error_of(again)["code"] == "deleted"
    listed = admin_api.get(url(center, "/campaigns")).json()
    assert listed["items"] == []  # deleted ones only when asked for
    assert admin_api.get(url(center, "/campaigns"), status="DELETE").json()["page_info"][
        "total"] == 1


def test_an_idempotency_key_creates_one_campaign(center, ads, admin_api):
    body = {"advertiser_id": str(ads.pk), **NEW}
    first = admin_api.send("post", url(center, "/campaigns"), body, **{"Idempotency-Key": "c-1"})
    again = admin_api.send("post", url(center, "/campaigns"), body, **{"Idempotency-Key": "c-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Campaign.objects.count() == 1


# -- a Standard OPERATOR proposes, an Admin decides ----------------------------------------


def test_a_standard_proposal_is_202_and_an_admin_approval_applies_it(center, ads, admin_api,
                                                                     op_api, operator):
    proposed = op_api.send("post", url(center, "/campaigns"),
                           {"advertiser_id": str(ads.pk), **NEW},
                           **{"Idempotency-Key": "p-1"})
    assert proposed.status_code == 202, proposed.content
    body = proposed.json()
    assert body["applied"] is False and set(body) == {"applied", "change_request"}
    request = body["change_request"]
    assert (request["kind"], request["state"], request["campaign_id"]) == ("CREATE", "PENDING",
                                                                           None)
    assert request["proposed_by"]["id"] == str(operator.pk)
    assert request["proposed"]["budget"] == "150.50"
    assert not Campaign.objects.exists()
    retry = op_api.send("post", url(center, "/campaigns"), {"advertiser_id": str(ads.pk), **NEW},
                        **{"Idempotency-Key": "p-1"})
    assert retry.status_code == 202 and ChangeRequest.objects.count() == 1

    inbox = admin_api.get(url(center, "/change-requests"), state="PENDING").json()
    assert [r["id"] for r in inbox["items"]] == [request["id"]]
    approved = admin_api.send("post", url(center, f"/change-requests/{request['id']}/approve"),
                              {"comment": "Go"})
    assert approved.status_code == 200, approved.content
    decided = approved.json()
    assert decided["state"] == "APPROVED" and decided["comment"] == "Go"
    assert decided["decided_by"]["name"] == "Olivia Owner" and decided["decided_at"]
    campaign = Campaign.objects.get()
    assert decided["campaign_id"] == str(campaign.pk) and campaign.created_by == operator
    assert campaign.budget == Decimal("150.50")
    # The operator sees the campaign now, and their request as approved.
    seen = op_api.get(url(center, f"/campaigns/{campaign.pk}"))
    assert seen.status_code == 200 and seen.json()["name"] == "Spring sale"
    assert op_api.get(url(center, f"/change-requests/{request['id']}")).json()[
        "state"] == "APPROVED"


def test_edits_and_status_changes_are_proposed_field_by_field(center, admin_api, op_api, live):
    edit = op_api.send("patch", url(center, f"/campaigns/{live.pk}"),
                       {"name": "Spring sale", "budget": "175"})
    assert edit.status_code == 202
    request = edit.json()["change_request"]
    assert request["proposed"] == {"budget": "175.00"}  # the unchanged name is not in it
    assert request["differences"] == [{"field": "budget", "label": "Budget",
                                       "before": "150.50", "after": "175.00", "now": None}]
    status = op_api.send("post", url(center, f"/campaigns/{live.pk}/status"),
                         {"status": "DISABLE"})
    assert status.status_code == 202 and status.json()["change_request"]["kind"] == "STATUS"
    live.refresh_from_db()
    assert (live.budget, live.status, live.version) == (Decimal("150.50"), "ENABLE", 1)
    done = admin_api.send("post", url(center, f"/change-requests/{request['id']}/approve"))
    assert done.status_code == 200 and done.json()["state"] == "APPROVED"
    # Any applied change moves the campaign on: the other proposal is now stale.
    stale = status.json()["change_request"]["id"]
    moved = admin_api.send("post", url(center, f"/change-requests/{stale}/approve"))
    assert moved.status_code == 409 and error_of(moved)["code"] == "stale"
    again = op_api.send("post", url(center, f"/campaigns/{live.pk}/status"),
                        {"status": "DISABLE"}).json()["change_request"]
    fresh = admin_api.send("post", url(center, f"/change-requests/{again['id']}/approve"))
    assert fresh.status_code == 200
    live.refresh_from_db()
    assert (live.budget, live.status, live.version) == (Decimal("175.00"), "DISABLE", 3)


def test_a_stale_approval_is_409_naming_both_values_and_changes_nothing(center, admin_api,
                                                                       op_api, live):
    request = op_api.send("patch", url(center, f"/campaigns/{live.pk}"),
                          {"budget": "300"}).json()["change_request"]
    admin_api.send("patch", url(center, f"/campaigns/{live.pk}"), {"budget": "250"})
    shown = admin_api.get(url(center, f"/change-requests/{request['id']}")).json()
    assert shown["stale"] is True
    assert shown["differences"] == [{"field": "budget", "label": "Budget", "before": "150.50",
                                     "after": "300.00", "now": "250.00"}]
    refused = admin_api.send("post", url(center, f"/change-requests/{request['id']}/approve"))
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "stale"
    assert "Budget is now 250.00 (was 150.50 when proposed, proposal 300.00)" in error["message"]
    live.refresh_from_db()
    assert live.budget == Decimal("250.00") and live.version == 2
    assert ChangeRequest.objects.get().state == RequestState.PENDING


def test_deciding_twice_is_409_and_a_rejection_keeps_the_comment(center, admin_api, op_api,
                                                                 live):
    request = op_api.send("post", url(center, f"/campaigns/{live.pk}/status"),
                          {"status": "DISABLE"}).json()["change_request"]
    path = url(center, f"/change-requests/{request['id']}")
    rejected = admin_api.send("post", f"{path}/reject", {"comment": "Not this week"})
    assert rejected.status_code == 200
    assert (rejected.json()["state"], rejected.json()["comment"]) == ("REJECTED",
                                                                      "Not this week")
    for verb in ("approve", "reject"):
        twice = admin_api.send("post", f"{path}/{verb}")
        assert twice.status_code == 409 and error_of(twice)["code"] == "decided"
        assert "already rejected" in error_of(twice)["message"]
    withdrawn = op_api.send("post", f"{path}/withdraw")
    assert withdrawn.status_code == 409 and error_of(withdrawn)["code"] == "decided"
    long = op_api.send("patch", url(center, f"/campaigns/{live.pk}"), {"budget": "400"})
    too_long = admin_api.send("post", url(
        center, f"/change-requests/{long.json()['change_request']['id']}/reject"),
        {"comment": "x" * 2001})
    assert too_long.status_code == 400 and "comment" in error_of(too_long)["fields"]
    live.refresh_from_db()
    assert live.status == "ENABLE" and live.version == 1


def test_the_author_withdraws_and_only_the_author(center, admin_api, op_api, live):
    request = op_api.send("patch", url(center, f"/campaigns/{live.pk}"),
                          {"budget": "175"}).json()["change_request"]
    path = url(center, f"/change-requests/{request['id']}/withdraw")
    not_theirs = admin_api.send("post", path)
    assert not_theirs.status_code == 404
    done = op_api.send("post", path)
    assert done.status_code == 200 and done.json()["state"] == "WITHDRAWN"
    approve = admin_api.send("post", url(center, f"/change-requests/{request['id']}/approve"))
    assert approve.status_code == 409
    live.refresh_from_db()
    assert live.budget == Decimal("150.50")


def test_who_sees_which_requests(center, as_owner, ads, admin_api, op_api, live, make_user):
    other = make_user("op2@agency.com", name="Otto")
    join(as_owner, center, other, modules=("CAMPAIGNS",), assets={ads.pk: ["OPERATOR"]})
    other_api = Api(create_token(act(other), center, "his").secret)
    mine = op_api.send("patch", url(center, f"/campaigns/{live.pk}"),
                       {"budget": "175"}).json()["change_request"]
    his = other_api.send("patch", url(center, f"/campaigns/{live.pk}"),
                         {"name": "Otto's idea"}).json()["change_request"]
    everything = admin_api.get(url(center, "/change-requests")).json()
    assert {r["id"] for r in everything["items"]} == {mine["id"], his["id"]}
    assert everything["page_info"]["total"] == 2
    assert admin_api.get(url(center, "/change-requests"), mine="true").json()["items"] == []
    assert [r["id"] for r in op_api.get(url(center, "/change-requests")).json()["items"]] == [
        mine["id"]]
    assert op_api.get(url(center, "/change-requests"), state="APPROVED").json()["items"] == []
    bad = op_api.get(url(center, "/change-requests"), state="MAYBE")
    assert bad.status_code == 400 and "state" in error_of(bad)["fields"]
    peek = op_api.get(url(center, f"/change-requests/{his['id']}"))
    assert peek.status_code == 403 and "Admin" in error_of(peek)["message"]
    self_approve = op_api.send("post", url(center, f"/change-requests/{mine['id']}/approve"))
    assert self_approve.status_code == 403
    assert ChangeRequest.objects.filter(state=RequestState.PENDING).count() == 2


# -- refusals ------------------------------------------------------------------------------


def test_an_analyst_cannot_propose_and_is_told_why(center, ads, analyst_api, live):
    create = analyst_api.send("post", url(center, "/campaigns"),
                              {"advertiser_id": str(ads.pk), **NEW})
    assert create.status_code == 403 and "OPERATOR" in error_of(create)["message"]
    edit = analyst_api.send("patch", url(center, f"/campaigns/{live.pk}"), {"budget": "175"})
    assert edit.status_code == 403
    assert error_of(edit)["code"] == "role_too_low" and "only views" in error_of(edit)["message"]
    status = analyst_api.send("post", url(center, f"/campaigns/{live.pk}/status"),
                              {"status": "DISABLE"})
    assert status.status_code == 403
    assert not ChangeRequest.objects.exists() and Campaign.objects.get().version == 1
    # Viewing is what an ANALYST does.
    assert [c["id"] for c in analyst_api.get(url(center, "/campaigns")).json()["items"]] == [
        str(live.pk)]


def test_a_member_without_the_campaigns_module_is_refused(center, as_owner, ads, live,
                                                          make_user):
    person = make_user("viewer@agency.com", name="Vic")
    join(as_owner, center, person, modules=("ANALYTICS",), assets={ads.pk: ["OPERATOR"]})
    api = Api(create_token(act(person), center, "mine").secret)
    listed = api.get(url(center, "/campaigns"))
    assert listed.status_code == 403 and "Campaigns" in error_of(listed)["message"]
    assert api.get(url(center, f"/campaigns/{live.pk}")).status_code == 403


def test_read_only_tokens_read_but_never_write(center, as_owner, ads, live, op_api):
    request = op_api.send("patch", url(center, f"/campaigns/{live.pk}"),
                          {"budget": "175"}).json()["change_request"]
    reader = Api(create_token(as_owner, center, "reader", read_only=True).secret)
    assert reader.get(url(center, "/campaigns")).status_code == 200
    assert reader.get(url(center, f"/change-requests/{request['id']}")).status_code == 200
    writes = [
        reader.send("post", url(center, "/campaigns"), {"advertiser_id": str(ads.pk), **NEW}),
        reader.send("patch", url(center, f"/campaigns/{live.pk}"), {"budget": "300"}),
        reader.send("post", url(center, f"/campaigns/{live.pk}/status"), {"status": "DISABLE"}),
        reader.send("post", url(center, f"/change-requests/{request['id']}/approve")),
        reader.send("post", url(center, f"/change-requests/{request['id']}/reject")),
    ]
    for response in writes:
        assert response.status_code == 403 and error_of(response)["code"] == "read_only_token"
    live.refresh_from_db()
    assert Campaign.objects.count() == 1 and live.version == 1
    assert ChangeRequest.objects.get().state == RequestState.PENDING


def test_another_centers_ids_are_404_and_change_nothing(center, ads, admin_api, rival):
    other, their_ads, campaign, proposal = rival
    answers = [
        admin_api.get(url(center, f"/campaigns/{campaign.pk}")),
        admin_api.get(url(center, "/campaigns"), advertiser=str(their_ads.pk)),
        admin_api.send("patch", url(center, f"/campaigns/{campaign.pk}"), {"budget": "1"}),
        admin_api.send("post", url(center, f"/campaigns/{campaign.pk}/status"),
                       {"status": "DELETE"}),
        admin_api.send("post", url(center, "/campaigns"),
                       {"advertiser_id": str(their_ads.pk), **NEW}),
        admin_api.get(url(center, f"/change-requests/{proposal.pk}")),
        admin_api.send("post", url(center, f"/change-requests/{proposal.pk}/approve")),
        admin_api.send("post", url(center, f"/change-requests/{proposal.pk}/reject")),
        admin_api.send("post", url(center, f"/change-requests/{proposal.pk}/withdraw")),
        # and the other Business Center itself, through its own path
        admin_api.get(url(other, "/campaigns")),
        admin_api.send("post", url(other, f"/change-requests/{proposal.pk}/approve")),
    ]
    for response in answers:
        assert response.status_code == 404, response.content
        assert error_of(response)["code"] == "not_found"
    campaign.refresh_from_db()
    proposal.refresh_from_db()
    assert (campaign.status, campaign.budget, campaign.version) == ("ENABLE",
                                                                    Decimal("150.50"), 1)
    assert proposal.state == RequestState.PENDING
    assert Campaign.objects.count() == 1 and ChangeRequest.objects.count() == 1
    assert admin_api.get(url(center, "/change-requests")).json()["items"] == []


def test_a_revoked_members_token_reaches_nothing(center, as_owner, operator, op_api, live):
    revoke_member(as_owner, center, operator.memberships.get().pk)
    assert op_api.get(url(center, "/campaigns")).status_code == 401  # revoked with them
    refused = op_api.send("patch", url(center, f"/campaigns/{live.pk}"), {"budget": "175"})
    assert refused.status_code == 401 and not ChangeRequest.objects.exists()


def test_the_openapi_document_describes_campaigns_with_examples(db):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/centers/{center_id}/campaigns",
                 "/api/v1/centers/{center_id}/campaigns/{campaign_id}",
                 "/api/v1/centers/{center_id}/campaigns/{campaign_id}/status",
                 "/api/v1/centers/{center_id}/change-requests",
                 "/api/v1/centers/{center_id}/change-requests/{request_id}",
                 "/api/v1/centers/{center_id}/change-requests/{request_id}/approve",
                 "/api/v1/centers/{center_id}/change-requests/{request_id}/reject",
                 "/api/v1/centers/{center_id}/change-requests/{request_id}/withdraw"):
        for operation in paths[path].values():
            assert operation["description"], path
    create = paths["/api/v1/centers/{center_id}/campaigns"]["post"]["responses"]
    assert {"201", "202", "400", "403", "404"} <= set(create)
    for name in ("CampaignIn", "CampaignPatch", "StatusIn", "DecisionIn"):
        assert schema["components"]["schemas"][name]["examples"], name
