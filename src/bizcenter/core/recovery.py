"""Picking up what a worker killed in the middle of a task left behind.

The database task backend marks a task as running when a worker takes it; if that
worker dies (SIGKILL, out of memory, a power cut) nothing runs that task again.
What matters is its work: outbox messages claimed and not sent, CSV imports half
done. Both are safe to start again (a message is claimed atomically and marked sent
once; an import resumes at its first unsaved batch), so a starting worker
reschedules all of it, and running workers look again every few minutes, so a
worker that dies while others keep running loses nothing either.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from bizcenter.invitations.imports import resume_unfinished
from bizcenter.outbox.services import STALE_CLAIM, sweep

# A claim older than this is from a dead worker; look that often.
EVERY = STALE_CLAIM


def at_start() -> dict[str, int]:
    """Called when a worker starts: every unsent message and unfinished import."""
    done = {"messages": sweep(), "imports": resume_unfinished()}
    schedule()
    return done


@task()
def recover_regularly() -> dict[str, int]:
    """Reschedule what a dead worker left, then come back after EVERY."""
    done = {"messages": sweep(), "imports": resume_unfinished(stale=EVERY)}
    recover_regularly.using(run_after=timezone.now() + EVERY).enqueue()
    return done


def schedule() -> None:
    """Make sure one regular recovery is waiting."""
    from django_tasks_db.models import DBTaskResult

    path = recover_regularly.module_path
    if not DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        recover_regularly.using(run_after=timezone.now() + EVERY).enqueue()
