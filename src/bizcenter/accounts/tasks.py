"""Background work of accounts (run by ``bizcenter worker`` or ``bizcenter serve``)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from bizcenter.accounts import verification
from bizcenter.core import periodic

# Accounts are kept for days before removal, so looking once an hour is plenty.
EVERY = timedelta(hours=1)


@task()
def remove_unclaimed_accounts() -> int:
    """Remove accounts that never proved an address, then come back in an hour."""
    removed = verification.remove_unclaimed()
    periodic.again(remove_unclaimed_accounts, EVERY)
    return removed


def schedule() -> None:
    """Make sure one clean-up is waiting (called when a worker starts)."""
    periodic.keep_waiting(remove_unclaimed_accounts)
