"""What the API keeps for itself: answers to requests sent with an Idempotency-Key."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from bizcenter.accounts.models import ApiToken


class IdempotentRequest(models.Model):
    """The first final answer to a POST with this key, replayed to any retry of the
    same request within a day, so a retried invite sends nothing twice.

    A key belongs to one token and one path: two scripts (or one script on two
    endpoints) that happen to pick the same key do not answer for each other. Only
    answers that re-running could not change are kept (api/idempotency.py), and a
    key is forgotten after ``idempotency.KEEP``."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=1000, default="")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # method, path and body, hashed
    status = models.PositiveSmallIntegerField(null=True)  # None while the first is running
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)  # for the purge

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["token", "path", "key"],
                                    name="one_answer_per_key_and_path"),
        ]

    def __str__(self) -> str:
        return f"idempotency key {self.key}"
