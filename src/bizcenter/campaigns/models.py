"""Campaigns inside ad accounts, and the change requests Standard members propose.

Enum values are the TikTok Business API's own names, so the compatible API
(issue 7) passes them through unchanged.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from bizcenter.assets.models import Asset
from bizcenter.centers.models import BusinessCenter


class Objective(models.TextChoices):
    REACH = "REACH", "Reach"
    TRAFFIC = "TRAFFIC", "Traffic"
    VIDEO_VIEWS = "VIDEO_VIEWS", "Video views"
    CONVERSIONS = "CONVERSIONS", "Conversions"
    APP_INSTALLS = "APP_PROMOTION", "App installs"
    LEAD_GENERATION = "LEAD_GENERATION", "Lead generation"


class BudgetMode(models.TextChoices):
    DAILY = "BUDGET_MODE_DAY", "Daily budget"
    TOTAL = "BUDGET_MODE_TOTAL", "Lifetime budget"
    INFINITE = "BUDGET_MODE_INFINITE", "No limit"


class CampaignStatus(models.TextChoices):
    ENABLED = "ENABLE", "Enabled"
    DISABLED = "DISABLE", "Disabled"
    DELETED = "DELETE", "Deleted"


class Campaign(models.Model):
    advertiser = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=512)
    objective = models.CharField(max_length=32, choices=Objective.choices)
    budget_mode = models.CharField(max_length=32, choices=BudgetMode.choices,
                                   default=BudgetMode.DAILY)
    # In the Business Center's currency; None with BUDGET_MODE_INFINITE.
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=CampaignStatus.choices,
                              default=CampaignStatus.ENABLED)
    # The day its ad account's monthly spending limit paused it (billing/limits.py), so
    # the campaigns the limit stopped, and only those, resume when it allows again.
    paused_by_limit_on = models.DateField(null=True, blank=True)
    # Grows with every applied change, so an approval can tell that the campaign
    # moved since the proposal was made.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["advertiser", "status", "name"], name="campaign_list"),
        ]

    def __str__(self) -> str:
        return f"campaign {self.name}"


class RequestKind(models.TextChoices):
    CREATE = "CREATE", "New campaign"
    UPDATE = "UPDATE", "Edit"
    STATUS = "STATUS", "Status change"


class RequestState(models.TextChoices):
    PENDING = "PENDING", "Waiting for approval"
    APPROVED = "APPROVED", "Approved"
    REJECTED = "REJECTED", "Rejected"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


class ChangeRequest(models.Model):
    """A proposed create or edit, applied only when an Admin approves: a Standard
    member's, or a partner's change to an ad account shared with "Changes need our
    approval"."""

    # The Business Center whose Admins decide (whose Approvals inbox it waits in).
    center = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE,
                               related_name="change_requests")
    # The Business Center the proposer acted from, when it is not ``center``: a partner's
    # change waiting for the owner. Its author reads and withdraws it from there, and
    # their right to propose is checked there. Gone with that Business Center.
    proposed_in = models.ForeignKey(BusinessCenter, null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="+")
    advertiser = models.ForeignKey(Asset, on_delete=models.CASCADE,
                                   related_name="change_requests")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="change_requests")
    kind = models.CharField(max_length=8, choices=RequestKind.choices)
    # field -> proposed value (JSON-safe); for an edit only the fields that change
    proposed = models.JSONField(default=dict)
    # the same fields as they were when proposed, to show the difference and to
    # tell a stale proposal from a current one
    base = models.JSONField(default=dict)
    base_version = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=RequestState.choices,
                             default=RequestState.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["center", "state", "proposed_at"], name="change_inbox"),
        ]

    def __str__(self) -> str:
        return f"change request {self.pk} ({self.kind})"
