"""Who can reach one asset, and through what: the "who has access" view of an asset.

The answer has four sources, the same the access snapshot compiles from:
Admins of the Business Center, direct grants, asset groups, and partner
Business Centers it is shared with. Listing them together is what lets an
Admin clean up access to one ad account without opening every member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.assets.kinds import cap_roles
from bizcenter.assets.models import Asset, AssetGrant, AssetGroupMember, PartnerShare
from bizcenter.assets.services import reachable_asset
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.actor import Actor


@dataclass(frozen=True)
class Holder:
    who: str
    membership_id: int | None  # None for a partner Business Center
    roles: tuple[str, ...]
    via: str
    ends: datetime | None = None


def holders(actor: Actor, center: BusinessCenter, asset_id: int | str
            ) -> tuple[Asset, list[Holder]]:
    require(actor, Action.ASSET_MANAGE, center)  # before the id (ARCHITECTURE.md)
    asset, ceiling = reachable_asset(center, asset_id)
    members = Membership.objects.active().filter(center=center).select_related("user")
    everything = tuple(ceiling) if ceiling is not None else ("all roles",)
    found = [Holder(m.user.label, m.pk, everything, "Admin", m.expires_at)
             for m in members.filter(role="ADMIN").order_by("user__name", "pk")]
    for grant in (AssetGrant.objects.current().filter(asset=asset, membership__in=members)
                  .select_related("membership__user").order_by("membership__user__name")):
        # What they hold, as the engine sees it: never above what the partner shares now.
        roles = (sorted(cap_roles(asset.type, grant.roles, ceiling)) if ceiling is not None
                 else grant.roles)
        if roles:
            found.append(Holder(grant.membership.user.label, grant.membership_id,
                                tuple(roles), "direct", grant.expires_at))
    for seat in (AssetGroupMember.objects
                 .filter(group__center=center, group__assets=asset, membership__in=members)
                 .select_related("membership__user", "group")
                 .order_by("group__name", "membership__user__name")):
        roles = seat.roles.get(asset.type) or []
        if roles:  # a seat without a role for this type of asset gives none of it
            found.append(Holder(seat.membership.user.label, seat.membership_id,
                                tuple(roles), f"group {seat.group.name}"))
    if asset.center_id == center.pk:
        for share in (PartnerShare.objects.filter(asset=asset, partnership__owner=center)
                      .select_related("partnership__partner")):
            found.append(Holder(f"{share.partnership.partner} (partner Business Center)",
                                None, tuple(share.roles), "shared"))
    return asset, found
