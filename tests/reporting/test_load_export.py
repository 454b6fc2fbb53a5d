"""Loading metrics (CSV and rows), exporting reports as CSV, and the demo's numbers."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import create_center
from bizcenter.core.errors import InvalidInput, NotAllowed
from bizcenter.reporting.demo_data import seed_metrics
from bizcenter.reporting.models import DailyMetric
from bizcenter.reporting.services import (
    RowsRejected,
    export_csv,
    import_metrics,
    load_metrics,
    report,
    today_in,
)
from tests.conftest import act, join
from tests.support.reporting import make_campaign

HEADER = "campaign_id,date,spend,impressions,clicks,conversions\n"


def upload(text: str) -> bytes:
    return text.encode()


def test_import_writes_every_row_and_logs_the_counts(center, as_owner, book):
    before = DailyMetric.objects.count()
    done = import_metrics(as_owner, center, upload(
        HEADER
        + f"{book.spring.pk},2026-04-07,12.34,1200,12,2\n"
        + f"{book.summer.pk},2026-04-07,0,0,0,0\n"
        + f"{book.other.pk},2026-04-08,7.5,100,3,1\n"))
    assert (done.rows, done.created, done.updated, done.campaigns) == (3, 3, 0, 3)
    assert (done.first_day, done.last_day) == (date(2026, 4, 7), date(2026, 4, 8))
    assert DailyMetric.objects.count() == before + 3
    row = DailyMetric.objects.get(campaign=book.other, day=date(2026, 4, 8))
    # The ad account and Business Center are copied from the campaign.
    assert (row.advertiser_id, row.center_id, row.spend) == (book.second.pk, center.pk,
                                                             Decimal("7.50"))
    event = AuditEvent.objects.get(action="metrics.imported")
    assert event.center == center and event.actor == as_owner.user
    assert event.after == {"source": "csv", "rows": 3, "created": 3, "updated": 0,
                           "campaigns": 3, "from": "2026-04-07", "to": "2026-04-08"}


def test_loading_a_day_again_replaces_it(center, as_owner, book):
    done = import_metrics(as_owner, center, upload(
        HEADER + f"{book.spring.pk},2026-03-30,99.99,9999,99,9\n"
        + f"{book.spring.pk},2026-04-02,1.00,10,1,0\n"))
    assert (done.created, done.updated) == (1, 1)
    row = DailyMetric.objects.get(campaign=book.spring, day=date(2026, 3, 30))
    assert (row.spend, row.impressions, row.clicks, row.conversions) == (
        Decimal("99.99"), 9999, 99, 9)
    assert DailyMetric.objects.filter(campaign=book.spring, day=date(2026, 3, 30)).count() == 1


def test_columns_in_any_order_any_case_with_extra_columns_bom_and_blank_lines(center, as_owner,
                                                                            book):
    text = ("\ufeffNote, Conversions ,Clicks,IMPRESSIONS,Spend,Date,Campaign_ID\n"
            f"hi,1,2,300,4.00,2026-04-07,{book.spring.pk}\n\n,,,,,,\n")
    done = import_metrics(as_owner, center, text.encode())
    assert done.rows == 1
    row = DailyMetric.objects.get(campaign=book.spring, day=date(2026, 4, 7))
    assert (row.spend, row.impressions, row.clicks, row.conversions) == (
        Decimal("4.00"), 300, 2, 1)


def test_one_bad_row_writes_nothing_and_every_problem_is_named_by_row(center, as_owner, book,
                                                                     make_user):
    stranger = make_user("boss@agency.com")
    theirs = make_campaign(create_asset(act(stranger), create_center(act(stranger), name="Ag"),
                                        type="ADVERTISER", name="Theirs"), "Theirs")
    tomorrow_plus = today_in(center) + timedelta(days=3)
    before = list(DailyMetric.objects.order_by("pk").values_list("pk", "spend"))
    events = AuditEvent.objects.count()
    with pytest.raises(RowsRejected) as refused:
        import_metrics(as_owner, center, upload(
            HEADER
            + f"{book.spring.pk},2026-04-07,12.34,1200,12,2\n"      # row 2: fine
            + f"{book.spring.pk},2026-04-31,abc,-5,1.5,\n"         # row 3: four problems
            + f"{theirs.pk},2026-04-07,1,1,1,1\n"                  # row 4: not ours
            + f"{book.spring.pk},2026-04-07,1,1,1,1\n"             # row 5: same as row 2
            + f"{book.summer.pk},{tomorrow_plus},1.001,1,1,1\n"    # row 6: future, 3 decimals
            + "x,2026-04-07,1,1,1,1\n"                              # row 7
            + f"{book.summer.pk},2026-04-07\n"))                    # row 8: short row
    problems = refused.value.problems
    assert [p.split(":")[0] for p in problems] == ["Row 3", "Row 4", "Row 5", "Row 6", "Row 7",
                                                   "Row 8"]
    assert problems[0] == ("Row 3: date '2026-04-31' is not a date; write it as YYYY-MM-DD; "
                           "spend 'abc' is not an amount: write digits with a dot for the "
                           "decimals, e.g. 25.50; impressions '-5' is not a whole number of 0 "
                           "or more; clicks '1.5' is not a whole number of 0 or more; "
                           "conversions is missing.")
    assert f"campaign {theirs.pk} is not in an ad account of Brand Co" in problems[1]
    assert "is also on row 2" in problems[2]
    assert "is in the future" in problems[3] and "more than 2 decimals" in problems[3]
    assert "campaign_id 'x' is not a number" in problems[4]
    assert "spend is missing" in problems[5]
    assert refused.value.status == 400
    assert refused.value.message.startswith("Nothing was imported: 6 of 7 rows need fixing.")
    assert list(DailyMetric.objects.order_by("pk").values_list("pk", "spend")) == before
    assert AuditEvent.objects.count() == events


def test_a_long_list_of_problems_is_cut_and_counted(center, as_owner, book):
    rows = "".join(f"{book.spring.pk},bad,1,1,1,1\n" for _ in range(80))
    with pytest.raises(RowsRejected) as refused:
        import_metrics(as_owner, center, upload(HEADER + rows))
    assert len(refused.value.problems) == 51
    assert refused.value.problems[-1] == "… and 30 more."


@pytest.mark.parametrize(("content", "words"), [
    (b"", "The file is empty"),
    (b"campaign_id,date,spend\n1,2026-01-01,1\n", "missing: impressions, clicks, conversions"),
    (HEADER.encode(), "There are no rows"),
    ("campaign_id;date\n".encode("utf-16"), "not UTF-8"),
])
def test_files_that_are_not_metrics(center, as_owner, book, content, words):
    with pytest.raises(InvalidInput) as refused:
        import_metrics(as_owner, center, content)
    assert words in refused.value.message
    assert "file" in refused.value.fields


def test_too_many_rows(center, as_owner, book, settings):
    settings.BIZCENTER_MAX_METRIC_ROWS = 2
    rows = "".join(f"{book.spring.pk},2026-04-0{d},1,1,1,1\n" for d in (7, 8, 9))
    with pytest.raises(InvalidInput) as refused:
        import_metrics(as_owner, center, upload(HEADER + rows))
    assert "At most 2 rows" in refused.value.message


def test_only_admins_load_metrics(center, as_owner, book, make_user):
    operator = make_user("op@agency.com")
    join(as_owner, center, operator, modules=("ANALYTICS", "CAMPAIGNS"),
         assets={book.main.pk: ["ADMIN"]})
    with pytest.raises(NotAllowed) as refused:
        import_metrics(act(operator), center,
                       upload(HEADER + f"{book.spring.pk},2026-04-07,1,1,1,1\n"))
    assert "Only Admins" in refused.value.message


def test_a_partner_cannot_load_numbers_into_a_shared_account(center, as_owner, book, make_user):
    from tests.support.reporting import share_with

    boss = make_user("boss@agency.com")
    agency = create_center(act(boss), name="Agency")
    share_with(center, agency, book.main, ("ADMIN",))
    with pytest.raises(RowsRejected) as refused:
        import_metrics(act(boss), agency,
                       upload(HEADER + f"{book.spring.pk},2026-04-07,1,1,1,1\n"))
    assert "is not in an ad account of Agency" in refused.value.problems[0]


def test_load_metrics_takes_rows_from_any_door(center, as_owner, book):
    done = load_metrics(as_owner, center, [
        (1, {"campaign_id": book.spring.pk, "date": "2026-04-07", "spend": "3.00",
             "impressions": 30, "clicks": 3, "conversions": 0})], source="api")
    assert done.rows == 1
    assert AuditEvent.objects.get(action="metrics.imported").after["source"] == "api"


# -- Export -------------------------------------------------------------------------------


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_export_by_period_and_by_campaign(center, as_owner, book):
    span = {"since": "2026-03-29", "until": "2026-04-06"}
    by_week = rows_of(export_csv(as_owner, center, group="week", **span))
    assert by_week[0] == ["period_start", "period_end", "spend", "impressions", "clicks",
                          "conversions", "ctr", "cpc", "cpm", "cpa", "currency"]
    assert by_week[1:] == [
        ["2026-03-29", "2026-03-29", "0.00", "0", "0", "0", "", "", "", "", "USD"],
        ["2026-03-30", "2026-04-05", "140.00", "14000", "100", "9", "0.007143", "1.40",
         "10.00", "15.56", "USD"],
        ["2026-04-06", "2026-04-06", "1.25", "0", "0", "0", "", "", "", "", "USD"],
    ]
    by_campaign = rows_of(export_csv(as_owner, center, by="campaign", **span))
    assert by_campaign[0][:4] == ["campaign_id", "campaign", "ad_account_id", "ad_account"]
    assert [r[1] for r in by_campaign[1:]] == ["Other brand", "Spring sale", "Summer teaser"]
    assert by_campaign[1][2:5] == [str(book.second.pk), "Second ads", "100.00"]


def test_export_defuses_formulas_in_names(center, as_owner, book):
    book.spring.name = '=HYPERLINK("http://evil.example","click")'
    book.spring.save()
    book.main.name = "+cmd|' /C calc'!A0"
    book.main.save()
    text = export_csv(as_owner, center, by="campaign", since="2026-03-29", until="2026-04-06")
    [row] = [r for r in rows_of(text) if r[0] == str(book.spring.pk)]
    assert row[1] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert row[3] == "'+cmd|' /C calc'!A0"
    assert not any(cell[:1] in "=+-@" for r in rows_of(text) for cell in r if cell)


def test_export_is_what_the_viewer_may_see(center, as_owner, book, make_user):
    analyst = make_user("ana@agency.com")
    join(as_owner, center, analyst, modules=("ANALYTICS",), assets={book.main.pk: ["ANALYST"]})
    text = export_csv(act(analyst), center, by="campaign", since="2026-03-29",
                      until="2026-04-06")
    assert "Other brand" not in text and "Spring sale" in text
    with pytest.raises(InvalidInput):
        export_csv(as_owner, center, by="planet", since="2026-03-29", until="2026-04-06")


# -- Demo ---------------------------------------------------------------------------------


def test_demo_metrics_are_plausible_and_the_same_every_time(center, as_owner, book):
    book.summer.status = "DISABLE"
    book.summer.save()
    DailyMetric.objects.all().delete()
    first = seed_metrics(center, days=90)
    assert first is not None and first.campaigns == 3
    assert first.last_day == today_in(center)
    assert first.first_day == today_in(center) - timedelta(days=89)
    numbers = list(DailyMetric.objects.order_by("campaign_id", "day").values_list(
        "campaign_id", "day", "spend", "impressions", "clicks", "conversions"))
    again = seed_metrics(center, days=90)
    assert again is not None and again.created == 0 and again.updated == first.rows
    assert list(DailyMetric.objects.order_by("campaign_id", "day").values_list(
        "campaign_id", "day", "spend", "impressions", "clicks", "conversions")) == numbers
    # The paused campaign stopped before today; the others ran every day.
    assert DailyMetric.objects.filter(campaign=book.spring).count() == 90
    assert DailyMetric.objects.filter(campaign=book.summer).count() < 90
    for _, _, spend, impressions, clicks, conversions in numbers:
        assert spend >= 0 and impressions >= clicks >= conversions >= 0
    found = report(as_owner, center, since=first.first_day, until=first.last_day,
                   group="week")
    totals = found.totals
    assert totals.ctr is not None and Decimal("0.002") < totals.ctr < Decimal("0.03")
    assert totals.cpm is not None and Decimal("1") < totals.cpm < Decimal("15")


def test_demo_without_campaigns_does_nothing(center):
    assert seed_metrics(center) is None
