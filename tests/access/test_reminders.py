"""Admins are reminded 7 days and 1 day before someone's access ends, once each."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from bizcenter.access.reminders import send_reminders
from bizcenter.assets.services import assign, create_asset
from bizcenter.centers.services import update_member
from bizcenter.invitations import services as invitations
from tests.conftest import act


def test_reminders_at_seven_days_and_one_day_once_each(
    center, as_owner, make_user, run_worker, mailbox
):
    start = timezone.now()
    [sent] = invitations.invite(as_owner, center, ["temp@agency.com"])
    member = invitations.accept(act(make_user("temp@agency.com", name="Tem")),
                                sent.link.rstrip("/").rsplit("/", 1)[-1])
    update_member(as_owner, center, member.pk, expires_at=start + timedelta(days=10))
    acct = create_asset(as_owner, center, type="ADVERTISER", name="Acct")
    assign(as_owner, center, member.pk, acct.pk, ["ANALYST"],
           expires_at=start + timedelta(days=20))
    run_worker()
    mailbox.clear()

    assert send_reminders() == 0  # 10 days left: too early
    with time_machine.travel(start + timedelta(days=4)):  # 6 days left
        assert send_reminders() == 1
        assert send_reminders() == 0  # not twice
        run_worker()
    # The person is told too, in their own words (notifications/events.py).
    [note] = [m for m in mailbox if m.to == ["owner@brand.com"]]
    [theirs] = [m for m in mailbox if m.to == ["temp@agency.com"]]
    assert 'Your access to "Brand Co" ends in 7 days' in theirs.subject
    assert "Access ends in 7 days" in note.subject and "Tem" in note.subject
    assert "extend the end date" in note.body
    with time_machine.travel(start + timedelta(days=9, hours=12)):  # 12 hours left
        assert send_reminders() == 1
        run_worker()
    admins = [m for m in mailbox if m.to == ["owner@brand.com"]]
    assert "Access ends in 1 day:" in admins[-1].subject
    with time_machine.travel(start + timedelta(days=14)):  # the grant: 6 days left
        update_member(as_owner, center, member.pk, clear_expiry=True)  # extended, kept
        assert send_reminders() == 1
        run_worker()
    assert 'access to Ad account "Acct"' in [m for m in mailbox
                                             if m.to == ["owner@brand.com"]][-1].subject


def test_one_reminder_task_waits_and_each_run_schedules_the_next(db):
    from django_tasks_db.models import DBTaskResult

    from bizcenter.access.reminders import remind_expiring_access, schedule

    waiting = DBTaskResult.objects.filter(task_path=remind_expiring_access.module_path,
                                          status="READY")
    schedule()
    schedule()  # a second worker starting does not add another
    assert waiting.count() == 1
    remind_expiring_access.call()
    later = waiting.order_by("-enqueued_at").first()
    assert later is not None and later.run_after > timezone.now() + timedelta(minutes=59)
