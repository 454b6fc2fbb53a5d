"""What the API keeps for itself: answers to requests sent with an Idempotency-Key."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from bizcenter.accounts.models import ApiToken


class IdempotentRequest(models.Model):
    """The first answer to a POST with this key, replayed to any retry of the same
    request, so a retried invite sends nothing twice."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # method, path and body, hashed
    status = models.PositiveSmallIntegerField(null=True)  # None while the first is running
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["token", "key"], name="one_answer_per_key"),
        ]

    def __str__(self) -> str:
        return f"idempotency key {self.key}"
