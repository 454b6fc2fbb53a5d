"""Reports over a year of 1,000 campaigns: server time per report (issue 5: under 300 ms).

    .venv/bin/python bench/report.py [--campaigns 1000] [--days 365] [--runs 30] [--explain]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/report.py

SQLite always; PostgreSQL too when DATABASE_URL is set. Each database is
measured in a fresh process of this script on a fresh database: SQLite in a
temporary data folder, PostgreSQL in a throwaway database ``bzc_bench_report_<pid>``
created beside the one DATABASE_URL names (that one is never touched) and
dropped afterwards.

The data is written in bulk (the set-up is not timed): a Business Center with
``--accounts`` ad accounts holding ``--campaigns`` campaigns, one metrics row per
campaign and day for ``--days`` days (365,000 rows by default), plus a second
Business Center with a fifth as many campaigns over the same days, so the
reports have other centers' rows to skip as a real database would. A Standard
member with the Analytics module is assigned a quarter of the ad accounts.

Timed, each call alone, ``--runs`` times after ``--warmup``, in rounds of one
call of each (so load from elsewhere on the machine lands on every line alike):

  * ``report()`` of the Business Center for the whole range by month, by week and
    by day, as its Admin; by month as the Standard member (the totals of what
    they see); of the largest ad account by day; of one campaign by day;
  * the Business Center report page by month through Django's test Client (the
    whole middleware, view, service, chart and template stack);
  * floors: a bare SQL ``SUM`` of the four metrics over the same rows (one row
    out, no grouping), and the bare SQL of the report's two grouped queries, by
    day and by campaign (a cursor, no ORM). Weeks and months are folded from the
    day sums in Python, so every grouping runs the same two queries; the last line
    times the alternative, months grouped in SQL by Django's TruncMonth.

``--explain`` prints the plans of the report's queries.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from stats import spread
from throwaway import on_each_database

BUDGET_MS = 300.0



def build(campaigns: int, days: int, accounts: int) -> dict:
    """Both Business Centers and their metrics, in bulk; returns what the timing needs."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from bizcenter.accounts.models import User
    from bizcenter.assets.models import Asset, AssetGrant
    from bizcenter.campaigns.models import Campaign
    from bizcenter.centers.models import Membership
    from bizcenter.centers.services import create_center
    from bizcenter.core.actor import Actor
    from bizcenter.reporting.models import DailyMetric
    from bizcenter.reporting.services import today_in

    rng = random.Random(365)
    unusable = make_password(None)
    owner = User.objects.create(email="owner@bench.example", name="Olivia Owner",
                                password=unusable)
    analyst = User.objects.create(email="ana@bench.example", name="Ana Lyst",
                                  password=unusable)
    center = create_center(Actor(owner, via="bench"), name="Bench Media")
    other = create_center(Actor(owner, via="bench"), name="Other Shop")
    until = today_in(center)
    since = until - timedelta(days=days - 1)

    def fill(where: object, count: int, n_accounts: int, prefix: str) -> list[Asset]:
        made = Asset.objects.bulk_create(
            Asset(center=where, type="ADVERTISER", name=f"{prefix} account {i + 1}")
            for i in range(n_accounts))
        # Uneven sizes, as real accounts are: the first holds the most campaigns.
        weights = [1 / (i + 1) for i in range(n_accounts)]
        rows = Campaign.objects.bulk_create(
            (Campaign(advertiser=rng.choices(made, weights)[0], name=f"{prefix} campaign {i + 1}",
                      objective="CONVERSIONS", budget=Decimal(rng.randint(20, 500)))
             for i in range(count)), batch_size=1000)
        batch: list[DailyMetric] = []
        for campaign in rows:
            scale = rng.uniform(0.2, 3.0)
            for d in range(days):
                impressions = int(rng.uniform(2000, 20000) * scale)
                clicks = int(impressions * rng.uniform(0.004, 0.03))
                batch.append(DailyMetric(
                    campaign_id=campaign.pk, advertiser_id=campaign.advertiser_id,
                    center_id=campaign.advertiser.center_id, day=since + timedelta(days=d),
                    spend=Decimal(f"{impressions * rng.uniform(0.004, 0.012):.2f}"),
                    impressions=impressions, clicks=clicks,
                    conversions=int(clicks * rng.uniform(0.0, 0.1))))
                if len(batch) >= 20_000:
                    DailyMetric.objects.bulk_create(batch, batch_size=5000)
                    batch.clear()
        DailyMetric.objects.bulk_create(batch, batch_size=5000)
        return made

    made = fill(center, campaigns, accounts, "Bench")
    fill(other, max(1, campaigns // 5), max(1, accounts // 4), "Other")
    membership = Membership.objects.create(center=center, user=analyst, role="STANDARD",
                                           modules=["ANALYTICS"])
    AssetGrant.objects.bulk_create(AssetGrant(membership=membership, asset=a, roles=["ANALYST"])
                                   for a in made[::4])
    if connection.vendor == "postgresql":
        # What autovacuum does soon after such a load (PostgreSQL 13+ vacuums
        # insert-only tables too): statistics, and the visibility map that lets a
        # covering index answer without visiting the table. SQLite is left as
        # deployed (nothing runs ANALYZE there).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    biggest = max(made, key=lambda a: a.campaigns.count())
    return {"owner": owner, "analyst": analyst, "center": center, "since": since,
            "until": until, "account": biggest, "campaign": biggest.campaigns.first(),
            "account_campaigns": biggest.campaigns.count(),
            "rows": DailyMetric.objects.count()}


def measure(campaigns: int, days: int, accounts: int, runs: int, warmup: int,
            explain: bool) -> dict:
    """Run in the child process, against the database its environment names."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bizcenter.access.snapshot import request_scope
    from bizcenter.core.actor import Actor
    from bizcenter.reporting.models import DailyMetric
    from bizcenter.reporting.services import report

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    made = build(campaigns, days, accounts)
    build_s = time.perf_counter() - started
    center, since, until = made["center"], made["since"], made["until"]
    admin, analyst = Actor(made["owner"], via="bench"), Actor(made["analyst"], via="bench")
    span = {"since": since, "until": until}

    def call(who: Actor, **query: object) -> Callable[[], object]:
        def run() -> object:
            # As a door runs it: one access-version read per request (the middleware's scope).
            with request_scope():
                return report(who, center, **span, **query)  # type: ignore[arg-type]
        return run

    client = Client()
    client.force_login(made["owner"])
    page_url = f"/c/{center.pk}/reports/?since={since}&until={until}&group=month"

    def page() -> object:
        response = client.get(page_url)
        assert response.status_code == 200, response.content[:2000]
        return response

    # The report's own SQL, captured once, replayed through a bare cursor.
    with CaptureQueriesContext(connection) as captured:
        report(admin, center, **span, group="month")  # type: ignore[arg-type]
    grouped = [q["sql"] for q in captured.captured_queries if "SUM(" in q["sql"].upper()]
    total_sql = ("SELECT SUM(spend), SUM(impressions), SUM(clicks), SUM(conversions) "
                 "FROM reporting_dailymetric WHERE center_id = %s AND day >= %s AND day <= %s")

    def trunc_month() -> object:
        """The road not taken: months grouped in SQL with Django's TruncMonth (on SQLite
        a Python function called per row), instead of days folded into months."""
        return list(DailyMetric.objects.filter(center=center, day__gte=since, day__lte=until)
                    .annotate(month=TruncMonth("day")).values("month")
                    .annotate(spend_sum=Sum("spend"), clicks_sum=Sum("clicks")).order_by())

    def bare(sql: str, params: tuple = ()) -> Callable[[], object]:
        def run() -> object:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        return run

    calls: list[tuple[str, Callable[[], object]]] = [
        ("month", call(admin, group="month")),
        ("week", call(admin, group="week")),
        ("day", call(admin, group="day")),
        ("standard", call(analyst, group="month")),
        ("account", call(admin, scope="advertiser", id=made["account"].pk, group="day")),
        ("campaign", call(admin, scope="campaign", id=made["campaign"].pk, group="day")),
        ("page", page),
        ("sql_sum", bare(total_sql, (center.pk, since, until))),
        ("sql_by_day", bare(grouped[0])),
        ("sql_by_campaign", bare(grouped[1])),
        ("trunc_month", trunc_month),
    ]
    for _ in range(warmup):
        for _, fn in calls:
            fn()
    times: dict[str, list[float]] = {key: [] for key, _ in calls}
    for _ in range(runs):
        for key, fn in calls:
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
    results = {key: spread(spent) for key, spent in times.items()}
    for key in ("month", "week", "day", "standard", "account", "campaign"):
        with CaptureQueriesContext(connection) as captured:
            dict(calls)[key]()
        results[key]["queries"] = len(captured)
    with CaptureQueriesContext(connection) as captured:
        page()
    results["page"]["queries"] = len(captured)
    check = report(admin, center, **span, group="month")  # type: ignore[arg-type]
    with connection.cursor() as cursor:
        cursor.execute(total_sql, (center.pk, since, until))
        floor_spend = Decimal(str(cursor.fetchone()[0])).quantize(Decimal("0.01"))
    plans = []
    if explain:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
        for label, query in (("Business Center by month", {"group": "month"}),
                             ("Standard member by month", {"group": "month", "who": analyst}),
                             ("ad account by day", {"scope": "advertiser",
                                                    "id": made["account"].pk})):
            who = query.pop("who", admin)
            with CaptureQueriesContext(connection) as captured:
                report(who, center, **span, **query)  # type: ignore[arg-type]
            for sql in (q["sql"] for q in captured.captured_queries):
                if "reporting_dailymetric" not in sql:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute(prefix + sql)
                    lines = [" | ".join(str(c) for c in row) for row in cursor.fetchall()]
                plans.append({"label": label, "sql": sql, "plan": lines})
    return {
        "database": "PostgreSQL" if connection.vendor == "postgresql" else "SQLite",
        "build_s": build_s, "rows": made["rows"],
        "account_campaigns": made["account_campaigns"],
        "periods": len(check.periods), "campaigns": len(check.campaigns),
        "totals_match": check.totals.spend == floor_spend,
        "results": results, "plans": plans,
        "storage": storage_mb(),
    }


def storage_mb() -> dict[str, float]:
    """Size of the metrics table and its indexes, to weigh an index against its cost."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_relation_size('reporting_dailymetric'), "
                           "pg_indexes_size('reporting_dailymetric')")
            table, indexes = cursor.fetchone()
            return {"table": table / 2**20, "indexes": indexes / 2**20}
        try:
            cursor.execute("SELECT name, SUM(pgsize) FROM dbstat WHERE name IN (SELECT name "
                           "FROM sqlite_master WHERE tbl_name = 'reporting_dailymetric') "
                           "GROUP BY name")
        except Exception:  # dbstat is a compile-time option of SQLite
            return {}
        sizes = dict(cursor.fetchall())
        table = sizes.pop("reporting_dailymetric", 0)
        return {"table": table / 2**20, "indexes": sum(sizes.values()) / 2**20}


