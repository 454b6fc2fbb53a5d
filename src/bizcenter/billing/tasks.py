"""Background work of billing (run by ``bizcenter worker`` or ``bizcenter serve``)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from bizcenter.billing import limits
from bizcenter.core import periodic

# A month begins at midnight in each Business Center's own time zone: looking once an
# hour resumes the campaigns a limit paused within the first hour of the month.
EVERY = timedelta(hours=1)


@task()
def resume_paused_by_limit() -> int:
    """Resume campaigns a spending limit paused last month, then come back in an hour."""
    resumed = limits.resume_new_month()
    periodic.again(resume_paused_by_limit, EVERY)
    return resumed


def schedule() -> None:
    periodic.keep_waiting(resume_paused_by_limit)
