"""Percentiles and spreads shared by the benchmarks, so every table reads alike."""

from __future__ import annotations

import math
import statistics

MS = 1000.0


def percentile(times: list[float], p: float) -> float:
    """Nearest rank of times in seconds, in ms (no interpolation: a figure that was measured)."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * MS


def spread(times: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max, in ms."""
    return {"p50": statistics.median(times) * MS, "p95": percentile(times, 95),
            "p99": percentile(times, 99), "max": max(times) * MS}
