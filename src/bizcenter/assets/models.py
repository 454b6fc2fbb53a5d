"""What a Business Center owns, and who may reach each piece of it."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bizcenter.assets.kinds import AssetStatus, AssetType
from bizcenter.centers.models import BusinessCenter, Membership


class Asset(models.Model):
    center = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE, related_name="assets")
    type = models.CharField(max_length=16, choices=AssetType.choices)
    name = models.CharField(max_length=200)
    # Ad accounts can be disabled or closed; other types stay ACTIVE.
    status = models.CharField(max_length=16, choices=AssetStatus.choices,
                              default=AssetStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["center", "type", "name"],
                                          name="asset_center_type_name")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.name}"


class AssetGrantQuerySet(models.QuerySet["AssetGrant"]):
    def current(self) -> AssetGrantQuerySet:
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


class AssetGrant(models.Model):
    """One member's roles on one asset."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="grants")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="grants")
    roles = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True, blank=True)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = AssetGrantQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["membership", "asset"], name="one_grant_per_asset"),
        ]

    def __str__(self) -> str:
        return f"{', '.join(self.roles)} on {self.asset}"


class AssetGroup(models.Model):
    """A named set of assets given to a set of members, with a role per asset type."""

    center = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE,
                               related_name="asset_groups")
    name = models.CharField(max_length=100)
    assets = models.ManyToManyField(Asset, related_name="groups", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["center", "name"], name="unique_group_name"),
        ]

    def __str__(self) -> str:
        return f"group {self.name}"


class AssetGroupMember(models.Model):
    group = models.ForeignKey(AssetGroup, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="asset_groups")
    # asset type -> roles, e.g. {"ADVERTISER": ["ANALYST"], "TT_ACCOUNT": ["POST"]}
    roles = models.JSONField(default=dict)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["group", "membership"], name="one_group_seat"),
        ]

    def __str__(self) -> str:
        return f"member {self.membership_id} of {self.group_id}"


class PartnershipStatus(models.TextChoices):
    PENDING = "PENDING", "Waiting for the other side"
    ACTIVE = "ACTIVE", "Active"


class Side(models.TextChoices):
    """Which end of a partnership: the owner shares its assets, the partner works on them."""

    OWNER = "OWNER", "Owner"
    PARTNER = "PARTNER", "Partner"


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def active(self) -> PartnershipQuerySet:
        return self.filter(status=PartnershipStatus.ACTIVE)

    def pending(self) -> PartnershipQuerySet:
        return self.filter(status=PartnershipStatus.PENDING)


class Partnership(models.Model):
    """The owner shares assets with the partner, once both sides agreed.

    It starts PENDING, asked for by one side (``asked_by``), and turns ACTIVE when
    an Admin of the other side accepts; a declined or ended one is deleted, its
    story kept in both activity logs. Shares only exist on ACTIVE partnerships.
    """

    # The side that was asked stays empty while its public id (``asked_for``) matches no
    # Business Center: a request to a made-up id is kept and answered like any other, so
    # asking never tells whether an id exists.
    owner = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE, null=True,
                              related_name="partners")
    partner = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE, null=True,
                                related_name="partner_of")
    asked_for = models.CharField(max_length=19, blank=True)
    # Rows made before requests existed were agreed to by adding them; so is the default.
    status = models.CharField(max_length=8, choices=PartnershipStatus.choices,
                              default=PartnershipStatus.ACTIVE)
    asked_by = models.CharField(max_length=8, choices=Side.choices, default=Side.OWNER)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=500, blank=True)
    # A partner asking for assets before the partnership exists: [{"asset_id", "roles"}],
    # turned into access requests for the owner's real assets when it is accepted.
    asked_assets = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["owner", "partner"], name="one_partnership"),
            models.CheckConstraint(condition=~Q(owner=models.F("partner")),
                                   name="partner_is_another_center"),
            models.CheckConstraint(condition=Q(status="PENDING")
                                   | Q(owner__isnull=False, partner__isnull=False),
                                   name="active_partnership_has_both_sides"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} -> {self.partner_id}"

    def center_on(self, side: str) -> BusinessCenter | None:
        return self.owner if side == Side.OWNER else self.partner

    def side_of(self, center: BusinessCenter) -> str:
        return Side.OWNER if center.pk == self.owner_id else Side.PARTNER

    def other(self, center: BusinessCenter) -> BusinessCenter | None:
        return self.partner if center.pk == self.owner_id else self.owner


class PartnerShare(models.Model):
    """One asset shared with a partner, at a role its members can never exceed."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="shares")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="shares")
    roles = models.JSONField(default=list)
    # On: the partner's campaign changes in this ad account, even its Admins', wait for
    # the owner's approval. Off (TikTok's way): they apply, and the owner's log shows them.
    needs_approval = models.BooleanField(default=False)
    shared_at = models.DateTimeField(default=timezone.now)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["partnership", "asset"], name="one_share_per_asset"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} shared as {', '.join(self.roles)}"


class AccessRequestState(models.TextChoices):
    PENDING = "PENDING", "Waiting for the owner"
    APPROVED = "APPROVED", "Approved"
    DECLINED = "DECLINED", "Declined"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


class AccessRequest(models.Model):
    """A partner asking the owner for one asset at a role; approving shares it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="access_requests")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="access_requests")
    roles = models.JSONField(default=list)
    message = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=AccessRequestState.choices,
                             default=AccessRequestState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # What the owner gave when approving: the role asked for, or a lower one.
    granted_roles = models.JSONField(default=list, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["partnership", "asset"],
                                    condition=Q(state="PENDING"),
                                    name="one_pending_request_per_asset"),
        ]

    def __str__(self) -> str:
        return f"request for {self.asset_id} as {', '.join(self.roles)}"

    def named_for(self, center: BusinessCenter) -> bool:
        """Whether this Business Center may see the asset's name and kind: the owner always,
        the partner once the asset is shared with it (approved); before, only its id."""
        return center.pk == self.partnership.owner_id or self.state == "APPROVED"
