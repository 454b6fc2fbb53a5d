"""Background work of the API (run by ``bizcenter worker`` or ``bizcenter serve``)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from bizcenter.api import idempotency
from bizcenter.core import periodic

# Answers are kept a day and already ignored once older, so the purge only frees
# space: once an hour keeps the table to about a day and an hour of keys.
EVERY = timedelta(hours=1)


@task()
def purge_idempotency_keys() -> int:
    """Delete Idempotency-Key answers past their day, then come back in an hour."""
    removed = idempotency.purge()
    periodic.again(purge_idempotency_keys, EVERY)
    return removed


def schedule() -> None:
    """Make sure one purge is waiting (called when a worker starts)."""
    periodic.keep_waiting(purge_idempotency_keys)
