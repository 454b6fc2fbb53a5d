"""The reporting tests' numbers, straight to the tables: campaigns and daily metrics,
a share between two Business Centers, a Business Center with two ad accounts, three
campaigns and a few days of numbers whose sums are easy to check by hand (the ``book``
fixture, bound by name in tests/reporting/conftest.py and the report page tests in
tests/web), and two centers in two currencies. Shared by the reporting, API, CLI,
compat and security tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from bizcenter.accounts.models import User
from bizcenter.assets.models import Asset, PartnerShare, Partnership
from bizcenter.assets.services import create_asset
from bizcenter.campaigns.models import Campaign
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import bump_access_version, create_center
from bizcenter.core.actor import Actor
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


@dataclass
class Currencies:
    """An agency in GBP that a brand in EUR shares its ad account with."""

    brand: BusinessCenter  # EUR
    agency: BusinessCenter  # GBP
    brand_owner: User
    boss: User  # the agency's Admin
    brand_ads: Asset
    agency_ads: Asset
    push: Campaign  # the brand's, in EUR
    own: Campaign  # the agency's, in GBP


def build_currencies(make_user) -> Currencies:
    """Brand (EUR) / Brand EU ads / Brand push: 03-30 1,000.00 (100,000 impressions,
    500 clicks, 20 conversions), 03-31 234.00 (20,000, 100, 4): 1,234.00 EUR in all.
    Agency (GBP) / Agency ads / Agency own: 03-31 56.00 (7,000, 70, 7).
    The brand shares Brand EU ads with the agency."""
    brand_owner = make_user("olga@brand.eu", name="Olga")
    boss = make_user("boss@agency.co.uk", name="Bob")
    brand = create_center(Actor(brand_owner, via="test"), name="Brand EU", currency="EUR")
    agency = create_center(Actor(boss, via="test"), name="Agency UK", currency="GBP")
    brand_ads = create_asset(Actor(brand_owner, via="test"), brand, type="ADVERTISER",
                             name="Brand EU ads")
    agency_ads = create_asset(Actor(boss, via="test"), agency, type="ADVERTISER",
                              name="Agency ads")
    push = make_campaign(brand_ads, "Brand push")
    own = make_campaign(agency_ads, "Agency own")
    metric(push, "2026-03-30", "1000.00", 100_000, 500, 20)
    metric(push, "2026-03-31", "234.00", 20_000, 100, 4)
    metric(own, "2026-03-31", "56.00", 7_000, 70, 7)
    share_with(brand, agency, brand_ads)
    return Currencies(brand, agency, brand_owner, boss, brand_ads, agency_ads, push, own)
