"""Reports in a real browser: an Admin reads the Business Center's report with its
charts, regroups it by week, mistypes a range, drills into an ad account and
exports a CSV; a Standard member with Analytics sees only their ad account's
numbers."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from bizcenter.assets.services import create_asset
from bizcenter.campaigns.models import Campaign
from bizcenter.invitations.services import Grant
from bizcenter.reporting.demo_data import seed_metrics
from bizcenter.reporting.services import report, today_in
from tests.conftest import act
from tests.support.browser import SHOTS, join, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAMPAIGNS = [
    # account, name, objective, daily budget, status
    ("Brand US", "Spring sale — US", "CONVERSIONS", "420", "ENABLE"),
    ("Brand US", "App installs always-on", "APP_PROMOTION", "260", "ENABLE"),
    ("Brand US", "Retargeting 30d", "CONVERSIONS", "140", "ENABLE"),
    ("Brand US", "Brand awareness Q1", "REACH", "300", "DISABLE"),
    ("Brand EU", "Spring sale — EU", "CONVERSIONS", "220", "ENABLE"),
    ("Brand EU", "Newsletter leads", "LEAD_GENERATION", "90", "ENABLE"),
]


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def test_report_page_with_its_chart(new_page, owner, center, make_user):
    accounts = {name: create_asset(act(owner), center, type="ADVERTISER", name=name)
                for name in ("Brand US", "Brand EU")}
    for account, name, objective, budget, status in CAMPAIGNS:
        Campaign.objects.create(advertiser=accounts[account], name=name, objective=objective,
                                budget=Decimal(budget), status=status)
    seed_metrics(center, days=90)
    analyst = make_user("ana@agency.com", name="Ana Lyst")
    join(owner, center, analyst, Grant(kind="agency", modules=("ANALYTICS",),
                                       assets={accounts["Brand EU"].pk: ["ANALYST"]}))
    today = today_in(center)
    everything = report(act(owner), center, since=today - timedelta(days=29), until=today)
    eu_only = report(act(analyst), center, since=today - timedelta(days=29), until=today)
    assert eu_only.totals.spend < everything.totals.spend
    assert len(everything.campaigns) >= 5  # the enabled ones ran every day

    # -- The Admin: Reports, from the Business Center's navigation ------------------------
    admin = new_page()
    problems: list[str] = []
    admin.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    log_in(admin, "owner@brand.com")
    admin.goto(f"/c/{center.pk}/")
    admin.get_by_role("navigation", name="Brand Co").get_by_role("link", name="Reports").click()
    expect(admin.get_by_role("heading", name="Reports · Brand Co")).to_be_visible()
    expect(admin.get_by_label("Group by")).to_have_value("day")
    # The line chart: an image named by its title, drawn with one point per day.
    trend = admin.get_by_role("img", name=re.compile(r"^Spend and conversions by day"))
    expect(trend).to_be_visible()
    box = trend.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 150
    path = admin.locator("svg.line-chart path.line.spend").get_attribute("d") or ""
    assert path.count("L") == 29  # 30 days
    expect(admin.locator("svg.line-chart path.line.conversions")).to_have_count(1)
    # The bar chart, a bar per campaign, and the same numbers in the totals.
    expect(admin.get_by_role("img", name=re.compile(r"^Spend by campaign"))).to_be_visible()
    # A bar per campaign that spent in the range (the paused one may have stopped before
    # it: the demo numbers depend on the campaign's id).
    expect(admin.locator("svg.bar-chart rect.bar")).to_have_count(len(everything.campaigns))
    totals = admin.locator("dl.totals > div").filter(has=admin.get_by_text("Spend", exact=True))
    expect(totals.locator("dd")).to_have_text(money(everything.totals.spend))

    # -- A quarter by week -------------------------------------------------------------
    admin.get_by_label("From", exact=True).fill(str(today - timedelta(days=83)))
    admin.get_by_label("Group by").select_option("week")
    admin.get_by_role("button", name="Show").click()
    expect(admin).to_have_url(re.compile(r"group=week"))
    expect(admin.get_by_role("img", name=re.compile(r"^Spend and conversions by week"))
           ).to_be_visible()
    expect(admin.get_by_role("heading", name="By week", exact=True)).to_be_visible()
    expect(admin.get_by_label("From", exact=True)).to_have_value(str(today - timedelta(days=83)))
    assert admin.locator("svg.line-chart circle").count() == 2 * 13  # markers, 13 weeks
    shot(admin, "report")
    # For the README: down to the end of the bar chart, so both charts show.
    bars = admin.locator("section").filter(has=admin.locator("svg.bar-chart")).bounding_box()
    assert bars is not None
    admin.screenshot(path=str(SHOTS / "docs" / "report.png"), full_page=True, clip={
        "x": 0, "y": 0, "width": 1280, "height": bars["y"] + bars["height"] + 24})
    assert not [p for p in problems if "Content Security Policy" in p], problems

    # -- A range the wrong way round: said, and the dates stay as typed -------------------
    admin.get_by_label("From", exact=True).fill(str(today))
    admin.get_by_label("To", exact=True).fill(str(today - timedelta(days=7)))
    admin.get_by_role("button", name="Show").click()
    expect(admin.get_by_role("alert")).to_contain_text("swap them")
    expect(admin.get_by_label("From", exact=True)).to_have_value(str(today))
    expect(admin.locator("svg.line-chart")).to_have_count(0)

    # -- An ad account's report, and its CSV -------------------------------------------------
    admin.get_by_role("link", name="Last 30 days").click()
    admin.get_by_role("link", name="Brand US", exact=True).click()
    expect(admin.get_by_role("heading", name="Ad account Brand US")).to_be_visible()
    us_spent = [c for c in everything.campaigns if c.name in {n for a, n, *_ in CAMPAIGNS
                                                               if a == "Brand US"}]
    expect(admin.locator("svg.bar-chart rect.bar")).to_have_count(len(us_spent))
    with admin.expect_download() as download:
        admin.get_by_role("link", name="Export CSV by campaign").click()
    text = download.value.path().read_text()
    assert text.startswith("campaign_id,campaign,ad_account_id,ad_account,spend")
    assert "Spring sale — US" in text and "Spring sale — EU" not in text

    # -- A Standard member with Analytics: only the ad account assigned to them -----------
    partner = new_page()
    log_in(partner, "ana@agency.com")
    partner.goto(f"/c/{center.pk}/")
    partner.get_by_role("link", name="Reports").click()
    # The wide drawing (a phone-sized one sits beside it, shown by CSS on phones only).
    expect(partner.locator("svg.line-chart")).to_be_visible()
    expect(partner.locator("svg.line-chart > title")).to_have_text(
        re.compile(r"^Spend and conversions"))
    totals = partner.locator("dl.totals > div").filter(
        has=partner.get_by_text("Spend", exact=True))
    expect(totals.locator("dd")).to_have_text(money(eu_only.totals.spend))
    expect(partner.get_by_text("Brand US")).to_have_count(0)
    expect(partner.get_by_role("heading", name="Load metrics")).to_have_count(0)
