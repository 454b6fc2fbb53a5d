"""One source of truth for spend (issue 19): the daily metrics that reports read are the
spend billing counts. Before, the demo's November said 22,886.96 GBP in Reports and
958.76 GBP on Billing's invoice, a disabled ad account spent in Billing and not in
Reports, and transactions were listed in the order they were written, not by date."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bizcenter import demo
from bizcenter.billing import services, spend
from bizcenter.billing.models import Invoice, Kind, Transaction
from bizcenter.campaigns.models import Campaign
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict
from bizcenter.reporting.models import DailyMetric
from bizcenter.reporting.services import import_metrics, report
from tests.conftest import act
from tests.support.billing import chain_is_consistent


def _billed_by_month(center, actor) -> dict[tuple[int, date], Decimal]:
    out: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for tx in services.transactions(actor, center, kind="SPEND"):
        out[tx.advertiser_id, tx.occurred_on.replace(day=1)] -= tx.amount
    return out


def test_every_month_of_the_demo_is_the_same_in_reports_and_billing(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = demo.seed().center
    admin = Actor(center.memberships.get(user__email=demo.OWNER_EMAIL).user)
    days = DailyMetric.objects.filter(center=center).order_by("day")
    first, last = days.first().day, days.last().day  # type: ignore[union-attr]
    billed = _billed_by_month(center, admin)
    accounts = {c.advertiser for c in Campaign.objects.filter(advertiser__center=center)}
    months = 0
    for account in accounts:
        found = report(admin, center, scope="advertiser", id=account.pk, since=first,
                       until=last, group="month")
        for period in found.periods:
            assert billed[account.pk, period.start.replace(day=1)] == period.spend, (
                account, period.label)
            months += 1
    assert months >= 3  # 90 days of demo reach into four months
    # Billing has no spend that reports do not show, disabled ad accounts included.
    assert {a for a, _ in billed} == {a.pk for a in accounts}
    # Last month's invoice is last month's report.
    [invoice] = Invoice.objects.filter(center=center)
    whole = report(admin, center, since=invoice.period_start, until=invoice.period_end)
    assert invoice.amount == whole.totals.spend
    assert all(line.agrees for line in spend.reconcile(admin, center))
    # The monthly limit is weighed against the same numbers.
    [limited] = [line for line in services.billing_overview(admin, center).limits
                 if line.limit is not None]
    this_month = report(admin, center, scope="advertiser", id=limited.account.pk,
                        since=services.today_in(center).replace(day=1),
                        until=services.today_in(center))
    assert limited.spent == this_month.totals.spend and not limited.reached
    assert chain_is_consistent(center)


def test_transactions_are_listed_by_the_day_the_money_moved(owner, center, account,
                                                            last_month):
    from tests.conftest import spend as spent

    services.top_up(act(owner), center, "100")  # today
    spent(center, account, "5", last_month + timedelta(days=3))
    spent(center, account, "6", last_month)  # written later, happened earlier
    rows = list(services.transactions(act(owner), center))
    assert [tx.occurred_on for tx in rows] == sorted((tx.occurred_on for tx in rows),
                                                     reverse=True)
    assert [str(tx.amount) for tx in rows] == ["100.00", "-5.00", "-6.00"]
    exported = "".join(services.export_transactions(act(owner), center)).splitlines()[1:]
    assert [line.split(",")[5] for line in exported] == ["-6.00", "-5.00", "100.00"]


def _csv(*rows: tuple[int, date, str]) -> bytes:
    lines = ["campaign_id,date,spend,impressions,clicks,conversions"]
    lines += [f"{c},{d},{s},100,5,1" for c, d, s in rows]
    return "\n".join(lines).encode()


def test_a_metrics_file_is_the_spend_and_a_corrected_file_corrects_it(owner, center, account,
                                                                     last_month):
    ads = Campaign.objects.create(advertiser=account, name="Ads", objective="TRAFFIC")
    more = Campaign.objects.create(advertiser=account, name="More", objective="REACH")
    import_metrics(act(owner), center, _csv((ads.pk, last_month, "25.50"),
                                            (more.pk, last_month, "4.50"),
                                            (ads.pk, last_month + timedelta(days=1), "10")))
    by_day = {tx.occurred_on: tx.amount for tx in Transaction.objects.filter(kind=Kind.SPEND)}
    assert by_day == {last_month: Decimal("-30.00"),
                      last_month + timedelta(days=1): Decimal("-10.00")}
    import_metrics(act(owner), center, _csv((ads.pk, last_month, "20.50")))  # corrected
    assert [line.agrees for line in spend.reconcile(act(owner), center)] == [True]
    assert services.balance_of(center) == Decimal("-35.00")
    invoice, _ = services.issue_invoice(act(owner), center, last_month.year, last_month.month)
    assert invoice.amount == Decimal("35.00")
    # Invoiced: numbers that would change the month are refused whole, metrics included.
    with pytest.raises(Conflict) as refused:
        import_metrics(act(owner), center, _csv((ads.pk, last_month, "99")))
    assert refused.value.code == "period_invoiced" and "Void the invoice" in (
        refused.value.message)
    assert DailyMetric.objects.get(campaign=ads, day=last_month).spend == Decimal("20.50")
    # The same numbers again change nothing, so they are welcome.
    import_metrics(act(owner), center, _csv((ads.pk, last_month, "20.50")))
    assert Transaction.objects.filter(kind=Kind.SPEND).count() == 3


def test_reconcile_finds_spend_written_outside_the_metrics_and_repair_fixes_it(
        owner, center, account, last_month, analyst):
    from tests.conftest import spend as spent

    spent(center, account, "12.00", last_month)
    # A ledger from before this rule: spend no metric stands for.
    services.write(Actor.system("legacy"), center, [services.Entry(
        Kind.SPEND, Decimal("-7.00"), last_month + timedelta(days=2), account)])
    [line] = spend.reconcile(act(analyst), center)
    assert (line.reported, line.billed, line.difference, line.agrees) == (
        Decimal("12.00"), Decimal("19.00"), Decimal("7.00"), False)
    written = spend.repair(act(owner), center)
    assert [tx.amount for tx in written] == [Decimal("7.00")]
    assert all(line.agrees for line in spend.reconcile(act(owner), center))
    assert spend.repair(act(owner), center) == []  # nothing left to write
