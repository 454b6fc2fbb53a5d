"""Tasks that come back by themselves: each run enqueues the next, and a worker that
starts makes sure one is waiting. The database queue (django-tasks-db) keeps them, so
they survive restarts without a separate scheduler process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone


def again(task: Any, every: timedelta) -> None:
    """Come back in ``every``: called at the end of a run."""
    task.using(run_after=timezone.now() + every).enqueue()


def keep_waiting(task: Any) -> None:
    """Make sure one run of ``task`` is waiting (called when a worker starts)."""
    from django_tasks_db.models import DBTaskResult

    if not DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists():
        task.enqueue()
