"""The cache backends the settings choose from: Django's, each able to count.

Every API call bumps a rate-limit counter (core/ratelimit.py), so counting is on the
path of every call. Django's cache API counts in two or three steps (is there a
counter? add one, or increment it), each a round trip to Redis, and the local-memory
cache pickles the number and checks the key character by character on each of them.
Each backend here counts in one step: Redis runs a script, the database runs one
upsert (for several processes without Redis, and while Redis does not answer), and
the local-memory cache keeps its counters as plain numbers beside its entries.

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

import logging
import threading
import time
from datetime import timedelta

import redis
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router
from django.utils import timezone

from bizcenter.core.bounded import keep

# Add to a counter and start its expiry with it, in one step on the Redis server.
_COUNT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count
"""


COUNTERS = 100_000  # counters a process keeps, per cache; past this the oldest go

log = logging.getLogger("bizcenter.cache")

# The cache alias that counts when Redis does not answer (settings.CACHES).
FALLBACK = "counters"
# Since when Redis has not answered (time.time()), or None: /healthz reports it.
redis_down_since: float | None = None

# Per cache location, for every thread of the process: (counters, their lock).
_unsent: dict[str, tuple[dict[str, tuple[int, int]], threading.Lock]] = {}
_local: dict[str, tuple[dict[str, tuple[float, int]], threading.Lock]] = {}
# The counting client of each Redis server, shared by the process's threads.
_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


class Batching:
    """Counting in a store all processes share, with up to ``slack`` events added here
    before the store hears of them together; the store's step is ``_send``."""

    _unsent: dict[str, tuple[int, int]]
    _sending: threading.Lock

    def _batches(self, location: str) -> None:
        # Each counter's total as the store last said it, and what this process has
        # added since without telling it.
        self._unsent, self._sending = _unsent.setdefault(location, ({}, threading.Lock()))

    def count(self, name: str, cost: int, timeout: int, slack: int = 0) -> int:
        """The counter after adding ``cost``, created with ``timeout`` seconds to live;
        the stored integer is the one Django's cache reads back. With ``slack``, up
        to that many events are added here before the store hears of them together."""
        with self._sending:
            said, added = self._unsent.get(name, (-1, 0))
            added += cost
            if said >= 0 and added <= slack:
                self._unsent[name] = (said, added)
                return said + added
            total = self._send(name, added, timeout)
            if slack:
                keep(self._unsent, name, (total, 0), COUNTERS)
            return total

    def _send(self, name: str, cost: int, timeout: int) -> int:
        raise NotImplementedError

    def _forget(self) -> None:
        with self._sending:
            self._unsent.clear()


class Redis(Batching, RedisCache):
    """Django's Redis cache; its counters go through a redis-py client of their own,
    made from the same LOCATION and OPTIONS with redis-py's public API, one per process
    (redis-py's clients are thread-safe), so counting is one script, one round trip."""

    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._batches(server)
        # The first server of the LOCATION is the one Django's cache writes to.
        first = server.split(",")[0].strip() if isinstance(server, str) else server[0]
        options = {k: v for k, v in params.get("OPTIONS", {}).items()
                   if k in ("socket_connect_timeout", "socket_timeout")}
        with _clients_lock:
            if (client := _clients.get(first)) is None:
                client = _clients[first] = redis.Redis.from_url(first, **options)
        self._counting_client = client

    def _send(self, name: str, cost: int, timeout: int) -> int:
        key = self.make_and_validate_key(name)
        try:
            total = int(self._counting_client.eval(_COUNT, 1, key, cost, timeout))
        except (ConnectionError, OSError, TimeoutError) as error:
            return _without_redis(error, name, cost, timeout)
        except Exception as error:  # redis-py's own ConnectionError and TimeoutError
            if type(error).__module__.split(".")[0] != "redis":
                raise
            return _without_redis(error, name, cost, timeout)
        _redis_answers()
        return total

    def clear(self) -> None:
        super().clear()
        self._forget()


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


def _without_redis(error: Exception, name: str, cost: int, timeout: int) -> int:
    """Count in the database while Redis does not answer, never in nothing: a limit
    against guessing passwords must hold with Redis down. Said once in the log, until
    Redis answers again; /healthz says ``degraded`` meanwhile."""
    global redis_down_since
    if redis_down_since is None:
        redis_down_since = time.time()
        log.error("Redis does not answer (%s): rate limits count in the database until it "
                  "does.", error)
    backend = caches[FALLBACK]
    assert isinstance(backend, SharedDatabase)
    return backend._send(name, cost, timeout)


def _redis_answers() -> None:
    global redis_down_since
    if redis_down_since is not None:
        redis_down_since = None
        log.warning("Redis answers again: rate limits count in Redis.")


class SharedDatabase(Batching, DatabaseCache):
    """Counters in a database table every app process shares: for several processes
    without Redis (``serve``'s default), and for when Redis does not answer.

    One statement adds to a counter and reads it back (an upsert with RETURNING, on
    SQLite 3.35+ and PostgreSQL), so two processes never both count from the same
    number. With ``slack``, as with Redis, a process adds up to that many events on its
    own before it writes them together; the limits against guessing have none.
    The table is Django's cache table (``createcachetable``, run by migrate and serve).
    """

    def __init__(self, table: str, params: dict) -> None:
        super().__init__(table, params)
        self._batches(f"db:{table}")

    def _send(self, name: str, cost: int, timeout: int) -> int:
        return self._add(self.make_and_validate_key(name), cost, timeout)

    def _add(self, key: str, cost: int, timeout: int) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self.cache_model_class._meta.db_table)
        now = timezone.now().replace(microsecond=0)
        ends = connection.ops.adapt_datetimefield_value(now + timedelta(seconds=timeout))
        moment = connection.ops.adapt_datetimefield_value(now)
        number = "INTEGER" if connection.vendor == "sqlite" else "BIGINT"
        # The table's name is from settings, quoted; every value is a parameter.
        sql = (f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608
               f"ON CONFLICT (cache_key) DO UPDATE SET "
               f"value = CASE WHEN {table}.expires <= %s THEN %s "
               f"ELSE CAST(CAST({table}.value AS {number}) + %s AS TEXT) END, "
               f"expires = CASE WHEN {table}.expires <= %s THEN %s ELSE {table}.expires END "
               f"RETURNING value")
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, str(cost), ends, moment, str(cost), cost, moment, ends])
            row = cursor.fetchone()
        return int(row[0])

    def clear(self) -> None:
        super().clear()
        self._forget()
