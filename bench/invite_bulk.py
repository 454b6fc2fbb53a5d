"""Bulk invitation and member listing, on SQLite and PostgreSQL side by side.

    .venv/bin/python bench/invite_bulk.py [--addresses 4000] [--page-size 50]

For each database, in a fresh process and a fresh database:
  * floor: the same number of Invitation rows written with bare bulk_create in
    batches of 50 (no validation, tokens, outbox, audit or locking);
  * invite: the addresses invited through invitations.services.invite, 50 per
    call, as an Admin would (validation, limits under the row lock, tokens,
    outbox message and task, audit events);
  * the invited people accept, then the members list and the invitations list
    are read page by page through their services.
The Business Center's member limit is raised for the run so that all the
addresses fit beside the owner.
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


def measure(addresses: int, page_size: int) -> dict[str, float]:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bizcenter.accounts.models import User
    from bizcenter.centers.services import create_center, list_members
    from bizcenter.core.actor import Actor
    from bizcenter.invitations import services as invitations
    from bizcenter.invitations.models import Invitation

    call_command("migrate", verbosity=0)
    unusable = make_password(None)
    owner = User.objects.create(email="owner@bench.example", password=unusable)
    admin = Actor(owner, via="bench")
    emails = [f"person{i}@bench.example" for i in range(addresses)]
    batches = [emails[i : i + 50] for i in range(0, len(emails), 50)]

    floor_center = create_center(admin, name="Floor")
    started = time.perf_counter()
    for batch in batches:
        now = timezone.now()
        Invitation.objects.bulk_create(
            Invitation(center=floor_center, address_kind="email", address=a, sent_at=now,
                       expires_at=now) for a in batch
        )
    floor = time.perf_counter() - started

    center = create_center(admin, name="Bench")
    started = time.perf_counter()
    links: list[str] = []
    for batch in batches:
        results = invitations.invite(admin, center, batch)
        assert all(r.ok for r in results), [r.message for r in results if not r.ok][:3]
        links += [r.link or "" for r in results]
    invite_time = time.perf_counter() - started

    User.objects.bulk_create(User(email=e, password=unusable) for e in emails)
    people = {u.email: u for u in User.objects.filter(email__in=emails)}
    started = time.perf_counter()
    for email, link in zip(emails, links, strict=True):
        invitations.accept(Actor(people[email], via="bench"), link.rstrip("/").rsplit("/", 1)[-1])
    accept_time = time.perf_counter() - started

    def pages(read: Callable[[int], Page]) -> list[float]:
        times = []
        page = 1
        while True:
            started = time.perf_counter()
            result = read(page)
            times.append(time.perf_counter() - started)
            if page >= result.pages:
                return times
            page += 1

    member_pages = pages(lambda p: list_members(admin, center, page=p, page_size=page_size))
    search_pages = pages(lambda p: list_members(admin, center, page=p, page_size=page_size,
                                                search="person1", sort="-email"))
    invitation_pages = pages(lambda p: invitations.list_invitations(
        admin, center, status="accepted", page=p, page_size=page_size))
    ms = 1000.0
    return {
        "database": connection.vendor,
        "addresses": addresses,
        "floor_s": floor,
        "invite_s": invite_time,
        "invite_per_s": addresses / invite_time,
        "floor_per_s": addresses / floor,
        "accept_per_s": addresses / accept_time,
        "member_pages": len(member_pages),
        "member_page_mean_ms": statistics.mean(member_pages) * ms,
        "member_page_p50_ms": statistics.median(member_pages) * ms,
        "member_page_max_ms": max(member_pages) * ms,
        "member_pages_total_ms": sum(member_pages) * ms,
        "search_page_mean_ms": statistics.mean(search_pages) * ms,
        "invitation_page_mean_ms": statistics.mean(invitation_pages) * ms,
        "invitation_page_max_ms": max(invitation_pages) * ms,
    }


def child(database_url: str | None, addresses: int, page_size: int) -> dict | None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="bizcenter.settings",
               BIZCENTER_MAX_MEMBERS=str(addresses + 10),
               BIZCENTER_DATA_DIR=tempfile.mkdtemp(prefix="bizcenter-bench-"))
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", "--addresses", str(addresses),
         "--page-size", str(page_size)],
        env=env, capture_output=True, text=True, check=False, cwd=ROOT,
    )
    if done.returncode != 0:
        print(f"  failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres_database() -> tuple[str, str] | None:
    try:
        import psycopg
    except ImportError:
        return None
    name = f"bzc_bench_{os.getpid()}"
    try:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL skipped: {exc}".strip(), file=sys.stderr)
        return None
    return name, f"postgres://postgres@127.0.0.1:5432/{name}"


def drop(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


ROWS = [
    ("invite N addresses through the service (s)", "invite_s", "{:.2f}"),
    ("  invitations per second", "invite_per_s", "{:,.0f}"),
    ("floor: bare bulk_create of N rows (s)", "floor_s", "{:.2f}"),
    ("  rows per second", "floor_per_s", "{:,.0f}"),
    ("accepts per second (one transaction each)", "accept_per_s", "{:,.0f}"),
    ("members list: pages read", "member_pages", "{:.0f}"),
    ("members list: mean per page (ms)", "member_page_mean_ms", "{:.2f}"),
    ("members list: p50 per page (ms)", "member_page_p50_ms", "{:.2f}"),
    ("members list: slowest page (ms)", "member_page_max_ms", "{:.2f}"),
    ("members list: all pages (ms)", "member_pages_total_ms", "{:.0f}"),
    ("members search + sort: mean per page (ms)", "search_page_mean_ms", "{:.2f}"),
    ("invitations list: mean per page (ms)", "invitation_page_mean_ms", "{:.2f}"),
    ("invitations list: slowest page (ms)", "invitation_page_max_ms", "{:.2f}"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=4000)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.addresses, args.page_size)))
        return

    runs: list[dict] = []
    print(f"bench/invite_bulk.py: {args.addresses} addresses, pages of {args.page_size}",
          file=sys.stderr)
    print("  SQLite ...", file=sys.stderr)
    if result := child(None, args.addresses, args.page_size):
        runs.append(result)
    if pg := postgres_database():
        name, url = pg
        print("  PostgreSQL ...", file=sys.stderr)
        try:
            if result := child(url, args.addresses, args.page_size):
                runs.append(result)
        finally:
            drop(name)
    if not runs:
        sys.exit("no database could be measured")
    header = "| measure | " + " | ".join(r["database"] for r in runs) + " |"
    print(header)
    print("|---|" + "---:|" * len(runs))
    for label, key, fmt in ROWS:
        print(f"| {label.replace('N', str(args.addresses))} | "
              + " | ".join(fmt.format(r[key]) for r in runs) + " |")


if __name__ == "__main__":
    main()
