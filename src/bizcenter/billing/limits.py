"""Monthly spending limits that hold: warned at 80%, stopped at 100%.

A limit was stored and shown but nothing kept an ad account under it. Now, each
time its spend or its limit changes, the account is weighed against the limit of
the current month (in the Business Center's time zone):

- at 80% its Business Center's Admins and Finance Managers are emailed, once per
  level, month and limit (a new limit warns again);
- at 100% they are emailed again and its enabled campaigns are paused, as TikTok
  stops delivery when a budget is spent; enabling a campaign there is refused
  while the month's spend is at the limit (``refuse_if_stopped``);
- the campaigns the limit paused, and only those, resume when it allows again:
  the limit raised or removed, or a new month (an hourly task of the worker).

Spend itself is never refused: it is what the platform already spent (billing/spend.py).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from bizcenter.assets.models import Asset
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.billing.models import LimitAlert, LimitLevel
from bizcenter.billing.money import fmt
from bizcenter.billing.services import AccountLimit, account_limits, month_of, today_in
from bizcenter.campaigns.models import Campaign, CampaignStatus
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict

LIMIT = Actor.system("spending limit")


def _this_month(center: BusinessCenter) -> tuple[date, date]:
    return month_of(today_in(center))


def after_spend(center: BusinessCenter, account_ids: Collection[int]) -> None:
    """Weigh these ad accounts' spend this month against their limits: warn, pause or
    resume. The caller holds the Business Center's lock, inside its transaction."""
    if not account_ids:
        return
    first, last = _this_month(center)
    for line in account_limits(center, first, last, only=account_ids):
        if line.limit is None:
            _resume(center, line.account, "the limit was removed")
            continue
        if line.warned:
            _alert(center, line, first, LimitLevel.WARNED, quiet=line.reached)
        if line.reached:
            _alert(center, line, first, LimitLevel.REACHED)
            _pause(center, line)
        else:
            _resume(center, line.account, "the month's spend is under its limit")


def _alert(center: BusinessCenter, line: AccountLimit, month: date, level: int, *,
           quiet: bool = False) -> None:
    """Tell the people who answer for the money, once per level, month and limit. A
    warning crossed together with the limit is kept, but not sent: one email says both."""
    assert line.limit is not None
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not end the caller's
            alert = LimitAlert.objects.create(advertiser=line.account, month=month, level=level,
                                              spent=line.spent, limit=line.limit)
    except IntegrityError:
        return  # already told
    record(LIMIT, center=center, category=Category.ACCOUNT,
           action="billing.limit_reached" if level == LimitLevel.REACHED
           else "billing.limit_warned", target=line.account,
           after={"monthly_limit": fmt(line.limit), "spent": fmt(line.spent),
                  "currency": center.currency, "month": f"{month:%Y-%m}"})
    if quiet:
        return
    from bizcenter.notifications.events import spending_limit

    spending_limit(center, alert)  # Admins and Finance Managers: in the app, and by email


def _pause(center: BusinessCenter, line: AccountLimit) -> None:
    today = today_in(center)
    assert line.limit is not None
    for campaign in Campaign.objects.select_for_update().filter(
            advertiser=line.account, status=CampaignStatus.ENABLED):
        _set(center, campaign, CampaignStatus.DISABLED, today,
             f"{line.account.name} spent {fmt(line.spent)} of its {fmt(line.limit)} "
             f"{center.currency} limit for {today:%B %Y}")


def _resume(center: BusinessCenter, account: Asset, why: str) -> int:
    waiting = list(Campaign.objects.select_for_update().filter(
        advertiser=account, status=CampaignStatus.DISABLED, paused_by_limit_on__isnull=False))
    for campaign in waiting:
        _set(center, campaign, CampaignStatus.ENABLED, None, why)
    return len(waiting)


def _set(center: BusinessCenter, campaign: Campaign, status: str, paused_on: date | None,
         why: str) -> None:
    before = campaign.status
    campaign.status, campaign.paused_by_limit_on = status, paused_on
    campaign.version += 1
    campaign.updated_at = timezone.now()
    campaign.save(update_fields=["status", "paused_by_limit_on", "version", "updated_at"])
    record(LIMIT, center=center, category=Category.ACCOUNT, action="campaign.status_changed",
           target=campaign, before={"status": before}, after={"status": status, "why": why})


def refuse_if_stopped(advertiser: Asset, status: str | None) -> None:
    """Refuse to enable a campaign in an ad account that spent its limit this month,
    saying what would let it run: the same rule as the pause, for every door."""
    if status != CampaignStatus.ENABLED:
        return
    center = advertiser.center
    first, last = _this_month(center)
    found = account_limits(center, first, last, only=[advertiser.pk])
    if not found or not found[0].reached:
        return
    line = found[0]
    assert line.limit is not None
    following = last + timedelta(days=1)
    raise Conflict(
        f"{advertiser.name} has spent {fmt(line.spent)} of its {fmt(line.limit)} "
        f"{center.currency} spending limit for {first:%B %Y}, so its campaigns cannot run. "
        f"Raise or remove the limit in Billing, or enable it on {following:%d %B %Y}; "
        "you can create it disabled meanwhile.", code="spending_limit_reached",
        fields={"status": "spending limit reached"})


def resume_new_month() -> int:
    """Resume the campaigns a limit paused in an earlier month, where this month's spend
    is under the limit; the number resumed."""
    resumed = 0
    waiting = (Campaign.objects.filter(paused_by_limit_on__isnull=False,
                                       status=CampaignStatus.DISABLED)
               .values_list("advertiser__center_id", "advertiser_id").distinct())
    by_center: dict[int, set[int]] = {}
    for center_id, account_id in waiting:
        by_center.setdefault(center_id, set()).add(account_id)
    from bizcenter.centers import seats

    for center_id, accounts in by_center.items():
        with transaction.atomic():
            center = seats.lock(center_id)
            first, last = _this_month(center)
            for line in account_limits(center, first, last, only=accounts):
                if not line.reached:
                    resumed += _resume(center, line.account,
                                       f"a new month began ({first:%B %Y})")
    return resumed

