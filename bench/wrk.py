"""Driving the HTTP benchmarks with ``wrk`` (the Debian package), a load generator
written in C that is not the bottleneck: the asyncio one in http_load.py tops out
near 1,100-1,700 requests a second on this kind of machine, below what ``serve``
answers for /ping.

``measure`` takes the same targets as http_load.measure and answers the same
figures: rounds of one burst per target, each burst ``wrk --threads T
--connections C --duration S --latency``. Requests per second is all requests over
all bursts' time; p50 and p99 are the median over the bursts of wrk's own
percentiles (wrk does not hand out each request's time). Any answer but a 2xx or
3xx, and any socket error, is an error.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess

import cputime

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def available() -> bool:
    return shutil.which("wrk") is not None


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def _command(raw: bytes, port: int, seconds: float, connections: int) -> list[str]:
    """wrk's command line for a GET target (its raw request: path and headers)."""
    head = raw.decode().split("\r\n\r\n", 1)[0].split("\r\n")
    method, path, _ = head[0].split(" ")
    if method != "GET":
        raise ValueError("wrk drives GET targets here; a POST needs a Lua script")
    command = ["wrk", "--threads", str(min(2, connections)), "--connections",
               str(connections), "--duration", f"{max(1, round(seconds))}s", "--latency"]
    for line in head[1:]:
        if line and not line.lower().startswith("host:"):
            command += ["--header", line]
    return [*command, f"http://127.0.0.1:{port}{path}"]


def burst(raw: bytes, port: int, seconds: float, connections: int) -> dict[str, float]:
    done = subprocess.run(_command(raw, port, seconds, connections),  # noqa: S603
                          capture_output=True, text=True, check=True)
    out = done.stdout
    requests, took, unit = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)
    return {"n": int(requests), "seconds": float(took) * UNITS[unit] / 1000,
            "p50": _ms(percentiles["50"]), "p99": _ms(percentiles["99"]),
            "errors": (int(bad.group(1)) if bad else 0)
            + (sum(int(x) for x in sockets.groups()) if sockets else 0)}


def measure(targets: list, seconds: float, rounds: int, connections: int) -> dict[str, dict]:
    """Like http_load.measure, each burst by wrk."""
    for t in targets:  # warm every worker's caches and imports, untimed
        burst(t.request(), t.port, 1, connections)
    runs: dict[str, list[dict[str, float]]] = {t.key: [] for t in targets}
    cpu = {k: dict.fromkeys(cputime.KINDS, 0.0) for k in runs}
    for _ in range(rounds):
        for t in targets:
            before = cputime.sample()
            runs[t.key].append(burst(t.request(), t.port, seconds, connections))
            for kind, used in cputime.spent(before, cputime.sample()).items():
                cpu[t.key][kind] += used
    figures = {}
    for key, got in runs.items():
        n = sum(r["n"] for r in got)
        figures[key] = {"rps": n / sum(r["seconds"] for r in got), "n": n,
                        "errors": int(sum(r["errors"] for r in got)),
                        "p50": statistics.median(r["p50"] for r in got),
                        "p99": statistics.median(r["p99"] for r in got),
                        "cpu": cputime.per_request(cpu[key], n)}
    return figures
