"""Monthly spending limits that hold (issue 19). Before, a limit was stored and shown but
nothing kept an ad account under it: the demo's December spend was past its 3,000 GBP
limit while Billing showed it mostly unspent, and nobody was told."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bizcenter.audit.models import AuditEvent
from bizcenter.billing import limits, services
from bizcenter.billing.models import LimitAlert
from bizcenter.campaigns import services as campaigns
from bizcenter.campaigns.models import Campaign
from bizcenter.core.errors import Conflict
from bizcenter.reporting.services import load_metrics
from tests.conftest import act


@pytest.fixture
def running(account) -> list[Campaign]:
    return [Campaign.objects.create(advertiser=account, name=name, objective="TRAFFIC")
            for name in ("Spring", "Summer")]


def _spent(center, campaign, amount: str, day=None) -> None:
    load_metrics(act(center.memberships.filter(role="ADMIN").first().user), center, [(2, {
        "campaign_id": str(campaign.pk), "date": str(day or services.today_in(center)),
        "spend": amount, "impressions": "100", "clicks": "1", "conversions": "0"})])


def _told(mailbox) -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mailbox)


def test_80_percent_warns_admins_and_finance_managers_once(owner, manager, analyst, standard,
                                                           center, account, running,
                                                           run_worker, mailbox):
    run_worker()
    mailbox.clear()  # the fixtures' joins told the owner; this is about the limit
    services.set_spending_limit(act(owner), center, account.pk, "100")
    _spent(center, running[0], "79.99")
    run_worker()
    assert mailbox == []
    _spent(center, running[0], "80.00")
    run_worker()
    subject = '"Main ads" has spent 80% of its spending limit'
    assert _told(mailbox) == [(manager.email, subject), (owner.email, subject)]
    assert "80.00 USD" in mailbox[0].body and "100.00 USD" in mailbox[0].body
    _spent(center, running[0], "85.00")  # more spend, same level: no second email
    run_worker()
    assert len(mailbox) == 2
    assert Campaign.objects.filter(status="ENABLE").count() == 2  # warned, not stopped
    assert AuditEvent.objects.filter(action="billing.limit_warned").count() == 1


def test_the_limit_pauses_the_accounts_campaigns_and_refuses_to_enable_them(
        owner, manager, center, account, running, run_worker, mailbox, as_owner):
    run_worker()
    mailbox.clear()  # the fixtures' joins told the owner; this is about the limit
    services.set_spending_limit(act(owner), center, account.pk, "100")
    by_hand = campaigns.set_status(as_owner, center, running[1].pk, "DISABLE").campaign
    _spent(center, running[0], "100.00")  # straight to the limit: one email, not two
    run_worker()
    subject = '"Main ads" reached its spending limit: campaigns paused'
    assert _told(mailbox) == [(manager.email, subject), (owner.email, subject)]
    spring = Campaign.objects.get(pk=running[0].pk)
    assert (spring.status, spring.paused_by_limit_on) == ("DISABLE", services.today_in(center))
    assert by_hand is not None and Campaign.objects.get(pk=by_hand.pk).paused_by_limit_on is None
    event = AuditEvent.objects.filter(action="campaign.status_changed",
                                      target_id=str(spring.pk)).last()
    assert event is not None and "spent 100.00 of its 100.00 USD limit" in event.after["why"]
    for attempt in (lambda: campaigns.set_status(as_owner, center, spring.pk, "ENABLE"),
                    lambda: campaigns.create_campaign(as_owner, center, account.pk,
                                                      name="New", objective="REACH",
                                                      budget="20")):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "spending_limit_reached"
        assert "Raise or remove the limit in Billing" in refused.value.message
    made = campaigns.create_campaign(as_owner, center, account.pk, name="Later",
                                     objective="REACH", budget="20", status="DISABLE")
    assert made.campaign is not None
    assert LimitAlert.objects.filter(level=80).exists()  # kept, so 80% is not sent after


def test_the_api_answers_409_when_enabling_past_the_limit(owner, center, account, running):
    from bizcenter.accounts.tokens import create_token

    services.set_spending_limit(act(owner), center, account.pk, "50")
    _spent(center, running[0], "60")
    token = create_token(act(owner), center, "script").secret
    api = Client(headers={"Authorization": f"Bearer {token}"})
    answer = api.post(f"/api/v1/centers/{center.pk}/campaigns/{running[0].pk}/status",
                      {"status": "ENABLE"}, content_type="application/json")
    assert answer.status_code == 409, answer.content
    assert answer.json()["error"]["code"] == "spending_limit_reached"
    overview = api.get(f"/api/v1/centers/{center.pk}/billing").json()
    [line] = overview["limits"]
    assert (line["reached"], line["warned"], line["paused_campaigns"]) == (True, True, 2)


def test_raising_the_limit_resumes_what_it_paused_and_lowering_it_stops_at_once(
        owner, center, account, running, as_owner):
    services.set_spending_limit(act(owner), center, account.pk, "100")
    _spent(center, running[0], "120")
    assert set(Campaign.objects.values_list("status", flat=True)) == {"DISABLE"}
    services.set_spending_limit(act(owner), center, account.pk, "500")
    assert set(Campaign.objects.values_list("status", flat=True)) == {"ENABLE"}
    assert not Campaign.objects.exclude(paused_by_limit_on=None).exists()
    services.set_spending_limit(act(owner), center, account.pk, "110")  # under the spend
    assert set(Campaign.objects.values_list("status", flat=True)) == {"DISABLE"}
    services.set_spending_limit(act(owner), center, account.pk, None)  # no limit at all
    assert set(Campaign.objects.values_list("status", flat=True)) == {"ENABLE"}


def test_a_new_month_resumes_campaigns_the_limit_paused(owner, center, account, running):
    services.set_spending_limit(act(owner), center, account.pk, "100")
    _spent(center, running[0], "100")
    assert limits.resume_new_month() == 0  # same month: still at the limit
    with time_machine.travel(timezone.now() + timedelta(days=32)):
        assert limits.resume_new_month() == 2
    assert set(Campaign.objects.values_list("status", flat=True)) == {"ENABLE"}


def test_the_billing_page_says_where_each_account_stands(client, owner, center, account,
                                                         running, as_owner):
    from bizcenter.assets.services import create_asset

    other = create_asset(as_owner, center, type="ADVERTISER", name="Other ads")
    services.set_spending_limit(act(owner), center, account.pk, "100")
    services.set_spending_limit(act(owner), center, other.pk, "100")
    _spent(center, running[0], "150")
    near = Campaign.objects.create(advertiser=other, name="Near", objective="REACH")
    _spent(center, near, "85")
    client.force_login(owner)
    page = client.get(reverse("web:billing", args=[center.pk])).content.decode()
    assert "has spent its whole limit for" in page and "2 campaigns paused" in page
    assert "has spent 85% of its limit" in page and "85% spent" in page


def test_the_campaigns_page_says_which_the_limit_paused(client, owner, center, account, running):
    services.set_spending_limit(act(owner), center, account.pk, "10")
    _spent(center, running[0], "20")
    client.force_login(owner)
    listed = client.get(reverse("web:campaigns", args=[center.pk])).content.decode()
    assert listed.count("spending limit</span>") == 2
    detail = client.get(reverse("web:campaign", args=[center.pk, running[0].pk])).content.decode()
    assert "paused by its ad account's monthly spending limit" in detail
