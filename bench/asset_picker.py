"""Add Partners in a Business Center of 10,000 ad accounts: server time and page size
with the asset picker (issue 21), on SQLite in a temporary data folder.

    .venv/bin/python bench/asset_picker.py [--assets 10000] [--runs 30]

The ad accounts are bulk-inserted (the set-up is not what is timed); the owner, an
Admin, then asks with Django's test Client (the whole middleware, view, service and
template stack, without a socket), each request timed alone after a warm-up:

  * Add Partners as it opens (the first page of the picker: 20 rows);
  * a search posted by the picker's Search button (no JavaScript);
  * the JSON rows picker.js asks for as one types;
  * Edit member (the picker with shares too).

SQL per request is counted once with ``CaptureQueriesContext``. Before the picker the
page drew one select per asset, and only the first 1,000 (``owned_assets``' limit).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    os.environ["BIZCENTER_DATA_DIR"] = tempfile.mkdtemp(prefix="bzc_bench_picker_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizcenter.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bizcenter.accounts.services import create_user
    from bizcenter.assets.models import Asset
    from bizcenter.centers.services import create_center
    from bizcenter.core.actor import Actor

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    owner = create_user(Actor.system("bench"), email="owner@brand.example", name="Olivia",
                        password="bench-passphrase-2026")
    center = create_center(Actor(owner, via="bench"), name="Brand Co")
    Asset.objects.bulk_create(
        (Asset(center=center, type="ADVERTISER", name=f"Brand Co {i % 500:03} account")
         for i in range(args.assets)), batch_size=2000)
    client = Client()
    client.force_login(owner)
    member = center.memberships.get()
    add = f"/c/{center.pk}/partners/add/"
    asks = {
        "Add Partners, as it opens": lambda: client.get(add),
        "picker Search (no JavaScript), 20 of 20 matches": lambda: client.post(
            add, {"asset_q": "Brand Co 042", "picker": "search"}),
        "picker JSON as one types (picker.js)": lambda: client.get(
            f"/c/{center.pk}/assets/pick/", {"q": "co 04", "owned": "1"}),
        "Edit member (owner), as it opens": lambda: client.get(
            f"/c/{center.pk}/partners/{member.pk}/edit/"),
    }
    print(f"bench/asset_picker.py: {args.assets:,} ad accounts, {args.runs} timed requests "
          "each, SQLite", file=sys.stderr)
    print("| request | status | size | SQL queries | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, ask in asks.items():
        for _ in range(3):
            ask()
        captured = [CaptureQueriesContext(connections[alias]) for alias in connections]
        for c in captured:
            c.__enter__()
        page = ask()
        for c in captured:
            c.__exit__(None, None, None)
        queries = [q for c in captured for q in c.captured_queries]
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            ask()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"| {label} | {page.status_code} | {len(page.content) / 1024:.1f} KB | "
              f"{len(queries)} | {statistics.median(times):.1f} | {p95:.1f} | "
              f"{times[-1]:.1f} |")


if __name__ == "__main__":
    main()
