"""What a person is told in the app, and whether they also want it by email.

A notification belongs to one person and is shown to nobody else. Its sentence is
written when the event happens, in words (names quoted as outbox/names.py does), so
the list reads the same later even if the things it names are renamed or removed.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    """What a notification is about; a person chooses email or not per kind."""

    INVITATION_ACCEPTED = "invitation_accepted", "Someone accepts an invitation you sent"
    ACCESS_CHANGED = "access_changed", "Your access is changed or removed"
    ACCESS_ENDING = "access_ending", "Your access is about to end"
    CHANGE_TO_DECIDE = "change_to_decide", "A change request waits for your decision"
    CHANGE_DECIDED = "change_decided", "Your change request is approved or rejected"
    PARTNER = "partner", "Partner requests and shared assets"
    SPENDING_LIMIT = "spending_limit", "An ad account nears or reaches its spending limit"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Where it happened; kept (as null) when that Business Center is deleted.
    center = models.ForeignKey("centers.BusinessCenter", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    sentence = models.CharField(max_length=500)
    link = models.CharField(max_length=300, blank=True)  # a path on this site, or ""
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
        ]

    def __str__(self) -> str:
        return self.sentence

    @property
    def unread(self) -> bool:
        return self.read_at is None


class EmailChoice(models.Model):
    """A person's choice of email for one kind. No row means yes: email is on by default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_email_choice_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {'email' if self.email else 'no email'}"
