"""What a worker killed mid-task leaves behind is picked up again: at the next worker's
start, and by the regular recovery while other workers keep running.

The database task backend never runs a task again once a worker took it, so the
work itself must be found and queued again: a half-done CSV import, a message
claimed and not sent. ``test_crash.py`` does this with real processes and SIGKILL;
these tests pin down each piece in-process.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bizcenter.audit.models import AuditEvent
from bizcenter.invitations import imports
from bizcenter.invitations import recovery as import_recovery
from bizcenter.invitations.models import ImportState, Invitation, InviteImport
from bizcenter.invitations.services import Grant
from bizcenter.invitations.tasks import run_import
from bizcenter.outbox import recovery as message_recovery
from bizcenter.outbox.models import MessageState, OutboxMessage
from tests.conftest import act
from tests.support.races import fresh_center, race


@pytest.fixture(autouse=True)
def _fast(quick_hashing):
    """Password hashing is not what these tests are about."""


def csv_of(count: int, prefix: str = "p") -> bytes:
    return ("email\n" + "\n".join(f"{prefix}{i}@agency.com" for i in range(count))).encode()


def import_tasks(status: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=run_import.module_path, status=status))


def die_after_first_batch(job: InviteImport, monkeypatch) -> None:
    """What a worker killed in the middle of an import leaves: one batch saved, the
    import RUNNING, and its task marked as taken by a worker that is gone."""
    real = imports.invite
    calls = {"n": 0}

    def dies(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # stands for the SIGKILL
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "invite", dies)
    with pytest.raises(KeyboardInterrupt):
        imports.run(job.pk)
    monkeypatch.setattr(imports, "invite", real)
    DBTaskResult.objects.filter(task_path=run_import.module_path).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=["dead-worker"])


def test_a_starting_worker_resumes_an_import_a_dead_worker_left(center, as_owner,
                                                                 run_worker, monkeypatch):
    job = imports.start_import(as_owner, center, csv_of(120), Grant())
    die_after_first_batch(job, monkeypatch)
    job.refresh_from_db()
    assert (job.state, job.processed) == (ImportState.RUNNING, 50)
    run_worker()  # without recovery nothing would ever run it again
    job.refresh_from_db()
    assert job.processed == 50

    assert import_recovery.at_start() == 1
    run_worker()
    job.refresh_from_db()
    assert (job.state, job.processed, job.counts) == (ImportState.DONE, 120, {"invited": 120})
    assert Invitation.objects.filter(center=center).count() == 120
    assert AuditEvent.objects.filter(action="invitation.import_finished").count() == 1
    assert import_recovery.at_start() == 0  # a finished import is left alone


def test_an_import_with_its_task_still_waiting_is_not_queued_twice(center, as_owner):
    imports.start_import(as_owner, center, csv_of(3), Grant())
    assert import_recovery.at_start() == 0
    assert len(import_tasks("READY")) == 1


def test_the_regular_recovery_waits_until_a_running_import_is_stale(center, as_owner,
                                                                     run_worker, monkeypatch):
    job = imports.start_import(as_owner, center, csv_of(120), Grant())
    die_after_first_batch(job, monkeypatch)
    # Just started: it may belong to a live worker on another machine.
    assert imports.resume_unfinished(stale=import_recovery.EVERY) == 0
    with time_machine.travel(timezone.now() + import_recovery.EVERY + timedelta(seconds=1)):
        assert imports.resume_unfinished(stale=import_recovery.EVERY) == 1
        run_worker()
    job.refresh_from_db()
    assert (job.state, job.processed) == (ImportState.DONE, 120)


def test_the_regular_recovery_sends_a_message_a_dead_worker_claimed(center, as_owner, mailbox,
                                                                    run_worker):
    from bizcenter.invitations.services import invite

    [invited] = invite(as_owner, center, ["late@agency.com"])
    OutboxMessage.objects.update(state=MessageState.SENDING, claimed_at=timezone.now())
    DBTaskResult.objects.filter(status="READY").delete()  # the dead worker's task
    message_recovery.schedule()
    message_recovery.schedule()  # a second worker starting: still one recovery waiting
    path = message_recovery.recover_messages.module_path
    [waiting] = DBTaskResult.objects.filter(task_path=path)
    run_worker()
    assert mailbox == []  # not before its time
    with time_machine.travel(waiting.run_after + timedelta(seconds=1)):
        run_worker()
        [email] = mailbox
        assert invited.link and invited.link in email.body
        # ... and it comes back after the same time again.
        [again] = DBTaskResult.objects.filter(task_path=path, status="READY")
        assert again.run_after > timezone.now() + message_recovery.EVERY - timedelta(seconds=5)
    assert OutboxMessage.objects.get().state == MessageState.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite has a single writer, so runs cannot race")
def test_two_runs_of_one_import_at_once_invite_everyone_once():
    for round_ in range(3):
        owner, center = fresh_center(f"import{round_}")
        job = imports.start_import(act(owner), center, csv_of(300, f"r{round_}."), Grant())
        outcomes = race([lambda pk=job.pk: imports.run(pk) for _ in range(3)])
        assert all(isinstance(o, InviteImport) for o in outcomes), outcomes
        job.refresh_from_db()
        assert (job.state, job.processed, job.counts) == (
            ImportState.DONE, 300, {"invited": 300}), f"round {round_}"
        assert Invitation.objects.filter(center=center).count() == 300
        assert OutboxMessage.objects.filter(to__startswith=f"r{round_}.").count() == 300
        assert AuditEvent.objects.filter(center=center,
                                         action="invitation.import_finished").count() == 1
