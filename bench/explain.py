"""Query plans of the hot pages on PostgreSQL with 100,000 Business Centers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/explain.py

Seeds a throwaway database beside the one DATABASE_URL names as bench/http_load.py
does (centers of 4,000, 1,000 and 10 members, a year of metrics), grows it to
``--centers`` Business Centers (each filler with three members and an ad account),
then requests each page and API read once through Django's test Client, records
its SQL and prints ``EXPLAIN (ANALYZE, BUFFERS)`` of every SELECT. A sequential
scan of a table that grows with the number of Business Centers is flagged: that
is a missing index, and the page would slow down as the database grows.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Tables that grow with the whole database, not with one Business Center.
GROWING = ("centers_businesscenter", "centers_membership", "accounts_user", "assets_asset",
           "assets_assetgrant", "audit_auditevent", "invitations_invitation",
           "reporting_dailymetric", "campaigns_campaign", "accounts_apitoken",
           "django_session", "billing_transaction")


def child(total: int, analyze: bool) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from http_load import grow, seed

    made = seed(campaigns=100, days=365)
    print(f"grown: {grow(total)}", flush=True)
    big = made["centers"]["4000"]
    cid, r = big["id"], made["report"]
    web = Client()
    web.cookies.load(made["cookie"])
    api = {"HTTP_AUTHORIZATION": f"Bearer {big['owner_token']}"}
    pages = {
        "members page": lambda: web.get(f"/c/{cid}/partners/"),
        "members page, search": lambda: web.get(f"/c/{cid}/partners/?q=martin"),
        "members page, last page": lambda: web.get(f"/c/{cid}/partners/?page=80"),
        "members API": lambda: web.get(f"/api/v1/centers/{cid}/members", **api),
        "access check API": lambda: web.get(
            f"/api/v1/centers/{cid}/access/check?action=report.view"
            f"&resource=asset:{big['asset']}",
            HTTP_AUTHORIZATION=f"Bearer {big['checker_token']}"),
        "invitations page": lambda: web.get(f"/c/{cid}/partners/invitations/"),
        "activity log": lambda: web.get(f"/c/{cid}/activity/"),
        "assets page": lambda: web.get(f"/c/{cid}/assets/"),
        "campaigns page": lambda: web.get(f"/c/{cid}/campaigns/"),
        "report API": lambda: web.get(f"/api/v1/centers/{cid}/reports?since={r['since']}"
                                      f"&until={r['until']}&group=month", **api),
        "billing page": lambda: web.get(f"/c/{cid}/billing/"),
    }
    option = "(ANALYZE, BUFFERS)" if analyze else ""
    flagged = []
    for name, call in pages.items():
        call()  # warm: the first request may note activity
        with CaptureQueriesContext(connection) as captured:
            response = call()
        assert response.status_code == 200, (name, response.status_code)
        print(f"\n==== {name}: {len(captured)} queries ====")
        for q in captured:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN {option} {sql}")
                plan = [row[0] for row in cursor.fetchall()]
            print(f"-- {sql[:300]}")
            print("\n".join(f"   {line}" for line in plan))
            scans = [line for line in plan if "Seq Scan on" in line
                     and any(f" {t} " in f"{line} " for t in GROWING)]
            flagged += [f"{name}: {line.strip()}" for line in scans]
    print("\n==== sequential scans of tables that grow with the database ====")
    print("\n".join(flagged) or "none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centers", type=int, default=100_000)
    parser.add_argument("--no-analyze", action="store_true", help="plans without running")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.centers, not args.no_analyze)
        return
    from http_load import child_env
    from throwaway import drop, postgres_database

    url = os.environ.get("DATABASE_URL")
    if not url or not (pg := postgres_database(url, "explain")):
        sys.exit("needs DATABASE_URL=postgres://... (a throwaway database is made beside it)")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bizcenter-bench-explain-") as data_dir:
        try:
            subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, __file__, "--child", "--centers", str(args.centers),
                 *(["--no-analyze"] if args.no_analyze else [])],
                env=child_env(data_dir, pg[1]), check=True, cwd=ROOT)
        finally:
            drop(pg[0], pg[2])


if __name__ == "__main__":
    main()
