"""report(): sums by day, week and month, totals, derived metrics, and who sees what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bizcenter.access.snapshot import request_scope
from bizcenter.assets.services import create_asset, unassign
from bizcenter.centers.services import create_center
from bizcenter.core.errors import InvalidInput, NotAllowed, NotFound
from bizcenter.reporting.services import Figures, report, report_accounts
from tests.conftest import act, join
from tests.support.reporting import make_campaign, metric, share_with

RANGE = {"since": date(2026, 3, 29), "until": date(2026, 4, 6)}


def figures(row: Figures) -> tuple:
    return (row.spend, row.impressions, row.clicks, row.conversions)


def test_by_day_every_day_of_the_range_is_a_row_and_days_without_data_are_zero(
        center, as_owner, book):
    found = report(as_owner, center, **RANGE, group="day")
    assert [p.start for p in found.periods] == [date(2026, 3, 29 + i) for i in range(3)] + [
        date(2026, 4, d) for d in range(1, 7)]
    by_day = {p.start: figures(p) for p in found.periods}
    assert by_day[date(2026, 3, 29)] == (Decimal("0.00"), 0, 0, 0)
    assert by_day[date(2026, 3, 31)] == (Decimal("120.00"), 12000, 80, 5)
    assert by_day[date(2026, 4, 1)] == (Decimal("10.00"), 1000, 10, 3)
    assert all(p.start == p.end for p in found.periods)


def test_by_week_weeks_start_on_monday_and_are_cut_to_the_range(center, as_owner, book):
    found = report(as_owner, center, **RANGE, group="week")
    assert [(p.start, p.end) for p in found.periods] == [
        (date(2026, 3, 29), date(2026, 3, 29)),  # the Sunday that ends the week before
        (date(2026, 3, 30), date(2026, 4, 5)),
        (date(2026, 4, 6), date(2026, 4, 6)),
    ]
    assert [figures(p) for p in found.periods] == [
        (Decimal("0.00"), 0, 0, 0),
        (Decimal("140.00"), 14000, 100, 9),
        (Decimal("1.25"), 0, 0, 0),
    ]
    assert found.periods[1].label == "2026-03-30 to 2026-04-05"
    assert [(p.whole, p.days) for p in found.periods] == [(False, 1), (True, 7), (False, 1)]


def test_by_month(center, as_owner, book):
    found = report(as_owner, center, **RANGE, group="month")
    assert [(p.start, p.end, p.spend) for p in found.periods] == [
        (date(2026, 3, 29), date(2026, 3, 31), Decimal("130.00")),
        (date(2026, 4, 1), date(2026, 4, 6), Decimal("11.25")),
    ]
    assert not any(p.whole for p in found.periods)
    assert all(p.whole for p in report(as_owner, center, since="2026-03-01", until="2026-04-30",
                                       group="month").periods)


def test_totals_campaigns_and_accounts_agree_whatever_the_grouping(center, as_owner, book):
    totals = {group: figures(report(as_owner, center, **RANGE, group=group).totals)
              for group in ("day", "week", "month")}
    assert set(totals.values()) == {(Decimal("141.25"), 14000, 100, 9)}
    found = report(as_owner, center, **RANGE, group="month")
    assert sum((p.spend for p in found.periods), Decimal(0)) == found.totals.spend
    # Most spend first.
    assert [(c.name, c.spend) for c in found.campaigns] == [
        ("Other brand", Decimal("100.00")), ("Spring sale", Decimal("36.75")),
        ("Summer teaser", Decimal("4.50"))]
    assert [(a.name, a.spend, a.campaigns) for a in found.accounts] == [
        ("Second ads", Decimal("100.00"), 1), ("Main ads", Decimal("41.25"), 2)]


def test_the_range_limits_the_rows(center, as_owner, book):
    found = report(as_owner, center, since="2026-04-01", until="2026-04-01")
    assert figures(found.totals) == (Decimal("10.00"), 1000, 10, 3)
    assert {c.name for c in found.campaigns} == {"Spring sale", "Summer teaser"}


def test_derived_metrics_come_from_the_sums(center, as_owner, book):
    found = report(as_owner, center, **RANGE, group="month")
    totals = found.totals
    assert totals.ctr == Decimal("0.007143")  # 100 / 14000
    assert totals.ctr_percent == Decimal("0.71")
    assert totals.cpc == Decimal("1.41")  # 141.25 / 100
    assert totals.cpm == Decimal("10.09")  # 1000 * 141.25 / 14000
    assert totals.cpa == Decimal("15.69")  # 141.25 / 9


def test_derived_metrics_are_none_where_there_is_nothing_to_divide_by(center, as_owner, book):
    found = report(as_owner, center, since="2026-04-06", until="2026-04-06")
    [day] = found.periods
    assert day.spend == Decimal("1.25") and day.impressions == day.clicks == 0
    assert (day.ctr, day.cpc, day.cpm, day.cpa) == (None, None, None, None)
    empty = Figures()
    assert (empty.ctr, empty.ctr_percent, empty.cpc, empty.cpm, empty.cpa) == (None,) * 5
    # Conversions but no spend: free results cost 0, not "nothing".
    assert Figures(Decimal("0.00"), 10, 1, 1).cpa == Decimal("0.00")


def test_ad_account_and_campaign_scopes(center, as_owner, book):
    account = report(as_owner, center, scope="advertiser", id=book.main.pk, **RANGE)
    assert account.totals.spend == Decimal("41.25")
    assert [c.name for c in account.campaigns] == ["Spring sale", "Summer teaser"]
    assert account.accounts == []
    campaign = report(as_owner, center, scope="campaign", id=book.summer.pk, **RANGE)
    assert figures(campaign.totals) == (Decimal("4.50"), 500, 5, 2)
    assert campaign.subject.advertiser == book.main


def test_unknown_ids_are_404(center, as_owner, book, make_user):
    with pytest.raises(NotFound):
        report(as_owner, center, scope="advertiser", id=999999, **RANGE)
    with pytest.raises(NotFound):
        report(as_owner, center, scope="campaign", id="abc", **RANGE)
    # A campaign of another Business Center is not found here, not "not allowed".
    them = make_user("x@other.com")
    elsewhere = create_center(act(them), name="Other")
    theirs = make_campaign(create_asset(act(them), elsewhere, type="ADVERTISER", name="Theirs"),
                           "Their campaign")
    with pytest.raises(NotFound):
        report(as_owner, center, scope="campaign", id=theirs.pk, **RANGE)
    catalog = create_asset(as_owner, center, type="CATALOG", name="Spring catalog")
    with pytest.raises(NotFound):
        report(as_owner, center, scope="advertiser", id=catalog.pk, **RANGE)


# -- Who sees what ------------------------------------------------------------------------


def test_report_totals_exclude_campaigns_the_viewer_cannot_see(center, as_owner, book,
                                                                make_user):
    analyst = make_user("ana@agency.com")
    join(as_owner, center, analyst, modules=("ANALYTICS",),
         assets={book.main.pk: ["ANALYST"]})
    found = report(act(analyst), center, **RANGE, group="week")
    assert found.totals.spend == Decimal("41.25")  # not the 100.00 of Second ads
    assert figures(found.totals) == (Decimal("41.25"), 4000, 50, 4)
    assert sum((p.spend for p in found.periods), Decimal(0)) == Decimal("41.25")
    assert {c.name for c in found.campaigns} == {"Spring sale", "Summer teaser"}
    assert [a.name for a in found.accounts] == ["Main ads"]
    assert [a.name for a in report_accounts(act(analyst), center)] == ["Main ads"]
    # The account not assigned to them is not found, as an id that does not exist would
    # be: a refusal naming it would tell which ids are ad accounts, and their names.
    with pytest.raises(NotFound) as hidden:
        report(act(analyst), center, scope="advertiser", id=book.second.pk, **RANGE)
    assert hidden.value.message == f"No ad account with id {book.second.pk} in Brand Co."
    with pytest.raises(NotFound):
        report(act(analyst), center, scope="campaign", id=book.other.pk, **RANGE)


def test_standard_with_analytics_and_no_ad_account_sees_zero(center, as_owner, book, make_user):
    viewer = make_user("viewer@agency.com")
    join(as_owner, center, viewer, modules=("ANALYTICS",))
    found = report(act(viewer), center, **RANGE)
    # Nothing to see still reads in the Business Center's own currency.
    assert found.totals == Figures(currency="USD")
    assert found.campaigns == [] and found.accounts == []


def test_without_the_analytics_module_reports_are_refused_saying_why(center, as_owner, book,
                                                                     make_user):
    operator = make_user("op@agency.com")
    join(as_owner, center, operator, modules=("CAMPAIGNS",),
         assets={book.main.pk: ["OPERATOR"]})
    for query in ({}, {"scope": "advertiser", "id": book.main.pk},
                  {"scope": "campaign", "id": book.spring.pk}):
        with pytest.raises(NotAllowed) as refused:
            report(act(operator), center, **RANGE, **query)
        assert refused.value.code == "module_missing"
        assert "Analytics module" in refused.value.message


def test_outsiders_learn_nothing(center, book, make_user):
    with pytest.raises(NotFound):
        report(act(make_user("stranger@else.com")), center, **RANGE)


def test_a_revoked_grant_takes_the_numbers_away_at_once(center, as_owner, book, make_user):
    analyst = make_user("ana@agency.com")
    member = join(as_owner, center, analyst, modules=("ANALYTICS",),
                  assets={book.main.pk: ["ANALYST"], book.second.pk: ["ANALYST"]})
    assert report(act(analyst), center, **RANGE).totals.spend == Decimal("141.25")
    unassign(as_owner, center, member.pk, book.second.pk)
    assert report(act(analyst), center, **RANGE).totals.spend == Decimal("41.25")


def test_a_partner_shared_ad_account_is_in_the_partners_admin_report(center, as_owner, book,
                                                                     make_user):
    boss = make_user("boss@agency.com")
    agency = create_center(act(boss), name="Agency")
    own = make_campaign(create_asset(act(boss), agency, type="ADVERTISER", name="Agency ads"),
                        "Agency own")
    metric(own, "2026-04-02", "7.00", 700, 7, 1)
    # Before sharing: only the agency's own numbers.
    assert report(act(boss), agency, **RANGE).totals.spend == Decimal("7.00")
    share_with(center, agency, book.main)
    found = report(act(boss), agency, **RANGE)
    assert found.totals.spend == Decimal("48.25")  # 7.00 + Main ads' 41.25, not Second ads
    assert {a.name for a in found.accounts} == {"Agency ads", "Main ads"}
    shared = report(act(boss), agency, scope="advertiser", id=book.main.pk, **RANGE)
    assert shared.totals.spend == Decimal("41.25")
    # The agency's Standard member without the account assigned sees none of it.
    staff = make_user("staff@agency.com")
    join(act(boss), agency, staff, modules=("ANALYTICS",))
    assert report(act(staff), agency, **RANGE).totals.spend == Decimal("0.00")
    with pytest.raises(NotFound):
        report(act(staff), agency, scope="advertiser", id=book.main.pk, **RANGE)
    # The owner's own report is unchanged by the share.
    assert report(as_owner, center, **RANGE).totals.spend == Decimal("141.25")


def test_other_business_centers_rows_never_count(center, as_owner, book, make_user):
    boss = make_user("boss@agency.com")
    agency = create_center(act(boss), name="Agency")
    theirs = make_campaign(create_asset(act(boss), agency, type="ADVERTISER", name="Theirs"),
                           "Theirs")
    metric(theirs, "2026-03-31", "999.00", 1, 1, 1)
    assert report(as_owner, center, **RANGE).totals.spend == Decimal("141.25")


# -- Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(("since", "until", "field", "words"), [
    ("2026-04-06", "2026-03-29", "since", "after the end date"),
    ("2024-01-01", "2026-01-01", "until", "at most 731 days"),
    ("2026-02-30", "2026-03-01", "since", "not a date"),
    ("", "2026-03-01", "since", "start date"),
    ("2026-03-01", None, "until", "end date"),
])
def test_bad_ranges_are_refused_with_the_fix(center, as_owner, book, since, until, field,
                                             words):
    with pytest.raises(InvalidInput) as refused:
        report(as_owner, center, since=since, until=until)
    assert field in refused.value.fields
    assert words in refused.value.message


def test_two_years_is_the_longest_range(center, as_owner, book):
    found = report(as_owner, center, since="2024-04-06", until="2026-04-06", group="month")
    assert found.days == 731 and len(found.periods) == 25


def test_unknown_grouping_and_scope(center, as_owner, book):
    with pytest.raises(InvalidInput) as group:
        report(as_owner, center, **RANGE, group="year")
    assert group.value.fields == {"group": "day, week or month"}
    with pytest.raises(InvalidInput) as scope:
        report(as_owner, center, **RANGE, scope="planet")
    assert "scope" in scope.value.fields


def test_refusal_comes_before_range_checks(center, as_owner, book, make_user):
    """A viewer who may not see the report is not told what is wrong with their dates."""
    operator = make_user("op@agency.com")
    join(as_owner, center, operator, modules=("CAMPAIGNS",))
    with pytest.raises(NotAllowed):
        report(act(operator), center, since="2026-04-06", until="2020-01-01")


def test_queries_do_not_grow_with_campaigns_or_days(center, as_owner, book):
    def count() -> int:
        with request_scope(), CaptureQueriesContext(connection) as captured:
            report(as_owner, center, since="2026-01-01", until="2026-12-31", group="week")
        return len(captured)

    before = count()
    for i in range(20):
        campaign = make_campaign(book.second, f"More {i}")
        for day in ("2026-02-01", "2026-05-01", "2026-09-01"):
            metric(campaign, day, "1.00", 10, 1, 0)
    assert count() == before
