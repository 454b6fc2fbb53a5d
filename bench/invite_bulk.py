"""Bulk invitation and member listing, on SQLite and PostgreSQL side by side.

    .venv/bin/python bench/invite_bulk.py [--members 4000] [--page-size 50]

Each database is measured in a fresh process of this script (so settings are
read afresh) on a fresh database: SQLite in a temporary data folder, PostgreSQL
in a throwaway database ``bzc_bench_<pid>`` created and dropped on
127.0.0.1:5432 as user postgres (skipped, with a note, if unreachable).

  * floor: the same number of Invitation rows written with a bare
    ``bulk_create`` (no validation, tokens, outbox, audit or locking), once in
    calls of 50 rows as the service writes them and once in a single call;
  * invite: the addresses invited through ``invitations.services.invite``, 50 per
    call, as an Admin would (validation, limits under the row lock, tokens,
    outbox message and task, audit events);
  * accept: the invited people (accounts bulk-created with an unusable password:
    Argon2 hashing is not what is measured) accept through
    ``invitations.services.accept`` with the token from each invite result's link;
  * list: the members list and the invitations list read page by page through
    ``centers.services.list_members`` and ``invitations.services.list_invitations``.

The owner holds one member seat, so the member limit is raised to N + 10 for the
run to let all N invitations fit (with the default 4,000 the 4,000th would be
refused, as tests/centers/test_limits.py shows).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bizcenter.core.pagination import Page

ROOT = Path(__file__).resolve().parent.parent
ADMIN_DB = "postgresql://postgres@127.0.0.1:5432/postgres"
MS = 1000.0


def summary(prefix: str, times: list[float]) -> dict[str, float]:
    return {
        f"{prefix}_count": len(times),
        f"{prefix}_mean_ms": statistics.mean(times) * MS,
        f"{prefix}_p50_ms": statistics.median(times) * MS,
        f"{prefix}_max_ms": max(times) * MS,
        f"{prefix}_total_ms": sum(times) * MS,
    }


def measure(members: int, page_size: int) -> dict[str, object]:
    """Run in the child process, against the database its environment names."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bizcenter.accounts.models import User
    from bizcenter.accounts.services import create_user
    from bizcenter.centers import seats
    from bizcenter.centers.services import create_center, list_members
    from bizcenter.core.actor import Actor
    from bizcenter.invitations import services as invitations
    from bizcenter.invitations.models import Invitation

    call_command("migrate", verbosity=0)
    owner = create_user(Actor.system("bench"), email="owner@bench.example",
                    password="a long bench passphrase 42")
    admin = Actor(owner, via="bench")
    emails = [f"person{i}@bench.example" for i in range(members)]
    batches = [emails[i : i + 50] for i in range(0, len(emails), 50)]

    def bare(center_name: str, groups: list[list[str]]) -> float:
        center = create_center(admin, name=center_name)
        started = time.perf_counter()
        for group in groups:
            now = timezone.now()
            Invitation.objects.bulk_create(
                Invitation(center=center, address_kind="email", address=a, created_at=now,
                           sent_at=now, expires_at=now) for a in group
            )
        return time.perf_counter() - started

    floor_calls = bare("Floor in calls of 50", batches)
    floor_one = bare("Floor in one call", [emails])

    center = create_center(admin, name="Bench")
    links: list[str] = []
    call_times: list[float] = []
    for batch in batches:
        started = time.perf_counter()
        results = invitations.invite(admin, center, batch)
        call_times.append(time.perf_counter() - started)
        assert all(r.ok for r in results), [r.message for r in results if not r.ok][:3]
        links += [r.link or "" for r in results]
    invite_time = sum(call_times)
    assert seats.count(center).members == members + 1

    unusable = make_password(None)
    User.objects.bulk_create(User(email=e, password=unusable) for e in emails)
    people = {u.email: u for u in User.objects.filter(email__in=emails)}
    started = time.perf_counter()
    for email, link in zip(emails, links, strict=True):
        invitations.accept(Actor(people[email], via="bench"), link.rstrip("/").rsplit("/", 1)[-1])
    accept_time = time.perf_counter() - started
    assert seats.count(center).members == members + 1

    def pages(read: Callable[[int], Page]) -> list[float]:
        times = []
        page = 1
        while True:
            started = time.perf_counter()
            result = read(page)
            times.append(time.perf_counter() - started)
            assert result.items or result.total == 0
            if page >= result.pages:
                return times
            page += 1

    member_pages = pages(lambda p: list_members(admin, center, page=p, page_size=page_size))
    search_pages = pages(lambda p: list_members(admin, center, page=p, page_size=page_size,
                                                search="person1", sort="-email"))
    invitation_pages = pages(lambda p: invitations.list_invitations(
        admin, center, status="accepted", page=p, page_size=page_size))
    return {
        "database": "PostgreSQL" if connection.vendor == "postgresql" else "SQLite",
        "members": members,
        "invite_s": invite_time,
        "invite_per_s": members / invite_time,
        **summary("invite_call", call_times),
        "floor_calls_s": floor_calls,
        "floor_calls_per_s": members / floor_calls,
        "floor_one_s": floor_one,
        "floor_one_per_s": members / floor_one,
        "overhead_x": invite_time / floor_calls,
        "accept_s": accept_time,
        "accept_per_s": members / accept_time,
        **summary("member_page", member_pages),
        "search_page_mean_ms": statistics.mean(search_pages) * MS,
        **summary("invitation_page", invitation_pages),
    }


