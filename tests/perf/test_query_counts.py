"""SQL per page does not grow with the rows shown: no query per row (N+1).

Each page and API read is requested on a Business Center of 5 members and on one
of 50, where everything else grows with it (assets, grants, campaigns, metrics,
activity, transactions, invitations), and must stay under the same bound: the
count measured when this test was written, plus a little slack for a legitimate
extra query. A page that starts reading per row fails here with the list of its
queries (pytest-django prints them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from bizcenter.accounts.models import User
from bizcenter.assets.models import Asset, AssetGrant
from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.billing import services as billing
from bizcenter.campaigns.models import Campaign
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from bizcenter.reporting.models import DailyMetric
from tests.conftest import spend
from tests.support.api import Api, api_for

SLACK = 2


@dataclass
class World:
    center: BusinessCenter
    member: Membership
    ads: Asset
    web: Client
    api: Api
    since: str
    until: str


def build(owner: User, center: BusinessCenter, as_owner, members: int) -> World:
    """A Business Center where every kind of row grows with ``members``."""
    now = timezone.now()
    unusable = make_password(None)
    people = User.objects.bulk_create(
        User(email=f"person{i}@agency{i % 3}.example", name=f"Person {i}", password=unusable)
        for i in range(members - 1))
    rows = Membership.objects.bulk_create(
        Membership(center=center, user=u, role="STANDARD", kind="agency",
                   modules=["ANALYTICS", "CAMPAIGNS", "ASSETS", "BILLING"],
                   finance_role="ANALYST" if i % 4 == 0 else "",
                   last_active_at=now - timedelta(days=i))
        for i, u in enumerate(people))
    accounts = [create_asset(as_owner, center, type="ADVERTISER", name=f"Ads {i}")
                for i in range(members // 5 + 1)]
    AssetGrant.objects.bulk_create(
        AssetGrant(membership=m, asset=accounts[i % len(accounts)], roles=["OPERATOR"])
        for i, m in enumerate(rows))
    campaigns = Campaign.objects.bulk_create(
        Campaign(advertiser=accounts[i % len(accounts)], name=f"Campaign {i}",
                 objective="TRAFFIC", budget=Decimal(50)) for i in range(members))
    today = billing.today_in(center)
    DailyMetric.objects.bulk_create(
        DailyMetric(campaign=c, advertiser_id=c.advertiser_id, center=center,
                    day=today - timedelta(days=d), spend=Decimal("12.50"), impressions=1000,
                    clicks=20, conversions=2)
        for c in campaigns for d in range(7))
    AuditEvent.objects.bulk_create(
        AuditEvent(center=center, actor=owner, actor_label="Olivia Owner", category="USER",
                   action="member.updated", target_type="membership", target_id=str(m.pk),
                   target_label=f"member {m.pk}", created_at=now) for m in rows)
    for i in range(members // 5 + 1):
        billing.top_up(as_owner, center, f"{100 + i}.00")
        spend(center, accounts[i % len(accounts)], "5.00", today - timedelta(days=i % 20))
    invitations.invite(as_owner, center,
                       [f"invitee{i}@brand.example" for i in range(min(members, 50))],
                       Grant(modules=("ANALYTICS",)))
    web = Client()
    web.force_login(owner)
    return World(center, rows[-1], accounts[0], web, api_for(owner, center),
                 (today - timedelta(days=30)).isoformat(), today.isoformat())


# Page -> the most queries measured (5 and 50 members gave the same count).
WEB = {
    "members page": ("/c/{c}/partners/", 7),
    "pending invitations": ("/c/{c}/partners/invitations/", 7),
    "partner detail": ("/c/{c}/partners/{m}/", 7),
    "assets": ("/c/{c}/assets/", 7),
    "asset detail": ("/c/{c}/assets/{a}/", 11),
    "activity log": ("/c/{c}/activity/", 7),
    "campaigns list": ("/c/{c}/campaigns/", 11),
    "report page": ("/c/{c}/reports/?since={since}&until={until}", 10),
    "billing page": ("/c/{c}/billing/", 12),
    "access review": ("/c/{c}/review/", 8),
}
API = {
    "members API": ("/centers/{c}/members", 3),
    "member API": ("/centers/{c}/members/{m}", 2),
    "access check API": ("/centers/{c}/access/check?action=report.view&resource=asset:{a}", 1),
    "invitations API": ("/centers/{c}/invitations", 3),
    "assets API": ("/centers/{c}/assets", 3),
    "activity API": ("/centers/{c}/activity", 3),
    "campaigns API": ("/centers/{c}/campaigns", 4),
    "report API": ("/centers/{c}/reports?since={since}&until={until}&group=week", 5),
    "billing API": ("/centers/{c}/billing", 7),
    "transactions API": ("/centers/{c}/billing/transactions", 3),
}


def url(template: str, w: World) -> str:
    return template.format(c=w.center.pk, m=w.member.pk, a=w.ads.pk, since=w.since,
                           until=w.until)


@pytest.fixture(params=[5, 50], ids=lambda n: f"{n}-members")
def world(request, owner, center, as_owner, quick_hashing) -> World:
    return build(owner, center, as_owner, request.param)


def test_web_pages_queries_do_not_grow_with_rows(world, django_assert_max_num_queries):
    for page, (template, measured) in WEB.items():
        world.web.get(url(template, world))  # warm: a first view may note activity
        with django_assert_max_num_queries(measured + SLACK, info=page):
            response = world.web.get(url(template, world))
        assert response.status_code == 200, (page, response.content[:500])


def test_api_queries_do_not_grow_with_rows(world, django_assert_max_num_queries):
    for endpoint, (template, measured) in API.items():
        world.api.get(url(template, world))
        with django_assert_max_num_queries(measured + SLACK, info=endpoint):
            response = world.api.get(url(template, world))
        assert response.status_code == 200, (endpoint, response.content[:500])
