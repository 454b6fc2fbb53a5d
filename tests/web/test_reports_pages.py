"""The report pages through the web door: status codes, charts, forms that keep what
was typed, CSV export and upload."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bizcenter.reporting.models import DailyMetric
from tests.conftest import join
from tests.support import reporting

# The reporting tests' numbers to read (tests/support/reporting.py).
book = reporting.book

RANGE = "since=2026-03-29&until=2026-04-06"


@pytest.fixture
def admin(client: Client, owner, quick_hashing) -> Client:
    client.force_login(owner)
    return client


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:3000]
    return response.content.decode()


def test_business_center_report_has_the_charts_tables_and_totals(admin, center, book):
    html = page(admin, f"/c/{center.pk}/reports/?{RANGE}&group=week")
    assert '<svg class="line-chart"' in html and 'role="img"' in html
    assert ('<title id="trend-title">Spend and conversions by week, 2026-03-29 to 2026-04-06'
            '</title>') in html
    assert '<svg class="bar-chart"' in html and "<title>Other brand: 100.00 USD</title>" in html
    assert "141.25" in html  # the total
    assert "2026-03-30 to 2026-04-05" in html  # a week's row in the data table
    # The weeks the range cuts are said to be partial, beside the chart and in the table.
    assert ("Only part of 2026-03-29 (1 day) and 2026-04-06 (1 day) is in the range, so they "
            "look lower.") in html
    assert html.count("(partial, 1 day)") == 2
    # A bar per campaign in the wide chart, and again in the phone's (issue 21).
    wide = html[html.index('<svg class="bar-chart"'):]
    assert wide[:wide.index("</svg>")].count('class="bar"') == 3
    assert html.count('class="bar"') == 6 and '<svg class="small-bar-chart"' in html
    # Links to the ad account and campaign reports keep the range.
    query = RANGE.replace("&", "&amp;") + "&amp;group=week"
    assert f'href="/c/{center.pk}/reports/accounts/{book.main.pk}/?{query}"' in html
    assert f'href="/c/{center.pk}/reports/campaigns/{book.spring.pk}/?{query}"' in html
    # No inline script or style: the Content-Security-Policy allows neither.
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_the_form_keeps_what_was_asked(admin, center, book):
    html = page(admin, f"/c/{center.pk}/reports/?{RANGE}&group=month")
    assert 'name="since" value="2026-03-29"' in html
    assert 'name="until" value="2026-04-06"' in html
    assert '<option value="month" selected>' in html


def test_without_a_range_the_last_30_days_by_day(admin, center, book):
    html = page(admin, f"/c/{center.pk}/reports/")
    assert '<option value="day" selected>' in html
    assert html.count('<th scope="row">20') == 30  # one row per day


def test_a_bad_range_is_a_400_that_says_why_and_keeps_the_values(admin, center, book):
    response = admin.get(f"/c/{center.pk}/reports/?since=2026-04-06&until=2026-03-01&group=week")
    assert response.status_code == 400
    html = response.content.decode()
    assert "The start date (2026-04-06) is after the end date (2026-03-01); swap them." in html
    assert 'value="2026-04-06"' in html and 'value="2026-03-01"' in html
    assert "line-chart" not in html
    not_a_date = admin.get(f"/c/{center.pk}/reports/?since=yesterday&until=2026-03-01")
    assert not_a_date.status_code == 400 and "Enter a valid date" in not_a_date.content.decode()
    too_long = admin.get(f"/c/{center.pk}/reports/?since=2020-01-01&until=2026-03-01")
    assert too_long.status_code == 400 and "at most 731 days" in too_long.content.decode()


def test_account_and_campaign_reports(admin, center, book):
    html = page(admin, f"/c/{center.pk}/reports/accounts/{book.main.pk}/?{RANGE}")
    assert "Ad account Main ads" in html and "41.25" in html and "Other brand" not in html
    html = page(admin, f"/c/{center.pk}/reports/campaigns/{book.summer.pk}/?{RANGE}")
    assert "Campaign Summer teaser" in html and "4.50" in html
    assert "bar-chart" not in html  # one campaign: no bars to compare
    crumb = RANGE.replace("&", "&amp;")
    assert f'href="/c/{center.pk}/reports/accounts/{book.main.pk}/?{crumb}' in html
    page(admin, f"/c/{center.pk}/reports/accounts/999999/", 404)
    page(admin, f"/c/{center.pk}/reports/campaigns/999999/", 404)


def test_standard_member_sees_only_what_is_assigned_and_never_without_analytics(
        client, center, as_owner, book, make_user, quick_hashing):
    analyst = make_user("ana@agency.com")
    join(as_owner, center, analyst, modules=("ANALYTICS",), assets={book.main.pk: ["ANALYST"]})
    client.force_login(analyst)
    html = page(client, f"/c/{center.pk}/reports/?{RANGE}")
    assert "41.25" in html and "141.25" not in html and "Other brand" not in html
    assert ">Reports</a>" in html  # in the navigation
    assert "Load metrics" not in html  # the upload form is for Admins
    # An account not given to them is not found, like a made-up id: it is not named.
    hidden = page(client, f"/c/{center.pk}/reports/accounts/{book.second.pk}/", 404)
    assert "Second ads" not in hidden

    operator = make_user("op@agency.com")
    join(as_owner, center, operator, modules=("CAMPAIGNS",), assets={book.main.pk: ["OPERATOR"]})
    client.force_login(operator)
    refused = page(client, f"/c/{center.pk}/reports/?{RANGE}", 403)
    assert "Analytics module" in refused
    # Even with a bad range: the refusal comes first.
    page(client, f"/c/{center.pk}/reports/?since=x", 403)
    assert ">Reports</a>" not in page(client, f"/c/{center.pk}/")


def test_csv_export(admin, center, book):
    response = admin.get(f"/c/{center.pk}/reports/?{RANGE}&group=month&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="report-center-{center.pk}-2026-03-29-2026-04-06-month.csv"')
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("period_start,period_end,spend")
    assert lines[1].startswith("2026-03-29,2026-03-31,130.00")
    by_campaign = admin.get(f"/c/{center.pk}/reports/accounts/{book.main.pk}/?{RANGE}"
                            "&format=csv&by=campaign")
    assert "campaigns.csv" in by_campaign["Content-Disposition"]
    assert "Spring sale" in by_campaign.content.decode()
    bad = admin.get(f"/c/{center.pk}/reports/?since=2026-04-06&until=2026-03-01&format=csv")
    assert bad.status_code == 400 and bad["Content-Type"].startswith("text/html")


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("metrics.csv", text.encode(), content_type="text/csv")


def test_upload_loads_and_returns_to_the_report(admin, center, book):
    back = f"/c/{center.pk}/reports/accounts/{book.main.pk}/?{RANGE}"
    response = admin.post(f"/c/{center.pk}/reports/upload/", {
        "file": csv_file("campaign_id,date,spend,impressions,clicks,conversions\n"
                         f"{book.spring.pk},2026-04-02,8.00,800,8,1\n"),
        "next": back})
    assert response.status_code == 302 and response.url == back
    html = page(admin, back)
    assert "Loaded 1 rows for 1 campaign, 2026-04-02 to 2026-04-02: 1 new, 0 replaced." in html
    assert "49.25" in html


def test_upload_with_bad_rows_lists_them_and_loads_nothing(admin, center, book):
    count = DailyMetric.objects.count()
    response = admin.post(f"/c/{center.pk}/reports/upload/", {
        "file": csv_file("campaign_id,date,spend,impressions,clicks,conversions\n"
                         f"{book.spring.pk},2026-04-02,8.00,800,8,1\n"
                         f"{book.spring.pk},2026-04-03,eight,800,8,1\n")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was loaded" in html
    assert "Row 3: spend &#x27;eight&#x27; is not an amount" in html
    assert DailyMetric.objects.count() == count
    missing = admin.post(f"/c/{center.pk}/reports/upload/", {})
    assert missing.status_code == 400


def test_upload_page_is_for_admins(client, center, as_owner, book, make_user, quick_hashing):
    analyst = make_user("ana@agency.com")
    join(as_owner, center, analyst, modules=("ANALYTICS",), assets={book.main.pk: ["ADMIN"]})
    client.force_login(analyst)
    page(client, f"/c/{center.pk}/reports/upload/", 403)
    response = client.post(f"/c/{center.pk}/reports/upload/", {
        "file": csv_file("campaign_id,date,spend,impressions,clicks,conversions\n"
                         f"{book.spring.pk},2026-04-02,8.00,800,8,1\n")})
    assert response.status_code == 403


def test_admin_report_page_shows_the_upload_form(admin, center, book):
    html = page(admin, f"/c/{center.pk}/reports/?{RANGE}")
    assert 'enctype="multipart/form-data"' in html and "Load metrics" in html
    assert page(admin, f"/c/{center.pk}/reports/upload/").count('type="file"') == 1
