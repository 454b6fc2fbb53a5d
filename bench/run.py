"""Every benchmark in bench/, on SQLite and PostgreSQL, into one markdown report.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --quick            # short runs, to try it out
    .venv/bin/python bench/run.py --only http,check  # some of them

Without DATABASE_URL only SQLite is measured by the benchmarks that read it (the
HTTP, members page and report ones; check.py and invite_bulk.py try PostgreSQL
on 127.0.0.1:5432 themselves). No benchmark touches the database DATABASE_URL
names: each creates a throwaway one beside it and drops it afterwards.

The report opens with one summary table: each figure beside its reference (the
floor) measured in the same run, the issue's target and whether it is met; then
every benchmark's own table as it printed it. It goes to stdout and to
``bench/results.md`` (or ``--out``). The machine's load is printed with it: on a
shared machine the absolute figures move, the ratios to the floor much less.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# name -> (script, full arguments, --quick arguments)
BENCHES: dict[str, tuple[str, list[str], list[str]]] = {
    "http": ("http_load.py", ["--scale", "--seconds", "2", "--rounds", "3", "--scale-seconds", "1",
                              "--scale-rounds", "3"],
             ["--scale", "--seconds", "0.5", "--rounds", "1", "--scale-seconds", "0.5",
              "--scale-rounds", "1", "--campaigns", "20"]),
    # pycasbin takes many minutes to load 100,000 grants: it is compared on a smaller
    # policy with --quick, or with `bench/check.py` alone.
    "check": ("check.py", ["--casbin-budget", "0"],
              ["--assets", "1000", "--grants", "10000", "--casbin-budget", "2"]),
    "invite": ("invite_bulk.py", [], ["--members", "500"]),
    "report": ("report.py", ["--runs", "20"],
               ["--campaigns", "100", "--runs", "5", "--warmup", "1"]),
    "members": ("members_page.py", ["--runs", "30"],
                ["--members", "1000", "--runs", "5", "--warmup", "1"]),
}


def run(name: str, quick: bool, work: Path, reuse: bool) -> tuple[object, str]:
    script, full, short = BENCHES[name]
    out, kept = work / f"{name}.json", work / f"{name}.md"
    if reuse and out.exists() and kept.exists():
        print(f"== bench/{script}: reusing {out}", file=sys.stderr)
        return json.loads(out.read_text()), kept.read_text()
    out.unlink(missing_ok=True)
    print(f"== bench/{script} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, str(HERE / script), *(short if quick else full), "--json", str(out)],
        stdout=subprocess.PIPE, text=True, check=False, cwd=ROOT)
    took = time.perf_counter() - started
    print(f"   {took:.0f} s (exit {done.returncode})", file=sys.stderr, flush=True)
    text = f"### bench/{script} ({took:.0f} s)\n\n{done.stdout.strip()}\n"
    if done.returncode != 0 or not out.exists():
        return None, text + f"\n**failed** (exit {done.returncode}); see its output above.\n"
    kept.write_text(text)
    return json.loads(out.read_text()), text


def by_database(runs: list[dict]) -> dict[str, dict]:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    return {names.get(r["database"], r["database"]): r for r in runs}


Row = tuple[str, dict[str, str], str, str, Callable[[], bool | None] | None]


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("**met**" if ok else "**not met**")


def summary(figures: dict[str, object]) -> list[str]:
    """One line per figure: the value on each database, its reference, the target."""
    dbs = ["SQLite", "PostgreSQL"]
    lines = ["| figure | " + " | ".join(dbs) + " | reference, same run | target | |",
             "|---|" + "---:|" * len(dbs) + "---|---|---|"]

    def add(label: str, cells: dict[str, str], reference: str, target: str = "",
            ok: bool | None = None) -> None:
        lines.append(f"| {label} | " + " | ".join(cells.get(d, "n/a") for d in dbs)
                     + f" | {reference} | {target} | {verdict(ok) if target else ''} |")

    if http := figures.get("http"):
        runs = by_database(http)  # type: ignore[arg-type]

        def line(key: str) -> dict[str, str]:
            return {d: (f"{r['main'][key]['rps']:,.0f}/s, p50 {r['main'][key]['p50']:.1f}, "
                        f"p99 {r['main'][key]['p99']:.1f} ms"
                        + (f", {r['main'][key]['errors']} errors" if r['main'][key]['errors']
                           else "")) for d, r in runs.items()}

        def ratio(key: str) -> dict[str, float]:
            return {d: r["main"][key]["rps"] / r["main"]["ping"]["rps"] for d, r in runs.items()}

        floor = {d: f"{r['main']['ping']['rps']:,.0f}/s, p99 {r['main']['ping']['p99']:.1f} ms"
                 for d, r in runs.items()}
        add("HTTP floor: `GET /ping` (same server and stack, no SQL)", floor, "")
        check_ratio = ratio("check@4000")
        meets = {d: check_ratio[d] >= 0.7 and r["main"]["check@4000"]["p99"] < 10
                 for d, r in runs.items()}
        add("HTTP access check", {d: c + f" = **{check_ratio[d]:.0%}** of the floor's req/s "
                                  f"({'met' if meets[d] else 'not met'})"
                                  for d, c in line("check@4000").items()},
            "the floor", "≥ 70% of the floor's req/s, p99 < 10 ms", all(meets.values()))
        if all(r["main"]["ping"].get("cpu", {}).get("machine") for r in runs.values()):

            def cpu(key: str, r: dict) -> str:
                spent = r["main"][key]["cpu"]
                return " / ".join(f"{spent[k]:,.0f}" for k in ("app", "database", "machine"))

            add("CPU per access check, µs: app / database server / whole machine "
                "(bench/cputime.py)", {d: cpu("check@4000", r) for d, r in runs.items()},
                "the floor's: " + "; ".join(f"{d} {cpu('ping', r)}" for d, r in runs.items()))
        for d, r in runs.items():
            if not (local := r.get("socket")):
                continue
            for key, label in (("healthz", "HTTP `/healthz`"), ("check@4000", "HTTP access check")):
                share = local[key]["rps"] / local["ping"]["rps"]
                ok = share >= 0.7 and local[key]["p99"] < 10
                add(f"{label}, {d} through its Unix socket (app and database on one machine)",
                    {d: f"{local[key]['rps']:,.0f}/s, p99 {local[key]['p99']:.1f} ms = "
                        f"**{share:.0%}** of the floor's req/s (over TCP in the same rounds: "
                        f"{ratio(key)[d]:.0%})"},
                    f"the floor on that server: {local['ping']['rps']:,.0f}/s",
                    *(("≥ 70% of the floor's req/s, p99 < 10 ms", ok)
                      if key == "check@4000" else ()))
        for key, label in (("page@4000", "HTTP members list page, 4,000 members"),
                           ("api@4000", "HTTP members API page, 4,000 members")):
            add(label, {d: c + f" ({ratio(key)[d]:.0%} of floor)" for d, c in line(key).items()},
                "the floor", "p99 < 50 ms", all(r["main"][key]["p99"] < 50 for r in runs.values()))
        for key, label in (("invite", "HTTP invitation (POST, a new address each)"),
                           ("report", "HTTP report, a year by month")):
            add(label, {d: c + f" ({ratio(key)[d]:.0%} of floor)" for d, c in line(key).items()},
                "the floor")
        for d, r in runs.items():
            if not r["scale"]:
                continue
            steps = list(r["scale"])
            first, last = r["scale"][steps[0]], r["scale"][steps[-1]]
            flat = True
            cells = []
            for kind, name in (("check", "check"), ("page", "members page"),
                               ("api", "members API")):
                key = f"{kind}@4000"
                raw = last[key]["rps"] / first[key]["rps"]
                # Against the floor measured at the same step: the machine's own drift out.
                rel = ((last[key]["rps"] / last["ping"]["rps"])
                       / (first[key]["rps"] / first["ping"]["rps"]))
                flat = flat and abs(rel - 1) <= 0.2
                cells.append(f"{name} {raw:.0%} ({rel:.0%} vs floor)")
            add(f"Scale, {d}: req/s at {steps[-1]} centers / at {steps[0]}",
                {d: "; ".join(cells)}, "the same server at the smaller size",
                "within 20% (vs floor)", flat)
    if check := figures.get("check"):
        floor_t = check["floor"]  # type: ignore[index]
        runs = by_database(check["runs"])  # type: ignore[index]
        casbin = check.get("casbin")  # type: ignore[attr-defined]
        add("engine check, warm (in process, 4,000 members, 100,000 grants)",
            {d: f"{r['warm']['per_s']:,.0f}/s, p99 {r['warm']['p99_us']:.1f} µs"
             for d, r in runs.items()},
            f"dict lookup {floor_t['per_s']:,.0f}/s"
            + (f"; pycasbin {casbin['per_s']:,.1f}/s" if casbin else ""))
        add("engine check, cold (first after a change)",
            {d: f"p50 {r['cold_p50_ms']:.2f}, p99 {r['cold_p99_ms']:.2f} ms"
             for d, r in runs.items()}, "")
    if invite := figures.get("invite"):
        runs = by_database(invite)  # type: ignore[arg-type]
        n = next(iter(runs.values())).get("members", 4000)
        add(f"bulk invitation of {n:,} addresses (service, 50 per call)",
            {d: f"{r['invite_s']:.2f} s ({r['overhead_x']:.1f}x the floor)"
             for d, r in runs.items()},
            "bare bulk_create: " + ", ".join(f"{d} {r['floor_calls_s']:.2f} s"
                                             for d, r in runs.items()),
            "< 10 s", all(r["invite_s"] < 10 for r in runs.values()))
    if report := figures.get("report"):
        runs = by_database(report)  # type: ignore[arg-type]
        add("report, 1,000 campaigns x 365 days, by month (service)",
            {d: f"p50 {r['results']['month']['p50']:.0f}, p95 {r['results']['month']['p95']:.0f} ms"
             for d, r in runs.items()},
            "bare SQL SUM: " + ", ".join(f"{d} {r['results']['sql_sum']['p50']:.0f} ms"
                                         for d, r in runs.items()),
            "< 300 ms (issue 5)", all(r["results"]["month"]["p95"] < 300 for r in runs.values()))
    if members := figures.get("members"):
        runs = by_database(members)  # type: ignore[arg-type]
        add("members page, server time (test Client), first page",
            {d: f"p50 {r['results']['first']['p50']:.1f}, p95 {r['results']['first']['p95']:.1f}"
                f" ms, {r['results']['first']['queries']} queries" for d, r in runs.items()},
            "/healthz: " + ", ".join(f"{d} {r['results']['healthz']['p50']:.1f} ms"
                                     for d, r in runs.items()))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "results.md"), help="bench/results.md")
    parser.add_argument("--quick", action="store_true", help="short runs, smaller data")
    parser.add_argument("--work", help="keep each benchmark's figures in this folder")
    parser.add_argument("--reuse", action="store_true",
                        help="take a benchmark's figures from --work if it has them")
    parser.add_argument("--only", default=",".join(BENCHES),
                        help=f"comma-separated, of: {', '.join(BENCHES)}")
    args = parser.parse_args()
    chosen = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in BENCHES]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    started = time.perf_counter()
    figures: dict[str, object] = {}
    sections = []
    with tempfile.TemporaryDirectory(prefix="bizcenter-bench-run-") as scratch:
        work = Path(args.work or scratch)
        work.mkdir(parents=True, exist_ok=True)
        for name in chosen:
            figures[name], text = run(name, args.quick, work, args.reuse)
            sections.append(text)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    report = "\n".join([
        "# bizcenter benchmarks", "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average at "
        f"the end {load}; {'quick' if args.quick else 'full'} run of "
        f"{', '.join(chosen)} in {time.perf_counter() - started:.0f} s. Each figure is beside "
        "its reference measured in the same run."
        + (" Quick runs use smaller data than the labels say." if args.quick else ""), "",
        *summary(figures), "", *sections])
    print(report)
    Path(args.out).write_text(report)
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
