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


class Partnership(models.Model):
    """Another Business Center this one works with, and shares assets to."""

    owner = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE,
                              related_name="partners")
    partner = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE,
                                related_name="partner_of")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["owner", "partner"], name="one_partnership"),
            models.CheckConstraint(condition=~Q(owner=models.F("partner")),
                                   name="partner_is_another_center"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} -> {self.partner_id}"


class PartnerShare(models.Model):
    """One asset shared with a partner, at a role its members can never exceed."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="shares")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="shares")
    roles = models.JSONField(default=list)
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["partnership", "asset"], name="one_share_per_asset"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} shared as {', '.join(self.roles)}"