def child(database_url: str | None, members: int, page_size: int) -> dict | None:
    """Measure one database in a fresh process of this script."""
    with tempfile.TemporaryDirectory(prefix="bizcenter-bench-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(DJANGO_SETTINGS_MODULE="bizcenter.settings",
                   BIZCENTER_MAX_MEMBERS=str(members + 10),
                   BIZCENTER_DATA_DIR=data_dir)
        if database_url:
            env["DATABASE_URL"] = database_url
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, __file__, "--child", "--members", str(members),
             "--page-size", str(page_size)],
            env=env, capture_output=True, text=True, check=False, cwd=ROOT,
        )
    if done.returncode != 0:
        print(f"  failed:\n{done.stderr.strip()[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres_database() -> tuple[str, str] | None:
    """A fresh throwaway database on the local server, or None with a printed note."""
    try:
        import psycopg
    except ImportError:
        print("  PostgreSQL skipped: psycopg is not installed.", file=sys.stderr)
        return None
    name = f"bzc_bench_{os.getpid()}"
    try:
        with psycopg.connect(ADMIN_DB, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"  PostgreSQL skipped: 127.0.0.1:5432 unreachable ({str(exc).strip()})",
              file=sys.stderr)
        return None
    return name, f"postgres://postgres@127.0.0.1:5432/{name}"


def drop(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_DB, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


ROWS = [
    ("invite N addresses via the service, 50 per call (s)", "invite_s", "{:.2f}"),
    ("  invitations per second", "invite_per_s", "{:,.0f}"),
    ("  one call of 50: mean / p50 / max (ms)", "invite_call", "triple"),
    ("floor: bare bulk_create, N rows in calls of 50 (s)", "floor_calls_s", "{:.2f}"),
    ("  rows per second", "floor_calls_per_s", "{:,.0f}"),
    ("floor: bare bulk_create, N rows in one call (s)", "floor_one_s", "{:.2f}"),
    ("  rows per second", "floor_one_per_s", "{:,.0f}"),
    ("service time / floor time (calls of 50)", "overhead_x", "{:.1f}x"),
    ("accept N invitations, one transaction each (s)", "accept_s", "{:.1f}"),
    ("  accepts per second", "accept_per_s", "{:,.0f}"),
    ("members list: pages read", "member_page_count", "{:.0f}"),
    ("members list per page: mean / p50 / max (ms)", "member_page", "triple"),
    ("members list: all pages (ms)", "member_page_total_ms", "{:.0f}"),
    ("members search + sort: mean per page (ms)", "search_page_mean_ms", "{:.2f}"),
    ("invitations list: pages read", "invitation_page_count", "{:.0f}"),
    ("invitations list per page: mean / p50 / max (ms)", "invitation_page", "triple"),
    ("invitations list: all pages (ms)", "invitation_page_total_ms", "{:.0f}"),
]


def cell(run: dict, key: str, fmt: str) -> str:
    if fmt == "triple":
        return " / ".join(f"{run[f'{key}_{s}_ms']:.1f}" for s in ("mean", "p50", "max"))
    return fmt.format(run[key])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", "--addresses", dest="members", type=int, default=4000,
                        help="addresses to invite, then members to list (default 4000)")
    parser.add_argument("--page-size", type=int, default=50, help="rows per page (default 50)")
    parser.add_argument("--json", help="also write the figures to this file (bench/run.py)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.members, args.page_size)))
        return

    started = time.perf_counter()
    runs: list[dict] = []
    print(f"bench/invite_bulk.py: {args.members} addresses, pages of {args.page_size}",
          file=sys.stderr)
    print("  SQLite ...", file=sys.stderr)
    if result := child(None, args.members, args.page_size):
        runs.append(result)
    if pg := postgres_database():
        name, url = pg
        print(f"  PostgreSQL ({name}) ...", file=sys.stderr)
        try:
            if result := child(url, args.members, args.page_size):
                runs.append(result)
        finally:
            drop(name)
    if not runs:
        sys.exit("no database could be measured")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, default=str))
    print("| measure | " + " | ".join(r["database"] for r in runs) + " |")
    print("|---|" + "---:|" * len(runs))
    for label, key, fmt in ROWS:
        print(f"| {label.replace('N', f'{args.members:,}')} | "
              + " | ".join(cell(r, key, fmt) for r in runs) + " |")
    print(f"\n(whole run {time.perf_counter() - started:.0f} s; member limit raised to "
          f"{args.members + 10} so all {args.members:,} fit beside the owner)")


if __name__ == "__main__":
    main()
