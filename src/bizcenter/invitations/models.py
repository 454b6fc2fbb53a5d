"""Invitations and their links."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bizcenter.accounts.addresses import Address, AddressKind
from bizcenter.centers.models import BusinessCenter, GrantedAccess, Membership


class InvitationState(models.TextChoices):
    PENDING = "PENDING", "Pending"
    ACCEPTED = "ACCEPTED", "Accepted"
    CANCELLED = "CANCELLED", "Cancelled"
    # Set when a newer invitation to the same address replaces an expired one.
    EXPIRED = "EXPIRED", "Expired"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(state=InvitationState.PENDING)

    def usable(self) -> InvitationQuerySet:
        return self.pending().filter(expires_at__gt=timezone.now())


class Invitation(GrantedAccess):
    """An offer of access, granted as it stands when the invited person accepts."""

    center = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE, related_name="invitations")
    address_kind = models.CharField(
        max_length=8, choices=[(k.value, k.value) for k in AddressKind]
    )
    address = models.CharField(max_length=254)
    membership_expires_at = models.DateTimeField(null=True, blank=True)
    # Asset roles granted on acceptance: [{"asset_id": 7, "roles": ["OPERATOR"]}, ...]
    assets = models.JSONField(default=list, blank=True)

    state = models.CharField(
        max_length=16, choices=InvitationState.choices, default=InvitationState.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    resend_count = models.PositiveIntegerField(default=0)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who sent the latest message (the invitation, or a resend): the daily cap per
    # inviting account counts the invitations each person sent in the last 24 hours.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["center", "address"],
                condition=Q(state="PENDING"),
                name="one_pending_invitation_per_address",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["center", "state", "expires_at"], name="invitation_center_state"),
            models.Index(fields=["center", "-sent_at"], name="invitation_center_sent"),
            models.Index(fields=["sent_by", "sent_at"], name="invitation_sender_sent"),
        ]

    def __str__(self) -> str:
        return f"invitation of {self.address} to {self.center}"

    @property
    def target(self) -> Address:
        return Address(AddressKind(self.address_kind), self.address)

    @property
    def is_expired(self) -> bool:
        return self.state == InvitationState.EXPIRED or (
            self.state == InvitationState.PENDING and self.expires_at <= timezone.now()
        )

    @property
    def status(self) -> str:
        """What a person sees: PENDING, EXPIRED, ACCEPTED or CANCELLED."""
        return InvitationState.EXPIRED if self.is_expired else self.state

    def access_dict(self) -> dict[str, object]:
        return {
            "address": self.address,
            "role": self.role,
            "finance_role": self.finance_role,
            "kind": self.kind,
            "modules": list(self.modules),
            "membership_expires_at": (
                self.membership_expires_at.isoformat() if self.membership_expires_at else None
            ),
            "expires_at": self.expires_at.isoformat(),
            "assets": list(self.assets),
        }


class InvitationToken(models.Model):
    """One link of an invitation; a resend replaces it, and the old link then says so."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    nonce = models.CharField(max_length=32, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"link {self.pk} of {self.invitation_id}"


class ImportState(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    RUNNING = "RUNNING", "Running"
    DONE = "DONE", "Done"
    FAILED = "FAILED", "Failed"


class InviteImport(models.Model):
    """A CSV of addresses (and any typed with it) invited in the background, batch by batch.

    Each batch's invitations and this row's progress are saved in one
    transaction, so after a crash the import resumes at the first batch not
    saved: nobody is invited twice, nobody is skipped. Every row of the file ends
    in ``outcomes``, so the counts add up to ``total``.
    """

    center = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE,
                               related_name="invite_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    file_name = models.CharField(max_length=200, blank=True)
    grant = models.JSONField(default=dict)  # the Grant every address gets
    # [source, number, address, normalized, status, message] per row, typed ones first;
    # status is set for rows judged at upload (empty, invalid, duplicate)
    rows = models.JSONField(default=list)
    prefer = models.CharField(max_length=5, default="email")  # for rows with both
    state = models.CharField(max_length=8, choices=ImportState.choices,
                             default=ImportState.QUEUED)
    total = models.PositiveIntegerField(default=0)  # rows, typed ones included
    typed = models.PositiveIntegerField(default=0)  # of which typed in the box
    seats = models.PositiveIntegerField(default=0)  # new invitations it expected to send
    seats_free = models.PositiveIntegerField(default=0)  # member seats free at upload
    processed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)  # outcome -> how many rows
    # [source, number, address, status, message] for every row done, in order
    outcomes = models.JSONField(default=list)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The one-time key of the form that started it (web): the same form sent again (a
    # double click, a refresh) finds this import instead of starting another.
    form_key = models.CharField(max_length=64, blank=True, default="")

    # Not stored: True when start_import found this import for a form sent again.
    repeated = False

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["center", "created_by", "form_key"],
                condition=~Q(form_key=""),
                name="one_import_per_form_key",
            ),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.total} into {self.center_id}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)
