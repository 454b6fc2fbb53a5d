"""Plausible daily metrics for the demo's campaigns, so the report pages have a
story to show: weekly rhythm, a slow trend, a campaign that was paused, and
results that depend on what the campaign is for.

Deterministic (a fixed random seed per campaign), so two demos look the same
and a screenshot can be taken again. Written through ``load_metrics``, as an
upload would be, so the demo's activity log shows the load too.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

from bizcenter.campaigns.models import BudgetMode, Campaign, CampaignStatus, Objective
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.reporting.services import LoadResult, load_metrics, today_in

# Per objective: cost per thousand impressions, click-through rate and the share
# of clicks that convert, ranges typical of short-video ads.
PROFILES = {
    Objective.REACH: (2.0, 4.0, 0.003, 0.008, 0.002, 0.01),
    Objective.VIDEO_VIEWS: (3.0, 6.0, 0.004, 0.010, 0.002, 0.01),
    Objective.TRAFFIC: (5.0, 9.0, 0.010, 0.025, 0.01, 0.03),
    Objective.CONVERSIONS: (7.0, 12.0, 0.008, 0.018, 0.03, 0.08),
    Objective.APP_INSTALLS: (6.0, 11.0, 0.008, 0.020, 0.05, 0.12),
    Objective.LEAD_GENERATION: (6.0, 10.0, 0.006, 0.015, 0.04, 0.10),
}
# Monday .. Sunday: people scroll more at the weekend.
WEEKDAY = (0.92, 0.95, 0.97, 1.0, 1.06, 1.14, 1.1)


def _rows(campaign: Campaign, days: int, last: date, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed * 1_000_003 + campaign.pk)  # noqa: S311 - demo numbers, not secrets
    low_cpm, high_cpm, low_ctr, high_ctr, low_cvr, high_cvr = PROFILES.get(
        Objective(campaign.objective) if campaign.objective in Objective.values
        else Objective.TRAFFIC, PROFILES[Objective.TRAFFIC])
    if campaign.budget_mode == BudgetMode.DAILY and campaign.budget:
        budget = float(campaign.budget)
    else:
        budget = rng.uniform(40, 400)
    cpm, ctr, cvr = (rng.uniform(low_cpm, high_cpm), rng.uniform(low_ctr, high_ctr),
                     rng.uniform(low_cvr, high_cvr))
    trend = rng.uniform(-0.3, 0.5)  # over the whole period
    # A paused campaign stopped some weeks ago; a deleted one ran only early on.
    stop = days
    if campaign.status == CampaignStatus.DISABLED:
        stop = rng.randint(days // 3, days - 7)
    elif campaign.status == CampaignStatus.DELETED:
        stop = rng.randint(10, max(11, days // 3))
    rows = []
    for i in range(min(stop, days)):
        day = last - timedelta(days=days - 1 - i)
        wave = 1 + 0.08 * math.sin(i / 5.0)
        pace = (1 + trend * i / days) * WEEKDAY[day.weekday()] * wave
        spend = max(0.0, budget * rng.uniform(0.75, 1.0) * min(pace, 1.25))
        impressions = int(spend / cpm * 1000 * rng.uniform(0.9, 1.1))
        clicks = int(impressions * ctr * rng.uniform(0.8, 1.2))
        conversions = int(clicks * cvr * rng.uniform(0.6, 1.4) + rng.random())
        rows.append({"campaign_id": str(campaign.pk), "date": str(day),
                     "spend": str(Decimal(f"{spend:.2f}")), "impressions": str(impressions),
                     "clicks": str(min(clicks, impressions)),
                     "conversions": str(min(conversions, clicks))})
    return rows


def seed_metrics(center: BusinessCenter, days: int = 90, *, seed: int = 5) -> LoadResult | None:
    """Give every campaign in the Business Center's own ad accounts ``days`` days of
    metrics up to today; None when it has no campaigns. Running it again replaces
    the same days with the same numbers."""
    campaigns = list(Campaign.objects.filter(advertiser__center=center).order_by("pk"))
    last = today_in(center)
    rows = [row for campaign in campaigns for row in _rows(campaign, days, last, seed)]
    if not rows:
        return None
    return load_metrics(Actor.system("demo"), center, enumerate(rows, start=1), source="demo")
