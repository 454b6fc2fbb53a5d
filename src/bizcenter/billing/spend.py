"""Spend comes from the daily metrics, and only from them.

Reports read ``DailyMetric``; billing reads its ledger. Two sources drifted apart
(November: 22,886.96 GBP in reports, 958.76 on the invoice), so the ledger's spend
is now derived: every load of metrics (CSV, API, demo, later a platform sync) ends
by bringing the ledger's spend of each ad account and day it touched to what the
metrics of that day add up to. The ledger stays append-only: a day loaded again
with other numbers gets one more row with the difference, positive when the day
was corrected down. So for any ad account and month the report's spend and the
billing spend are equal to the cent, which ``reconcile`` checks and
``bizcenter billing reconcile`` prints.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.assets.models import Asset
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.billing import limits
from bizcenter.billing.models import Invoice, InvoiceStatus, Kind, Transaction
from bizcenter.billing.money import CENT, fmt
from bizcenter.billing.services import ZERO, Entry, month_of, today_in, write
from bizcenter.centers import seats
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict
from bizcenter.reporting.models import DailyMetric

Key = tuple[int, date]  # (ad account id, day)


def cents(total: Decimal) -> Decimal:
    """A database sum to the cent: SQLite sums decimals as floats (20079.710000000000)."""
    return Decimal(total).quantize(CENT)


def _metric_spend(center: BusinessCenter, accounts: set[int] | None = None,
                  first: date | None = None, last: date | None = None) -> dict[Key, Decimal]:
    """Spend per (ad account, day) as the reports count it: all of it, or these accounts
    and days."""
    rows = DailyMetric.objects.filter(center=center)
    if accounts is not None:
        rows = rows.filter(advertiser_id__in=accounts)
    if first is not None and last is not None:
        rows = rows.filter(day__range=(first, last))
    sums = (rows.values("advertiser", "day").annotate(total=Sum("spend"))
            .values_list("advertiser", "day", "total"))
    return {(a, d): cents(t) for a, d, t in sums}


def _billed_spend(center: BusinessCenter, accounts: set[int] | None = None,
                  first: date | None = None, last: date | None = None) -> dict[Key, Decimal]:
    """Spend per (ad account, day) as billing counts it, filtered as ``_metric_spend``."""
    rows = Transaction.objects.filter(center=center, kind=Kind.SPEND,
                                      advertiser__isnull=False)
    if accounts is not None:
        rows = rows.filter(advertiser_id__in=accounts)
    if first is not None and last is not None:
        rows = rows.filter(occurred_on__range=(first, last))
    sums = (rows.values("advertiser", "occurred_on").annotate(total=Sum("amount"))
            .values_list("advertiser", "occurred_on", "total"))
    return {(a, d): -cents(t) for a, d, t in sums}


def _invoiced(center: BusinessCenter, days: Iterable[date]) -> None:
    """Refuse to change the spend of a month that has an invoice: it would no longer be
    the invoice's total."""
    months = sorted({month_of(day)[0] for day in days})
    closed = list(Invoice.objects.filter(center=center, period_start__in=months)
                  .exclude(status=InvoiceStatus.VOID).order_by("period_start"))
    if closed:
        names = ", ".join(f"{i.period_start:%B %Y} ({i.number})" for i in closed)
        raise Conflict(
            f"These numbers change the spend of {names}, which is already invoiced; the "
            "invoice would no longer add up. Void the invoice in Billing, load the numbers "
            "again, then issue it again.", code="period_invoiced")


def follow_metrics(actor: Actor, center: BusinessCenter, keys: Iterable[Key]
                   ) -> list[Transaction]:
    """Bring the ledger's spend of each (ad account, day) in ``keys`` to the sum of that
    day's metrics, inside the caller's transaction (the metrics load's), so both are
    written or neither. Spend is a fact that already happened, so it is recorded past a
    spending limit and below a zero balance; the limit then stops the account's campaigns
    (billing/limits.py)."""
    wanted = set(keys)
    if not wanted:
        return []
    center = seats.lock(center.pk)
    accounts = {a for a, _ in wanted}
    first, last = min(d for _, d in wanted), max(d for _, d in wanted)
    metrics = _metric_spend(center, accounts, first, last)
    billed = _billed_spend(center, accounts, first, last)
    changes = sorted((day, account, metrics.get((account, day), ZERO)
                      - billed.get((account, day), ZERO))
                     for account, day in wanted)
    changes = [c for c in changes if c[2] != 0]
    if not changes:
        return []
    _invoiced(center, (day for day, _, _ in changes))
    names = {a.pk: a for a in Asset.objects.filter(pk__in={a for _, a, _ in changes})}
    written = write(actor, center, [
        Entry(Kind.SPEND, -delta, day, names[account],
              "" if delta > 0 else "Correction: the day's metrics were loaded again")
        for day, account, delta in changes])
    total = sum((delta for _, _, delta in changes), ZERO)
    record(actor, center=center, category=Category.BUSINESS, action="billing.spend_recorded",
           after={"amount": fmt(total), "currency": center.currency, "rows": len(written),
                  "ad_accounts": len({a for _, a, _ in changes}),
                  "from": changes[0][0].isoformat(), "to": changes[-1][0].isoformat()})
    this_month = month_of(today_in(center))[0]
    limits.after_spend(center, {a for day, a, _ in changes if day >= this_month})
    return written


# -- reconciling ---------------------------------------------------------------------

@dataclass(frozen=True)
class MonthLine:
    """One ad account's spend in one month, as the reports and as billing count it."""

    account_id: int
    account: str
    month: date
    reported: Decimal
    billed: Decimal

    @property
    def difference(self) -> Decimal:
        return self.billed - self.reported

    @property
    def agrees(self) -> bool:
        return self.reported == self.billed


def _by_month(spend: dict[Key, Decimal]) -> dict[tuple[int, date], Decimal]:
    out: dict[tuple[int, date], Decimal] = defaultdict(lambda: ZERO)
    for (account, day), amount in spend.items():
        out[account, day.replace(day=1)] += amount
    return out


def reconcile(actor: Actor, center: BusinessCenter) -> list[MonthLine]:
    """Every month and ad account with spend, as the reports and billing count it, oldest
    first. They agree unless spend was written outside the metrics (a ledger from before
    this rule, or an edit in the database); ``repair`` then brings billing to the
    metrics."""
    require(actor, Action.BILLING_VIEW, center)
    reported = _by_month(_metric_spend(center))
    billed = _by_month(_billed_spend(center))
    names = dict(Asset.objects.filter(pk__in={a for a, _ in reported | billed})
                 .values_list("pk", "name"))
    return [MonthLine(account, names.get(account, f"#{account}"), month,
                      reported.get((account, month), ZERO), billed.get((account, month), ZERO))
            for account, month in sorted(reported | billed, key=lambda k: (k[1], names.get(
                k[0], ""), k[0]))]


def repair(actor: Actor, center: BusinessCenter) -> list[Transaction]:
    """Write the differences that make billing's spend equal the metrics, day by day,
    through the same path a load takes; an invoiced month that would change is refused
    whole, naming it."""
    with transaction.atomic():
        require(actor, Action.BILLING_MANAGE, center)
        center = seats.lock(center.pk)
        reported, billed = _metric_spend(center), _billed_spend(center)
        keys = {k for k in reported | billed if reported.get(k, ZERO) != billed.get(k, ZERO)}
        return follow_metrics(actor, center, keys)
