"""Whose CPU a request costs: the app's workers, the database server, the load generator.

Requests per second on a 2-core machine ask how much CPU each request needs from
everything that runs on it, the database server and the load generator included.
A ratio to the floor says that one endpoint costs more, not where; these figures
say where, so a fix is aimed at the process that pays (docs/PERFORMANCE.md).

Read from Linux's /proc around each burst: user and system time of every
``bizcenter serve`` process (master and workers), of every ``postgres`` process
(a PostgreSQL server of this machine: zero on SQLite, and when it runs elsewhere),
of this process, and the machine's busy time from /proc/stat. Elsewhere than Linux,
nothing is read and the tables leave the figures out.
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


def sample() -> dict[str, float]:
    """CPU seconds so far, by kind; the app's and the database's summed over their
    processes as they are now (a worker gunicorn replaced mid-burst is missed)."""
    spent = dict.fromkeys(KINDS, 0.0)
    if not available():
        return spent
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (kind := _kind(entry.name)):
            spent[kind] += _seconds(entry.name)
    busy = [int(x) for x in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    spent["machine"] = (sum(busy) - busy[3] - busy[4]) / TICK  # all but idle and iowait
    return spent


def per_request(spent: dict[str, float], requests: int) -> dict[str, float]:
    """Microseconds of each kind per request, from CPU seconds spent over them."""
    return {k: spent[k] / max(requests, 1) * 1e6 for k in KINDS}
