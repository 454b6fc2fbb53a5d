"""Process-wide caches that stop growing: the oldest entry makes room for a new one."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def keep(cache: dict[K, V], key: K, value: V, size: int) -> None:
    """Store ``value``; a full cache first drops its oldest entry (dicts keep their
    insertion order), so a long-running process holds at most ``size`` of them."""
    if key not in cache and len(cache) >= size:
        del cache[next(iter(cache))]
    cache[key] = value
