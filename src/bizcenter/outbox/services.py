"""Queueing and delivering messages, with retries.

``queue`` is called inside the transaction of the change that needs a message,
and enqueues the delivery task there too: with the database task backend the
task row commits or rolls back with everything else, so a message is never
lost and never sent for a change that did not happen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bizcenter.accounts.addresses import Address, AddressKind
from bizcenter.outbox.models import Channel, MessageState, OutboxMessage
from bizcenter.outbox.renderers import RENDERERS, Rendered
from bizcenter.outbox.sms import get_backend

log = logging.getLogger(__name__)

# A claim older than this is taken to be from a worker that died mid-send.
STALE_CLAIM = timedelta(minutes=10)


def build(channel: str, to: str, kind: str, payload: dict) -> OutboxMessage:
    return OutboxMessage(channel=channel, to=to, kind=kind, payload=payload)


def channel_for(address: Address) -> Channel:
    """What reaches an address: email for an email address, SMS for a phone number."""
    return Channel.SMS if address.kind is AddressKind.PHONE else Channel.EMAIL


def build_to(address: Address, kind: str, payload: dict) -> OutboxMessage:
    """A message to an email address or a phone number, by the channel that reaches it."""
    return build(channel_for(address), address.value, kind, payload)


def queue(messages: Iterable[OutboxMessage]) -> list[OutboxMessage]:
    """Save messages and schedule their delivery, in the caller's transaction."""
    from bizcenter.outbox.tasks import deliver_messages

    saved = OutboxMessage.objects.bulk_create(list(messages))
    if saved:
        deliver_messages.enqueue([m.pk for m in saved])
    return saved


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, ... capped at an hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _claim(message_id: int) -> OutboxMessage | None:
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        Q(state=MessageState.PENDING, next_attempt_at__lte=now)
        | Q(state=MessageState.SENDING, claimed_at__lt=now - STALE_CLAIM),
        pk=message_id,
    ).update(state=MessageState.SENDING, claimed_at=now)
    return OutboxMessage.objects.get(pk=message_id) if claimed else None


def _send(message: OutboxMessage, rendered: Rendered) -> None:
    if message.channel == Channel.EMAIL:
        email = EmailMultiAlternatives(rendered.subject, rendered.text, to=[message.to])
        if rendered.html:
            email.attach_alternative(rendered.html, "text/html")
        email.send()
    else:
        get_backend().send(message.to, rendered.text)


def deliver(message_id: int) -> str:
    """Send one message if it is due; returns the state it ends in.

    The claim is committed before sending so that a slow mail server never
    holds a database lock, and two workers never send the same message.
    """
    message = _claim(message_id)
    if message is None:
        return "not-due"
    try:
        rendered = RENDERERS[message.kind](message.payload)
        if rendered is None:
            message.state = MessageState.SKIPPED
        else:
            _send(message, rendered)
            message.state = MessageState.SENT
            message.sent_at = timezone.now()
        message.attempts += 1
        message.save(update_fields=["state", "sent_at", "attempts"])
        return message.state
    except Exception as exc:
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= settings.BIZCENTER_OUTBOX_MAX_ATTEMPTS:
            message.state = MessageState.FAILED
            log.error("giving up on outbox message %s: %s", message.pk, message.last_error)
        else:
            message.state = MessageState.PENDING
            message.next_attempt_at = timezone.now() + backoff(message.attempts)
        message.save(update_fields=["state", "attempts", "last_error", "next_attempt_at"])
        if message.state == MessageState.PENDING:
            from bizcenter.outbox.tasks import deliver_messages

            deliver_messages.using(run_after=message.next_attempt_at).enqueue([message.pk])
        return message.state


def sweep() -> int:
    """Schedule every message that should be going out but has no live task.

    Run when a worker starts: it picks up messages whose worker died mid-send.
    """
    from bizcenter.outbox.tasks import deliver_messages

    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(
            Q(state=MessageState.PENDING, next_attempt_at__lte=now)
            | Q(state=MessageState.SENDING, claimed_at__lt=now - STALE_CLAIM)
        ).values_list("pk", flat=True)
    )
    for start in range(0, len(ids), 500):
        with transaction.atomic():
            deliver_messages.enqueue(ids[start : start + 500])
    return len(ids)
