"""Background work of accounts (run by ``bizcenter worker`` or ``bizcenter serve``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from bizcenter.accounts import verification

# Accounts are kept for days before removal, so looking once an hour is plenty.
EVERY = timedelta(hours=1)


@task()
def remove_unclaimed_accounts() -> int:
    """Remove accounts that never proved an address, then come back in an hour."""
    removed = verification.remove_unclaimed()
    remove_unclaimed_accounts.using(run_after=timezone.now() + EVERY).enqueue()
    return removed


def schedule() -> None:
    """Make sure one clean-up is waiting (called when a worker starts)."""
    from django_tasks_db.models import DBTaskResult

    path = remove_unclaimed_accounts.module_path
    if not DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        remove_unclaimed_accounts.enqueue()
