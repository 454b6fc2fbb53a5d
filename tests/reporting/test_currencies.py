"""Money stays in its currency: an agency in GBP shown a brand's EUR ad account gets a
total per currency, and every amount names the currency of the ad account's owner, in
the service, on the page and in the CSV. One currency still looks as it always did."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.test import Client

from bizcenter.assets.services import assign
from bizcenter.reporting.services import (
    Figures,
    MixedCurrencies,
    export_csv,
    report,
)
from tests.conftest import act, join
from tests.support.reporting import Currencies, build_currencies

RANGE = {"since": "2026-03-30", "until": "2026-03-31"}
QUERY = "since=2026-03-30&until=2026-03-31"


@pytest.fixture
def world(make_user) -> Currencies:
    return build_currencies(make_user)


@pytest.fixture
def boss_browser(client: Client, world, quick_hashing) -> Client:
    client.force_login(world.boss)
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# -- The service ---------------------------------------------------------------------------


def test_an_agency_gets_a_part_per_currency_its_own_first(world):
    found = report(act(world.boss), world.agency, **RANGE)
    assert found.currencies == ["GBP", "EUR"]
    gbp, eur = found.parts
    assert (gbp.totals.spend, gbp.totals.currency) == (Decimal("56.00"), "GBP")
    assert (eur.totals.spend, eur.totals.currency) == (Decimal("1234.00"), "EUR")
    # Derived money metrics are per currency, from that currency's own counts.
    assert (eur.totals.cpc, eur.totals.cpm, eur.totals.cpa) == (
        Decimal("2.06"), Decimal("10.28"), Decimal("51.42"))
    assert (gbp.totals.cpc, gbp.totals.cpm, gbp.totals.cpa) == (
        Decimal("0.80"), Decimal("8.00"), Decimal("8.00"))
    assert (eur.totals.impressions, eur.totals.clicks, eur.totals.conversions) == (
        120_000, 600, 24)
    # Each currency has every day of the range, and its own sums on them.
    assert [(p.start.day, p.spend, p.currency) for p in eur.periods] == [
        (30, Decimal("1000.00"), "EUR"), (31, Decimal("234.00"), "EUR")]
    assert [(p.start.day, p.spend, p.currency) for p in gbp.periods] == [
        (30, Decimal("0.00"), "GBP"), (31, Decimal("56.00"), "GBP")]


def test_every_campaign_and_account_row_names_its_owners_currency(world):
    found = report(act(world.boss), world.agency, **RANGE)
    assert [(c.name, c.spend, c.currency) for c in found.campaigns] == [
        ("Agency own", Decimal("56.00"), "GBP"), ("Brand push", Decimal("1234.00"), "EUR")]
    assert [(a.name, a.spend, a.currency) for a in found.accounts] == [
        ("Agency ads", Decimal("56.00"), "GBP"), ("Brand EU ads", Decimal("1234.00"), "EUR")]


def test_there_is_no_single_total_of_two_currencies(world):
    found = report(act(world.boss), world.agency, **RANGE)
    with pytest.raises(MixedCurrencies, match="GBP, EUR"):
        found.totals  # noqa: B018 - the property is what is under test
    with pytest.raises(MixedCurrencies):
        found.periods  # noqa: B018
    with pytest.raises(MixedCurrencies, match="Cannot add EUR to GBP"):
        Figures(Decimal("1.00"), currency="GBP").plus(Figures(Decimal("1.00"),
                                                              currency="EUR"))


def test_the_shared_account_alone_is_in_its_owners_currency(world):
    """Seen from the GBP agency, the brand's ad account and campaign are in EUR."""
    for scope, id in (("advertiser", world.brand_ads.pk), ("campaign", world.push.pk)):
        found = report(act(world.boss), world.agency, scope=scope, id=id, **RANGE)
        assert found.currencies == ["EUR"]
        assert (found.totals.spend, found.totals.currency) == (Decimal("1234.00"), "EUR")


def test_the_owner_and_a_member_given_only_the_shared_account_see_one_currency(
        world, make_user):
    assert report(act(world.brand_owner), world.brand, **RANGE).currencies == ["EUR"]
    staff = make_user("sam@agency.co.uk")
    member = join(act(world.boss), world.agency, staff, modules=("ANALYTICS",))
    assign(act(world.boss), world.agency, member.pk, world.brand_ads.pk, "ANALYST")
    found = report(act(staff), world.agency, **RANGE)
    assert found.currencies == ["EUR"]
    assert found.totals == Figures(Decimal("1234.00"), 120_000, 600, 24, "EUR")


