"""What the access engine remembers beyond its caches: reminders already sent."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone


class ExpiryReminder(models.Model):
    """One reminder that access ends soon; unique so it is sent once, even with
    several workers. A new end time is a new reminder."""

    target_type = models.CharField(max_length=16)  # membership | grant
    target_id = models.BigIntegerField()
    days_before = models.PositiveSmallIntegerField()
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["target_type", "target_id", "days_before",
                                            "expires_at"], name="one_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.target_type} {self.target_id}: {self.days_before} days"
