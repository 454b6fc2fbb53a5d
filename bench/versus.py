"""This tree against another commit over real HTTP, burst for burst, in one run.

    .venv/bin/python bench/versus.py --against HEAD~1 [--wrk]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/versus.py --against 3379b9f --rounds 16

On a shared machine one run of bench/http_load.py moves a ratio to the floor by
several points, more than many changes are worth. This measures a change instead:
the other commit is checked out beside this tree (``git worktree``), one database
is seeded as bench/http_load.py seeds it (SQLite, or a throwaway PostgreSQL
database beside the one DATABASE_URL names), and two ``bizcenter serve`` run on
it, one per tree. Each round bursts every endpoint on one server and then on the
other, so whatever else the machine does falls on both alike. With ``REDIS_URL``
both count their rate limits in Redis.

Both trees must read the same schema: the seeding and the migrations are this
tree's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cputime
import wrk
from http_load import (
    ENDPOINTS,
    ROOT,
    SIZES,
    Server,
    Site,
    cell,
    load_options,
    measure,
    targets_for,
)
from throwaway import drop, postgres_database

KEYS = tuple(key for key, _ in ENDPOINTS)


def checkout(rev: str, into: Path) -> str:
    """The commit at ``into`` (a detached worktree); its short id."""
    git(["worktree", "add", "--detach", "--quiet", str(into), rev], ROOT)
    return git(["rev-parse", "--short", "HEAD"], into)


def git(args: list[str], where: Path, *, check: bool = True) -> str:
    """The revision is the caller's own, from its command line."""
    return subprocess.run(["git", *args], cwd=where, check=check,  # noqa: S603, S607
                          capture_output=True, text=True).stdout.strip()


def compare(database_url: str | None, args: argparse.Namespace, other_src: Path,
            logs: Path) -> dict[str, dict]:
    site = Site(database_url, args, logs / "serve-this.log")
    other: Server | None = None
    try:
        port = site.serve(args.workers)
        # The other tree's package first on the path, ahead of this editable install.
        other = Server({**site.env, "PYTHONPATH": str(other_src)}, args.workers,
                       logs / "serve-other.log")
        big = str(SIZES[0])
        mine = {t.key: t for t in targets_for(site.made, port, big, full=True)}
        theirs = {t.key: t for t in targets_for(site.made, other.port, big, full=True)}
        targets = []
        for key in args.endpoints:
            theirs[key].key = f"other|{key}"
            targets += [mine[key], theirs[key]]
        if args.wrk:
            return wrk.measure(targets, args.seconds, args.rounds, args.concurrency)
        return measure(targets, args.seconds, args.rounds, args.concurrency)
    finally:
        if other is not None:
            other.stop()
        site.close()


def table(figures: dict[str, dict], args: argparse.Namespace, name: str, other: str) -> str:
    lines = [f"{name}, `bizcenter serve --workers {args.workers}`, {args.concurrency} "
             f"connections, {args.rounds} x {args.seconds:g} s per line, each tree's bursts "
             f"one after the other, load from {'wrk' if args.wrk else 'this process'}", "",
             f"| endpoint | this tree | vs its floor | CPU µs per request: app / machine "
             f"| {other} | vs its floor | CPU µs per request: app / machine |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for key in args.endpoints:
        row = [dict(ENDPOINTS)[key]]
        for prefix in ("", "other|"):
            f, floor = figures[prefix + key], figures.get(prefix + "ping")
            row += [cell(f), f"{f['rps'] / floor['rps']:.0%}" if floor else "",
                    f"{f['cpu']['app']:,.0f} / {f['cpu']['machine']:,.0f}"
                    if cputime.available() else "n/a"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="a commit, branch or tag")
    parser.add_argument("--endpoints", default="ping,healthz,check@4000",
                        help=f"of {','.join(KEYS)} (the floor, ping, for the ratios)")
    parser.add_argument("--wrk", action="store_true",
                        help="drive the load with wrk (bench/wrk.py), not this process")
    load_options(parser, seconds=1.0, rounds=10, campaigns=10)
    args = parser.parse_args()
    args.endpoints = [k.strip() for k in args.endpoints.split(",") if k.strip()]
    if unknown := set(args.endpoints) - set(KEYS):
        parser.error(f"unknown endpoints {sorted(unknown)}; choose from {', '.join(KEYS)}")

    work = Path(tempfile.mkdtemp(prefix="bizcenter-bench-versus-"))
    tree = work / "tree"
    pg = None
    try:
        other = checkout(args.against, tree)
        url = os.environ.get("DATABASE_URL")
        if url and (pg := postgres_database(url, "versus")) is None:
            sys.exit("PostgreSQL could not be reached")
        print(f"bench/versus.py: this tree against {other} on "
              f"{'PostgreSQL' if pg else 'SQLite'}", file=sys.stderr)
        figures = compare(pg[1] if pg else None, args, tree / "src", work)
        named = other if args.against.startswith(other) else f"{args.against} ({other})"
        print(table(figures, args, "PostgreSQL" if pg else "SQLite", named))
        print(f"\n(cache: {'Redis' if os.environ.get('REDIS_URL') else 'in-process memory'}; "
              f"load average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    finally:
        if pg:
            drop(pg[0], pg[2])
        if tree.exists():
            git(["worktree", "remove", "--force", str(tree)], ROOT, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
