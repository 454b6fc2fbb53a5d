"""Reports over daily metrics, loading the metrics, and the report as CSV.

A report sums only the ad accounts the caller may see (the access engine's
``report.view``): Admins see every ad account of the Business Center and those
partners share with it; Standard members with the Analytics module see those
assigned to them; anyone else is refused (403) with the reason. Totals are the
sum of the campaign rows, so no total includes a campaign the caller cannot open.

Money stays in its currency: the one of the Business Center that owns the ad
account, which for an account a partner shares is not the caller's. Every row
carries its ``currency``; totals come per currency in ``totals_by_currency``.
The report's single ``currency`` and ``totals`` are kept for the common case of
one currency, and are null when the ad accounts are in several: there is no
total of EUR and GBP to give.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.errors import ValidationError as RequestInvalid
from pydantic import Field, ValidationError

from bizcenter.api.auth import actor, center
from bizcenter.api.idempotency import once
from bizcenter.api.schemas import (
    ERRORS,
    Schema,
    Text,
    money,
)
from bizcenter.core.errors import InvalidInput
from bizcenter.reporting import services
from bizcenter.reporting.services import Figures, LoadResult, Report

router = Router(tags=["Reports"])


def ratio(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class FiguresOut(Schema):
    spend: str  # in ``currency``, 2 decimals
    impressions: int
    clicks: int
    conversions: int
    ctr: str | None  # clicks / impressions as a fraction (0.012345 is 1.23 %); None: no data
    cpc: str | None  # cost per click
    cpm: str | None  # cost per thousand impressions
    cpa: str | None  # cost per conversion
    # ISO 4217 code of spend, CPC, CPM and CPA: the currency of the Business Center that
    # owns the ad accounts summed (a partner's for an account it shares). Counts beside
    # it are those of the same accounts, so CTR and CPC never mix two currencies.
    currency: str

    @staticmethod
    def values(f: Figures) -> dict[str, Any]:
        return {"spend": money(f.spend), "impressions": f.impressions, "clicks": f.clicks,
                "conversions": f.conversions, "ctr": ratio(f.ctr), "cpc": money(f.cpc),
                "cpm": money(f.cpm), "cpa": money(f.cpa), "currency": f.currency}


class PeriodOut(FiguresOut):
    start: date
    end: date  # included
    whole: bool  # False when the range cuts the week or month short


class CampaignRowOut(FiguresOut):
    campaign_id: str
    name: str
    status: str
    advertiser_id: str
    advertiser_name: str


class AccountRowOut(FiguresOut):
    advertiser_id: str
    name: str
    campaigns: int  # campaigns with numbers in the range


class ReportOut(Schema):
    scope: str  # center, advertiser or campaign
    title: str
    advertiser_id: str | None
    campaign_id: str | None
    since: date
    until: date
    group: str
    days: int
    # The currency of every amount when there is one; null when the ad accounts are in
    # several (read totals_by_currency and each row's currency).
    currency: str | None
    totals: FiguresOut | None  # null when there are several currencies: no sum of them
    # One per currency, the Business Center's own first: what totals is, per currency.
    totals_by_currency: list[FiguresOut]
    # Every period of the range, zero where there is no data; with several currencies,
    # every period once per currency (in totals_by_currency's order), never added up.
    periods: list[PeriodOut]
    campaigns: list[CampaignRowOut]  # by currency as totals_by_currency, most spend first
    accounts: list[AccountRowOut]  # per ad account, for a Business Center report

    @staticmethod
    def of(r: Report) -> ReportOut:
        s = r.subject
        totals = [FiguresOut(**FiguresOut.values(part.totals)) for part in r.parts]
        one = len(totals) == 1
        return ReportOut(
            scope=s.scope, title=s.title,
            advertiser_id=str(s.advertiser.pk) if s.advertiser else None,
            campaign_id=str(s.campaign.pk) if s.campaign else None, since=r.since,
            until=r.until, group=r.group, days=r.days,
            currency=r.currencies[0] if one else None, totals=totals[0] if one else None,
            totals_by_currency=totals,
            periods=[PeriodOut(**FiguresOut.values(p), start=p.start, end=p.end,
                               whole=p.whole) for part in r.parts for p in part.periods],
            campaigns=[CampaignRowOut(**FiguresOut.values(c), campaign_id=str(c.campaign_id),
                                      name=c.name, status=c.status,
                                      advertiser_id=str(c.advertiser_id),
                                      advertiser_name=c.advertiser_name)
                       for c in r.campaigns],
            accounts=[AccountRowOut(**FiguresOut.values(a), advertiser_id=str(a.advertiser_id),
                                    name=a.name, campaigns=a.campaigns) for a in r.accounts])


class Range(Schema):
    # Required; days in the Business Center's time zone, both included.
    since: date | None = Field(None, examples=["2026-03-01"])
    until: date | None = Field(None, examples=["2026-03-31"])
    group: str = Field("day", examples=["week"])  # day, week (Monday to Sunday) or month


class ExportQuery(Range):
    scope: str = Field("center", examples=["advertiser"])  # center, advertiser or campaign
    id: str | None = Field(None, examples=["12"])  # the ad account's or campaign's id
    by: str = Field("period", examples=["campaign"])  # a row per period, or per campaign


class MetricRowIn(Schema):
    campaign_id: Text
    date: Text  # YYYY-MM-DD
    spend: Text  # 0 or more, at most 2 decimals
    impressions: Text
    clicks: Text
    conversions: Text


class MetricsIn(Schema):
    rows: list[MetricRowIn]


class ImportOut(Schema):
    rows: int
    created: int
    updated: int  # (campaign, day) already loaded are replaced
    campaigns: int
    first_day: date | None
    last_day: date | None

    @staticmethod
    def of(r: LoadResult) -> ImportOut:
        return ImportOut(rows=r.rows, created=r.created, updated=r.updated,
                         campaigns=r.campaigns, first_day=r.first_day, last_day=r.last_day)


def _report(request: HttpRequest, center_id: int, scope: str, id: int | None,
            query: Range) -> ReportOut:
    return ReportOut.of(services.report(actor(request), center(request, center_id), scope=scope,
                                        id=id, since=query.since, until=query.until,
                                        group=query.group))


@router.get("/{center_id}/reports", response={200: ReportOut, **ERRORS})
def center_report(request: HttpRequest, center_id: int, query: Query[Range]) -> ReportOut:
    """The Business Center's numbers by period, by campaign and by ad account, with
    totals and CTR, CPC, CPM and CPA, over the ad accounts the caller may see. Amounts
    are in each ad account's owner's currency: totals_by_currency has a total per
    currency, and totals and currency are null when there are several.
    since and until are days (YYYY-MM-DD, both included, at most 731 days
    apart) in the Business Center's time zone; group is day, week or month."""
    return _report(request, center_id, "center", None, query)


