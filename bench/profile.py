"""Where the time of a hot path goes: pyinstrument over many requests of one endpoint.

    .venv/bin/python bench/profile.py [check|page|api|report|invite|ping ...] [--requests 300]
    DATABASE_URL=postgres://... .venv/bin/python bench/profile.py check

Seeds a throwaway database exactly as bench/http_load.py does (4,000 members, a
year of metrics), then requests each named endpoint through Django's test
Client (every middleware, the view, the service, the template or schema) under
pyinstrument and prints the call tree, so a fix is aimed at what costs most.
The database is SQLite in a temporary folder, or a throwaway PostgreSQL one
beside the one DATABASE_URL names.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = ("ping", "check", "page", "api", "report", "invite")


def child(names: list[str], requests: int, interval: float, sql: int, show_all: bool = False
          ) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from http_load import seed
    from pyinstrument import Profiler

    made = seed(campaigns=100, days=365)
    big = made["centers"]["4000"]
    cid, r = big["id"], made["report"]
    check = f"/api/v1/centers/{cid}/access/check?action=report.view&resource=asset:{big['asset']}"
    owner = {"HTTP_AUTHORIZATION": f"Bearer {big['owner_token']}"}
    counter = iter(range(10**9))
    calls = {
        "ping": lambda c: c.get("/ping"),
        "check": lambda c: c.get(check, HTTP_AUTHORIZATION=f"Bearer {big['checker_token']}"),
        "page": lambda c: c.get(f"/c/{cid}/partners/"),
        "api": lambda c: c.get(f"/api/v1/centers/{cid}/members", **owner),
        "report": lambda c: c.get(f"/api/v1/centers/{cid}/reports?since={r['since']}"
                                  f"&until={r['until']}&group=month", **owner),
        "invite": lambda c: c.post(
            f"/api/v1/centers/{made['invite']['id']}/invitations",
            json.dumps({"addresses": [f"p{next(counter)}@invitee.example"]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {made['invite']['token']}"),
    }
    session = Client()
    session.cookies.load(made["cookie"])
    for name in names:
        call = calls[name]
        for _ in range(10):
            response = call(session)
            assert response.status_code in (200, 201), (name, response.status_code)
        if sql:
            with CaptureQueriesContext(connection) as captured:
                call(session)
            print(f"==== {name}: {len(captured)} queries ====")
            for q in captured:
                print(f"  {q['time']}s  {q['sql'][:sql]}")
            continue
        profiler = Profiler(interval=interval)
        with profiler:
            for _ in range(requests):
                call(session)
        print(f"==== {name}: {requests} requests ====")
        print(profiler.output_text(unicode=True, color=False, show_all=show_all))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoints", nargs="*", default=list(ENDPOINTS[1:]),
                        choices=[[], *ENDPOINTS], help="which (all but ping)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--interval", type=float, default=0.0002, help="sampling, seconds")
    parser.add_argument("--sql", type=int, default=0, metavar="CHARS",
                        help="print each endpoint's SQL (cut at CHARS) instead of profiling")
    parser.add_argument("--all", action="store_true", help="show library frames too")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.endpoints, args.requests, args.interval, args.sql, args.all)
        return
    from http_load import child_env
    from throwaway import drop, postgres_database

    pg = None
    if url := os.environ.get("DATABASE_URL"):
        pg = postgres_database(url, "profile")
    with tempfile.TemporaryDirectory(prefix="bizcenter-bench-profile-") as data_dir:
        env = child_env(data_dir, pg[1] if pg else None)
        try:
            subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, __file__, "--child", "--requests", str(args.requests),
                 "--interval", str(args.interval), "--sql", str(args.sql),
                 *(["--all"] if args.all else []),
                 *args.endpoints],
                env=env, check=True, cwd=ROOT)
        finally:
            if pg:
                drop(pg[0], pg[2])


if __name__ == "__main__":
    main()