# -- The page ------------------------------------------------------------------------------


def test_the_page_shows_a_total_per_currency_and_never_their_sum(world, boss_browser):
    html = page(boss_browser, f"/c/{world.agency.pk}/reports/?{QUERY}")
    assert "amounts in each ad account's own currency (GBP, EUR), never added" in html
    totals = html[html.index('id="totals-heading"'):html.index("</section>")]
    assert 'aria-label="Totals in GBP"' in totals and 'aria-label="Totals in EUR"' in totals
    assert "<dt>Spend</dt><dd>56.00 GBP</dd>" in totals
    assert "<dt>Spend</dt><dd>1,234.00 EUR</dd>" in totals
    assert "<dt>CPA</dt><dd>51.42 EUR</dd>" in totals
    assert "1,290.00" not in html  # 1,234.00 + 56.00 added up in one currency
    # A chart, a bar chart and a table per currency, each saying which.
    assert html.count('<svg class="line-chart"') == 2
    assert "Spend and conversions by day · ad accounts in EUR, 2026-03-30" in html
    assert "(left axis, EUR)" in html and "(left axis, GBP)" in html
    assert "<title>Brand push: 1,234.00 EUR</title>" in html
    assert "<title>Agency own: 56.00 GBP</title>" in html
    assert '<h2 id="periods-heading-eur">By day · ad accounts in EUR</h2>' in html
    # The total row of each currency's table.
    assert re.search(r'<tr class="total"><th scope="row">Total</th><td>1,234.00 EUR</td>', html)
    assert re.search(r'<tr class="total"><th scope="row">Total</th><td>56.00 GBP</td>', html)
    # Account and campaign rows say their currency.
    assert re.search(r"Brand EU ads</a></th><td>1</td><td>EUR</td><td>1,234.00</td>", html)
    assert re.search(r"Agency own</a></th><td>Agency ads</td><td>GBP</td><td>56.00</td>", html)
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # every chart's title and description stays its own


def test_one_currency_looks_as_it_always_did_in_the_right_currency(world, boss_browser,
                                                                   make_user):
    # The shared EUR account seen from the GBP agency: in EUR, nothing says GBP.
    html = page(boss_browser, f"/c/{world.agency.pk}/reports/accounts/{world.brand_ads.pk}/"
                f"?{QUERY}")
    assert "amounts in EUR</p>" in html and "GBP" not in html
    assert "<dt>Spend</dt><dd>1,234.00</dd>" in html  # the heading names the currency
    assert "(left axis, EUR)" in html and "<title>Brand push: 1,234.00 EUR</title>" in html
    assert 'id="trend-title"' in html and "Totals by currency" not in html
    assert '<th scope="col">Currency</th>' not in html
    # The brand's own report: its currency, one part.
    brand = Client()
    brand.force_login(world.brand_owner)
    html = page(brand, f"/c/{world.brand.pk}/reports/?{QUERY}")
    assert "amounts in EUR</p>" in html and html.count('<svg class="line-chart"') == 1


# -- The CSV -------------------------------------------------------------------------------


def test_the_csv_has_a_currency_column_and_a_row_per_period_and_currency(world):
    by_day = rows_of(export_csv(act(world.boss), world.agency, **RANGE))
    assert [(r["period_start"], r["currency"], r["spend"]) for r in by_day] == [
        ("2026-03-30", "GBP", "0.00"), ("2026-03-31", "GBP", "56.00"),
        ("2026-03-30", "EUR", "1000.00"), ("2026-03-31", "EUR", "234.00")]
    by_campaign = rows_of(export_csv(act(world.boss), world.agency, by="campaign", **RANGE))
    assert [(r["campaign"], r["currency"], r["spend"], r["cpa"]) for r in by_campaign] == [
        ("Agency own", "GBP", "56.00", "8.00"), ("Brand push", "EUR", "1234.00", "51.42")]


def test_the_page_csv_link_downloads_the_same_currency_column(world, boss_browser):
    response = boss_browser.get(f"/c/{world.agency.pk}/reports/?{QUERY}&format=csv&by=campaign")
    assert response.status_code == 200
    rows = rows_of(response.content.decode())
    assert {(r["campaign"], r["currency"]) for r in rows} == {("Agency own", "GBP"),
                                                              ("Brand push", "EUR")}
