"""Campaign pages and the Approvals inbox, as people use them."""

from __future__ import annotations

import re

import pytest

from bizcenter.campaigns import services
from bizcenter.campaigns.models import Campaign, ChangeRequest, RequestState
from bizcenter.centers.services import create_center
from tests.conftest import act, join
from tests.support import campaigns
from tests.support.campaigns import NEW

# The campaign tests' ad account and its Standard OPERATOR (tests/support/campaigns.py).
ads, operator = campaigns.ads, campaigns.operator

# Password hashing is not what these tests are about.
pytestmark = pytest.mark.usefixtures("quick_hashing")

FORM = NEW


def html(response) -> str:
    return response.content.decode()


def test_admin_creates_from_the_form_and_sees_it_listed(client, owner, center, ads):
    client.force_login(owner)
    nav = html(client.get(f"/c/{center.pk}/campaigns/"))
    assert ">Campaigns</a>" in nav and "Approvals" in nav
    made = client.post(f"/c/{center.pk}/campaigns/new/", {"advertiser": ads.pk, **FORM})
    campaign = Campaign.objects.get()
    assert made.status_code == 302 and made.url == f"/c/{center.pk}/campaigns/{campaign.pk}/"
    listed = html(client.get(f"/c/{center.pk}/campaigns/"))
    assert "Spring sale" in listed and "150.50 USD" in listed


def test_bad_budget_keeps_what_was_typed(client, owner, center, ads):
    client.force_login(owner)
    page = client.post(f"/c/{center.pk}/campaigns/new/",
                       {"advertiser": ads.pk, **FORM, "budget": "12.345"})
    assert page.status_code == 400
    assert "more than 2 decimals" in html(page) and 'value="12.345"' in html(page)
    assert not Campaign.objects.exists()


def test_propose_then_approve_in_the_inbox(client, owner, center, ads, operator):
    client.force_login(operator)
    sent = client.post(f"/c/{center.pk}/campaigns/new/", {"advertiser": ads.pk, **FORM},
                       follow=True)
    assert "Sent for approval" in html(sent)
    assert "My requests" in html(sent) and "Waiting for approval" in html(sent)
    assert "Withdraw my request" in html(sent) and "Approve" not in html(sent)
    request = ChangeRequest.objects.get()

    client.force_login(owner)
    inbox = html(client.get(f"/c/{center.pk}/campaigns/approvals/"))
    assert 'class="badge">1<' in inbox and "New campaign: Spring sale" in inbox
    detail = html(client.get(f"/c/{center.pk}/campaigns/approvals/{request.pk}/"))
    assert "150.50" in detail and "Approve" in detail
    done = client.post(f"/c/{center.pk}/campaigns/approvals/{request.pk}/",
                       {"step": "approve", "comment": "ok"}, follow=True)
    assert "Approved and applied." in html(done)
    assert Campaign.objects.get().name == "Spring sale"


def test_a_stale_proposal_shows_both_values_and_is_refused(client, owner, center, as_owner,
                                                           operator, ads):
    live = services.create_campaign(as_owner, center, ads.pk, **FORM).campaign
    request = services.update_campaign(act(operator), center, live.pk, budget="300").request
    services.update_campaign(as_owner, center, live.pk, budget="250")
    client.force_login(owner)
    url = f"/c/{center.pk}/campaigns/approvals/{request.pk}/"
    page = html(client.get(url))
    assert "The campaign changed since this was proposed" in page
    assert re.search(r"150\.50.*300\.00.*250\.00", page, re.S)
    refused = client.post(url, {"step": "approve"})
    assert refused.status_code == 409
    # Said once, by the page's notice: no second red box (issue 21).
    assert html(refused).count("The campaign changed since this was proposed") == 1
    assert 'class="error' not in html(refused) and "was not applied" not in html(refused)
    request.refresh_from_db()
    assert request.state == RequestState.PENDING


def test_standard_edit_form_sends_for_approval(client, center, as_owner, operator, ads):
    live = services.create_campaign(as_owner, center, ads.pk, **FORM).campaign
    client.force_login(operator)
    page = html(client.get(f"/c/{center.pk}/campaigns/{live.pk}/"))
    assert "Send for approval" in page and "Approve" not in page
    done = client.post(f"/c/{center.pk}/campaigns/{live.pk}/",
                       {"step": "edit", **FORM, "budget": "175"}, follow=True)
    assert "Sent for approval" in html(done)
    live.refresh_from_db()
    assert str(live.budget) == "150.50"
    assert ChangeRequest.objects.get().proposed == {"budget": "175.00"}


def test_an_analyst_sees_no_edit_form_and_why(client, center, as_owner, ads, make_user):
    live = services.create_campaign(as_owner, center, ads.pk, **FORM).campaign
    person = make_user("an@agency.com")
    join(as_owner, center, person, modules=("CAMPAIGNS",), assets={ads.pk: ["ANALYST"]})
    client.force_login(person)
    page = html(client.get(f"/c/{center.pk}/campaigns/{live.pk}/"))
    assert "Spring sale" in page and 'name="step" value="edit"' not in page
    assert "only views" in page
    forged = client.post(f"/c/{center.pk}/campaigns/{live.pk}/",
                         {"step": "edit", **FORM, "budget": "175"})
    assert forged.status_code == 403 and not ChangeRequest.objects.exists()


def test_without_the_module_or_from_another_center(client, center, as_owner, ads, make_user):
    live = services.create_campaign(as_owner, center, ads.pk, **FORM).campaign
    person = make_user("x@agency.com")
    join(as_owner, center, person, modules=("ANALYTICS",))
    client.force_login(person)
    page = client.get(f"/c/{center.pk}/campaigns/")
    assert page.status_code == 403 and "Campaigns module" in html(page)
    assert ">Campaigns</a>" not in html(client.get(f"/c/{center.pk}/"))
    stranger = make_user("s@else.com")
    elsewhere = create_center(act(stranger), name="Else")
    client.force_login(stranger)
    assert client.get(f"/c/{elsewhere.pk}/campaigns/{live.pk}/").status_code == 404
    assert client.get(f"/c/{center.pk}/campaigns/").status_code == 404


def test_delete_asks_first(client, owner, center, as_owner, ads):
    live = services.create_campaign(as_owner, center, ads.pk, **FORM).campaign
    client.force_login(owner)
    ask = html(client.post(f"/c/{center.pk}/campaigns/{live.pk}/",
                           {"step": "status", "status": "DELETE"}))
    assert f"Delete {live.name}?" in ask
    live.refresh_from_db()
    assert live.status != "DELETE"  # asking changed nothing
    client.post(f"/c/{center.pk}/campaigns/{live.pk}/", {"step": "status", "status": "DELETE",
                                                         "confirmed": "1"})
    live.refresh_from_db()
    assert live.status == "DELETE"
