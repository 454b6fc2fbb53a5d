"""Business Centers and the people in them."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from bizcenter.centers.choices import (
    FinanceRole,
    MemberStatus,
    PartnerKind,
    Role,
    TwoFactorPolicy,
)


def new_public_id() -> str:
    """A 19-digit id, TikTok's shape for a BC ID, drawn at random: other Business Centers
    know this one by it, and unlike the row id it cannot be guessed by counting."""
    return str(secrets.randbelow(9 * 10**18) + 10**18)


class BusinessCenter(models.Model):
    name = models.CharField(max_length=100)
    # What partners type to reach this Business Center; the row id stays internal.
    public_id = models.CharField(max_length=19, unique=True, default=new_public_id,
                                 editable=False)
    company = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    currency = models.CharField(max_length=3, default="USD")
    # Security: who must have 2-step verification to reach anything here.
    two_factor_policy = models.CharField(
        max_length=16, choices=TwoFactorPolicy.choices, default=TwoFactorPolicy.NOBODY
    )
    # Security: when set, invitations go only to email addresses at these domains.
    allowed_email_domains = models.JSONField(default=list, blank=True)
    # The allowlist is about email addresses; phone numbers have no domain to check, so
    # they are invited as usual unless the Admins say to refuse them too.
    allowlist_refuses_phones = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped in the same transaction as any change to who may do what, so a
    # cached view of someone's access can tell it is stale (the access engine).
    access_version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return self.name

    def _refused_by_allowlist(self, kind: str, value: str) -> bool:
        if not self.allowed_email_domains:
            return False
        if kind != "email":
            return self.allowlist_refuses_phones
        return value.rsplit("@", 1)[-1] not in self.allowed_email_domains

    def _allowed(self) -> str:
        return ", ".join(f"@{d}" for d in self.allowed_email_domains)

    def refuses_address(self, kind: str, value: str) -> str | None:
        """Why the email-domain allowlist refuses this address, or None; worded for the
        person who holds the address (accepting an invitation)."""
        if not self._refused_by_allowlist(kind, value):
            return None
        if kind != "email":
            return (f"{self.name} only accepts members with an email address at "
                    f"{self._allowed()}, not by phone number.")
        return f"{self.name} only accepts members with an email address at {self._allowed()}."

    def refusal_for_inviter(self, kind: str, value: str) -> str | None:
        """The same refusal, worded for the Admin who invites: what they can do about it."""
        if not self._refused_by_allowlist(kind, value):
            return None
        allowed = self._allowed()
        if kind != "email":
            return (f"{value} was not invited: {self.name} also refuses phone invitations "
                    f"while its allowlist is on. Invite their email address at {allowed}, or "
                    "turn off “Also refuse phone invitations” in Settings.")
        domain = value.rsplit("@", 1)[-1]
        return (f"{value} was not invited: {self.name} only invites email addresses at "
                f"{allowed}. Add {domain} to “Only invite email addresses at” in Settings, "
                f"or invite their address at {allowed}.")


class GrantedAccess(models.Model):
    """The access a person holds (a membership) or will hold (an invitation)."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STANDARD)
    finance_role = models.CharField(
        max_length=16, choices=FinanceRole.choices, default=FinanceRole.NONE, blank=True
    )
    kind = models.CharField(max_length=16, choices=PartnerKind.choices, default=PartnerKind.OTHER)
    modules = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True


class MembershipState(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    REVOKED = "REVOKED", "Revoked"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        """Members who can act now: not revoked and not past their end time."""
        return self.in_status(MemberStatus.ACTIVE)

    def in_status(self, *statuses: str) -> MembershipQuerySet:
        """Memberships whose derived status (``Membership.status``) is one of these."""
        moment = now()
        where = {
            MemberStatus.ACTIVE: Q(state=MembershipState.ACTIVE)
            & (Q(expires_at__isnull=True) | Q(expires_at__gt=moment)),
            MemberStatus.EXPIRED: Q(state=MembershipState.ACTIVE, expires_at__lte=moment),
            MemberStatus.REVOKED: Q(state=MembershipState.REVOKED),
        }
        wanted = Q(pk__in=[])
        for status in statuses:
            wanted |= where[MemberStatus(status)]
        return self.filter(wanted)


class Membership(GrantedAccess):
    center = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    state = models.CharField(
        max_length=16, choices=MembershipState.choices, default=MembershipState.ACTIVE
    )
    joined_at = models.DateTimeField(default=now)
    last_active_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            # Revoked rows stay for history; a person re-invited later gets a new row.
            models.UniqueConstraint(
                fields=["center", "user"],
                condition=Q(state="ACTIVE"),
                name="one_active_membership_per_person",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["center", "state", "role"], name="membership_center_state_role"),
            models.Index(fields=["center", "joined_at"], name="membership_center_joined"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.center} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def status(self) -> str:
        """ACTIVE, EXPIRED or REVOKED: what the member amounts to now (see MemberStatus)."""
        if self.state == MembershipState.REVOKED:
            return MemberStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now():
            return MemberStatus.EXPIRED
        return MemberStatus.ACTIVE

    @property
    def is_current(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    def access_dict(self) -> dict[str, object]:
        """The access this membership gives, as recorded in the activity log."""
        return {
            "role": self.role,
            "finance_role": self.finance_role,
            "kind": self.kind,
            "modules": list(self.modules),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "state": self.state,
        }