@router.get("/{center_id}/reports/advertisers/{advertiser_id}",
            response={200: ReportOut, **ERRORS})
def advertiser_report(request: HttpRequest, center_id: int, advertiser_id: int,
                      query: Query[Range]) -> ReportOut:
    """One ad account's numbers by period and by campaign, if the caller may see it.
    since and until are days (YYYY-MM-DD, both included, at most 731 days
    apart) in the Business Center's time zone; group is day, week or month."""
    return _report(request, center_id, "advertiser", advertiser_id, query)


@router.get("/{center_id}/reports/campaigns/{campaign_id}",
            response={200: ReportOut, **ERRORS})
def campaign_report(request: HttpRequest, center_id: int, campaign_id: int,
                    query: Query[Range]) -> ReportOut:
    """One campaign's numbers by period, if the caller may see its ad account.
    since and until are days (YYYY-MM-DD, both included, at most 731 days
    apart) in the Business Center's time zone; group is day, week or month."""
    return _report(request, center_id, "campaign", campaign_id, query)


CSV_OK = {200: {"description": "The report as CSV.", "content": {"text/csv": {
    "schema": {"type": "string"},
    "example": "period_start,period_end,spend,impressions,clicks,conversions,ctr,cpc,cpm,"
               "cpa,currency\n2026-03-30,2026-03-30,10.00,1000,10,1,0.010000,1.00,10.00,10.00,"
               "EUR\n"}}}}


