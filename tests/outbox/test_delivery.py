"""Delivering the outbox: a failed send comes back later, gives up in the end,
and a send interrupted by a dying worker is picked up again."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from bizcenter.outbox import services as outbox
from bizcenter.outbox import sms
from bizcenter.outbox.models import MessageState, OutboxMessage

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class DownMailServer(BaseEmailBackend):
    """An SMTP server that refuses every connection."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("[Errno 111] Connection refused by smtp.example.com")


class PickyMailServer(BaseEmailBackend):
    """Rejects mail to one mailbox, delivers the rest to Django's test outbox."""

    def send_messages(self, email_messages):
        for message in email_messages:
            if "bounce@" in message.to[0]:
                raise OSError("550 mailbox unavailable")
            mail.outbox.append(message)
        return len(email_messages)


class DownSmsGateway:
    def send(self, to: str, body: str) -> None:
        raise TimeoutError("SMS gateway timed out")


def queued_for(message: OutboxMessage) -> list[DBTaskResult]:
    """Delivery tasks waiting to run for this message."""
    return [t for t in DBTaskResult.objects.filter(status="READY")
            if message.pk in t.args_kwargs["args"][0]]


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def invited(center, as_owner):
    [result] = invitations.invite(as_owner, center, ["retry@agency.com"])
    return result


def test_a_failed_send_goes_back_to_pending_with_a_retry_scheduled(
        settings, invited, run_worker, mailbox):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    before = timezone.now()
    run_worker()

    message = OutboxMessage.objects.get()
    assert message.state == MessageState.PENDING
    assert message.attempts == 1
    assert message.last_error == (
        "ConnectionRefusedError: [Errno 111] Connection refused by smtp.example.com")
    assert message.next_attempt_at > timezone.now()
    assert message.next_attempt_at - before >= outbox.backoff(1)
    assert message.sent_at is None
    assert mailbox == []
    # A new delivery task waits for exactly that time.
    [retry] = queued_for(message)
    assert retry.run_after == message.next_attempt_at


def test_the_retry_delivers_once_the_server_is_back(settings, invited, run_worker, mailbox):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    run_worker()
    settings.EMAIL_BACKEND = LOCMEM
    message = OutboxMessage.objects.get()

    run_worker()  # too early: nothing goes out before the retry time
    assert mailbox == []
    with at(message.next_attempt_at + timedelta(seconds=1)):
        run_worker()
    [email] = mailbox
    assert email.to == ["retry@agency.com"] and invited.link in email.body
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.SENT, 2)
    assert message.sent_at is not None
    assert queued_for(message) == []


def test_a_message_is_sent_once_even_if_delivered_twice(invited, mailbox):
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) == MessageState.SENT
    assert outbox.deliver(message.pk) == "not-due"
    assert len(mailbox) == 1


def test_an_early_delivery_attempt_sends_nothing(settings, invited, mailbox):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) == MessageState.PENDING
    settings.EMAIL_BACKEND = LOCMEM
    assert outbox.deliver(message.pk) == "not-due"
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.PENDING, 1)
    assert mailbox == []


def test_a_failed_text_message_is_retried_too(settings, center, as_owner, run_worker):
    settings.BIZCENTER_SMS_BACKEND = f"{__name__}.DownSmsGateway"
    [result] = invitations.invite(as_owner, center, ["+14155550123"])
    run_worker()
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts) == (MessageState.PENDING, 1)
    assert message.last_error == "TimeoutError: SMS gateway timed out"
    assert sms.sent == []
    settings.BIZCENTER_SMS_BACKEND = "bizcenter.outbox.sms.LocmemSmsBackend"
    with at(message.next_attempt_at + timedelta(seconds=1)):
        run_worker()
    [text] = sms.sent
    assert text["to"] == "+14155550123" and result.link in text["body"]


def test_one_bad_address_does_not_hold_up_the_others(settings, center, as_owner, run_worker,
                                                     mailbox):
    settings.EMAIL_BACKEND = f"{__name__}.PickyMailServer"
    invitations.invite(as_owner, center, ["a@agency.com", "bounce@agency.com", "b@agency.com"])
    run_worker()
    assert sorted(m.to[0] for m in mailbox) == ["a@agency.com", "b@agency.com"]
    states = dict(OutboxMessage.objects.values_list("to", "state"))
    assert states == {"a@agency.com": MessageState.SENT, "b@agency.com": MessageState.SENT,
                      "bounce@agency.com": MessageState.PENDING}
    assert "550 mailbox unavailable" in OutboxMessage.objects.get(to="bounce@agency.com"
                                                                  ).last_error


