"""The TikTok-compatible report names each row's currency when asked (TikTok's
``currency`` attribute metric): the ad account's owner's, not the caller's."""

from __future__ import annotations

import pytest

from bizcenter.accounts.tokens import create_token
from tests.conftest import act
from tests.support.reporting import Currencies, build_currencies

PATH = "report/integrated/get/"
SPAN = {"start_date": "2026-03-30", "end_date": "2026-03-31", "report_type": "BASIC"}


@pytest.fixture
def world(make_user) -> Currencies:
    return build_currencies(make_user)


@pytest.fixture
def agency(tik, world):
    return tik(create_token(act(world.boss), world.agency, "tiktok tools").secret)


def test_rows_of_a_shared_account_carry_its_owners_currency(world, agency):
    data = agency.ok("GET", PATH, advertiser_id=str(world.brand_ads.pk), **SPAN,
                     data_level="AUCTION_CAMPAIGN", dimensions=["campaign_id", "stat_time_day"],
                     metrics=["spend", "cost_per_conversion", "currency"])
    assert [(r["dimensions"]["stat_time_day"], r["metrics"]) for r in data["list"]] == [
        ("2026-03-30 00:00:00", {"spend": "1000.00", "cost_per_conversion": "50.00",
                                 "currency": "EUR"}),
        ("2026-03-31 00:00:00", {"spend": "234.00", "cost_per_conversion": "58.50",
                                 "currency": "EUR"})]
    whole = agency.ok("GET", PATH, advertiser_id=str(world.brand_ads.pk), **SPAN,
                      data_level="AUCTION_ADVERTISER", dimensions=["advertiser_id"],
                      metrics=["spend", "currency"])
    assert whole["list"] == [{"dimensions": {"advertiser_id": str(world.brand_ads.pk)},
                              "metrics": {"spend": "1234.00", "currency": "EUR"}}]
    own = agency.ok("GET", PATH, advertiser_id=str(world.agency_ads.pk), **SPAN,
                    data_level="AUCTION_CAMPAIGN", dimensions=["campaign_id"],
                    metrics=["spend", "currency", "campaign_name"])
    assert own["list"] == [{"dimensions": {"campaign_id": str(world.own.pk)},
                            "metrics": {"spend": "56.00", "currency": "GBP",
                                        "campaign_name": "Agency own"}}]


def test_a_campaign_filter_matching_nothing_still_names_the_currency(world, agency):
    data = agency.ok("GET", PATH, advertiser_id=str(world.brand_ads.pk), **SPAN,
                     data_level="AUCTION_ADVERTISER", dimensions=["advertiser_id"],
                     metrics=["spend", "currency"],
                     filtering=[{"field_name": "campaign_ids", "filter_type": "IN",
                                 "filter_value": "[\"999999\"]"}])
    assert data["list"][0]["metrics"] == {"spend": "0.00", "currency": "EUR"}


def test_currency_is_text_so_rows_are_not_sorted_by_it(world, agency):
    refused = agency.get(PATH, advertiser_id=str(world.brand_ads.pk), **SPAN,
                         data_level="AUCTION_CAMPAIGN", dimensions=["campaign_id"],
                         metrics=["spend", "currency"], order_field="currency")
    assert refused["code"] == 40002 and "order_field" in refused["message"]
