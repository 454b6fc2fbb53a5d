"""CSV imports a worker killed in the middle left half done.

The database task backend marks a task as running when a worker takes it; if that
worker dies nothing runs that task again. An import resumes at its first unsaved
batch, so it is safe to start again: a starting worker reschedules every unfinished
one, and running workers look again every EVERY for imports left stale that long.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from bizcenter.invitations.imports import resume_unfinished

# A running import untouched this long is from a dead worker; look that often.
EVERY = timedelta(minutes=10)


def at_start() -> int:
    """Called when a worker starts: every unfinished import, rescheduled. How many."""
    done = resume_unfinished()
    schedule()
    return done


@task()
def recover_imports() -> int:
    """Reschedule what a dead worker left, then come back after EVERY."""
    done = resume_unfinished(stale=EVERY)
    recover_imports.using(run_after=timezone.now() + EVERY).enqueue()
    return done


def schedule() -> None:
    """Make sure one regular recovery is waiting, due after EVERY."""
    from django_tasks_db.models import DBTaskResult

    path = recover_imports.module_path
    if not DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        recover_imports.using(run_after=timezone.now() + EVERY).enqueue()
