"""A password-reset request for an address with an account, beside one without.

    .venv/bin/python bench/reset_request.py [--rounds 400]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reset_request.py

The reset page must not tell a stranger who uses the product, by its words or by
its time. Both requests do the same work (the account is looked up, a message is
queued and the request is logged either way; the message is dropped at delivery
when nobody has the address), so their times should be the same within the
machine's noise. Each round times one of each, in alternating order, through
``accounts.passwords.request_reset`` on a throwaway database (SQLite, and
PostgreSQL when DATABASE_URL is set); the rate limits are raised for the run. The
figures are printed side by side, with the difference of the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stats import MS, spread
from throwaway import on_each_database


def child(rounds: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.BIZCENTER_RESET_RATE = 10 * rounds + 10
    from bizcenter.accounts.passwords import request_reset
    from bizcenter.accounts.services import create_user
    from bizcenter.core.actor import Actor

    create_user(Actor.system("bench"), email="known@bench.example",
                password="a long passphrase 42")
    actor = Actor(None, ip="192.0.2.1", via="web")
    times: dict[str, list[float]] = {"account": [], "no account": []}
    addresses = {"account": "known@bench.example", "no account": "nobody@bench.example"}
    for n in range(rounds + 20):
        order = ("account", "no account") if n % 2 else ("no account", "account")
        for kind in order:
            cache.clear()
            start = time.perf_counter()
            request_reset(actor, addresses[kind])
            took = time.perf_counter() - start
            if n >= 20:  # the first rounds warm caches and connections
                times[kind].append(took)
    from django.db import connection

    print(json.dumps({"database": connection.vendor, "rounds": rounds,
                      **{kind: spread(t) for kind, t in times.items()},
                      "median_difference_ms": (statistics.median(times["account"])
                                               - statistics.median(times["no account"])) * MS}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.rounds)
        return
    print(f"password-reset requests, {args.rounds} rounds of one each, in ms")
    print(f"{'database':<12}{'address':<12}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}")
    for run in on_each_database(__file__, ["--rounds", str(args.rounds)], "reset"):
        for kind in ("account", "no account"):
            s = run[kind]
            print(f"{run['database']:<12}{kind:<12}{s['p50']:>8.3f}{s['p95']:>8.3f}"
                  f"{s['p99']:>8.3f}{s['max']:>8.3f}")
        print(f"{'':<12}{'difference of the medians':<28}{run['median_difference_ms']:>+8.3f}")


if __name__ == "__main__":
    main()
