"""report/integrated/get/: the BASIC report of one ad account, by campaign or for the
whole account, in total or by day, over the metrics bizcenter keeps.

It reads the reporting service's sums (``reporting.services.report``), so it
sums only what the caller may see, with the same refusals.

Amounts are in the currency of the Business Center owning the ad account, which
for an account a partner shares is not the caller's. As on TikTok, the ``currency``
attribute metric names it on each row when asked for. A report is about one ad
account, so one currency: no row ever adds two.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any

from bizcenter.compat.door import Call, endpoint
from bizcenter.compat.errors import param
from bizcenter.compat.paging import listing, paging, sliced
from bizcenter.reporting import services
from bizcenter.reporting.services import CENTS, CampaignRow, Figures


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)).quantize(CENTS)}"


# TikTok's metric names for what bizcenter keeps; values are strings, as TikTok's.
METRICS: dict[str, Callable[[Figures], str]] = {
    "spend": lambda f: _money(f.spend),
    "impressions": lambda f: str(f.impressions),
    "clicks": lambda f: str(f.clicks),
    "conversion": lambda f: str(f.conversions),
    "ctr": lambda f: _money(f.ctr_percent),  # a percentage, as TikTok's
    "cpc": lambda f: _money(f.cpc),
    "cpm": lambda f: _money(f.cpm),
    "cost_per_conversion": lambda f: _money(f.cpa),
}
# Attribute metrics: text about the row, not numbers (never a sort key).
ATTRIBUTES = ("currency",)
CAMPAIGN_ATTRIBUTES = ("campaign_name",)
DEFAULT_METRICS = ["spend", "impressions"]
LEVELS = {"AUCTION_CAMPAIGN": "campaign_id", "AUCTION_ADVERTISER": "advertiser_id"}
DAY = "stat_time_day"


def _dimensions(call: Call, level: str) -> tuple[bool, bool]:
    """(by id, by day) for the dimensions asked, or a refusal naming what works."""
    wanted = call.params.strings("dimensions")
    if not wanted:
        raise param("dimensions is required, e.g. [\"campaign_id\"] or "
                    "[\"campaign_id\", \"stat_time_day\"].")
    key = LEVELS[level]
    if len(set(wanted)) != len(wanted) or not set(wanted) <= {key, DAY}:
        raise param(f"At data_level {level} the dimensions are {key} and {DAY} "
                    f"(either or both); got {', '.join(wanted)}.")
    return key in wanted, DAY in wanted


def _campaign_filter(call: Call) -> set[str] | None:
    """filtering: [{"field_name": "campaign_ids", "filter_type": "IN",
    "filter_value": "[\\"12\\"]"}] (TikTok's shape); None when absent."""
    wanted: set[str] | None = None
    for rule in call.params.objects("filtering"):
        name, kind, value = (rule.get("field_name"), rule.get("filter_type"),
                             rule.get("filter_value"))
        if name not in ("campaign_ids", "campaign_id"):
            raise param(f"Reports filter on campaign_ids only, not on {name}.")
        if kind not in ("IN", "EQUAL"):
            raise param("filter_type must be IN (or EQUAL for one campaign).")
        try:
            parsed = json.loads(value) if isinstance(value, str) and value.strip()[:1] == "[" \
                else value
        except ValueError as exc:
            raise param("filter_value must be a JSON list of campaign ids.") from exc
        ids = parsed if isinstance(parsed, list) else [parsed]
        found = {str(i) for i in ids if isinstance(i, str | int) and not isinstance(i, bool)}
        wanted = found if wanted is None else wanted & found
    return wanted


def _metrics(call: Call, level: str) -> list[str]:
    asked = call.params.strings("metrics") or DEFAULT_METRICS
    known = set(METRICS) | set(ATTRIBUTES) | (
        set(CAMPAIGN_ATTRIBUTES) if level == "AUCTION_CAMPAIGN" else set())
    if unknown := [m for m in asked if m not in known]:
        raise param(f"bizcenter keeps these metrics: {', '.join(sorted(known))}; not "
                    f"{', '.join(unknown)}.")
    return asked


def _values(figures: Figures, metrics: list[str], campaign: CampaignRow | None
            ) -> dict[str, str]:
    out = {}
    for name in metrics:
        if name == "campaign_name":
            out[name] = campaign.name if campaign else ""
        elif name == "currency":
            out[name] = figures.currency  # the ad account's owner's, ISO 4217
        else:
            out[name] = METRICS[name](figures)
    return out


def _day(day: date) -> str:
    return f"{day:%Y-%m-%d} 00:00:00"


def _empty(f: Figures) -> bool:
    return not (f.spend or f.impressions or f.clicks or f.conversions)


@endpoint("GET")
def report_get(call: Call) -> dict[str, Any]:
    center = call.own_center()
    p = call.params
    advertiser_id = p.id("advertiser_id") or ""
    p.enum("report_type", ("BASIC",), required=True)
    p.enum("service_type", ("AUCTION",), default="AUCTION")
    level = p.enum("data_level", tuple(LEVELS), required=True) or ""
    by_id, by_day = _dimensions(call, level)
    metrics = _metrics(call, level)
    page = paging(p, most=1000)
    if p.boolean("query_lifetime"):
        raise param("query_lifetime is not available: give start_date and end_date (at most "
                    f"{services.MAX_DAYS} days apart).")
    since, until = p.text("start_date", required=True), p.text("end_date", required=True)
    wanted = _campaign_filter(call)
    who = call.actor
    whole = services.report(who, center, scope="advertiser", id=advertiser_id, since=since,
                            until=until, group="day")
    campaigns = [c for c in whole.campaigns if wanted is None or str(c.campaign_id) in wanted]
    rows: list[dict[str, Any]] = []
    if level == "AUCTION_ADVERTISER" or not by_id:
        if not by_day:
            total = whole.totals if wanted is None else reduce(
                Figures.plus, campaigns, Figures(currency=whole.totals.currency))
            rows.append({"dimensions": {"advertiser_id": advertiser_id},
                         "metrics": _values(total, metrics, None)})
        elif wanted is None:
            rows += [{"dimensions": {**({"advertiser_id": advertiser_id} if by_id else {}),
                                     DAY: _day(d.start)},
                      "metrics": _values(d, metrics, None)}
                     for d in whole.periods if not _empty(d)]
        else:
            raise param("Filter on campaigns with the campaign_id dimension.")
    elif not by_day:
        rows += [{"dimensions": {"campaign_id": str(c.campaign_id)},
                  "metrics": _values(c, metrics, c)} for c in campaigns]
    else:
        for c in sorted(campaigns, key=lambda c: c.campaign_id):
            daily = services.report(who, center, scope="campaign", id=c.campaign_id,
                                    since=since, until=until, group="day")
            rows += [{"dimensions": {"campaign_id": str(c.campaign_id), DAY: _day(d.start)},
                      "metrics": _values(d, metrics, c)}
                     for d in daily.periods if not _empty(d)]
    if order := p.text("order_field"):
        if order not in METRICS or order not in metrics:
            raise param("order_field must be one of the metrics asked for.")
        descending = p.enum("order_type", ("ASC", "DESC"), default="DESC") == "DESC"
        rows.sort(key=lambda r: Decimal(r["metrics"][order]), reverse=descending)
    chosen, total_rows = sliced(rows, page)
    return listing(chosen, page, total_rows)