LINES = [
    ("Business Center, {days} days by month (Admin)", "month"),
    ("Business Center, {days} days by week (Admin)", "week"),
    ("Business Center, {days} days by day (Admin)", "day"),
    ("Business Center by month, Standard member (1/4 of the accounts)", "standard"),
    ("ad account ({account_campaigns} campaigns), {days} days by day", "account"),
    ("one campaign, {days} days by day", "campaign"),
    ("report page by month, test Client (HTTP stack + SVG + template)", "page"),
]
FLOORS = [
    ("floor: bare SQL SUM of the 4 metrics, same rows, 1 row out", "sql_sum"),
    ("floor: bare SQL of the report's by-day query", "sql_by_day"),
    ("floor: bare SQL of the report's by-campaign query", "sql_by_campaign"),
    ("not used: the Business Center by month in SQL (TruncMonth), 1 query", "trunc_month"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=1000, help="campaigns (1000)")
    parser.add_argument("--days", type=int, default=365, help="days of metrics (365)")
    parser.add_argument("--accounts", type=int, default=20, help="ad accounts (20)")
    parser.add_argument("--runs", type=int, default=30, help="timed calls of each (30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls first (3)")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--json", help="also write the figures to this file (bench/run.py)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.campaigns, args.days, args.accounts, args.runs,
                                 args.warmup, args.explain), default=str))
        return

    started = time.perf_counter()
    print(f"bench/report.py: {args.campaigns:,} campaigns x {args.days} days in "
          f"{args.accounts} ad accounts, {args.runs} timed calls of each after {args.warmup}",
          file=sys.stderr)
    child_args = ["--campaigns", str(args.campaigns), "--days", str(args.days),
                  "--accounts", str(args.accounts), "--runs", str(args.runs),
                  "--warmup", str(args.warmup)] + (["--explain"] if args.explain else [])
    runs = on_each_database(__file__, child_args, "report", skip_sqlite=args.skip_sqlite)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, default=str))

    first = runs[0]
    print("| ms: p50 / p95 / max (SQL queries) | " + " | ".join(r["database"] for r in runs)
          + " |")
    print("|---|" + "---:|" * len(runs))
    for label, key in LINES:
        text = label.format(days=args.days, account_campaigns=first["account_campaigns"])
        print(f"| {text} | " + " | ".join(
            f"{r['results'][key]['p50']:.1f} / {r['results'][key]['p95']:.1f} / "
            f"{r['results'][key]['max']:.1f} ({r['results'][key].get('queries', '?')} q)"
            for r in runs) + " |")
    for label, key in FLOORS:
        print(f"| {label} | " + " | ".join(
            f"{r['results'][key]['p50']:.1f} / {r['results'][key]['p95']:.1f} / "
            f"{r['results'][key]['max']:.1f}" for r in runs) + " |")
    print()
    for run in runs:
        over = [key for _, key in LINES if run["results"][key]["p95"] > BUDGET_MS]
        size = run["storage"]
        stored = (f"; table {size['table']:.0f} MB + indexes {size['indexes']:.0f} MB"
                  if size else "")
        print(f"  {run['database']}: {run['rows']:,} metric rows ({run['periods']} months, "
              f"{run['campaigns']:,} campaigns in the report; totals "
              f"{'match' if run['totals_match'] else 'DO NOT MATCH'} the bare SUM{stored}); "
              + (f"over {BUDGET_MS:.0f} ms at p95: {', '.join(over)}" if over
                 else f"every report under {BUDGET_MS:.0f} ms at p95")
              + f" (set-up {run['build_s']:.0f} s, not timed)")
    if args.explain:
        for run in runs:
            print(f"\n== {run['database']}: query plans ==")
            for plan in run["plans"]:
                print(f"-- {plan['label']}: {plan['sql']}")
                print("\n".join(f"   {line}" for line in plan["plan"]))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n(whole run {time.perf_counter() - started:.0f} s; load average at the end "
          f"{load} on {os.cpu_count()} CPUs: other work on the machine shows in p95 and max)")


if __name__ == "__main__":
    main()
