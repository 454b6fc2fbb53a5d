"""The official TikTok Business API SDK (tiktok-business-api-sdk 1.0.1), unchanged, with
Configuration().host pointed at a live bizcenter: every endpoint it offers that
bizcenter serves, its answers, and its errors."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from business_api_client import BCApi, BcPaymentApi, CampaignCreationApi, ReportingApi
from business_api_client.models import (
    CampaignCreateBody,
    CampaignStatusUpdateBody,
    CampaignUpdateBody,
    Filtering,
    FilteringAdvertiserBalanceGet,
    FilteringBCTransactionGet,
    FilteringCampaignGet,
    FilteringReportIntegratedGet,
)
from business_api_client.tiktok_business.tiktok_exceptions import TiktokSDKError

from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.billing import services as billing
from bizcenter.campaigns import services as campaigns
from bizcenter.campaigns.models import Campaign, ChangeRequest
from bizcenter.reporting.services import load_metrics

NEW = {"campaign_name": "Spring sale", "objective_type": "TRAFFIC",
       "budget_mode": "BUDGET_MODE_DAY", "budget": 150.5}


def error_code(exc: pytest.ExceptionInfo[TiktokSDKError]) -> int:
    """The SDK puts the code and our message in the exception text."""
    text = str(exc.value)
    assert text.startswith("Error Code: "), text
    return int(text.split(",", 1)[0].removeprefix("Error Code: "))


@pytest.fixture
def live(center, as_owner, ads) -> Campaign:
    made = campaigns.create_campaign(as_owner, center, ads.pk, name="Always on",
                                     objective="REACH", budget_mode="BUDGET_MODE_TOTAL",
                                     budget="1000")
    assert made.campaign is not None
    return made.campaign


# -- Business Centers and assets (BCApi) -----------------------------------------------


def test_bc_get_answers_the_tokens_business_center(sdk, center, admin_token):
    answer = BCApi(sdk).bc_get(admin_token)
    assert answer["request_id"]
    [row] = answer["data"]["list"]
    assert row["bc_info"]["bc_id"] == str(center.pk)
    assert row["bc_info"]["name"] == "Brand Co" and row["bc_info"]["currency"] == "USD"
    assert row["user_role"] == "ADMIN"
    assert answer["data"]["page_info"] == {"page": 1, "page_size": 10, "total_number": 1,
                                           "total_page": 1}
    again = BCApi(sdk).bc_get(admin_token, bc_id=str(center.pk), page=1, page_size=50)
    assert again["data"]["list"] == answer["data"]["list"]
    assert again["request_id"] != answer["request_id"]


def test_bc_get_of_another_business_center_is_40007(sdk, admin_token, rival):
    other, _, _ = rival
    with pytest.raises(TiktokSDKError) as refused:
        BCApi(sdk).bc_get(admin_token, bc_id=str(other.pk))
    assert error_code(refused) == 40007
    assert "visible to this token" in str(refused.value)


def test_bad_or_missing_token(sdk, center, admin_token):
    with pytest.raises(TiktokSDKError) as bad:
        BCApi(sdk).bc_get("bzc_abcdef123456_not-the-secret")
    assert error_code(bad) == 40105
    assert "not valid" in str(bad.value)
    with pytest.raises(TiktokSDKError) as alien:
        BCApi(sdk).bc_get("a-tiktok-access-token")
    assert error_code(alien) == 40105
    with pytest.raises(TiktokSDKError) as empty:
        BCApi(sdk).bc_get("")
    assert error_code(empty) == 40104
    assert "Access-Token" in str(empty.value)


def test_bc_asset_get_lists_assets_with_the_members_role(sdk, center, as_owner, ads,
                                                         admin_token, operator):
    create_asset(as_owner, center, type="ADVERTISER", name="Second ads")
    create_asset(as_owner, center, type="CATALOG", name="Spring catalog")
    api = BCApi(sdk)
    answer = api.bc_asset_get(str(center.pk), "ADVERTISER", admin_token, page=1, page_size=1)
    assert answer["data"]["page_info"] == {"page": 1, "page_size": 1, "total_number": 2,
                                           "total_page": 2}
    [first] = answer["data"]["list"]
    assert first["asset_type"] == "ADVERTISER" and first["advertiser_role"] == "ADMIN"
    assert first["relation_type"] == "OWNER_BC"
    assert first["advertiser_status"] == "STATUS_ENABLE"

    member_id = str(operator.memberships.get().pk)
    theirs = api.bc_asset_get(str(center.pk), "ADVERTISER", admin_token,
                              filtering=Filtering(user_id=member_id))
    assert [(a["asset_id"], a["advertiser_role"]) for a in theirs["data"]["list"]] == [
        (str(ads.pk), "OPERATOR")]
    by_email = api.bc_asset_get(str(center.pk), "ADVERTISER", admin_token,
                                filtering=Filtering(user_email="op@agency.com"))
    assert by_email["data"]["list"] == theirs["data"]["list"]
    keyword = api.bc_asset_get(str(center.pk), "ADVERTISER", admin_token,
                               filtering=Filtering(keyword="second"))
    assert [a["asset_name"] for a in keyword["data"]["list"]] == ["Second ads"]
    catalogs = api.bc_asset_get(str(center.pk), "CATALOG", admin_token)
    assert [(a["asset_name"], a["catalog_role"]) for a in catalogs["data"]["list"]] == [
        ("Spring catalog", "ADMIN")]


def test_bc_asset_get_as_a_standard_member_shows_only_their_assets(sdk, center, as_owner,
                                                                  ads, operator_token):
    create_asset(as_owner, center, type="ADVERTISER", name="Not theirs")
    mine = BCApi(sdk).bc_asset_get(str(center.pk), "ADVERTISER", operator_token)
    assert [(a["asset_name"], a["advertiser_role"]) for a in mine["data"]["list"]] == [
        ("Main ads", "OPERATOR")]


# -- campaigns (CampaignCreationApi) ------------------------------------------------------


def test_campaign_create_get_update_and_status_as_an_admin(sdk, center, ads, admin_token):
    api = CampaignCreationApi(sdk)
    made = api.campaign_create(admin_token, body=CampaignCreateBody(advertiser_id=str(ads.pk),
                                                                    **NEW))
    data = made["data"]
    assert data["applied"] is True
    campaign_id = data["campaign_id"]
    assert data["campaign_name"] == "Spring sale" and data["budget"] == 150.5
    stored = Campaign.objects.get(pk=campaign_id)
    assert str(stored.budget) == "150.50" and stored.objective == "TRAFFIC"

    listed = api.campaign_get(str(ads.pk), admin_token,
                              filtering=FilteringCampaignGet(campaign_ids=[campaign_id]),
                              fields=["campaign_id", "campaign_name", "budget",
                                      "operation_status"])
    assert listed["data"]["list"] == [{"campaign_id": campaign_id,
                                       "campaign_name": "Spring sale", "budget": 150.5,
                                       "operation_status": "ENABLE"}]
    assert listed["data"]["page_info"]["total_number"] == 1

    updated = api.campaign_update(admin_token, body=CampaignUpdateBody(
        advertiser_id=str(ads.pk), campaign_id=campaign_id, budget=200.0,
        campaign_name="Spring sale EU"))
    assert updated["data"]["applied"] is True and updated["data"]["budget"] == 200.0
    stored.refresh_from_db()
    assert (stored.name, str(stored.budget)) == ("Spring sale EU", "200.00")

    paused = api.campaign_status_update(admin_token, body=CampaignStatusUpdateBody(
        advertiser_id=str(ads.pk), campaign_ids=[campaign_id], operation_status="DISABLE"))
    assert paused["data"]["campaign_ids"] == [campaign_id]
    assert paused["data"]["change_requests"] == []
    stored.refresh_from_db()
    assert stored.status == "DISABLE"
    disabled = api.campaign_get(str(ads.pk), admin_token, filtering=FilteringCampaignGet(
        secondary_status="CAMPAIGN_STATUS_DISABLE"))
    assert [c["campaign_id"] for c in disabled["data"]["list"]] == [campaign_id]
    # The same activity log as every other door, signed by this one.
    events = AuditEvent.objects.filter(target_id=campaign_id, via="tiktok-api")
    assert set(events.values_list("action", flat=True)) == {
        "campaign.created", "campaign.updated", "campaign.status_changed"}


def test_campaign_get_pages_and_skips_deleted_campaigns(sdk, center, as_owner, ads,
                                                        admin_token, live):
    for n in range(3):
        campaigns.create_campaign(as_owner, center, ads.pk, name=f"Extra {n}",
                                  objective="TRAFFIC", budget="50")
    campaigns.set_status(as_owner, center, live.pk, "DELETE")
    api = CampaignCreationApi(sdk)
    first = api.campaign_get(str(ads.pk), admin_token, page=1, page_size=2)
    assert first["data"]["page_info"] == {"page": 1, "page_size": 2, "total_number": 3,
                                          "total_page": 2}
    second = api.campaign_get(str(ads.pk), admin_token, page=2, page_size=2)
    names = [c["campaign_name"] for c in first["data"]["list"] + second["data"]["list"]]
    assert sorted(names) == ["Extra 0", "Extra 1", "Extra 2"]
    deleted = api.campaign_get(str(ads.pk), admin_token,
                               filtering=FilteringCampaignGet(primary_status="STATUS_DELETE"))
    assert [c["secondary_status"] for c in deleted["data"]["list"]] == ["CAMPAIGN_STATUS_DELETE"]


def test_a_standard_operators_update_becomes_a_change_request_and_says_so(
        sdk, center, ads, live, operator_token):
    api = CampaignCreationApi(sdk)
    answer = api.campaign_update(operator_token, body=CampaignUpdateBody(
        advertiser_id=str(ads.pk), campaign_id=str(live.pk), budget=1500.0))
    data = answer["data"]
    assert data["applied"] is False
    assert data["change_request_status"] == "PENDING"
    request = ChangeRequest.objects.get(pk=data["change_request_id"])
    assert request.kind == "UPDATE" and request.proposed == {"budget": "1500.00"}
    live.refresh_from_db()
    assert str(live.budget) == "1000.00"  # nothing changes before an Admin approves

    created = api.campaign_create(operator_token, body=CampaignCreateBody(
        advertiser_id=str(ads.pk), **NEW))
    assert created["data"]["applied"] is False and created["data"]["campaign_id"] is None
    paused = api.campaign_status_update(operator_token, body=CampaignStatusUpdateBody(
        advertiser_id=str(ads.pk), campaign_ids=[str(live.pk)], operation_status="DISABLE"))
    assert paused["data"]["campaign_ids"] == []
    [proposal] = paused["data"]["change_requests"]
    assert proposal["campaign_id"] == str(live.pk)
    assert ChangeRequest.objects.filter(state="PENDING").count() == 3
    assert Campaign.objects.count() == 1


def test_an_analyst_is_refused_with_the_engines_explanation(sdk, ads, live, analyst_token):
    with pytest.raises(TiktokSDKError) as refused:
        CampaignCreationApi(sdk).campaign_update(analyst_token, body=CampaignUpdateBody(
            advertiser_id=str(ads.pk), campaign_id=str(live.pk), budget=500.0))
    assert error_code(refused) == 40001
    assert "ANALYST" in str(refused.value) and "which only views" in str(refused.value)
    assert "make you OPERATOR" in str(refused.value)
    # Reading stays open to an ANALYST.
    listed = CampaignCreationApi(sdk).campaign_get(str(ads.pk), analyst_token)
    assert [c["campaign_id"] for c in listed["data"]["list"]] == [str(live.pk)]


def test_another_business_centers_ad_account_is_40007(sdk, admin_token, rival):
    _, their_ads, _ = rival
    api = CampaignCreationApi(sdk)
    with pytest.raises(TiktokSDKError) as listing:
        api.campaign_get(str(their_ads.pk), admin_token)
    assert error_code(listing) == 40007
    with pytest.raises(TiktokSDKError) as creating:
        api.campaign_create(admin_token, body=CampaignCreateBody(
            advertiser_id=str(their_ads.pk), **NEW))
    assert error_code(creating) == 40007
    assert not Campaign.objects.exists()


def test_a_bad_campaign_is_40002_with_our_message(sdk, ads, admin_token):
    with pytest.raises(TiktokSDKError) as refused:
        CampaignCreationApi(sdk).campaign_create(admin_token, body=CampaignCreateBody(
            advertiser_id=str(ads.pk), campaign_name="Tiny", objective_type="TRAFFIC",
            budget_mode="BUDGET_MODE_DAY", budget=1.0))
    assert error_code(refused) == 40002
    assert "below the minimum" in str(refused.value)


# -- the basic report (ReportingApi) ------------------------------------------------------


@pytest.fixture
def numbers(center, as_owner, ads, live):
    other = campaigns.create_campaign(as_owner, center, ads.pk, name="Retargeting",
                                      objective="CONVERSIONS", budget="80").campaign
    assert other is not None
    day = date(2026, 3, 1)
    load_metrics(as_owner, center, [
        (1, {"campaign_id": live.pk, "date": day.isoformat(), "spend": "10.00",
             "impressions": 1000, "clicks": 20, "conversions": 2}),
        (2, {"campaign_id": live.pk, "date": (day + timedelta(days=1)).isoformat(),
             "spend": "5.50", "impressions": 500, "clicks": 5, "conversions": 0}),
        (3, {"campaign_id": other.pk, "date": day.isoformat(), "spend": "30.00",
             "impressions": 3000, "clicks": 30, "conversions": 3}),
    ])
    return live, other


def test_report_by_campaign_and_by_day(sdk, ads, admin_token, numbers):
    live, other = numbers
    api = ReportingApi(sdk)
    metrics = ["spend", "impressions", "clicks", "conversion", "ctr", "cpc", "cpm",
               "cost_per_conversion", "campaign_name"]
    answer = api.report_integrated_get(
        str(ads.pk), "BASIC", ["campaign_id"], admin_token, data_level="AUCTION_CAMPAIGN",
        metrics=metrics, start_date="2026-03-01", end_date="2026-03-31", page=1,
        page_size=1000)
    rows = {r["dimensions"]["campaign_id"]: r["metrics"] for r in answer["data"]["list"]}
    assert rows[str(live.pk)] == {"spend": "15.50", "impressions": "1500", "clicks": "25",
                                  "conversion": "2", "ctr": "1.67", "cpc": "0.62",
                                  "cpm": "10.33", "cost_per_conversion": "7.75",
                                  "campaign_name": "Always on"}
    assert rows[str(other.pk)]["spend"] == "30.00"
    assert answer["data"]["page_info"]["total_number"] == 2

    daily = api.report_integrated_get(
        str(ads.pk), "BASIC", ["campaign_id", "stat_time_day"], admin_token,
        data_level="AUCTION_CAMPAIGN", metrics=["spend"], start_date="2026-03-01",
        end_date="2026-03-31",
        filtering=[FilteringReportIntegratedGet(field_name="campaign_ids", filter_type="IN",
                                                filter_value=json.dumps([str(live.pk)]))])
    assert [(r["dimensions"]["stat_time_day"], r["metrics"]["spend"])
            for r in daily["data"]["list"]] == [("2026-03-01 00:00:00", "10.00"),
                                                ("2026-03-02 00:00:00", "5.50")]
    whole = api.report_integrated_get(
        str(ads.pk), "BASIC", ["advertiser_id"], admin_token, data_level="AUCTION_ADVERTISER",
        start_date="2026-03-01", end_date="2026-03-31")
    assert whole["data"]["list"] == [{"dimensions": {"advertiser_id": str(ads.pk)},
                                      "metrics": {"spend": "45.50", "impressions": "4500"}}]


def test_report_refuses_what_it_cannot_answer(sdk, ads, admin_token, numbers):
    api = ReportingApi(sdk)
    with pytest.raises(TiktokSDKError) as metric:
        api.report_integrated_get(str(ads.pk), "BASIC", ["campaign_id"], admin_token,
                                  data_level="AUCTION_CAMPAIGN", metrics=["video_play_actions"],
                                  start_date="2026-03-01", end_date="2026-03-31")
    assert error_code(metric) == 40002 and "video_play_actions" in str(metric.value)
    with pytest.raises(TiktokSDKError) as level:
        api.report_integrated_get(str(ads.pk), "BASIC", ["ad_id"], admin_token,
                                  data_level="AUCTION_AD", start_date="2026-03-01",
                                  end_date="2026-03-31")
    assert error_code(level) == 40002


def test_report_for_a_standard_member_without_analytics_is_40001(
        sdk, center, as_owner, ads, make_user, numbers):
    from bizcenter.accounts.tokens import create_token
    from tests.conftest import act, join

    person = make_user("camp@agency.com", name="Cam")
    join(as_owner, center, person, modules=("CAMPAIGNS",), assets={ads.pk: ["OPERATOR"]})
    token = create_token(act(person), center, "no analytics").secret
    with pytest.raises(TiktokSDKError) as refused:
        ReportingApi(sdk).report_integrated_get(
            str(ads.pk), "BASIC", ["campaign_id"], token, data_level="AUCTION_CAMPAIGN",
            start_date="2026-03-01", end_date="2026-03-31")
    assert error_code(refused) == 40001
    assert "Analytics module" in str(refused.value)


# -- billing (BcPaymentApi) ------------------------------------------------------------------


def test_balance_transactions_and_ad_account_budgets(sdk, center, as_owner, ads, admin_token):
    from tests.conftest import spend

    billing.top_up(as_owner, center, "500.10", note="March")
    spend(center, ads, "20.05", billing.today_in(center))
    billing.set_spending_limit(as_owner, center, ads.pk, "300")
    api = BcPaymentApi(sdk)

    balance = api.bc_balance_get(str(center.pk), admin_token)["data"]
    assert balance["currency"] == "USD"
    assert balance["account_balance"] == 480.05 and balance["cash_balance"] == 480.05

    ledger = api.bc_transaction_get(str(center.pk), admin_token, page=1, page_size=10,
                                    filtering=FilteringBCTransactionGet(
                                        funds_type=["FUNDS_TYPE_CASH"]))["data"]
    assert [(t["transaction_type"], t["amount"]) for t in ledger["list"]] == [
        ("CONSUME", -20.05), ("RECHARGE", 500.1)]
    assert ledger["page_info"]["total_number"] == 2
    grants = api.bc_transaction_get(str(center.pk), admin_token,
                                    filtering=FilteringBCTransactionGet(
                                        funds_type=["FUNDS_TYPE_GRANT"]))["data"]
    assert grants["list"] == []

    accounts = api.advertiser_balance_get(str(center.pk), admin_token,
                                          filtering=FilteringAdvertiserBalanceGet(
                                              advertiser_status=["STATUS_ENABLE"]))["data"]
    [account] = accounts["advertiser_account_list"]
    assert account["advertiser_id"] == str(ads.pk)
    assert (account["budget_mode"], account["budget"], account["budget_cost"],
            account["budget_remaining"]) == ("MONTHLY_BUDGET", 300.0, 20.05, 279.95)


def test_billing_is_refused_to_a_member_without_a_finance_role(sdk, center, operator_token):
    with pytest.raises(TiktokSDKError) as refused:
        BcPaymentApi(sdk).bc_balance_get(str(center.pk), operator_token)
    assert error_code(refused) == 40001
    assert "no finance role" in str(refused.value)


def test_a_finance_analyst_reads_billing(sdk, center, analyst_token):
    balance = BcPaymentApi(sdk).bc_balance_get(str(center.pk), analyst_token)
    assert balance["data"]["account_balance"] == 0.0
