"""Reports over daily metrics, and loading the metrics.

A report is two SQL aggregations over ``DailyMetric`` (sums by day and sums
by campaign), never a loop over a year of rows in Python, and both run on the
rows of the ad accounts the viewer may see: the filter is in the query, so no
total can include a campaign the viewer could not open. Totals are the sum of
the per-campaign rows, so the table and its total always agree.

Who sees what is the engine's ``report.view``: Admins see every ad account
their Business Center owns or a partner shares with it; Standard members with
the Analytics module see the ad accounts assigned to them; anyone else is
refused with the engine's reason and fix.

Money stays in its currency. An ad account's numbers are in the currency of
the Business Center that owns it, not of the one looking: an agency shown a
brand's EUR account beside its own GBP ones gets a part of the report per
currency (totals and periods), and every campaign and account row names its
currency. Nothing converts or adds amounts of two currencies; ``Figures.plus``
refuses to, so a mistake fails loudly instead of printing a wrong total.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet, Sum

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import check, decide, require
from bizcenter.assets.kinds import AssetType
from bizcenter.assets.models import Asset
from bizcenter.assets.services import reachable_asset, visible_to
from bizcenter.audit.models import Category
from bizcenter.audit.services import _csv_safe, record
from bizcenter.billing.spend import follow_metrics
from bizcenter.campaigns.models import Campaign
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput, NotFound
from bizcenter.core.money import REPORT_SPEND, parse_amount
from bizcenter.reporting.models import DailyMetric

GROUPS = ("day", "week", "month")
SCOPES = ("center", "advertiser", "campaign")
# Two years, leap day included: enough to compare a year with the one before,
# small enough that a report by day stays a readable page and a quick query.
MAX_DAYS = 731
CENTS = Decimal("0.01")
RATIO = Decimal("0.000001")
MAX_SPEND = Decimal("999999999999.99")  # what Decimal(14, 2) holds
MAX_COUNT = 2**63 - 1
COLUMNS = ("campaign_id", "date", "spend", "impressions", "clicks", "conversions")
MAX_FILE_BYTES = 20 * 1024 * 1024
# Problems listed in a refusal; the rest are counted.
MAX_PROBLEMS = 50


class MixedCurrencies(ValueError):
    """Two amounts of different currencies were about to be added: a bug, never input."""


def _div(num: Decimal, den: Decimal | int, exp: Decimal) -> Decimal | None:
    """A ratio rounded for people, or None where there is nothing to divide by."""
    if not den:
        return None
    return (Decimal(num) / Decimal(den)).quantize(exp, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """Summed metrics and what is derived from them.

    Derived values are computed from the sums, never averaged from rows (an
    average of daily CTRs is not the CTR of the period).
    """

    spend: Decimal = Decimal("0.00")
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    # ISO 4217 code of ``spend`` and of the CPC, CPM and CPA derived from it: the
    # currency of the Business Center owning the ad accounts summed. "" until known.
    currency: str = ""

    @property
    def ctr(self) -> Decimal | None:
        """Click-through rate, clicks / impressions, as a fraction."""
        return _div(Decimal(self.clicks), self.impressions, RATIO)

    @property
    def ctr_percent(self) -> Decimal | None:
        ctr = self.ctr
        return None if ctr is None else (ctr * 100).quantize(CENTS, rounding=ROUND_HALF_UP)

    @property
    def cpc(self) -> Decimal | None:
        """Cost per click."""
        return _div(self.spend, self.clicks, CENTS)

    @property
    def cpm(self) -> Decimal | None:
        """Cost per thousand impressions."""
        return _div(self.spend * 1000, self.impressions, CENTS)

    @property
    def cpa(self) -> Decimal | None:
        """Cost per conversion (result)."""
        return _div(self.spend, self.conversions, CENTS)

    def plus(self, other: Figures) -> Figures:
        """The sum of both, in their one currency. Counts are added with the money they
        sit beside, so a row's CPC or CTR never divides one currency's spend by another
        currency's clicks; figures of two currencies refuse to be added at all."""
        if self.currency and other.currency and self.currency != other.currency:
            raise MixedCurrencies(f"Cannot add {other.currency} to {self.currency}.")
        return Figures(self.spend + other.spend, self.impressions + other.impressions,
                       self.clicks + other.clicks, self.conversions + other.conversions,
                       self.currency or other.currency)


