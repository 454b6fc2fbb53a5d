"""Fixed-window rate limits in Django's cache: Redis when configured, so every app
process counts together; a database table for several processes without it, or while
Redis does not answer; the local-memory cache for one process (core/cache.py)."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import caches

from bizcenter.core.cache import LocalMemory, Redis, SharedDatabase
from bizcenter.core.errors import ServiceError

# How far behind a count may be across app processes (core/cache.py): a fiftieth of
# the limit, and never more than 12 events. The limits against guessing (10 log-ins,
# 10 codes, 5 resets) stay exact; the API's 600 calls a minute asks Redis once every
# 13 calls instead of on each (as it does under any larger rate, the benchmarks'
# included), and a process refuses only what its own, never higher, view is past.
SLACK_SHARE = 50
SLACK_MOST = 12


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


def hit(scope: str, key: str, limit: int, window: int, what: str = "requests",
        cost: int = 1) -> None:
    """Count `cost` events (one request, or the addresses of one invite call) for
    (scope, key); refuse once `limit` is passed in the window."""
    now = int(time.time())
    bucket = now // window
    # Hashed: a key is whatever the person typed (spaces, unicode), and cache keys
    # must be short and plain on every backend.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    name = f"rl:{scope}:{digest}:{bucket}"
    count = _count(name, cost, window + 1, min(limit // SLACK_SHARE, SLACK_MOST))
    if count > limit:
        retry = (bucket + 1) * window - now
        raise RateLimited(f"Too many {what}: at most {limit} per {window} seconds. Try again "
                          f"in {retry} seconds.", retry_after=max(1, retry))


def _count(name: str, cost: int, timeout: int, slack: int) -> int:
    """The counter after adding ``cost``, in one step on the backends the settings
    choose (core/cache.py); any other goes through Django's cache API, exactly."""
    backend = caches["default"]
    if isinstance(backend, Redis | LocalMemory | SharedDatabase):
        return backend.count(name, cost, timeout, slack)
    try:
        return backend.incr(name, cost)
    except ValueError:  # no counter yet in this window
        return cost if backend.add(name, cost, timeout=timeout) else backend.incr(name, cost)
