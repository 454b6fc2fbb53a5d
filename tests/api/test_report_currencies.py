"""Reports through the REST API keep money in its currency: an agency in GBP shown a
brand's EUR ad account gets a total per currency and a currency on every row, never one
total of both; a report in one currency keeps its single total and currency."""

from __future__ import annotations

import csv
import io

import pytest

from bizcenter.accounts.tokens import create_token
from tests.conftest import act
from tests.support.api import Api
from tests.support.reporting import Currencies, build_currencies

pytestmark = pytest.mark.usefixtures("quick_hashing")
RANGE = {"since": "2026-03-30", "until": "2026-03-31"}


@pytest.fixture
def world(make_user) -> Currencies:
    return build_currencies(make_user)


@pytest.fixture
def agency_api(world) -> Api:
    return Api(create_token(act(world.boss), world.agency, "agency script").secret)


def test_two_currencies_give_two_totals_and_no_single_one(world, agency_api):
    response = agency_api.get(f"/centers/{world.agency.pk}/reports", **RANGE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["currency"] is None and body["totals"] is None
    assert body["totals_by_currency"] == [
        {"currency": "GBP", "spend": "56.00", "impressions": 7000, "clicks": 70,
         "conversions": 7, "ctr": "0.010000", "cpc": "0.80", "cpm": "8.00", "cpa": "8.00"},
        {"currency": "EUR", "spend": "1234.00", "impressions": 120000, "clicks": 600,
         "conversions": 24, "ctr": "0.005000", "cpc": "2.06", "cpm": "10.28",
         "cpa": "51.42"}]
    assert [(c["name"], c["currency"], c["spend"]) for c in body["campaigns"]] == [
        ("Agency own", "GBP", "56.00"), ("Brand push", "EUR", "1234.00")]
    assert [(a["name"], a["currency"], a["spend"]) for a in body["accounts"]] == [
        ("Agency ads", "GBP", "56.00"), ("Brand EU ads", "EUR", "1234.00")]
    # Every day once per currency, never one day's sum of both.
    assert [(p["start"], p["currency"], p["spend"]) for p in body["periods"]] == [
        ("2026-03-30", "GBP", "0.00"), ("2026-03-31", "GBP", "56.00"),
        ("2026-03-30", "EUR", "1000.00"), ("2026-03-31", "EUR", "234.00")]


def test_the_shared_account_alone_keeps_one_total_in_its_owners_currency(world, agency_api):
    body = agency_api.get(f"/centers/{world.agency.pk}/reports/advertisers/"
                          f"{world.brand_ads.pk}", **RANGE).json()
    assert body["currency"] == "EUR"
    assert body["totals"]["spend"] == "1234.00" and body["totals"]["currency"] == "EUR"
    assert body["totals_by_currency"] == [body["totals"]]
    assert {p["currency"] for p in body["periods"]} == {"EUR"}
    campaign = agency_api.get(f"/centers/{world.agency.pk}/reports/campaigns/"
                              f"{world.push.pk}", **RANGE).json()
    assert (campaign["currency"], campaign["totals"]["cpa"]) == ("EUR", "51.42")


def test_the_csv_export_has_a_currency_column(world, agency_api):
    response = agency_api.get(f"/centers/{world.agency.pk}/reports/export", **RANGE,
                              by="campaign")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["campaign"], r["spend"], r["currency"]) for r in rows] == [
        ("Agency own", "56.00", "GBP"), ("Brand push", "1234.00", "EUR")]
    assert response.content.decode().splitlines()[0].endswith(",cpa,currency")


def test_the_schema_documents_the_currency_fields(world, agency_api):
    schema = agency_api.client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    report = schema["ReportOut"]["properties"]
    assert {"totals_by_currency", "currency", "totals"} <= set(report)
    assert "currency" in schema["CampaignRowOut"]["properties"]
    assert "currency" in schema["PeriodOut"]["required"]