@dataclass(frozen=True)
class PeriodRow(Figures):
    """One day, week (Monday to Sunday) or month, cut to the report's range."""

    start: date = date.min
    end: date = date.min
    # False when the range cuts the week or month: it has fewer days than the others.
    whole: bool = True

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start} to {self.end}"


@dataclass(frozen=True)
class CampaignRow(Figures):
    campaign_id: int = 0
    name: str = ""
    status: str = ""
    advertiser_id: int = 0
    advertiser_name: str = ""


@dataclass(frozen=True)
class AccountRow(Figures):
    advertiser_id: int = 0
    name: str = ""
    campaigns: int = 0


@dataclass(frozen=True)
class Subject:
    """What a report is about, once the viewer is known to be allowed to see it."""

    scope: str
    center: BusinessCenter
    # center: the ad accounts the viewer may see; advertiser: that one; campaign: its own.
    accounts: list[Asset]
    advertiser: Asset | None = None
    campaign: Campaign | None = None
    # Whether every ad account the Business Center owns is among ``accounts``
    # (Admins): then its own rows are found through the (center, day) index.
    whole_center: bool = False
    # Each account's currency (its owner's), by the account's id.
    currency_of: Mapping[int, str] = field(default_factory=dict)

    @property
    def currencies(self) -> list[str]:
        """The currencies of the accounts, the viewing Business Center's own first, then
        alphabetical; its own alone when there is no account, so an empty report still
        reads in a currency."""
        found = set(self.currency_of.values())
        own = self.center.currency
        first = [own] if own in found or not found else []
        return first + sorted(found - {own})

    @property
    def title(self) -> str:
        if self.campaign is not None:
            return f"Campaign {self.campaign.name}"
        if self.advertiser is not None:
            return f"Ad account {self.advertiser.name}"
        return self.center.name


@dataclass(frozen=True)
class CurrencyPart:
    """What a report says in one currency: its totals and its periods."""

    currency: str
    totals: Figures
    periods: list[PeriodRow]


@dataclass(frozen=True)
class Report:
    subject: Subject
    since: date
    until: date
    group: str
    # One per currency, in ``Subject.currencies``'s order; one alone in the common case.
    parts: list[CurrencyPart]
    campaigns: list[CampaignRow]  # by currency (as ``parts``), then most spend first
    accounts: list[AccountRow] = field(default_factory=list)  # center reports only

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    @property
    def currencies(self) -> list[str]:
        return [part.currency for part in self.parts]

    @property
    def totals(self) -> Figures:
        """The totals, for a report in one currency (always so for an ad account or a
        campaign). Raises ``MixedCurrencies`` otherwise: there is no single total of
        several currencies, so callers must read ``parts``."""
        return self._one().totals

    @property
    def periods(self) -> list[PeriodRow]:
        """The periods of a report in one currency; see ``totals``."""
        return self._one().periods

    def _one(self) -> CurrencyPart:
        if len(self.parts) != 1:
            raise MixedCurrencies(f"This report is in {', '.join(self.currencies)}; read "
                                  "its parts, one per currency.")
        return self.parts[0]


# -- Who may see what ---------------------------------------------------------------------


