"""Read replicas, by one visible rule: a read goes to a replica only inside
``from_replica()``, which a service opens around its list query, after its access
check.

With ``DATABASE_REPLICA_URL`` set (one URL, or several separated by commas), the
settings add the aliases ``replica1``, ``replica2``, ... beside ``default`` (the
primary). A replica lags the primary by a moment, so everything else reads the
primary: who someone is and what they may do (a revoke is refused on the very next
request), the worker, the CLI and every write. Inside the block, a read stays on the
primary too when it runs in a transaction or after the block has written.

Without a replica configured the block changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# None outside from_replica(); inside, the replica its reads go to, or the primary
# once the block has written.
_reading: ContextVar[str | None] = ContextVar("bizcenter_replica", default=None)


def replicas() -> list[str]:
    """The replica aliases the settings made from DATABASE_REPLICA_URL."""
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


@contextmanager
def from_replica() -> Iterator[None]:
    """Reads in this block may be answered by a replica (picked at random): only for
    lists and reports, where an answer a moment old is fine."""
    found = replicas()
    chosen = random.choice(found) if found else DEFAULT_DB_ALIAS  # noqa: S311 - load, not a secret
    token = _reading.set(chosen)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """Honours ``from_replica()``; every other read and every write is the primary's."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        chosen = _reading.get()
        if chosen is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return chosen

    def db_for_write(self, model: type, **hints: Any) -> str:
        if _reading.get() is not None:
            _reading.set(DEFAULT_DB_ALIAS)  # the rest of the block reads its own writes
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replicas hold the primary's rows: an object read from one may point
        # at an object read from another.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A replica follows the primary's schema through replication, never by itself.
        return None if db == DEFAULT_DB_ALIAS else False
