"""The Approvals inbox people can work through (issue 21): each request's diff inline,
filters, readable status names, bulk approve and reject (a rejection needs a reason),
a stale request offering "Reject and ask for a new proposal" instead of Approve, the
next request after a decision, and a second proposal on the same fields asked about."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from bizcenter.campaigns import services
from bizcenter.campaigns.models import ChangeRequest, RequestState
from tests.conftest import act
from tests.support import campaigns
from tests.support.campaigns import NEW
from tests.support.web import flash, plain, raw

ads, operator = campaigns.ads, campaigns.operator
pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def live(center, as_owner, ads):
    return services.create_campaign(as_owner, center, ads.pk, **NEW).campaign


@pytest.fixture
def two(center, live, operator):
    """Two pending proposals by Opal: the budget, then the name."""
    first = services.update_campaign(act(operator), center, live.pk, budget="300").request
    second = services.update_campaign(act(operator), center, live.pk, name="Summer").request
    return first, second


def inbox(client, center, query=""):
    return client.get(f"/c/{center.pk}/campaigns/approvals/{query}")


def test_the_inbox_shows_each_diff_and_readable_states(client, owner, center, two):
    client.force_login(owner)
    words = plain(inbox(client, center))
    assert "Budget: 150.50 → 300.00" in words and "Name: Spring sale → Summer" in words
    assert "Waiting for approval" in words
    assert "PENDING" not in re.sub(r"<[^>]+>", " ", raw(inbox(client, center)))


def test_the_inbox_filters_by_state_ad_account_and_author(client, owner, center, ads, two):
    client.force_login(owner)
    assert "Summer" in plain(inbox(client, center, f"?advertiser={ads.pk}"))
    assert "Nothing waits for approval" in plain(inbox(client, center,
                                                       f"?advertiser={ads.pk + 99}"))
    assert "Summer" in plain(inbox(client, center, "?author=opal"))
    assert "Nothing waits for approval" in plain(inbox(client, center, "?author=zed"))
    assert "Nothing waits for approval" in plain(inbox(client, center, "?state=APPROVED"))
    bad = inbox(client, center, "?advertiser=abc")
    assert bad.status_code == 400 and "not a number" in flash(bad)


def test_bulk_reject_needs_a_reason_then_tells_each_author(client, owner, center, two):
    client.force_login(owner)
    ids = [str(r.pk) for r in two]
    refused = client.post(f"/c/{center.pk}/campaigns/approvals/",
                          {"requests": ids, "step": "reject", "comment": ""})
    assert refused.status_code == 400
    assert "Say why you reject them" in htmllib.unescape(raw(refused))
    assert set(ChangeRequest.objects.values_list("state", flat=True)) == {RequestState.PENDING}
    done = client.post(f"/c/{center.pk}/campaigns/approvals/",
                       {"requests": ids, "step": "reject", "comment": "Wait for Q3"},
                       follow=True)
    assert "Rejected 2 requests; their authors are told why." in flash(done)
    assert list(ChangeRequest.objects.values_list("comment", flat=True)) == ["Wait for Q3"] * 2


def test_bulk_approve_applies_each_and_says_which_could_not(client, owner, center, live, two):
    client.force_login(owner)
    done = client.post(f"/c/{center.pk}/campaigns/approvals/",
                       {"requests": [str(r.pk) for r in two], "step": "approve"}, follow=True)
    said = flash(done)
    # The first applies; the second was proposed on the same version, so it is now stale.
    assert "Approved and applied 1 request." in said
    assert f"Request {two[1].pk}:" in said and "changed since this was proposed" in said
    live.refresh_from_db()
    assert str(live.budget) == "300.00" and live.name == "Spring sale"


def test_bulk_decisions_are_for_admins_only(client, center, operator, two):
    client.force_login(operator)
    refused = client.post(f"/c/{center.pk}/campaigns/approvals/",
                          {"requests": [str(two[0].pk)], "step": "approve"})
    assert refused.status_code == 403
    assert ChangeRequest.objects.filter(state=RequestState.PENDING).count() == 2


def test_a_stale_request_offers_reject_and_ask_again_with_the_reason_filled_in(
        client, owner, center, as_owner, live, operator):
    request = services.update_campaign(act(operator), center, live.pk, budget="300").request
    services.update_campaign(as_owner, center, live.pk, budget="250")
    client.force_login(owner)
    url = f"/c/{center.pk}/campaigns/approvals/{request.pk}/"
    page = client.get(url)
    words = plain(page)
    assert "Reject and ask for a new proposal" in words
    assert not re.search(r'value="approve"', raw(page))
    assert "The campaign changed since you proposed this (Budget is now 250.00)" in words
    assert raw(page).count('class="error') == 0
    done = client.post(url, {"step": "reject", "comment": "The campaign changed since you "
                             "proposed this. Please propose again."}, follow=True)
    assert "Rejected; its author is told why." in flash(done)
    assert ChangeRequest.objects.get(pk=request.pk).state == RequestState.REJECTED


def test_after_a_decision_the_next_request_is_offered(client, owner, center, two):
    first, second = two
    client.force_login(owner)
    done = client.post(f"/c/{center.pk}/campaigns/approvals/{first.pk}/",
                       {"step": "reject", "comment": "Not now"}, follow=True)
    assert f'href="/c/{center.pk}/campaigns/approvals/{second.pk}/"' in raw(done)
    assert "Next request waiting" in plain(done)
    last = client.post(f"/c/{center.pk}/campaigns/approvals/{second.pk}/",
                       {"step": "reject", "comment": "Not now"}, follow=True)
    assert "Nothing else waits for approval" in plain(last)


def test_a_single_reject_without_a_reason_says_so_beside_the_field(client, owner, center, two):
    client.force_login(owner)
    page = client.post(f"/c/{center.pk}/campaigns/approvals/{two[0].pk}/",
                       {"step": "reject", "comment": ""})
    assert page.status_code == 400 and "Say why you reject it" in htmllib.unescape(raw(page))
    assert ChangeRequest.objects.get(pk=two[0].pk).state == RequestState.PENDING


def test_the_campaign_page_lists_pending_requests_and_warns_of_an_overlap(
        client, owner, center, live, two, make_user, as_owner, ads):
    from tests.conftest import join

    olga = make_user("olga@agency.com", name="Olga")
    join(as_owner, center, olga, modules=("CAMPAIGNS",), assets={ads.pk: ["OPERATOR"]})
    client.force_login(olga)
    page = plain(client.get(f"/c/{center.pk}/campaigns/{live.pk}/"))
    assert "Waiting for approval" not in page or "Opal" not in page  # others' stay private
    url = f"/c/{center.pk}/campaigns/{live.pk}/"
    form = {"step": "edit", **NEW, "budget": "400"}
    asked = client.post(url, form)
    assert asked.status_code == 200
    assert "Opal's pending proposal also changes the budget." in plain(asked)
    assert ChangeRequest.objects.count() == 2  # asking sent nothing
    sent = client.post(url, {**form, "confirmed": "1"}, follow=True)
    assert "Sent for approval" in flash(sent)
    assert ChangeRequest.objects.count() == 3
    client.force_login(owner)
    listed = plain(client.get(url))
    assert "Waiting for approval" in listed and "proposed by Opal" in listed
    assert "Budget 150.50 → 300.00" in listed