@router.get("/{center_id}/reports/export", response=ERRORS, openapi_extra={"responses": CSV_OK})
def export(request: HttpRequest, center_id: int, query: Query[ExportQuery]) -> HttpResponse:
    """A report as a CSV file: scope center (default), advertiser or campaign with its id;
    by=period (a row per day, week or month) or by=campaign. Cells a spreadsheet would run
    as a formula are defused; CTR is a fraction. The last column, currency, is the one of
    the row's money: with ad accounts in several currencies, by=period has a row per
    period and currency.
    since and until are days (YYYY-MM-DD, both included, at most 731 days
    apart) in the Business Center's time zone; group is day, week or month."""
    target = center(request, center_id)
    body = services.export_csv(actor(request), target, by=query.by, scope=query.scope,
                               id=query.id, since=query.since, until=query.until,
                               group=query.group)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"{query.scope}-{query.id}" if query.id else query.scope
    response["Content-Disposition"] = (
        f'attachment; filename="report-{target.pk}-{name}-{query.since}-{query.until}-'
        f'{query.group if query.by == "period" else "campaigns"}.csv"')
    return response


ROW_EXAMPLE = {"campaign_id": "41", "date": "2026-03-30", "spend": "10.00",
               "impressions": 1000, "clicks": 10, "conversions": 1}
IMPORT_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}, "example":
                 "campaign_id,date,spend,impressions,clicks,conversions\n"
                 "41,2026-03-30,10.00,1000,10,1\n41,2026-03-31,20.00,2000,30,0\n"},
    "application/json": {"schema": {
        "type": "object", "required": ["rows"],
        "properties": {"rows": {"type": "array", "items": MetricRowIn.model_json_schema()}}},
        "example": {"rows": [ROW_EXAMPLE]}}}}}


def _rows(request: HttpRequest) -> list[tuple[int, dict[str, Any]]]:
    """The JSON body's rows, numbered from 1 as the service names them."""
    try:
        parsed = MetricsIn.model_validate_json(request.body)
    except ValidationError as exc:
        # Without the input: a body that is not UTF-8 cannot be written back as JSON.
        raise RequestInvalid([dict(e) for e in exc.errors(
            include_url=False, include_context=False, include_input=False)]) from exc
    return [(n, row.model_dump()) for n, row in enumerate(parsed.rows, start=1)]


# Read as CSV; so is a body sent without a Content-Type.
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/octet-stream", "")


@router.post("/{center_id}/metrics", response={201: ImportOut, **ERRORS},
             openapi_extra=IMPORT_BODY)
def import_metrics(request: HttpRequest, center_id: int) -> Status[Any]:
    """Load daily metrics, Admins only: a CSV body (Content-Type: text/csv; a header row
    naming campaign_id, date, spend, impressions, clicks, conversions) or JSON rows
    (Content-Type: application/json). Every row is checked first: one bad row refuses the
    whole load (400, naming rows and problems) and nothing is written. A campaign's day
    loaded again is replaced. Send an Idempotency-Key so a retry loads once."""
    target = center(request, center_id)
    kind = (request.content_type or "").lower()
    if kind != "application/json" and kind not in CSV_TYPES:
        raise InvalidInput(f"Send the metrics as text/csv or application/json, not '{kind}'.",
                           fields={"Content-Type": "text/csv or application/json"})

    def run() -> tuple[int, Any]:
        if kind == "application/json":
            done = services.load_metrics(actor(request), target, _rows(request), source="api")
        else:
            done = services.import_metrics(actor(request), target, request.body)
        return 201, ImportOut.of(done).model_dump(mode="json")

    return Status(*once(request, run))
