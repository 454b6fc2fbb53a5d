"""Rejecting a change request takes a reason, and its author reads it (issue 21):
refused without one on every door, with nothing changed; the email says it. The inbox
filters (ad account, author) and the warning about overlapping proposals read the same
requests the service does."""

from __future__ import annotations

import pytest

from bizcenter.campaigns import services
from bizcenter.campaigns.models import ChangeRequest, RequestState
from bizcenter.core.errors import InvalidInput
from bizcenter.outbox.models import OutboxMessage
from bizcenter.outbox.renderers import RENDERERS
from tests.conftest import act
from tests.support.api import api_for
from tests.support.campaigns import NEW


@pytest.fixture
def proposal(center, as_owner, ads, operator):
    live = services.create_campaign(as_owner, center, ads.pk, **NEW).campaign
    return services.update_campaign(act(operator), center, live.pk, budget="300").request


def test_rejecting_without_a_reason_is_refused_and_changes_nothing(center, as_owner, proposal):
    for blank in ("", "   "):
        with pytest.raises(InvalidInput, match="Say why you reject it") as refused:
            services.decide(as_owner, center, proposal.pk, approve=False, comment=blank)
        assert refused.value.status == 400 and "comment" in refused.value.fields
    proposal.refresh_from_db()
    assert proposal.state == RequestState.PENDING and proposal.decided_by is None


def test_approving_needs_no_reason(center, as_owner, proposal):
    services.decide(as_owner, center, proposal.pk, approve=True)
    assert ChangeRequest.objects.get().state == RequestState.APPROVED


def test_the_author_reads_the_reason_in_the_email(center, as_owner, proposal):
    services.decide(as_owner, center, proposal.pk, approve=False,
                    comment="Keep the budget under 250 this month")
    [email] = OutboxMessage.objects.filter(to="op@agency.com", kind="change_request")
    text = RENDERERS[email.kind](email.payload).text
    assert "was rejected by" in text
    assert "Reason: Keep the budget under 250 this month" in text


def test_the_api_refuses_a_reject_without_a_reason(center, owner, proposal):
    api = api_for(owner, center)
    path = f"/centers/{center.pk}/change-requests/{proposal.pk}/reject"
    refused = api.send("post", path, {})
    assert refused.status_code == 400
    assert "Say why you reject it" in refused.content.decode()
    assert ChangeRequest.objects.get().state == RequestState.PENDING
    assert api.send("post", path, {"comment": "Not this month"}).status_code == 200
    assert ChangeRequest.objects.get().state == RequestState.REJECTED


def test_the_inbox_filters_by_ad_account_and_author(center, as_owner, ads, operator, proposal):
    other = services.create_campaign(as_owner, center, ads.pk, **{**NEW, "name": "Other"})
    assert other.campaign is not None
    found = services.list_requests(as_owner, center, advertiser_id=ads.pk)
    assert [r.pk for r in found.items] == [proposal.pk]
    assert services.list_requests(as_owner, center, advertiser_id=ads.pk + 100).items == []
    assert [r.pk for r in services.list_requests(as_owner, center, author="opal").items] == [
        proposal.pk]
    assert [r.pk for r in services.list_requests(as_owner, center, author="agency.com").items
            ] == [proposal.pk]
    assert services.list_requests(as_owner, center, author="nobody").items == []
    with pytest.raises(InvalidInput, match="not a number"):
        services.list_requests(as_owner, center, advertiser_id="abc")


def test_overlapping_names_the_pending_proposals_on_the_same_fields(center, as_owner, proposal):
    [overlap] = services.overlapping(as_owner, center, proposal.campaign_id, ["budget"])
    assert overlap.request.pk == proposal.pk and overlap.labels == ["Budget"]
    assert services.overlapping(as_owner, center, proposal.campaign_id, ["name"]) == []


def test_the_api_lists_requests_by_ad_account_and_author(center, owner, ads, proposal):
    api = api_for(owner, center)
    path = f"/centers/{center.pk}/change-requests"
    by_author = api.get(path, author="opal").json()["items"]
    assert [r["id"] for r in by_author] == [str(proposal.pk)]
    assert api.get(path, author="nobody").json()["items"] == []
    assert [r["id"] for r in api.get(path, advertiser=str(ads.pk)).json()["items"]] == [str(
        proposal.pk)]
    bad = api.get(path, advertiser="abc")
    assert bad.status_code == 400 and "not a number" in bad.content.decode()
