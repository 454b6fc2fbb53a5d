"""Messages waiting to be sent, written in the same transaction as what caused them."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class MessageState(models.TextChoices):
    PENDING = "PENDING", "Pending"
    SENDING = "SENDING", "Sending"
    SENT = "SENT", "Sent"
    FAILED = "FAILED", "Failed"
    # No longer worth sending, e.g. the invitation was resent or cancelled first.
    SKIPPED = "SKIPPED", "Skipped"


class OutboxMessage(models.Model):
    channel = models.CharField(max_length=8, choices=Channel.choices)
    to = models.CharField(max_length=254)
    kind = models.CharField(max_length=64)
    # References only (ids), never secrets: the body is rendered at delivery time.
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=MessageState.choices,
                             default=MessageState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} to {self.to} ({self.state})"
