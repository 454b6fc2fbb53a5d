"""The cache backends the settings choose from: Django's, each able to count.

Every API call bumps a rate-limit counter (core/ratelimit.py), so counting is on the
path of every call. Django's cache API counts in two or three steps (is there a
counter? add one, or increment it), each a round trip to Redis, and the local-memory
cache pickles the number and checks the key character by character on each of them.
Each backend here counts in one step: Redis runs a script, and the local-memory
cache keeps its counters as plain numbers beside its entries.
"""

from __future__ import annotations

import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from bizcenter.core.bounded import keep

# Add to a counter and start its expiry with it, in one step on the Redis server.
_COUNT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count
"""


class Redis(RedisCache):
    def count(self, name: str, cost: int, timeout: int) -> int:
        """The counter after adding ``cost``, created with ``timeout`` seconds to live;
        the stored integer is the one Django's cache reads back."""
        key = self.make_and_validate_key(name)
        client = self._cache.get_client(key, write=True)  # type: ignore[attr-defined]
        return int(client.eval(_COUNT, 1, key, cost, timeout))


class LocalMemory(LocMemCache):
    """Counters live only in this process, as every entry of this cache does."""

    COUNTERS = 100_000  # past this, expired counters go, then the oldest

    def __init__(self, name: str, params: dict) -> None:
        super().__init__(name, params)
        self._counters: dict[str, tuple[float, int]] = {}
        self._counting = threading.Lock()

    def count(self, name: str, cost: int, timeout: int) -> int:
        now = time.monotonic()
        with self._counting:
            ends, count = self._counters.get(name, (0.0, 0))
            if ends <= now:  # none yet, or its window is over
                ends, count = now + timeout, 0
                if len(self._counters) >= self.COUNTERS:
                    self._counters = {k: v for k, v in self._counters.items() if v[0] > now}
            count += cost
            keep(self._counters, name, (ends, count), self.COUNTERS)
        return count

    def clear(self) -> None:
        super().clear()
        with self._counting:
            self._counters.clear()
