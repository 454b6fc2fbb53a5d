"""Access checks: our engine beside pycasbin and a bare dict lookup, in one run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/check.py [--members 4000] [--assets 10000] [--grants 100000]

A Business Center with that many members, ad accounts and grants is written
straight to a fresh database (bulk inserts: the setup is not what is timed);
the engine reads the same tables it always does. Then, in one process:

  (a) ours, warm: check() on compiled snapshots inside one request scope;
  (b) pycasbin: enforce() with an RBAC-with-domains model loaded with the same
      grants (a role per asset and asset role, a user-role link per grant);
  (c) floor: a function doing one Python dict lookup of a precomputed answer;
  (d) ours, cold: the first check after a real change (an assign through the
      service), which reads the new version and compiles the snapshot.

Each prints checks per second (a tight loop) and p50/p99 latency (each call
timed alone, so the timer's own cost is in all three alike).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTIONS_BY_ROLE = {
    "ANALYST": ("campaign.view", "report.view"),
    "OPERATOR": ("campaign.view", "report.view", "campaign.propose"),
    "ADMIN": ("campaign.view", "report.view", "campaign.propose"),
}
CASBIN_MODEL = """
[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
"""


def timings(call: Callable[[tuple], object], cases: Sequence[tuple], loops: int
            ) -> dict[str, float]:
    """Throughput over a tight loop, then per-call latency percentiles."""
    n = len(cases)
    started = time.perf_counter()
    for i in range(loops):
        call(cases[i % n])
    per_second = loops / (time.perf_counter() - started)
    samples = []
    clock = time.perf_counter_ns
    for i in range(min(loops, 50_000)):
        case = cases[i % n]
        t0 = clock()
        call(case)
        samples.append(clock() - t0)
    samples.sort()
    return {"per_s": per_second, "p50_us": samples[len(samples) // 2] / 1000,
            "p99_us": samples[int(len(samples) * 0.99)] / 1000}


def budgeted(call: Callable[[tuple], object], cases: Sequence[tuple], seconds: float
             ) -> dict[str, float]:
    """For a contestant too slow for a fixed count: as many calls as fit the budget."""
    samples = []
    deadline = time.perf_counter() + seconds
    i = 0
    while i < 3 or time.perf_counter() < deadline:
        t0 = time.perf_counter_ns()
        call(cases[i % len(cases)])
        samples.append(time.perf_counter_ns() - t0)
        i += 1
    samples.sort()
    return {"per_s": 1e9 / statistics.mean(samples), "p50_us": samples[len(samples) // 2] / 1000,
            "p99_us": samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1000,
            "calls": len(samples)}


def build(members: int, assets: int, grants: int, policy_path: str) -> dict:
    """Runs in a child process with its own fresh database."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from bizcenter.access import snapshot
    from bizcenter.access.actions import Action
    from bizcenter.access.engine import check
    from bizcenter.accounts.models import User
    from bizcenter.assets.models import Asset, AssetGrant
    from bizcenter.assets.services import assign
    from bizcenter.centers.models import BusinessCenter, Membership
    from bizcenter.core.actor import Actor

    call_command("migrate", verbosity=0)
    rng = random.Random(42)
    unusable = make_password(None)
    center = BusinessCenter.objects.create(name="Bench")
    users = User.objects.bulk_create(
        User(email=f"m{i}@bench.example", password=unusable) for i in range(members))
    memberships = Membership.objects.bulk_create(
        Membership(center=center, user=u, role="ADMIN" if i < 10 else "STANDARD",
                   modules=["ANALYTICS", "CAMPAIGNS"]) for i, u in enumerate(users))
    accounts = Asset.objects.bulk_create(
        Asset(center=center, type="ADVERTISER", name=f"acct {i}") for i in range(assets))
    standard = memberships[10:]
    per_member = max(1, grants // len(standard))
    rows, policy = [], []
    for m in standard:
        for asset in rng.sample(accounts, per_member):
            role = rng.choice(("ANALYST", "OPERATOR", "ADMIN"))
            rows.append(AssetGrant(membership=m, asset=asset, roles=[role]))
            policy.append(f"g, u{m.user_id}, a{asset.pk}:{role}, bc")
    AssetGrant.objects.bulk_create(rows, batch_size=5000)
    for asset in accounts:
        for role, actions in ACTIONS_BY_ROLE.items():
            policy.extend(f"p, a{asset.pk}:{role}, bc, a{asset.pk}, {act}" for act in actions)
    Path(policy_path).write_text("\n".join(policy) + "\n")

    # The same questions for every contestant: a member and one of their own
    # accounts (allowed) or someone else's (denied), with a random action.
    sample = rng.sample(standard, min(100, len(standard)))
    mine = {m.pk: [g.asset for g in rows if g.membership_id == m.pk] for m in sample}
    users_by_membership = {m.pk: m.user for m in sample}
    cases = []
    for _ in range(20_000):
        m = rng.choice(sample)
        asset = rng.choice(mine[m.pk]) if rng.random() < 0.7 else rng.choice(accounts)
        cases.append((users_by_membership[m.pk], asset,
                      rng.choice((Action.CAMPAIGN_VIEW, Action.REPORT_VIEW,
                                  Action.CAMPAIGN_PROPOSE))))
    with snapshot.request_scope():
        for user, asset, action in cases:  # warm every snapshot and decision once
            check(user, action, asset)
        warm = timings(lambda c: check(c[0], c[2], c[1]), cases, 300_000)
        answers = [bool(check(c[0], c[2], c[1])) for c in cases]

    admin = Actor(users[0], via="bench")
    cold = []
    for i in range(40):
        m = sample[i]
        asset = accounts[i]
        assign(admin, center, m.pk, asset.pk, ["ANALYST"])  # a real change: new version
        with snapshot.request_scope():
            t0 = time.perf_counter()
            assert check(users_by_membership[m.pk], Action.CAMPAIGN_VIEW, asset)
            cold.append((time.perf_counter() - t0) * 1000)
    cold.sort()
    from django.db import connection

    return {
        "database": connection.vendor,
        "warm": warm,
        "cold_p50_ms": statistics.median(cold),
        "cold_p99_ms": cold[int(len(cold) * 0.99) - 1],
        "cold_max_ms": cold[-1],
        "cases": [(c[0].pk, c[1].pk, str(c[2])) for c in cases],
        "answers": answers,
    }


def child(database_url: str | None, args: argparse.Namespace, policy: str) -> dict | None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="bizcenter.settings",
               BIZCENTER_DATA_DIR=tempfile.mkdtemp(prefix="bizcenter-bench-"))
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", "--members", str(args.members), "--assets",
         str(args.assets), "--grants", str(args.grants), "--policy", policy],
        env=env, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        print(f"  failed: {done.stderr.strip()[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def floor_timing(result: dict) -> dict:
    answers = {(u, a, act): ok for (u, a, act), ok in
               zip(result["cases"], result["answers"], strict=True)}

    def floor(case: tuple) -> bool:
        return answers.get(case, False)

    return timings(floor, [tuple(c) for c in result["cases"]], 300_000)


def casbin_timing(policy: str, result: dict, budget: float) -> dict:
    import casbin

    model_path = Path(policy).with_suffix(".conf")
    model_path.write_text(CASBIN_MODEL)
    started = time.perf_counter()
    enforcer = casbin.Enforcer(str(model_path), policy)
    print(f"(pycasbin loaded the policy in {time.perf_counter() - started:.1f} s)", flush=True)
    cases = [(f"u{user}", "bc", f"a{asset}", act) for user, asset, act in result["cases"]]
    # Same answers to the same questions, or the comparison means nothing.
    for case, expected in zip(cases[:2], result["answers"][:2], strict=True):
        assert enforcer.enforce(*case) == expected, case
    # pycasbin scans its whole policy on every call: give it a time budget.
    return budgeted(lambda c: enforcer.enforce(*c), cases[2:], budget)


def postgres_database() -> tuple[str, str] | None:
    try:
        import psycopg

        name = f"bzc_bench_check_{os.getpid()}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # reported: PostgreSQL is optional here
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None
    return name, f"postgres://postgres@127.0.0.1:5432/{name}"


def drop(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=4000)
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--grants", type=int, default=100_000)
    parser.add_argument("--casbin-budget", type=float, default=30.0,
                        help="seconds of pycasbin calls (0 skips it)")
    parser.add_argument("--json", help="also write the figures to this file (bench/run.py)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--policy", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(build(args.members, args.assets, args.grants, args.policy)))
        return

    work = Path(tempfile.mkdtemp(prefix="bizcenter-bench-check-"))
    print(f"bench/check.py: {args.members} members, {args.assets} ad accounts, "
          f"{args.grants} grants", file=sys.stderr)
    runs = []
    print("  SQLite ...", file=sys.stderr)
    if sqlite := child(None, args, str(work / "policy.csv")):
        runs.append(sqlite)
    if pg := postgres_database():
        print("  PostgreSQL ...", file=sys.stderr)
        try:
            if result := child(pg[1], args, str(work / "policy-pg.csv")):
                runs.append(result)
        finally:
            drop(pg[0])
    if not runs:
        sys.exit("nothing could be measured")
    # Ours and the floor first: pycasbin may take very long on a large policy.
    floor_t = floor_timing(runs[0])
    print("| contestant | checks/s | p50 (µs) | p99 (µs) |")
    print("|---|---:|---:|---:|")
    print(f"| floor: dict lookup | {floor_t['per_s']:,.0f} | {floor_t['p50_us']:.2f} | "
          f"{floor_t['p99_us']:.2f} |")
    for run in runs:
        w = run["warm"]
        print(f"| ours, warm ({run['database']}) | {w['per_s']:,.0f} | {w['p50_us']:.2f} | "
              f"{w['p99_us']:.2f} |")
    for run in runs:
        print(f"{run['database']}: warm check is "
              f"{floor_t['per_s'] / run['warm']['per_s']:.1f}x the floor's cost; cold check "
              f"after a change p50 {run['cold_p50_ms']:.2f} ms, p99 {run['cold_p99_ms']:.2f} "
              f"ms, max {run['cold_max_ms']:.2f} ms", flush=True)
    figures = {"floor": floor_t, "runs": runs, "casbin": None}
    if args.json:
        Path(args.json).write_text(json.dumps(figures, default=str))
    if args.casbin_budget <= 0:
        return
    print("  pycasbin ...", file=sys.stderr)
    casbin_t = casbin_timing(str(work / "policy.csv"), runs[0], args.casbin_budget)
    print(f"| pycasbin RBAC with domains ({casbin_t['calls']:.0f} calls) | "
          f"{casbin_t['per_s']:,.2f} | {casbin_t['p50_us']:,.0f} | {casbin_t['p99_us']:,.0f} |")
    for run in runs:
        print(f"{run['database']}: warm check is "
              f"{run['warm']['per_s'] / casbin_t['per_s']:,.0f}x pycasbin's speed")
    if args.json:
        Path(args.json).write_text(json.dumps({**figures, "casbin": casbin_t}, default=str))

if __name__ == "__main__":
    main()
