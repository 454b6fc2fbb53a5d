"""Reports through the REST API: sums over only what the caller may see, refusals with
the engine's reason, bad ranges as 400 with the field, metrics loaded from a CSV body or
JSON rows all or nothing, the CSV export, and another Business Center's ids as 404."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from bizcenter.accounts.tokens import create_token
from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import create_center
from bizcenter.reporting.models import DailyMetric
from tests.conftest import act, join
from tests.support.api import Api, error_of
from tests.support.reporting import Book, build_book, make_campaign, metric

pytestmark = pytest.mark.usefixtures("quick_hashing")
RANGE = {"since": "2026-03-30", "until": "2026-04-06"}
HEADER = "campaign_id,date,spend,impressions,clicks,conversions\n"


@pytest.fixture
def book(center, as_owner) -> Book:
    return build_book(as_owner, center)


@pytest.fixture
def admin_api(center, as_owner) -> Api:
    return Api(create_token(as_owner, center, "script").secret)


@pytest.fixture
def viewer_api(center, as_owner, book, make_user) -> Api:
    """A Standard member with Analytics, given Main ads only."""
    person = make_user("vera@agency.com", name="Vera")
    join(as_owner, center, person, modules=("ANALYTICS",), assets={book.main.pk: ["ANALYST"]})
    return Api(create_token(act(person), center, "mine").secret)


@pytest.fixture
def rival(make_user):
    """Another Business Center with its own owner, ad account, campaign and numbers."""
    boss = make_user("boss@rival.com", name="Rita Rival")
    other = create_center(act(boss), name="Rival Inc")
    their_ads = create_asset(act(boss), other, type="ADVERTISER", name="Rival ads")
    campaign = make_campaign(their_ads, "Rival push")
    metric(campaign, "2026-03-31", "77.00", 700, 7, 7)
    return other, their_ads, campaign


def url(center, rest: str = "") -> str:
    return f"/centers/{center.pk}{rest}"


def post_csv(api: Api, center, body: str, **headers):
    return api.client.post(f"/api/v1{url(center, '/metrics')}", body, content_type="text/csv",
                           headers={**api.headers, **headers})


# -- reading -------------------------------------------------------------------------------


def test_an_admin_sees_the_whole_center_with_derived_metrics(center, book, admin_api):
    response = admin_api.get(url(center, "/reports"), **RANGE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["scope"], body["title"], body["days"], body["currency"]) == (
        "center", "Brand Co", 8, "USD")
    assert body["totals"] == {"spend": "141.25", "impressions": 14000, "clicks": 100,
                              "conversions": 9, "ctr": "0.007143", "cpc": "1.41",
                              "cpm": "10.09", "cpa": "15.69", "currency": "USD"}
    assert body["totals_by_currency"] == [body["totals"]]  # one currency: the same total
    assert [p["start"] for p in body["periods"]][:2] == ["2026-03-30", "2026-03-31"]
    assert body["periods"][1]["spend"] == "120.00" and len(body["periods"]) == 8
    assert body["periods"][3]["ctr"] is None  # 04-02: no impressions, no ratio
    assert [c["name"] for c in body["campaigns"]] == ["Other brand", "Spring sale",
                                                      "Summer teaser"]
    assert body["campaigns"][0]["campaign_id"] == str(book.other.pk)
    assert [(a["name"], a["spend"], a["campaigns"]) for a in body["accounts"]] == [
        ("Second ads", "100.00", 1), ("Main ads", "41.25", 2)]


def test_reports_group_by_week_and_month(center, book, admin_api):
    weeks = admin_api.get(url(center, "/reports"), **RANGE, group="week").json()["periods"]
    assert [(p["start"], p["end"], p["spend"], p["whole"]) for p in weeks] == [
        ("2026-03-30", "2026-04-05", "140.00", True),
        ("2026-04-06", "2026-04-06", "1.25", False)]
    months = admin_api.get(url(center, "/reports"), **RANGE, group="month").json()["periods"]
    assert [(p["start"], p["spend"]) for p in months] == [("2026-03-30", "130.00"),
                                                          ("2026-04-01", "11.25")]


def test_an_ad_account_and_a_campaign_report(center, book, admin_api):
    account = admin_api.get(url(center, f"/reports/advertisers/{book.main.pk}"), **RANGE)
    assert account.status_code == 200
    body = account.json()
    assert (body["scope"], body["advertiser_id"], body["title"]) == (
        "advertiser", str(book.main.pk), "Ad account Main ads")
    assert body["totals"]["spend"] == "41.25" and body["accounts"] == []
    campaign = admin_api.get(url(center, f"/reports/campaigns/{book.summer.pk}"), **RANGE)
    assert campaign.status_code == 200
    assert campaign.json()["campaign_id"] == str(book.summer.pk)
    assert campaign.json()["totals"]["spend"] == "4.50"
    assert campaign.json()["totals"]["cpa"] == "2.25"


def test_totals_leave_out_campaigns_the_caller_cannot_see(center, book, viewer_api):
    body = viewer_api.get(url(center, "/reports"), **RANGE).json()
    assert body["totals"]["spend"] == "41.25" and body["totals"]["impressions"] == 4000
    assert {c["name"] for c in body["campaigns"]} == {"Spring sale", "Summer teaser"}
    assert [a["name"] for a in body["accounts"]] == ["Main ads"]
    assert body["periods"][1]["spend"] == "20.00"  # not the 100.00 of Second ads that day
    rows = list(csv.DictReader(io.StringIO(viewer_api.get(
        url(center, "/reports/export"), **RANGE, by="campaign").content.decode())))
    assert {r["campaign"] for r in rows} == {"Spring sale", "Summer teaser"}
    # What is not theirs is not found, as a made-up id would be: nothing names it.
    for path in (f"/reports/advertisers/{book.second.pk}", f"/reports/campaigns/{book.other.pk}"):
        refused = viewer_api.get(url(center, path), **RANGE)
        assert refused.status_code == 404, path
        assert "Second ads" not in error_of(refused)["message"]
    hidden = viewer_api.get(url(center, "/reports/export"), **RANGE, scope="advertiser",
                            id=str(book.second.pk))
    assert hidden.status_code == 404


def test_a_standard_member_without_analytics_gets_no_report(center, as_owner, book,
                                                            make_user):
    person = make_user("carl@agency.com", name="Carl")
    join(as_owner, center, person, modules=("CAMPAIGNS",), assets={book.main.pk: ["OPERATOR"]})
    api = Api(create_token(act(person), center, "mine").secret)
    for path in ("/reports", f"/reports/advertisers/{book.main.pk}",
                 f"/reports/campaigns/{book.spring.pk}", "/reports/export"):
        response = api.get(url(center, path), **RANGE)
        assert response.status_code == 403, path
        error = error_of(response)
        assert error["code"] == "module_missing"
        assert "not given the Analytics module in Brand Co" in error["message"]
        assert "Ask an Admin of Brand Co to add the Analytics module" in error["message"]


def test_bad_ranges_and_options_are_400_with_the_field(center, book, admin_api):
    cases = [
        ({"since": "2026-04-06", "until": "2026-03-30"}, "since", "swap them"),
        ({"until": "2026-03-30"}, "since", "Pick the start date"),
        ({"since": "2026-03-30"}, "until", "Pick the end date"),
        ({"since": "2026-13-01", "until": "2026-03-30"}, "since", "not valid"),
        ({"since": "2020-01-01", "until": "2026-03-30"}, "until", "at most 731 days"),
        ({**RANGE, "group": "year"}, "group", "Unknown grouping"),
    ]
    for query, field, words in cases:
        for path in ("/reports", f"/reports/advertisers/{book.main.pk}", "/reports/export"):
            response = admin_api.get(url(center, path), **query)
            assert response.status_code == 400, (path, query, response.content)
            error = error_of(response)
            assert field in error["fields"] and words in error["message"], (query, error)
    for query, field in (({"by": "day"}, "by"), ({"scope": "world"}, "scope"),
                         ({"scope": "campaign"}, "id")):
        response = admin_api.get(url(center, "/reports/export"), **RANGE, **query)
        assert response.status_code == 400 and field in error_of(response)["fields"], query


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/reports"), ("get", "/reports/advertisers/1"), ("get", "/reports/campaigns/1"),
    ("get", "/reports/export"), ("post", "/metrics")])
def test_every_endpoint_wants_a_token(center, method, path):
    response = getattr(Client(), method)(f"/api/v1{url(center, path)}", RANGE)
    assert response.status_code == 401 and error_of(response)["code"] == "token_missing"


# -- exporting -----------------------------------------------------------------------------


def test_the_export_is_csv_by_period_or_by_campaign_with_formulas_defused(center, as_owner,
                                                                          book, admin_api):
    book.summer.name = "=HYPERLINK(\"http://evil\")"
    book.summer.save()
    by_period = admin_api.get(url(center, "/reports/export"), **RANGE, group="week")
    assert by_period.status_code == 200
    assert by_period["Content-Type"] == "text/csv; charset=utf-8"
    assert by_period["Content-Disposition"] == (
        f'attachment; filename="report-{center.pk}-center-2026-03-30-2026-04-06-week.csv"')
    rows = list(csv.DictReader(io.StringIO(by_period.content.decode())))
    assert [(r["period_start"], r["spend"]) for r in rows] == [("2026-03-30", "140.00"),
                                                               ("2026-04-06", "1.25")]
    by_campaign = admin_api.get(url(center, "/reports/export"), **RANGE, by="campaign",
                                scope="advertiser", id=str(book.main.pk))
    rows = list(csv.DictReader(io.StringIO(by_campaign.content.decode())))
    assert [r["spend"] for r in rows] == ["36.75", "4.50"]
    assert rows[1]["campaign"].startswith("'=")


# -- loading -------------------------------------------------------------------------------


def test_an_admin_loads_a_csv_body_and_loading_it_again_replaces(center, book, admin_api):
    body = HEADER + f"{book.spring.pk},2026-04-02,3.00,300,3,0\n" \
                    f"{book.spring.pk},2026-03-30,11.00,1100,11,1\n"
    first = post_csv(admin_api, center, body)
    assert first.status_code == 201, first.content
    assert first.json() == {"rows": 2, "created": 1, "updated": 1, "campaigns": 1,
                            "first_day": "2026-03-30", "last_day": "2026-04-02"}
    again = post_csv(admin_api, center, body)
    assert again.json()["updated"] == 2 and again.json()["created"] == 0
    total = admin_api.get(url(center, f"/reports/campaigns/{book.spring.pk}"), **RANGE).json()
    assert total["totals"]["spend"] == "40.75"  # 11 + 20 + 5.50 + 3 + 1.25


def test_json_rows_load_too(center, book, admin_api):
    response = admin_api.send("post", url(center, "/metrics"), {"rows": [
        {"campaign_id": str(book.summer.pk), "date": "2026-04-02", "spend": "2.00",
         "impressions": 200, "clicks": 2, "conversions": 0},
        {"campaign_id": book.summer.pk, "date": "2026-04-03", "spend": 1.5,
         "impressions": "100", "clicks": 1, "conversions": 1}]})
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
    assert DailyMetric.objects.filter(campaign=book.summer).count() == 3


def test_one_bad_row_refuses_the_whole_load_naming_it(center, book, admin_api):
    before = list(DailyMetric.objects.order_by("pk").values_list("pk", "spend"))
    bad_csv = post_csv(admin_api, center, HEADER + f"{book.spring.pk},2026-04-02,3.00,300,3,0\n"
                       f"{book.spring.pk},2026-04-03,-1,300,3,0\n")
    assert bad_csv.status_code == 400
    error = error_of(bad_csv)
    assert error["code"] == "rows_rejected" and "Row 3: spend '-1' must be 0 or more" in \
        error["message"]
    bad_json = admin_api.send("post", url(center, "/metrics"), {"rows": [
        {"campaign_id": "nope", "date": "2026-04-02", "spend": "1", "impressions": 1,
         "clicks": 1, "conversions": 0}]})
    assert bad_json.status_code == 400 and "Row 1: campaign_id 'nope' is not a number" in \
        error_of(bad_json)["message"]
    cases = [
        (post_csv(admin_api, center, "campaign_id,date\n1,2026-04-02\n"), "file",
         "missing: spend"),
        (post_csv(admin_api, center, ""), "file", "empty"),
        (post_csv(admin_api, center, HEADER), "file", "no rows"),
        (admin_api.send("post", url(center, "/metrics"), {"rows": []}), "file", "no rows"),
        (admin_api.send("post", url(center, "/metrics"), {"rows": [{"campaign_id": "1"}]}),
         "rows.0.date", "not valid"),
        (admin_api.send("post", url(center, "/metrics"), {"lines": []}), "rows", "not valid"),
        (admin_api.client.post(f"/api/v1{url(center, '/metrics')}", "{nope",
                               content_type="application/json", headers=admin_api.headers),
         "body", "not valid"),
        (admin_api.client.post(f"/api/v1{url(center, '/metrics')}", "a=b",
                               content_type="application/x-www-form-urlencoded",
                               headers=admin_api.headers), "Content-Type", "text/csv"),
    ]
    for response, field, words in cases:
        assert response.status_code == 400, response.content
        error = error_of(response)
        assert field in error["fields"] and words in error["message"], error
    assert list(DailyMetric.objects.order_by("pk").values_list("pk", "spend")) == before
    assert not AuditEvent.objects.filter(action="metrics.imported").exists()


def test_an_idempotency_key_loads_once(center, book, admin_api):
    body = HEADER + f"{book.spring.pk},2026-04-02,3.00,300,3,0\n"
    first = post_csv(admin_api, center, body, **{"Idempotency-Key": "load-1"})
    again = post_csv(admin_api, center, body, **{"Idempotency-Key": "load-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and first.json()["created"] == 1
    assert AuditEvent.objects.filter(action="metrics.imported").count() == 1


def test_only_admins_load_and_read_only_tokens_never(center, as_owner, book, viewer_api):
    body = HEADER + f"{book.spring.pk},2026-04-02,3.00,300,3,0\n"
    refused = post_csv(viewer_api, center, body)
    assert refused.status_code == 403
    assert "Only Admins of Brand Co" in error_of(refused)["message"]
    reader = Api(create_token(as_owner, center, "reader", read_only=True).secret)
    assert reader.get(url(center, "/reports"), **RANGE).status_code == 200
    read_only = post_csv(reader, center, body)
    assert read_only.status_code == 403 and error_of(read_only)["code"] == "read_only_token"
    assert not DailyMetric.objects.filter(day="2026-04-02").exists()


# -- another Business Center -------------------------------------------------------------


def test_another_centers_ids_are_404_and_its_numbers_stay_out(center, book, admin_api, rival):
    other, their_ads, campaign = rival
    answers = [
        admin_api.get(url(center, f"/reports/advertisers/{their_ads.pk}"), **RANGE),
        admin_api.get(url(center, f"/reports/campaigns/{campaign.pk}"), **RANGE),
        admin_api.get(url(center, "/reports/export"), **RANGE, scope="campaign",
                      id=str(campaign.pk)),
        admin_api.get(url(other, "/reports"), **RANGE),
        post_csv(admin_api, other, HEADER + f"{campaign.pk},2026-04-02,3.00,300,3,0\n"),
    ]
    for response in answers:
        assert response.status_code == 404, response.content
        assert error_of(response)["code"] == "not_found"
    # Its campaigns are not this Business Center's to load into, nor to count.
    load = post_csv(admin_api, center, HEADER + f"{campaign.pk},2026-04-02,3.00,300,3,0\n")
    assert load.status_code == 400
    assert f"campaign {campaign.pk} is not in an ad account of Brand Co" in \
        error_of(load)["message"]
    assert DailyMetric.objects.filter(campaign=campaign).count() == 1
    totals = admin_api.get(url(center, "/reports"), **RANGE).json()["totals"]
    assert totals["spend"] == "141.25"


def test_the_openapi_document_describes_reports_with_examples(db):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    base = "/api/v1/centers/{center_id}"
    for rest in ("/reports", "/reports/advertisers/{advertiser_id}",
                 "/reports/campaigns/{campaign_id}", "/reports/export", "/metrics"):
        for operation in paths[base + rest].values():
            assert operation["description"], rest
    body = paths[base + "/metrics"]["post"]["requestBody"]["content"]
    assert body["text/csv"]["example"].startswith("campaign_id,date")
    assert body["application/json"]["example"]["rows"]
    since = [p for p in paths[base + "/reports"]["get"]["parameters"] if p["name"] == "since"]
    assert since[0]["schema"]["examples"] == ["2026-03-01"] or since[0].get("examples")
    assert "text/csv" in paths[base + "/reports/export"]["get"]["responses"]["200"]["content"]
