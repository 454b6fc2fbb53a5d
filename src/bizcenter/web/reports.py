"""Report pages: a Business Center's, an ad account's and a campaign's, and the
metrics upload.

Views translate: they read the range from the query string, call the
reporting service (which decides who sees what and checks the range), shape
its numbers into chart geometry, and render. A refusal to see is a 403/404
page; a bad range keeps the form as typed and answers 400 with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from bizcenter.access.actions import Action
from bizcenter.access.engine import check
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.errors import ServiceError
from bizcenter.reporting.services import (
    CampaignRow,
    CurrencyPart,
    Figures,
    PeriodRow,
    Report,
    RowsRejected,
    Subject,
    export_csv,
    import_metrics,
    may_load,
    report,
    subject,
    today_in,
)
from bizcenter.web import report_charts
from bizcenter.web.forms import status_of
from bizcenter.web.report_forms import ReportForm, UploadForm
from bizcenter.web.scope import center_page
from bizcenter.web.views import actor, safe_next

DEFAULT_DAYS = 30
# Campaigns listed on a page; the CSV export has all of them.
TABLE_ROWS = 100
BARS = 10
QUICK = ((7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"), (365, "Last 365 days"))


@center_page
def center_report(request: HttpRequest, center: BusinessCenter) -> HttpResponseBase:
    return _report_page(request, center, "center", None)


@center_page
def account_report(request: HttpRequest, center: BusinessCenter,
                   advertiser_id: int) -> HttpResponseBase:
    return _report_page(request, center, "advertiser", advertiser_id)


@center_page
def campaign_report(request: HttpRequest, center: BusinessCenter,
                    campaign_id: int) -> HttpResponseBase:
    return _report_page(request, center, "campaign", campaign_id)


def _report_page(request: HttpRequest, center: BusinessCenter, scope: str,
                 id: int | None) -> HttpResponseBase:
    me = actor(request)
    # Who may see it comes first: a refused viewer learns nothing from the form.
    subj = subject(me, center, scope, id)
    today = today_in(center)
    data = {"since": str(today - timedelta(days=DEFAULT_DAYS - 1)), "until": str(today),
            "group": "day"}
    data.update({k: request.GET[k] for k in data if k in request.GET})
    form = ReportForm(data)
    found = None
    if form.is_valid():
        query = {"scope": scope, "id": id, **form.cleaned_data}
        try:
            if request.GET.get("format") == "csv":
                by = request.GET.get("by", "period")
                return _download(subj, export_csv(me, center, by=by, **query), query, by)
            found = report(me, center, **query)
        except ServiceError as error:
            if error.status != 400:
                raise
            form.add_service_error(error)
    range_query = urlencode({k: data[k] for k in ("since", "until", "group")})
    context: dict[str, Any] = {
        "center": center, "subject": subj, "form": form, "report": found,
        "range_query": range_query, "quick": _quick(today, data["group"]),
        "can_upload": scope != "campaign" and me.user is not None
        and check(me.user, Action.ASSET_MANAGE, center).allowed,
        "upload_form": UploadForm(), "next": request.get_full_path(),
    }
    if found is not None:
        context.update(_charts(found))
    return render(request, "web/reports/report.html", context, status=status_of(form))


def _quick(today: date, group: str) -> list[dict[str, str]]:
    return [{"label": label, "query": urlencode({
        "since": str(today - timedelta(days=days - 1)), "until": str(today),
        "group": group if days > 7 or group == "day" else "day"})} for days, label in QUICK]


def _period_label(start: date, group: str) -> str:
    return start.strftime("%b %Y") if group == "month" else str(start)


@dataclass(frozen=True)
class CurrencyView:
    """One currency's part of the page: its totals, its charts and its periods.

    A Business Center that sees ad accounts in one currency gets one, drawn as the
    page always was. Beside others, each names its currency wherever it shows money
    (``unit``) and in its headings (``among``), and its element ids get a suffix.
    """

    currency: str
    totals: Figures
    periods: list[PeriodRow]
    line: report_charts.LineChart
    line_desc: str
    bars: report_charts.BarChart | None
    bar_rows: list[tuple[report_charts.Bar, CampaignRow]]
    campaigns: int  # campaigns with numbers in this currency
    unit: str  # "" alone (the page's heading names the currency), else the currency
    among: str  # "" alone, else " · ad accounts in EUR" for headings and titles
    suffix: str  # "" alone, else "-eur": element ids stay unique


def _charts(found: Report) -> dict[str, Any]:
    """The report's numbers as chart geometry, a part per currency, with the words a
    screen reader gets."""
    several = len(found.parts) > 1
    views = [_currency_view(found, part, several) for part in found.parts]
    return {"parts": views, "several": several, "partial": _partial(found.parts[0].periods),
            "campaign_rows": _table_rows(found)}


def _currency_view(found: Report, part: CurrencyPart, several: bool) -> CurrencyView:
    currency, periods = part.currency, part.periods
    money = "{:,.2f} " + currency
    labels = [_period_label(p.start, found.group) for p in periods]
    line = report_charts.line_chart(
        labels, [("Spend", "spend", [p.spend for p in periods]),
                 ("Conversions", "conversions", [p.conversions for p in periods])],
        value_format=(money, "{:,}"))
    busiest = max(periods, key=lambda p: p.spend, default=None)
    described = (f"{part.totals.spend:,.2f} {currency} spent and "
                 f"{part.totals.conversions:,} conversions from {found.since} to "
                 f"{found.until}")
    if busiest is not None and busiest.spend:
        described += f"; the most spend was {busiest.spend:,.2f} {currency} in {busiest.label}"
    top = [c for c in found.campaigns if c.currency == currency and c.spend][:BARS]
    bars = None
    if found.subject.scope != "campaign" and top:
        bars = report_charts.bar_chart([(c.name, c.spend) for c in top], value_format="{:,.2f}")
    return CurrencyView(
        currency, part.totals, periods, line, described + ".", bars,
        list(zip(bars.bars, top, strict=True)) if bars else [],
        campaigns=sum(c.currency == currency for c in found.campaigns),
        unit=currency if several else "",
        among=f" · ad accounts in {currency}" if several else "",
        suffix=f"-{currency.lower()}" if several else "")


def _partial(periods: list[PeriodRow]) -> str:
    """Says which periods the range cuts short: the same for every currency."""
    cut = [p for p in (periods[:1] + periods[-1:]) if not p.whole]
    if not cut:
        return ""
    which = " and ".join(f"{p.label} ({p.days} day{'s' if p.days != 1 else ''})"
                         for p in dict.fromkeys(cut))
    return (f"Only part of {which} is in the range, so "
            f"{'it looks' if len(set(cut)) == 1 else 'they look'} lower.")


def _table_rows(found: Report) -> list[CampaignRow]:
    """The campaigns listed on the page: those with the most spend in each currency
    (spends of two currencies do not compare), all of them in the CSV export."""
    return [c for currency in found.currencies
            for c in [c for c in found.campaigns if c.currency == currency][:TABLE_ROWS]]


def _download(subj: Subject, body: str, query: dict[str, Any], by: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = {"center": f"center-{subj.center.pk}",
            "advertiser": f"account-{subj.advertiser.pk if subj.advertiser else ''}",
            "campaign": f"campaign-{subj.campaign.pk if subj.campaign else ''}"}[subj.scope]
    response["Content-Disposition"] = (
        f'attachment; filename="report-{name}-{query["since"]}-{query["until"]}-'
        f'{query["group"] if by == "period" else "campaigns"}.csv"')
    return response


@center_page
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, center: BusinessCenter) -> HttpResponseBase:
    """Load a CSV of daily metrics. On success, back to the report it was sent from;
    on any bad row, this page lists every problem and nothing was loaded."""
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    problems: list[str] = []
    back = safe_next(request, reverse("web:reports", args=[center.pk]))
    if posted and form.is_valid():
        try:
            done = import_metrics(actor(request), center, form.cleaned_data["file"].read())
        except ServiceError as error:
            if error.status != 400:
                raise
            problems = error.problems if isinstance(error, RowsRejected) else []
            form.add_service_error(error)
        else:
            messages.success(request, (
                f"Loaded {done.rows:,} rows for {done.campaigns:,} "
                f"campaign{'s' if done.campaigns != 1 else ''}, {done.first_day} to "
                f"{done.last_day}: {done.created:,} new, {done.updated:,} replaced."))
            return redirect(back)
    elif not posted:
        # Only Admins load numbers: say so before they pick a file, not after.
        may_load(actor(request), center)
    return render(request, "web/reports/upload.html",
                  {"center": center, "form": form, "problems": problems, "next": back},
                  status=status_of(form))
