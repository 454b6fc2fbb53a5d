"""Getting started: what a new Business Center still lacks before its partners can work.

A new Business Center has no ad account, nobody but its creator, and no partner; a page
that asks its Admin to add partners first (as the product once did) has nothing to give
them. The steps are read from what exists, never stored: an Admin who adds an ad
account from the Assets page has done that step as much as one who followed the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.assets.kinds import AssetType
from bizcenter.assets.models import Asset, Partnership
from bizcenter.centers.models import BusinessCenter, Membership, TwoFactorPolicy
from bizcenter.core.actor import Actor
from bizcenter.invitations.models import Invitation


@dataclass(frozen=True)
class Step:
    key: str  # also the web door's page for it: assets, add_partners, partner_centers, settings
    title: str
    why: str
    done: bool


def getting_started(actor: Actor, center: BusinessCenter) -> list[Step]:
    """The four steps, in the order that makes each next one useful; Admins only (the
    steps are theirs to take)."""
    require(actor, Action.SETTINGS_MANAGE, center)
    has_account = Asset.objects.filter(center=center, type=AssetType.ADVERTISER).exists()
    invited = (Invitation.objects.filter(center=center).exists()
               or Membership.objects.filter(center=center).count() > 1)
    partnered = Partnership.objects.filter(owner=center).exists() or \
        Partnership.objects.filter(partner=center).exists()
    return [
        Step("assets", "Add an ad account",
             "Partners work on ad accounts: give them one to work on.", has_account),
        Step("add_partners", "Invite a partner",
             "Invite people by email or phone, with exactly the access they need.", invited),
        Step("partner_centers", "Share with an agency",
             "An agency with its own Business Center manages its people itself.", partnered),
        Step("settings", "Choose who needs 2-step verification",
             "Require it for Admins, or for everyone, before they reach anything.",
             center.two_factor_policy != TwoFactorPolicy.NOBODY),
    ]
