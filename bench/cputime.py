"""Whose CPU a request costs: the app's workers, the database server, the load generator.

Requests per second on a 2-core machine ask how much CPU each request needs from
everything that runs on it, the database server and the load generator included.
A ratio to the floor says that one endpoint costs more, not where; these figures
say where, so a fix is aimed at the process that pays (docs/PERFORMANCE.md).

Read from Linux's /proc before and after each burst: the user and system time of
every ``bizcenter serve`` process (master and workers), of every ``postgres``
process (a PostgreSQL server of this machine: zero on SQLite, and when it runs
elsewhere) and of this process, each by its own difference, and the machine's busy
time from /proc/stat. Elsewhere than Linux nothing is read, and the tables leave
the figures out.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
KINDS = ("app", "database", "load", "machine")


def _tick() -> int:
    return os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


TICK = _tick()


def available() -> bool:
    return (PROC / "stat").exists()


def _kind(pid: str) -> str | None:
    try:
        if int(pid) == os.getpid():
            return "load"
        comm = (PROC / pid / "comm").read_text().strip()
        if comm == "wrk":  # bench/wrk.py's load generator
            return "load"
        if comm.startswith("postgres"):
            return "database"
        command = (PROC / pid / "cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None  # gone meanwhile, or not ours to read
    return "app" if b"bizcenter" in command and b"serve" in command else None


def _seconds(pid: str) -> float:
    try:
        fields = (PROC / pid / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


Sample = tuple[dict[str, tuple[str, float]], float]  # per process: (kind, seconds); machine


def sample() -> Sample:
    """CPU seconds so far of each process of a kind, and the machine's busy seconds."""
    if not available():
        return {}, 0.0
    processes = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (kind := _kind(entry.name)):
            processes[entry.name] = (kind, _seconds(entry.name))
    busy = [int(x) for x in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    return processes, (sum(busy) - busy[3] - busy[4]) / TICK  # all but idle and iowait


def spent(before: Sample, after: Sample) -> dict[str, float]:
    """CPU seconds of each kind between two samples. A process started in between counts
    whole; one that ended in between (a PostgreSQL parallel worker, an autovacuum) is
    missed, as its last seconds cannot be read: the machine's figure has them."""
    total = dict.fromkeys(KINDS, 0.0)
    for pid, (kind, now) in after[0].items():
        then = before[0].get(pid, (kind, 0.0))[1]
        total[kind] += now - then if now >= then else now  # a number reused: a new process
    total["machine"] = after[1] - before[1]
    return total


def per_request(seconds: dict[str, float], requests: int) -> dict[str, float]:
    """Microseconds of each kind per request, from CPU seconds spent over them."""
    return {k: seconds[k] / max(requests, 1) * 1e6 for k in KINDS}
