"""Delivery with retries: a message is never lost and never sent twice."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bizcenter.invitations import services as invitations
from bizcenter.outbox import services as outbox
from bizcenter.outbox.models import MessageState, OutboxMessage


class DownMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failed_send_is_retried_later_then_delivered(
    settings, center, as_owner, run_worker, mailbox
):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    invitations.invite(as_owner, center, ["retry@agency.com"])
    run_worker()
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts) == (MessageState.PENDING, 1)
    assert "mail server down" in message.last_error
    assert message.next_attempt_at > timezone.now()
    # A retry is scheduled for then; running the worker now does not send early.
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_worker()
    assert mailbox == []
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        run_worker()
    assert len(mailbox) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.SENT, 2)


def test_after_the_last_attempt_the_message_is_failed(settings, center, as_owner):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    settings.BIZCENTER_OUTBOX_MAX_ATTEMPTS = 2
    invitations.invite(as_owner, center, ["never@agency.com"])
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) == MessageState.PENDING
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert outbox.deliver(message.pk) == MessageState.FAILED
    message.refresh_from_db()
    assert message.state == MessageState.FAILED and message.attempts == 2


def test_a_message_is_sent_once_even_if_delivered_twice(center, as_owner, mailbox):
    invitations.invite(as_owner, center, ["once@agency.com"])
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) == MessageState.SENT
    assert outbox.deliver(message.pk) == "not-due"
    assert len(mailbox) == 1


def test_sweep_picks_up_a_message_whose_worker_died_mid_send(center, as_owner, mailbox):
    invitations.invite(as_owner, center, ["orphan@agency.com"])
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(state=MessageState.SENDING,
                                                       claimed_at=timezone.now())
    assert outbox.sweep() == 0  # a fresh claim belongs to a live worker
    with time_machine.travel(timezone.now() + outbox.STALE_CLAIM + timedelta(seconds=1)):
        assert outbox.sweep() == 1
        assert outbox.deliver(message.pk) == MessageState.SENT
    assert len(mailbox) == 1


def test_backoff_grows_and_is_capped():
    waits = [outbox.backoff(n).total_seconds() for n in range(1, 10)]
    assert waits[:4] == [30, 60, 120, 240]
    assert waits[-1] == 3600 and waits == sorted(waits)