def subject(actor: Actor, center: BusinessCenter, scope: str = "center",
            id: int | str | None = None) -> Subject:
    """Authorize the viewer for a report and find what it is about.

    Refusals come from the engine (``report.view``): a Standard member without
    the Analytics module, or on an ad account not assigned to them, is told
    why and what to ask for. Something this Business Center cannot reach at
    all, or that this viewer may not see, is a 404 exactly like an id that does not
    exist: a refusal naming the account would tell which ids are ad accounts, and what
    they are called.
    """
    require(actor, Action.REPORT_VIEW, center)
    if scope not in SCOPES:
        raise InvalidInput(f"Unknown report scope '{scope}'. Use one of: {', '.join(SCOPES)}.",
                           fields={"scope": "center, advertiser or campaign"})
    if scope == "center":
        accounts = report_accounts(actor, center)
        admin = actor.user is None or check(actor.user, Action.ASSET_MANAGE, center).allowed
        return Subject(scope, center, accounts, whole_center=admin,
                       currency_of=_currencies(center, accounts))
    if id is None:
        raise InvalidInput(f"A {scope} report needs the {scope}'s id.", fields={"id": "required"})
    campaign: Campaign | None = None
    if scope == "campaign":
        campaign = _campaign(center, id)
        advertiser = campaign.advertiser
        missing = NotFound(f"No campaign with id {id} in {center.name}.")
    else:
        missing = NotFound(f"No ad account with id {id} in {center.name}.")
        try:
            advertiser, _ = reachable_asset(center, id)
        except NotFound:
            raise missing from None
        if advertiser.type != AssetType.ADVERTISER:
            raise missing
    if actor.user is not None and not check(actor.user, Action.ASSET_VIEW, advertiser,
                                            within=center):
        raise missing
    require(actor, Action.REPORT_VIEW, advertiser, within=center)
    return Subject(scope, center, [advertiser], advertiser=advertiser, campaign=campaign,
                   currency_of=_currencies(center, [advertiser]))


def _currencies(center: BusinessCenter, accounts: Sequence[Asset]) -> dict[int, str]:
    """Each account's currency: its owner's. The viewer's own accounts need no query;
    partners' owners are read in one."""
    others = {a.center_id for a in accounts if a.center_id != center.pk}
    owners = dict(BusinessCenter.objects.filter(pk__in=others).values_list("pk", "currency")
                  ) if others else {}
    owners[center.pk] = center.currency
    return {a.pk: owners[a.center_id] for a in accounts}


def _campaign(center: BusinessCenter, raw_id: int | str) -> Campaign:
    missing = f"No campaign with id {raw_id} in {center.name}."
    try:
        pk = int(str(raw_id))
    except ValueError as exc:
        raise NotFound(missing) from exc
    campaign = Campaign.objects.select_related("advertiser").filter(pk=pk).first()
    if campaign is None:
        raise NotFound(missing)
    try:
        reachable_asset(center, campaign.advertiser_id)
    except NotFound:
        raise NotFound(missing) from None
    return campaign


def report_accounts(actor: Actor, center: BusinessCenter) -> list[Asset]:
    """The ad accounts whose numbers this viewer may see in this Business Center.

    Starts from what the viewer may see at all (``visible_to``) and keeps what
    the engine allows ``report.view`` on, so the rule lives in one place.
    """
    require(actor, Action.REPORT_VIEW, center)
    accounts = list(visible_to(actor, center).filter(type=AssetType.ADVERTISER)
                    .order_by("name", "id"))
    if actor.user is None:
        return accounts
    # One snapshot for all of them: ``check`` per account would read the access
    # version once per account outside a request.
    snap = snapshot.get(actor.user.pk, center.pk)
    if snap is None:
        return []
    return [a for a in accounts if decide(snap, Action.REPORT_VIEW, a).allowed]


# -- Reading ------------------------------------------------------------------------------


