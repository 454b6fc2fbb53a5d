"""Campaigns and Admin approvals: who changes directly, who proposes, and what approval does."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bizcenter.assets.services import create_asset, update_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.campaigns import services
from bizcenter.campaigns.models import Campaign, ChangeRequest, RequestState
from bizcenter.centers.services import create_center, revoke_member
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.conftest import act, join
from tests.support.campaigns import NEW


@pytest.fixture
def analyst(center, as_owner, ads, make_user):
    person = make_user("an@agency.com", name="Ana")
    join(as_owner, center, person, modules=("CAMPAIGNS",), assets={ads.pk: ["ANALYST"]})
    return person


@pytest.fixture
def live(center, as_owner, ads):
    return services.create_campaign(as_owner, center, ads.pk, **NEW).campaign


def test_an_admin_creates_and_edits_directly(center, as_owner, ads):
    outcome = services.create_campaign(as_owner, center, ads.pk, **NEW)
    assert outcome.applied and outcome.request is None
    campaign = outcome.campaign
    assert (campaign.name, campaign.budget, campaign.version) == ("Spring sale",
                                                                  Decimal("150.50"), 1)
    edited = services.update_campaign(as_owner, center, campaign.pk, budget="200")
    assert edited.applied and edited.campaign.budget == Decimal("200.00")
    assert edited.campaign.version == 2
    actions = list(AuditEvent.objects.filter(center=center, action__startswith="campaign.")
                   .values_list("action", flat=True).order_by("id"))
    assert actions == ["campaign.created", "campaign.updated"]


def test_a_standard_operator_proposes_and_the_admins_are_emailed(center, as_owner, ads, operator,
                                                                 run_worker, mailbox):
    run_worker()
    mailbox.clear()  # the operator's joining told the owner; this is about the proposal
    outcome = services.create_campaign(act(operator), center, ads.pk, **NEW)
    assert not outcome.applied and outcome.campaign is None
    request = outcome.request
    assert request.state == RequestState.PENDING and request.kind == "CREATE"
    assert request.proposed["budget"] == "150.50" and request.proposed["name"] == "Spring sale"
    assert not Campaign.objects.exists()
    run_worker()
    [email] = mailbox
    assert email.to == ["owner@brand.com"]
    assert '"Opal" proposes a change in "Main ads"' in email.subject
    assert "Budget: 150.50" in email.body and f"/approvals/{request.pk}/" in email.body

    approved = services.decide(as_owner, center, request.pk, approve=True, comment="Go")
    assert approved.state == RequestState.APPROVED and approved.campaign is not None
    assert approved.campaign.created_by == operator
    run_worker()
    assert mailbox[-1].to == ["op@agency.com"] and "was approved" in mailbox[-1].subject
    assert "Comment: Go" in mailbox[-1].body


def test_an_edit_proposal_holds_exactly_the_difference(center, as_owner, operator, live):
    outcome = services.update_campaign(act(operator), center, live.pk, name="Spring sale",
                                       budget="175.00")
    request = outcome.request
    assert request.proposed == {"budget": "175.00"}  # the unchanged name is not in it
    diff = {d.field: (d.before, d.after) for d in services.differences(request)}
    assert diff["budget"] == ("150.50", "175.00")
    live.refresh_from_db()
    assert live.budget == Decimal("150.50")  # nothing applied yet
    services.decide(as_owner, center, request.pk, approve=True)
    live.refresh_from_db()
    assert live.budget == Decimal("175.00") and live.version == 2


def test_a_rejection_changes_nothing_and_keeps_the_comment(center, as_owner, operator, live):
    request = services.set_status(act(operator), center, live.pk, "DISABLE").request
    services.decide(as_owner, center, request.pk, approve=False, comment="Not this week")
    request.refresh_from_db()
    live.refresh_from_db()
    assert request.state == RequestState.REJECTED and request.comment == "Not this week"
    assert live.status == "ENABLE" and live.version == 1
    with pytest.raises(Conflict, match="already rejected"):
        services.decide(as_owner, center, request.pk, approve=True)
    mine = services.list_requests(act(operator), center).items
    assert [(r.pk, r.state) for r in mine] == [(request.pk, "REJECTED")]


def test_a_stale_proposal_is_not_applied_and_says_what_moved(center, as_owner, operator, live):
    request = services.update_campaign(act(operator), center, live.pk, budget="300").request
    services.update_campaign(as_owner, center, live.pk, budget="250")
    with pytest.raises(Conflict) as refused:
        services.decide(as_owner, center, request.pk, approve=True)
    assert refused.value.code == "stale"
    assert "Budget is now 250.00 (was 150.50 when proposed, proposal 300.00)" in \
        refused.value.message
    request.refresh_from_db()
    live.refresh_from_db()
    assert request.state == RequestState.PENDING and live.budget == Decimal("250.00")
    assert services.is_stale(request)
    [diff] = services.differences(request)
    assert (diff.before, diff.after, diff.now) == ("150.50", "300.00", "250.00")


def test_an_analyst_can_only_view(center, ads, analyst, live):
    with pytest.raises(NotAllowed, match="only views") as refused:
        services.update_campaign(act(analyst), center, live.pk, budget="175")
    assert refused.value.code == "role_too_low"
    with pytest.raises(NotAllowed, match="OPERATOR"):
        services.create_campaign(act(analyst), center, ads.pk, **NEW)
    assert not ChangeRequest.objects.exists()
    assert [c.pk for c in services.list_campaigns(act(analyst), center).items] == [live.pk]


def test_a_disabled_ad_account_refuses_every_change(center, as_owner, ads, operator, live):
    pending = services.update_campaign(act(operator), center, live.pk, budget="180").request
    update_asset(as_owner, center, ads.pk, status="DISABLED")
    for who in (as_owner, act(operator)):
        with pytest.raises(NotAllowed, match="disabled; nothing in it can be changed"):
            services.update_campaign(who, center, live.pk, budget="190")
    with pytest.raises(Conflict, match="disabled"):
        services.decide(as_owner, center, pending.pk, approve=True)
    live.refresh_from_db()
    assert live.budget == Decimal("150.50")


def test_changes_need_the_ad_account_assigned(center, as_owner, make_user, live):
    other = create_asset(as_owner, center, type="ADVERTISER", name="Other ads")
    person = make_user("x@agency.com")
    join(as_owner, center, person, modules=("CAMPAIGNS",), assets={other.pk: ["OPERATOR"]})
    # Not theirs to see: not found, exactly as a made-up id (nothing names the account).
    for look in (lambda: services.get_campaign(act(person), center, live.pk),
                 lambda: services.update_campaign(act(person), center, live.pk, budget="175")):
        with pytest.raises(NotFound) as hidden:
            look()
        assert hidden.value.message == f"No campaign with id {live.pk} in Brand Co."
    assert services.list_campaigns(act(person), center).items == []


def test_campaigns_need_the_module(center, as_owner, ads, make_user):
    person = make_user("y@agency.com")
    join(as_owner, center, person, modules=("ANALYTICS",), assets={ads.pk: ["OPERATOR"]})
    with pytest.raises(NotAllowed, match="Campaigns module"):
        services.list_campaigns(act(person), center)


@pytest.mark.parametrize(("changes", "words"), [
    ({"budget": "-5"}, "more than 0"),
    ({"budget": "0"}, "more than 0"),
    ({"budget": "10.999"}, "more than 2 decimals"),
    ({"budget": "5"}, "below the minimum of 20.00 USD"),
    ({"budget": "lots"}, "not an amount"),
    ({"budget": ""}, "Give a budget"),
    ({"name": ""}, "needs a name"),
    ({"objective": "FAME"}, "objective"),
    ({"start_at": "2030-01-02T00:00", "end_at": "2030-01-01T00:00"}, "ends before it starts"),
    ({"start_at": "next week"}, "not a date"),
])
def test_bad_values_are_refused_and_nothing_is_written(center, as_owner, ads, changes, words):
    with pytest.raises(InvalidInput, match=words):
        services.create_campaign(as_owner, center, ads.pk, **{**NEW, **changes})
    assert not Campaign.objects.exists()


def test_no_limit_budget_and_a_configurable_minimum(center, as_owner, ads, settings):
    made = services.create_campaign(as_owner, center, ads.pk, **{
        **NEW, "budget_mode": "BUDGET_MODE_INFINITE", "budget": "999"}).campaign
    assert made.budget is None
    settings.BIZCENTER_MIN_BUDGET = "500"
    with pytest.raises(InvalidInput, match=r"minimum of 500\.00"):
        services.create_campaign(as_owner, center, ads.pk, **NEW)


def test_withdraw_is_for_the_proposer_only(center, as_owner, operator, live):
    request = services.update_campaign(act(operator), center, live.pk, budget="175").request
    with pytest.raises(NotFound):
        services.withdraw(as_owner, center, request.pk)
    services.withdraw(act(operator), center, request.pk)
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    with pytest.raises(Conflict):
        services.decide(as_owner, center, request.pk, approve=True)


def test_a_proposal_of_someone_who_lost_access_is_not_applied(center, as_owner, operator, live):
    request = services.update_campaign(act(operator), center, live.pk, budget="175").request
    revoke_member(as_owner, center, operator.memberships.get().pk)
    with pytest.raises(Conflict, match="may no longer propose"):
        services.decide(as_owner, center, request.pk, approve=True)
    services.decide(as_owner, center, request.pk, approve=False,  # rejecting still works
                    comment="You no longer work on this account")


def test_only_admins_decide_and_see_others_requests(center, as_owner, operator, analyst, live):
    request = services.update_campaign(act(operator), center, live.pk, budget="175").request
    with pytest.raises(NotAllowed):
        services.decide(act(operator), center, request.pk, approve=True)
    with pytest.raises(NotAllowed):
        services.get_request(act(analyst), center, request.pk)
    assert services.list_requests(act(analyst), center).items == []
    assert services.pending_count(as_owner, center) == 1
    assert services.pending_count(act(operator), center) == 0


def test_another_centers_campaign_is_not_found(center, live, make_user):
    stranger = make_user("s@else.com")
    elsewhere = create_center(act(stranger), name="Else")
    with pytest.raises(NotFound):
        services.get_campaign(act(stranger), elsewhere, live.pk)
    with pytest.raises(NotFound):
        services.update_campaign(act(stranger), elsewhere, live.pk, budget="175")


def test_deleted_campaigns_are_final(center, as_owner, live):
    services.set_status(as_owner, center, live.pk, "DELETE")
    with pytest.raises(Conflict, match="deleted"):
        services.update_campaign(as_owner, center, live.pk, budget="175")
    assert services.list_campaigns(as_owner, center).items == []
    assert [c.pk for c in services.list_campaigns(as_owner, center, status="DELETE").items] == [
        live.pk]
