"""The members page of a 4,000-member Business Center: server time per render.

    .venv/bin/python bench/members_page.py [--members 4000] [--invitations 300] [--runs 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/members_page.py

SQLite always; PostgreSQL too when DATABASE_URL is set. Each database is
measured in a fresh process of this script on a fresh database: SQLite in a
temporary data folder, PostgreSQL in a throwaway database ``bzc_bench_members_<pid>``
created beside the one DATABASE_URL names (that one is never touched) and
dropped afterwards.

The Business Center is written straight to the database (bulk inserts: the
set-up is not what is timed): N active members (the owner, made through
``create_center``, plus N-1 people with names, emails or phones, both roles,
every partner kind, modules, finance roles, some end dates, most with a last
activity), a couple of hundred revoked members, and the pending invitations
(plus some expired and cancelled ones). The owner, an Admin, also belongs to a
small second Business Center, so the query count of a small list can be
compared with that of the big one.

Then, logged in as the owner with Django's test Client (the whole middleware,
view, service and template stack, without a socket), each page is requested
``--warmup`` times and then ``--runs`` times, each request timed alone, in
rounds of one request of each (so load from elsewhere hits every line alike):

  * members list: first page, page 80, a search, a filter, sort by last activity;
  * pending invitations;
  * floor: ``GET /healthz`` through the same Client and stack (one ``SELECT 1``),
    the bare SQL of the members count and of the first page's rows (a cursor, no
    ORM), and ``list_members`` called directly (no HTTP, no template).

SQL per render is counted with ``CaptureQueriesContext`` on one more request
(the timed ones run without it) and at page sizes 10, 50 and 200 and on the
small Business Center, so a query per row (N+1) shows as a count that grows.
The SQL time inside each timed request is summed by an execute wrapper (the
"SQL ms" column); the rest is Python: middleware, service, model rows, template.
``--explain`` prints each page's statements and the plans of its list queries.

The test Client keeps the database connection open between requests; a real
server on SQLite (CONN_MAX_AGE 0) opens one per request on top of these figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpResponse

from stats import MS, spread
from throwaway import on_each_database

BUDGET_MS = 150.0
FIRST = ("Ada", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas",
         "Kenji", "Lena", "Mateo", "Nora", "Oscar", "Priya", "Quentin", "Rosa", "Sven", "Tara",
         "Umar", "Vera", "Wen", "Yusuf", "Zoe")
LAST = ("Martin", "Martinez", "Smith", "Müller", "Rossi", "Dubois", "Nakamura", "Kowalski",
        "Silva", "Okafor", "Jensen", "Novak", "Garcia", "Hansen", "Brown", "Lefebvre",
        "Schmidt", "Costa", "Ivanova", "Patel")
DOMAINS = ("agency.example", "brand.example", "mail.example", "studio.example")
SEARCH = "martin"  # Martin and Martinez: about a tenth of the members



def build(members: int, revoked: int, pending: int) -> dict:
    """The Business Centers, written in bulk; returns what the pages need."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from bizcenter.accounts.models import User
    from bizcenter.centers.choices import FinanceRole, Module, PartnerKind, Role
    from bizcenter.centers.models import Membership, MembershipState
    from bizcenter.centers.services import create_center
    from bizcenter.core.actor import Actor
    from bizcenter.invitations.models import Invitation, InvitationState

    rng = random.Random(4000)
    now = timezone.now()
    unusable = make_password(None)
    owner = User.objects.create(email="owner@bench.example", name="Olivia Owner",
                                password=unusable)
    admin = Actor(owner, via="bench")
    center = create_center(admin, name="Bench Media")
    small = create_center(admin, name="Small Shop")

    def person(i: int) -> User:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = "" if i % 10 == 3 else f"{first} {last}"
        if i % 10 == 7:  # reached by phone only
            return User(phone=f"+1555{i:07d}", name=name, password=unusable)
        email = f"{first.lower()}.{last.lower()}{i}@{rng.choice(DOMAINS)}"
        return User(email=email, name=name, password=unusable, date_joined=now)

    users = User.objects.bulk_create((person(i) for i in range(members - 1 + revoked + 10)),
                                     batch_size=1000)
    kinds, modules = list(PartnerKind.values), list(Module.values)

    def membership(i: int, user: User, where: object, state: str) -> Membership:
        admins = i < 19  # with the owner, the product's limit of 20 Admins
        joined = now - timedelta(days=rng.uniform(1, 730))
        return Membership(
            center=where, user=user, state=state,
            role=Role.ADMIN if admins else Role.STANDARD,
            kind=kinds[i % len(kinds)] if admins else rng.choice(kinds),
            finance_role=rng.choice([FinanceRole.NONE] * 17 + [FinanceRole.MANAGER]
                                    + [FinanceRole.ANALYST] * 2),
            modules=sorted(rng.sample(modules, rng.randint(0, len(modules)))),
            joined_at=joined,
            last_active_at=(now - timedelta(minutes=rng.uniform(10, 90 * 24 * 60))
                            if rng.random() < 0.7 else None),
            expires_at=now + timedelta(days=rng.uniform(5, 365)) if rng.random() < 0.05 else None,
            revoked_at=now - timedelta(days=1) if state == MembershipState.REVOKED else None,
            revoked_by=owner if state == MembershipState.REVOKED else None,
        )

    active = users[: members - 1]
    gone = users[members - 1 : members - 1 + revoked]
    rows = [membership(i, u, center, MembershipState.ACTIVE) for i, u in enumerate(active)]
    rows += [membership(99, u, center, MembershipState.REVOKED) for u in gone]
    rows += [membership(99, u, small, MembershipState.ACTIVE) for u in users[-10:]]
    Membership.objects.bulk_create(rows, batch_size=1000)

    def invitation(i: int, state: str, days_ago: float) -> Invitation:
        sent = now - timedelta(days=days_ago)
        return Invitation(
            center=center, address_kind="email", address=f"invitee{i}@{rng.choice(DOMAINS)}",
            role=Role.ADMIN if i % 97 == 0 else Role.STANDARD, kind=rng.choice(kinds),
            modules=sorted(rng.sample(modules, rng.randint(1, len(modules)))), state=state,
            created_at=sent, sent_at=sent, expires_at=sent + timedelta(days=30),
            resend_count=1 if i % 9 == 0 else 0, invited_by=owner,
            cancelled_at=now if state == InvitationState.CANCELLED else None,
        )

    invites = [invitation(i, InvitationState.PENDING, rng.uniform(0, 25)) for i in range(pending)]
    invites += [invitation(pending + i, InvitationState.PENDING, rng.uniform(31, 60))
                for i in range(pending // 6)]  # pending but past their date: expired
    invites += [invitation(pending * 2 + i, InvitationState.CANCELLED, rng.uniform(0, 60))
                for i in range(pending // 6)]
    Invitation.objects.bulk_create(invites, batch_size=1000)
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of such a load; SQLite is left as
        # deployed (nothing runs ANALYZE there).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    assert Membership.objects.active().filter(center=center).count() == members
    return {"owner": owner, "center": center, "small": small}


def measure(members: int, revoked: int, pending: int, runs: int, warmup: int,
            explain: bool) -> dict:
    """Run in the child process, against the database its environment names."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bizcenter.centers.models import Membership
    from bizcenter.centers.services import list_members
    from bizcenter.core.actor import Actor

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    made = build(members, revoked, pending)
    build_s = time.perf_counter() - started
    owner, center, small = made["owner"], made["center"], made["small"]
    client = Client()
    client.force_login(owner)
    base = f"/c/{center.pk}/partners/"
    late = min(80, -(-members // 50))  # the last page with the default 4,000
    pages = [
        ("first", base),
        ("late", base + f"?page={late}"),
        ("search", base + f"?q={SEARCH}"),
        ("filter", base + "?role=ADMIN&kind=agency"),
        ("sort", base + "?sort=-last_active"),
        ("invitations", base + "invitations/"),
        ("healthz", "/healthz"),
    ]
    db_time: list[float] = []

    def timing_wrapper(execute: Callable, sql: str, params: object, many: bool,
                       context: dict) -> object:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time.append(time.perf_counter() - t0)

    def get(url: str) -> HttpResponse:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code,
                                              response.content[:2000].decode(errors="replace"))
        return response

    # Floors without HTTP or templates: the bare SQL of the first page (a cursor,
    # no ORM), and the service that reads it.
    page_qs = (Membership.objects.filter(center=center, state="ACTIVE").select_related("user")
               .order_by("joined_at", "id"))
    count_sql, count_params = page_qs.order_by().values("pk").query.sql_with_params()
    count_sql = f"SELECT COUNT(*) FROM ({count_sql}) sub"  # noqa: S608 - Django's own SQL
    rows_sql, rows_params = page_qs[:50].query.sql_with_params()

    def bare(sql: str, params: tuple) -> Callable[[], object]:
        def run() -> object:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        return run

    assert bare(count_sql, count_params)()[0][0] == members
    calls: list[tuple[str, Callable[[], object]]] = [
        *((key, partial(get, url)) for key, url in pages),
        ("sql_count", bare(count_sql, count_params)),
        ("sql_rows", bare(rows_sql, rows_params)),
        ("service", lambda: list_members(Actor(owner, via="bench"), center, page=1)),
    ]
    # Round robin: one call of each per round, so a burst of load from elsewhere
    # on the machine lands on every page and floor alike.
    for _ in range(warmup):
        for _, call in calls:
            call()
    times: dict[str, list[float]] = {key: [] for key, _ in calls}
    db: dict[str, list[float]] = {key: [] for key, _ in calls}
    with connection.execute_wrapper(timing_wrapper):
        for _ in range(runs):
            for key, call in calls:
                db_time.clear()
                t0 = time.perf_counter()
                call()
                times[key].append(time.perf_counter() - t0)
                db[key].append(sum(db_time))
    results: dict[str, dict] = {key: spread(spent) for key, spent in times.items()}
    for key, url in pages:
        with CaptureQueriesContext(connection) as captured:
            body = get(url).content.decode()
        results[key].update(db_p50=statistics.median(db[key]) * MS, queries=len(captured),
                            rows=max(0, body.count("<tr>") - 1), kb=len(body) / 1024,
                            sql=[q["sql"] for q in captured.captured_queries])

    # Does the number of queries grow with the rows shown or the members there are?
    scaling = {}
    for label, url in (("size 10", base + "?size=10"), ("size 50", base),
                       ("size 200", base + "?size=200"),
                       ("small center", f"/c/{small.pk}/partners/")):
        for _ in range(warmup):  # the small center's access snapshot, like the others'
            get(url)
        with CaptureQueriesContext(connection) as captured:
            get(url)
        scaling[label] = len(captured)

    plans = {}
    if explain:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
        for key, _ in pages:
            plans[key] = []
            for sql in results[key]["sql"]:
                listed = "centers_membership" in sql or "invitations_invitation" in sql
                if listed and ("COUNT(" in sql or " LIMIT " in sql):
                    with connection.cursor() as cursor:
                        cursor.execute(prefix + sql)
                        lines = [" | ".join(str(c) for c in row) for row in cursor.fetchall()]
                    plans[key].append({"sql": sql, "plan": lines})
    return {
        "database": "PostgreSQL" if connection.vendor == "postgresql" else "SQLite",
        "build_s": build_s,
        "late": late,
        "results": results,
        "scaling": scaling,
        "plans": plans,
    }


PAGES = [
    ("members, first page", "first"),
    ("members, page {late}", "late"),
    (f"members, search ?q={SEARCH}", "search"),
    ("members, filter ?role=ADMIN&kind=agency", "filter"),
    ("members, sort ?sort=-last_active", "sort"),
    ("pending invitations", "invitations"),
]
FLOORS = [
    ("floor: GET /healthz, same Client and stack", "healthz"),
    ("floor: bare SQL, COUNT of the members query", "sql_count"),
    ("floor: bare SQL, first page's 50 rows", "sql_rows"),
    ("floor: list_members(page 1), no HTTP/template", "service"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=4000, help="active members (4000)")
    parser.add_argument("--revoked", type=int, default=200, help="revoked members (200)")
    parser.add_argument("--invitations", type=int, default=300, help="pending invitations (300)")
    parser.add_argument("--runs", type=int, default=50, help="timed requests per page (50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (5)")
    parser.add_argument("--explain", action="store_true", help="print each page's query plans")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--json", help="also write the figures to this file (bench/run.py)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.members, args.revoked, args.invitations, args.runs,
                                 args.warmup, args.explain)))
        return

    started = time.perf_counter()
    print(f"bench/members_page.py: {args.members:,} members, {args.invitations} pending "
          f"invitations, {args.runs} timed requests per page after {args.warmup}",
          file=sys.stderr)
    child_args = ["--members", str(args.members), "--revoked", str(args.revoked),
                  "--invitations", str(args.invitations), "--runs", str(args.runs),
                  "--warmup", str(args.warmup)] + (["--explain"] if args.explain else [])
    runs = on_each_database(__file__, child_args, "members", skip_sqlite=args.skip_sqlite)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, default=str))

    first = runs[0]["results"]
    print("| server time, ms: p50 / p95 / max (SQL queries; SQL ms at p50) | "
          + " | ".join(r["database"] for r in runs) + " |")
    print("|---|" + "---:|" * len(runs))
    for label, key in PAGES + FLOORS[:1]:
        shown = f"{first[key]['rows']} rows, {first[key]['kb']:.0f} KB" if key != "healthz" \
            else "1 SELECT"
        print(f"| {label.format(late=runs[0]['late'])} ({shown}) | " + " | ".join(
            f"{r['results'][key]['p50']:.1f} / {r['results'][key]['p95']:.1f} / "
            f"{r['results'][key]['max']:.1f} ({r['results'][key]['queries']} q; "
            f"{r['results'][key]['db_p50']:.1f})" for r in runs) + " |")
    for label, key in FLOORS[1:]:
        print(f"| {label} | " + " | ".join(
            f"{r['results'][key]['p50']:.2f} / {r['results'][key]['p95']:.2f} / "
            f"{r['results'][key]['max']:.2f}" for r in runs) + " |")

    print("\nSQL queries per render of the members list, by rows shown and Business Center size:")
    for run in runs:
        counts = ", ".join(f"{k}: {v}" for k, v in run["scaling"].items())
        flat = len(set(run["scaling"].values())) == 1
        print(f"  {run['database']}: {counts} -> "
              + ("constant (no query per row)" if flat else "GROWS: look for a query per row"))
    for run in runs:
        over = [label for label, key in PAGES if run["results"][key]["p95"] > BUDGET_MS]
        print(f"  {run['database']}: "
              + (f"over {BUDGET_MS:.0f} ms at p95: {', '.join(over)}" if over
                 else f"every page under {BUDGET_MS:.0f} ms at p95")
              + f" (set-up {run['build_s']:.1f} s, not timed)")
    if args.explain:
        for run in runs:
            print(f"\n== {run['database']}: SQL of one render, and query plans ==")
            for key, plans in run["plans"].items():
                print(f"-- {key}:")
                print("\n".join(f"   {i}. {sql[:160]}"
                                for i, sql in enumerate(run["results"][key]["sql"], 1)))
                for plan in plans:
                    print(f"-- {key}: {plan['sql']}")
                    print("\n".join(f"   {line}" for line in plan["plan"]))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n(whole run {time.perf_counter() - started:.0f} s; load average at the end "
          f"{load} on {os.cpu_count()} CPUs: other work on the machine shows in p95 and max)")


if __name__ == "__main__":
    main()
