"""The cache backends the settings choose from: Django's, each able to count.

Every API call bumps a rate-limit counter (core/ratelimit.py), so counting is on the
path of every call. Django's cache API counts in two or three steps (is there a
counter? add one, or increment it), each a round trip to Redis, and the local-memory
cache pickles the number and checks the key character by character on each of them.
Each backend here counts in one step: Redis runs a script, and the local-memory
cache keeps its counters as plain numbers beside its entries.

Counting in Redis still costs every API call a round trip, as long as the database's
own read. A caller that can live with a count a little behind (``slack``) lets a
process add up to that many events on its own before it tells Redis: the API rate
(600 a minute, core/ratelimit.py) then asks Redis once every 13 calls, and the other
processes see this one's calls at most 12 late each. Refusals are never wrong: a
process's own view is never above the true count.

Counters are kept per process, shared by its threads, as Django's local-memory cache
keeps its entries (Django makes a backend object per thread).
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


COUNTERS = 100_000  # counters a process keeps, per cache; past this the oldest go

# Per cache location, for every thread of the process: (counters, their lock).
_unsent: dict[str, tuple[dict[str, tuple[int, int]], threading.Lock]] = {}
_local: dict[str, tuple[dict[str, tuple[float, int]], threading.Lock]] = {}


class Redis(RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        # Each counter's total as Redis last said it, and what this process has added
        # since without telling it.
        self._unsent, self._sending = _unsent.setdefault(server, ({}, threading.Lock()))

    def count(self, name: str, cost: int, timeout: int, slack: int = 0) -> int:
        """The counter after adding ``cost``, created with ``timeout`` seconds to live;
        the stored integer is the one Django's cache reads back. With ``slack``, up
        to that many events are added here before Redis hears of them together."""
        with self._sending:
            said, added = self._unsent.get(name, (-1, 0))
            added += cost
            if said >= 0 and added <= slack:
                self._unsent[name] = (said, added)
                return said + added
            key = self.make_and_validate_key(name)
            client = self._cache.get_client(key, write=True)  # type: ignore[attr-defined]
            total = int(client.eval(_COUNT, 1, key, added, timeout))
            if slack:
                keep(self._unsent, name, (total, 0), COUNTERS)
            return total

    def clear(self) -> None:
        super().clear()
        with self._sending:
            self._unsent.clear()


class LocalMemory(LocMemCache):
    """Counters live only in this process, as every entry of this cache does."""

    COUNTERS = COUNTERS  # past this, expired counters go, then the oldest

    def __init__(self, name: str, params: dict) -> None:
        super().__init__(name, params)
        self._counters, self._counting = _local.setdefault(name, ({}, threading.Lock()))

    def count(self, name: str, cost: int, timeout: int, slack: int = 0) -> int:
        """``slack`` changes nothing here: every count is this process's own."""
        now = time.monotonic()
        with self._counting:
            ends, count = self._counters.get(name, (0.0, 0))
            if ends <= now:  # none yet, or its window is over
                ends, count = now + timeout, 0
                if len(self._counters) >= self.COUNTERS:
                    for over in [k for k, v in self._counters.items() if v[0] <= now]:
                        del self._counters[over]
            count += cost
            keep(self._counters, name, (ends, count), self.COUNTERS)
        return count

    def clear(self) -> None:
        super().clear()
        with self._counting:
            self._counters.clear()
