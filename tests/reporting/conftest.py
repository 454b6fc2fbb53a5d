"""A Business Center with two ad accounts, three campaigns and a few days of numbers
whose sums are easy to check by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from bizcenter.assets.models import Asset, PartnerShare, Partnership
from bizcenter.assets.services import create_asset
from bizcenter.campaigns.models import Campaign
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import bump_access_version
from bizcenter.reporting.models import DailyMetric


def make_campaign(account: Asset, name: str, objective: str = "CONVERSIONS",
                  **fields: object) -> Campaign:
    """Test set-up straight to the table: the campaign services are not under test here."""
    return Campaign.objects.create(advertiser=account, name=name, objective=objective,
                                   **fields)


def metric(campaign: Campaign, day: str, spend: str, impressions: int, clicks: int,
           conversions: int) -> DailyMetric:
    return DailyMetric.objects.create(
        campaign=campaign, advertiser_id=campaign.advertiser_id,
        center_id=campaign.advertiser.center_id, day=date.fromisoformat(day),
        spend=Decimal(spend), impressions=impressions, clicks=clicks, conversions=conversions)


def share_with(owner: BusinessCenter, partner: BusinessCenter, asset: Asset,
               roles: tuple[str, ...] = ("ANALYST",)) -> PartnerShare:
    """``owner`` shares ``asset`` with ``partner``, straight to the tables: how partners
    come to agree is not under test here, and stays out of these tests' way."""
    link, _ = Partnership.objects.get_or_create(owner=owner, partner=partner)
    shared = PartnerShare.objects.create(partnership=link, asset=asset, roles=list(roles))
    bump_access_version(owner)
    bump_access_version(partner)
    return shared


@dataclass
class Book:
    main: Asset
    second: Asset
    spring: Campaign
    summer: Campaign
    other: Campaign


@pytest.fixture
def book(center, as_owner) -> Book:
    return build_book(as_owner, center)


def build_book(as_owner, center) -> Book:
    """Monday 2026-03-30 to Monday 2026-04-06, across a month's end:

    Main ads / Spring: 03-30 10.00 (1000 imp, 10 clicks, 1 conv), 03-31 20.00
    (2000, 30, 0), 04-01 5.50 (500, 5, 1), 04-06 1.25 (no impressions at all);
    Main ads / Summer: 04-01 4.50 (500, 5, 2);
    Second ads / Other: 03-31 100.00 (10000, 50, 5).
    """
    main = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    second = create_asset(as_owner, center, type="ADVERTISER", name="Second ads")
    spring = make_campaign(main, "Spring sale")
    summer = make_campaign(main, "Summer teaser", objective="TRAFFIC")
    other = make_campaign(second, "Other brand")
    metric(spring, "2026-03-30", "10.00", 1000, 10, 1)
    metric(spring, "2026-03-31", "20.00", 2000, 30, 0)
    metric(spring, "2026-04-01", "5.50", 500, 5, 1)
    metric(spring, "2026-04-06", "1.25", 0, 0, 0)
    metric(summer, "2026-04-01", "4.50", 500, 5, 2)
    metric(other, "2026-03-31", "100.00", 10000, 50, 5)
    return Book(main, second, spring, summer, other)
