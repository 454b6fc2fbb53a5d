"""Messages a worker killed in the middle of sending left claimed and unsent.

The database task backend marks a task as running when a worker takes it; if that
worker dies nothing runs that task again. A message is claimed atomically and marked
sent once, so it is safe to send again: a starting worker reschedules every unsent
one, and running workers look again every EVERY, so a worker that dies while others
keep running loses nothing either.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from bizcenter.outbox.services import STALE_CLAIM, sweep

# A claim older than this is from a dead worker; look that often.
EVERY = STALE_CLAIM


def at_start() -> int:
    """Called when a worker starts: every unsent message, rescheduled. How many."""
    done = sweep()
    schedule()
    return done


@task()
def recover_messages() -> int:
    """Reschedule what a dead worker left, then come back after EVERY."""
    done = sweep()
    recover_messages.using(run_after=timezone.now() + EVERY).enqueue()
    return done


def schedule() -> None:
    """Make sure one regular recovery is waiting, due after EVERY."""
    from django_tasks_db.models import DBTaskResult

    path = recover_messages.module_path
    if not DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        recover_messages.using(run_after=timezone.now() + EVERY).enqueue()