def test_after_the_last_attempt_the_message_is_failed_and_left_alone(
        settings, center, as_owner, invited, run_worker, mailbox):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    settings.BIZCENTER_OUTBOX_MAX_ATTEMPTS = 3
    run_worker()
    message = OutboxMessage.objects.get()
    for expected_attempts in (2, 3):
        with at(message.next_attempt_at + timedelta(seconds=1)):
            run_worker()
        message.refresh_from_db()
        assert message.attempts == expected_attempts
    assert message.state == MessageState.FAILED
    assert "Connection refused" in message.last_error
    assert queued_for(message) == []  # no more retries

    # Even with the server back and much later, a failed message is not sent ...
    settings.EMAIL_BACKEND = LOCMEM
    with at(timezone.now() + timedelta(days=1)):
        run_worker()
        assert outbox.sweep() == 0
        assert outbox.deliver(message.pk) == "not-due"
    assert mailbox == []
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.FAILED, 3)
    # ... but the invitation is intact: the Admin can still copy its link.
    assert Invitation.objects.get(pk=invited.invitation.pk).state == InvitationState.PENDING
    assert invitations.link(as_owner, center, invited.invitation.pk) == invited.link


def test_waits_between_attempts_grow(settings, invited):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    settings.BIZCENTER_OUTBOX_MAX_ATTEMPTS = 10
    message = OutboxMessage.objects.get()
    waits = []
    moment = timezone.now()
    for _ in range(5):
        with at(moment):
            assert outbox.deliver(message.pk) == MessageState.PENDING
        message.refresh_from_db()
        waits.append((message.next_attempt_at - moment).total_seconds())
        moment = message.next_attempt_at + timedelta(seconds=1)
    assert waits == [30, 60, 120, 240, 480]


def test_backoff_doubles_and_is_capped_at_an_hour():
    assert outbox.backoff(0) == outbox.backoff(1) == timedelta(seconds=30)
    assert [outbox.backoff(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert outbox.backoff(8) == timedelta(hours=1)
    assert outbox.backoff(50) == timedelta(hours=1)


# -- a worker that died mid-send -----------------------------------------------------------


def claim_and_die(message: OutboxMessage, when) -> None:
    """What a worker leaves behind when it is killed between claim and send."""
    OutboxMessage.objects.filter(pk=message.pk).update(state=MessageState.SENDING,
                                                       claimed_at=when)
    DBTaskResult.objects.filter(status="READY").delete()


def test_sweep_reschedules_a_stale_sending_claim(invited, run_worker, mailbox):
    message = OutboxMessage.objects.get()
    claim_and_die(message, timezone.now())
    run_worker()
    assert mailbox == []  # nothing left to run it

    # Soon after, the claim may still belong to a live, slow worker: left alone.
    assert outbox.sweep() == 0
    assert queued_for(message) == []
    with at(timezone.now() + outbox.STALE_CLAIM + timedelta(seconds=1)):
        assert outbox.sweep() == 1
        assert len(queued_for(message)) == 1
        run_worker()
    [email] = mailbox
    assert invited.link in email.body
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.SENT, 1)
    assert outbox.sweep() == 0


def test_sweep_also_picks_up_a_due_message_whose_task_was_lost(invited, run_worker, mailbox):
    DBTaskResult.objects.all().delete()
    assert outbox.sweep() == 1
    run_worker()
    assert len(mailbox) == 1
    assert OutboxMessage.objects.get().state == MessageState.SENT


def test_sweep_leaves_sent_skipped_and_not_yet_due_messages(settings, center, as_owner,
                                                            run_worker):
    invitations.invite(as_owner, center, ["sent@agency.com"])
    [cancel] = invitations.invite(as_owner, center, ["cancel@agency.com"])
    invitations.cancel(as_owner, center, cancel.invitation.pk)
    run_worker()
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    invitations.invite(as_owner, center, ["later@agency.com"])
    run_worker()
    assert dict(OutboxMessage.objects.values_list("to", "state")) == {
        "sent@agency.com": MessageState.SENT, "cancel@agency.com": MessageState.SKIPPED,
        "later@agency.com": MessageState.PENDING}
    assert outbox.sweep() == 0