def _as_date(value: date | str | None, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not value:
        raise InvalidInput(f"Pick the {'start' if name == 'since' else 'end'} date of the "
                           "report.", fields={name: "required"})
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InvalidInput(f"'{value}' is not a date; write it as YYYY-MM-DD.",
                           fields={name: "YYYY-MM-DD"}) from exc


def date_range(since: date | str | None, until: date | str | None) -> tuple[date, date]:
    """The report's days, both ends included, or a refusal saying how to fix them."""
    start, end = _as_date(since, "since"), _as_date(until, "until")
    if start > end:
        raise InvalidInput(f"The start date ({start}) is after the end date ({end}); swap "
                           "them.", fields={"since": "after the end date"})
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise InvalidInput(f"A report covers at most {MAX_DAYS} days (two years); {start} to "
                           f"{end} is {days:,} days. Pick a shorter range.",
                           fields={"until": f"at most {MAX_DAYS} days after the start"})
    return start, end


def _group(group: str) -> str:
    if group not in GROUPS:
        raise InvalidInput(f"Unknown grouping '{group}'. Use one of: {', '.join(GROUPS)}.",
                           fields={"group": "day, week or month"})
    return group


def period_start(day: date, group: str) -> date:
    """The first day of the day's period: itself, its week's Monday (ISO weeks, as
    the database's date_trunc), or the first of its month."""
    if group == "week":
        return day - timedelta(days=day.weekday())
    if group == "month":
        return day.replace(day=1)
    return day


def _starts(since: date, until: date, group: str) -> list[date]:
    """Every period start the range touches, so days without data show as zero."""
    if group == "day":
        return [since + timedelta(days=i) for i in range((until - since).days + 1)]
    if group == "week":
        first = since - timedelta(days=since.weekday())
        return [first + timedelta(weeks=i) for i in range((until - first).days // 7 + 1)]
    starts, month = [], since.replace(day=1)
    while month <= until:
        starts.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return starts


def _period_end(start: date, group: str) -> date:
    if group == "day":
        return start
    if group == "week":
        return start + timedelta(days=6)
    return (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


SUMS = {"s_spend": Sum("spend"), "s_impressions": Sum("impressions"),
        "s_clicks": Sum("clicks"), "s_conversions": Sum("conversions")}


def _figures(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"spend": Decimal(row["s_spend"] or 0).quantize(CENTS),
            "impressions": int(row["s_impressions"] or 0), "clicks": int(row["s_clicks"] or 0),
            "conversions": int(row["s_conversions"] or 0)}


def by_day_rows(subj: Subject) -> list[tuple[str, QuerySet[DailyMetric]]]:
    """The rows a report may read, a query per currency, found the way that keeps them in
    day order: by Business Center or ad account and day (the indexes of the same names).

    A query per currency rather than one grouped by currency: the currency is not on
    the row, and grouping by its owner would read columns the (advertiser, day) index
    does not hold. A viewer sees a handful of currencies at most."""
    qs = DailyMetric.objects.all()
    if subj.campaign is not None:
        return [(subj.currencies[0], qs.filter(campaign_id=subj.campaign.pk))]
    if subj.advertiser is not None:
        return [(subj.currencies[0], qs.filter(advertiser_id=subj.advertiser.pk))]
    found = []
    for currency in subj.currencies:
        accounts = [a for a in subj.accounts if subj.currency_of[a.pk] == currency]
        if subj.whole_center and currency == subj.center.currency:
            shared = [a.pk for a in accounts if a.center_id != subj.center.pk]
            own = Q(center_id=subj.center.pk)
            found.append((currency, qs.filter(own | Q(advertiser_id__in=shared)) if shared
                          else qs.filter(own)))
        else:
            found.append((currency, qs.filter(advertiser_id__in=[a.pk for a in accounts])))
    return found


def by_campaign_rows(subj: Subject) -> QuerySet[DailyMetric]:
    """The same rows, found campaign by campaign (the (campaign, day) index), so they
    arrive grouped by campaign: summing a year of 1,000 campaigns needs no sort of
    365,000 rows, 2.3 times faster on SQLite (bench/report.py). The campaigns are a
    subquery, not a list of ids, so no size of Business Center meets a limit on
    query parameters."""
    qs = DailyMetric.objects.all()
    if subj.campaign is not None:
        return qs.filter(campaign_id=subj.campaign.pk)
    campaigns = Campaign.objects.filter(
        advertiser_id__in=[a.pk for a in subj.accounts]).values("pk")
    return qs.filter(campaign_id__in=campaigns)


def report(actor: Actor, center: BusinessCenter, *, scope: str = "center",
           id: int | str | None = None, since: date | str | None, until: date | str | None,
           group: str = "day") -> Report:
    """Sums by period and by campaign, with totals and derived metrics, over what the
    viewer may see: authorize first, then check the range, then grouped queries (by day,
    one per currency; by campaign, one). Each currency is a part of its own."""
    subj = subject(actor, center, scope, id)
    start, end = date_range(since, until)
    group = _group(group)
    days = {"day__gte": start, "day__lte": end}

    parts = [_part(currency, rows.filter(**days), start, end, group)
             for currency, rows in by_day_rows(subj)]
    sums = list(by_campaign_rows(subj).filter(**days).values("campaign_id").annotate(**SUMS)
                .order_by())
    names = {c["pk"]: c for c in Campaign.objects.filter(
        pk__in=[r["campaign_id"] for r in sums]).values(
            "pk", "name", "status", "advertiser_id", "advertiser__name")}
    rank = {currency: n for n, currency in enumerate(subj.currencies)}
    campaigns = sorted(
        (_campaign_row(subj, r, names[r["campaign_id"]]) for r in sums
         if r["campaign_id"] in names),
        key=lambda c: (rank[c.currency], -c.spend, -c.conversions, c.name.lower(),
                       c.campaign_id))
    parts = _with_totals(parts, campaigns)
    accounts: list[AccountRow] = []
    if subj.scope == "center":
        accounts = _by_account(subj, campaigns)
    return Report(subj, start, end, group, parts, campaigns, accounts)


def _campaign_row(subj: Subject, sums: Mapping[str, Any],
                  named: Mapping[str, Any]) -> CampaignRow:
    """A campaign's sums, in the currency of the Business Center owning its ad account."""
    return CampaignRow(**_figures(sums), currency=subj.currency_of[named["advertiser_id"]],
                       campaign_id=named["pk"], name=named["name"], status=named["status"],
                       advertiser_id=named["advertiser_id"],
                       advertiser_name=named["advertiser__name"])


def _part(currency: str, rows: QuerySet[DailyMetric], start: date, end: date,
          group: str) -> CurrencyPart:
    """One currency's periods (totals come later, from the campaigns).

    SQL sums by day, in the index's order; weeks and months are folded from those
    (at most 731) sums here. Grouping by a date function in SQL costs a call per
    row instead: Django's TruncMonth on SQLite is a Python function per row, 10 to
    15 times slower on a year of 1,000 campaigns (bench/report.py, "TruncMonth")."""
    zero = Figures(currency=currency)
    by_period: dict[date, Figures] = {}
    for day in rows.values("day").annotate(**SUMS).order_by():
        key = period_start(day["day"], group)
        by_period[key] = by_period.get(key, zero).plus(Figures(**_figures(day),
                                                               currency=currency))
    periods = [PeriodRow(**vars(by_period.get(s, zero)), start=max(s, start),
                         end=min(_period_end(s, group), end),
                         whole=s >= start and _period_end(s, group) <= end)
               for s in _starts(start, end, group)]
    return CurrencyPart(currency, zero, periods)


def _with_totals(parts: list[CurrencyPart], campaigns: Sequence[CampaignRow]
                 ) -> list[CurrencyPart]:
    """Each currency's totals: the sum of its campaign rows, so the table and its total
    always agree."""
    totals = {part.currency: part.totals for part in parts}
    for campaign in campaigns:
        totals[campaign.currency] = totals[campaign.currency].plus(campaign)
    return [CurrencyPart(p.currency, totals[p.currency], p.periods) for p in parts]


def _by_account(subj: Subject, campaigns: Sequence[CampaignRow]) -> list[AccountRow]:
    """Per ad account, folded from the per-campaign rows (no third query); accounts
    without numbers in the range are listed too, at zero, in their currency. By
    currency first (as the report's parts), then most spend first."""
    sums: dict[int, Figures] = {}
    counts: dict[int, int] = {}
    for row in campaigns:
        sums[row.advertiser_id] = sums.get(row.advertiser_id, Figures()).plus(row)
        counts[row.advertiser_id] = counts.get(row.advertiser_id, 0) + 1
    rows = [AccountRow(**vars(sums.get(a.pk, Figures(currency=subj.currency_of[a.pk]))),
                       advertiser_id=a.pk, name=a.name, campaigns=counts.get(a.pk, 0))
            for a in subj.accounts]
    rank = {currency: n for n, currency in enumerate(subj.currencies)}
    return sorted(rows, key=lambda r: (rank[r.currency], -r.spend, r.name.lower(),
                                       r.advertiser_id))


def today_in(center: BusinessCenter) -> date:
    """Metrics are dated in the Business Center's time zone, and so is "today"."""
    try:
        zone = ZoneInfo(center.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(zone).date()


# -- Exporting ----------------------------------------------------------------------------

DERIVED = ("ctr", "cpc", "cpm", "cpa")


def _cells(row: Figures) -> list[Any]:
    return [row.spend, row.impressions, row.clicks, row.conversions,
            *(getattr(row, name) for name in DERIVED), row.currency]


def export_csv(actor: Actor, center: BusinessCenter, *, by: str = "period",
               **query: Any) -> str:
    """The report as CSV, one row per period (``by="period"``) or per campaign.

    Every row names the currency of its money (spend, CPC, CPM, CPA) in a
    ``currency`` column, the one of the Business Center owning the ad account: the
    last column, so sheets and scripts that read the others by position keep working.
    A report over several currencies has a row per period and currency: amounts of two
    currencies are never added into one cell.

    Campaign and account names are typed by people, so every cell goes through
    the activity log's formula defusing: a name like ``=HYPERLINK(...)`` stays text.
    CTR is a fraction (0.0123 is 1.23 %).
    """
    require(actor, Action.REPORT_VIEW, center)
    if by not in ("period", "campaign"):
        raise InvalidInput(f"Unknown export '{by}'. Use period or campaign.",
                           fields={"by": "period or campaign"})
    found = report(actor, center, **query)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    metrics = ["spend", "impressions", "clicks", "conversions", *DERIVED, "currency"]
    rows: Iterable[list[Any]]
    if by == "period":
        writer.writerow(["period_start", "period_end", *metrics])
        rows = ([p.start, p.end, *_cells(p)] for part in found.parts for p in part.periods)
    else:
        writer.writerow(["campaign_id", "campaign", "ad_account_id", "ad_account", *metrics])
        rows = ([c.campaign_id, c.name, c.advertiser_id, c.advertiser_name, *_cells(c)]
                for c in found.campaigns)
    for row in rows:
        writer.writerow([_csv_safe(None if cell is None else str(cell)) for cell in row])
    return buffer.getvalue()


# -- Loading ------------------------------------------------------------------------------


class RowsRejected(InvalidInput):
    """Some rows are wrong, so none was written; ``problems`` says where and what."""

    code = "rows_rejected"

    def __init__(self, problems: list[str], total: int) -> None:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        self.problems = shown + ([f"… and {more:,} more."] if more else [])
        count = f"{len(problems):,} of {total:,} row{'s' if total != 1 else ''}"
        super().__init__(f"Nothing was imported: {count} need fixing. "
                         + " ".join(shown[:3]) + (" …" if len(problems) > 3 else ""),
                         fields={"file": f"{len(problems)} rows to fix"})


@dataclass(frozen=True)
class LoadResult:
    rows: int
    created: int
    updated: int
    campaigns: int
    first_day: date | None
    last_day: date | None


def _count(raw: object, name: str) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise ValueError(f"{name} is missing")
    if not text.isdigit():
        raise ValueError(f"{name} '{text}' is not a whole number of 0 or more")
    value = int(text)
    if value > MAX_COUNT:
        raise ValueError(f"{name} {text} is too large")
    return value


def _money(raw: object) -> Decimal:
    """A row's spend, read by the one money parser of every door (no thousands
    separators, no exponent, ASCII digits), bounded by what the column holds."""
    if raw is None or not str(raw).strip():
        raise ValueError("spend is missing")
    try:
        return parse_amount(raw, "", field="spend", kind=REPORT_SPEND)
    except InvalidInput as exc:
        raise ValueError(f"spend {exc.message.rstrip('.')}") from None


def _day(raw: object, latest: date) -> date:
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise ValueError("date is missing")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"date '{text}' is not a date; write it as YYYY-MM-DD") from None
    if day > latest:
        raise ValueError(f"date {day} is in the future")
    if day.year < 2000:
        raise ValueError(f"date {day} is before 2000")
    return day


def may_load(actor: Actor, center: BusinessCenter) -> None:
    """Raise unless the actor may load metrics here (Admins): the upload form asks
    before a file is picked, not after."""
    require(actor, Action.ASSET_MANAGE, center)


def load_metrics(actor: Actor, center: BusinessCenter,
                 rows: Iterable[tuple[int, Mapping[str, Any]]], *,
                 source: str = "api") -> LoadResult:
    """Write daily metrics: every row is checked before anything is written, and one
    bad row refuses the whole load, naming each problem by its row number.

    ``rows`` are (row number, {campaign_id, date, spend, impressions, clicks,
    conversions}); a (campaign, date) already loaded is replaced, so loading a
    corrected file again is safe. Only Admins load numbers, and only into ad
    accounts their own Business Center owns (a partner's come from its owner).
    Billing's spend follows in the same transaction (billing/spend.py), so a load that
    would change an invoiced month is refused whole.
    """
    require(actor, Action.ASSET_MANAGE, center)
    numbered = list(rows)
    limit = int(getattr(settings, "BIZCENTER_MAX_METRIC_ROWS", 200_000))
    if len(numbered) > limit:
        raise InvalidInput(f"At most {limit:,} rows can be loaded at once; this has "
                           f"{len(numbered):,}. Split it into several files.",
                           fields={"file": f"at most {limit:,} rows"})
    if not numbered:
        raise InvalidInput("There are no rows to load.", fields={"file": "no rows"})
    latest = today_in(center) + timedelta(days=1)  # a day's grace for time zones
    wanted: set[int] = set()
    for _, raw in numbered:
        text = str(raw.get("campaign_id") or "").strip()
        if text.isdigit():
            wanted.add(int(text))
    campaigns = dict(Campaign.objects.filter(pk__in=wanted, advertiser__center=center)
                     .values_list("pk", "advertiser_id"))
    problems: list[str] = []
    seen: dict[tuple[int, date], int] = {}
    parsed: list[DailyMetric] = []
    for number, raw in numbered:
        mistakes: list[str] = []
        campaign_id = None
        text = str(raw.get("campaign_id") or "").strip()
        if not text:
            mistakes.append("campaign_id is missing")
        elif not text.isdigit():
            mistakes.append(f"campaign_id '{text}' is not a number")
        elif int(text) not in campaigns:
            mistakes.append(f"campaign {text} is not in an ad account of {center.name}")
        else:
            campaign_id = int(text)
        values: dict[str, Any] = {}
        for name, parse in (("day", lambda v: _day(v, latest)), ("spend", _money),
                            ("impressions", lambda v: _count(v, "impressions")),
                            ("clicks", lambda v: _count(v, "clicks")),
                            ("conversions", lambda v: _count(v, "conversions"))):
            try:
                values[name] = parse(raw.get("date" if name == "day" else name))
            except ValueError as exc:
                mistakes.append(str(exc))
        if campaign_id is not None and "day" in values:
            key = (campaign_id, values["day"])
            if key in seen:
                mistakes.append(f"campaign {campaign_id} on {values['day']} is also on "
                                f"row {seen[key]}")
            else:
                seen[key] = number
        if mistakes:
            problems.append(f"Row {number}: {'; '.join(mistakes)}.")
        elif campaign_id is not None:
            parsed.append(DailyMetric(campaign_id=campaign_id,
                                      advertiser_id=campaigns[campaign_id],
                                      center_id=center.pk, **values))
    if problems:
        raise RowsRejected(problems, len(numbered))
    for advertiser in Asset.objects.filter(pk__in={m.advertiser_id for m in parsed}):
        require(actor, Action.ASSET_MANAGE, advertiser)
    days = [m.day for m in parsed]
    with transaction.atomic():
        existing = set(DailyMetric.objects.filter(
            campaign_id__in={m.campaign_id for m in parsed}, day__gte=min(days),
            day__lte=max(days)).values_list("campaign_id", "day"))
        updated = sum((m.campaign_id, m.day) in existing for m in parsed)
        DailyMetric.objects.bulk_create(
            parsed, batch_size=2000, update_conflicts=True, unique_fields=["campaign", "day"],
            update_fields=["spend", "impressions", "clicks", "conversions"])
        result = LoadResult(rows=len(parsed), created=len(parsed) - updated, updated=updated,
                            campaigns=len({m.campaign_id for m in parsed}),
                            first_day=min(days), last_day=max(days))
        record(actor, center=center, category=Category.ACCOUNT, action="metrics.imported",
               after={"source": source, "rows": result.rows, "created": result.created,
                      "updated": result.updated, "campaigns": result.campaigns,
                      "from": str(result.first_day), "to": str(result.last_day)})
        # The same numbers are the spend billing counts: one source of truth.
        follow_metrics(actor, center, {(m.advertiser_id, m.day) for m in parsed})
    return result


def import_metrics(actor: Actor, center: BusinessCenter, csv_bytes: bytes) -> LoadResult:
    """Load a CSV of daily metrics (campaign_id, date, spend, impressions, clicks,
    conversions; a header row first, other columns ignored) through ``load_metrics``.

    Rows are numbered as a spreadsheet shows them: the header is row 1.
    """
    require(actor, Action.ASSET_MANAGE, center)
    if len(csv_bytes) > MAX_FILE_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; "
                           "split it into several files.", fields={"file": "too large"})
    try:
        text = csv_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The file is not UTF-8 text. Save it as CSV (UTF-8) and upload "
                           "it again.", fields={"file": "not UTF-8 CSV"}) from exc
    # newline="" as the csv module asks: a lone carriage return ends a line instead of
    # failing the read; what csv still cannot read (a cell past its size limit) is bad
    # input, not a server error.
    reader = csv.reader(io.StringIO(text, newline=""))

    def not_csv(exc: csv.Error) -> InvalidInput:
        return InvalidInput(f"Line {reader.line_num} is not valid CSV ({exc}). Save the file "
                            "as CSV (UTF-8) and upload it again.",
                            fields={"file": "not valid CSV"})

    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise not_csv(exc) from exc
    if header is None:
        raise InvalidInput("The file is empty. The first row names the columns: "
                           f"{', '.join(COLUMNS)}.", fields={"file": "empty"})
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise InvalidInput(f"The first row must name the columns {', '.join(COLUMNS)}; "
                           f"missing: {', '.join(missing)}.",
                           fields={"file": f"missing columns: {', '.join(missing)}"})
    where = {c: names.index(c) for c in COLUMNS}

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for line, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue  # blank lines, as spreadsheets leave at the end
                yield line, {c: cells[i] if i < len(cells) else "" for c, i in where.items()}
        except csv.Error as exc:
            raise not_csv(exc) from exc

    return load_metrics(actor, center, rows(), source="csv")
