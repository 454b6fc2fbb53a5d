"""What a partner's share lets a Business Center give: the ceiling of each shared asset.

An asset another Business Center shares with this one arrives at a role (the share's
roles), and nobody here can hold more: the engine caps every grant by it, and
``assets.services.assign`` refuses more. The forms of this Business Center must then
never offer more either, and every list must say who shared the asset and at what role,
so an Admin here knows whom to ask instead of trying and being refused. This module is
where the doors and the engine read that ceiling from, and where a member's set of
shared assets is saved within it (the Edit page's one Confirm).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.assets.kinds import RULES, cap_roles
from bizcenter.assets.models import Asset, AssetGrant, PartnerShare
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.actor import Actor


def allowed_roles(asset_type: str, ceiling: Iterable[str]) -> tuple[str, ...]:
    """The roles one may give under ``ceiling``, highest first as the type ranks them:
    at or below it for one-role types, its own subset for a TikTok account."""
    rule = RULES[asset_type]
    return tuple(r for r in rule.roles if cap_roles(asset_type, [r], ceiling) == {r})


def next_role(asset_type: str, ceiling: Iterable[str]) -> str | None:
    """The first role the ceiling does not reach (what to ask the owner for), or None when
    it already allows every role of the type."""
    allowed = set(allowed_roles(asset_type, ceiling))
    missing = [r for r in RULES[asset_type].roles if r not in allowed]
    if not missing:
        return None
    # One-role types rank highest first: the next role up is the lowest one missing.
    return missing[0] if RULES[asset_type].many else missing[-1]


@dataclass(frozen=True)
class Ceiling:
    """One asset a partner shares with this Business Center, at the role it shares."""

    asset: Asset
    roles: tuple[str, ...]
    owner: str
    owner_public_id: str

    @property
    def allowed(self) -> tuple[str, ...]:
        return allowed_roles(self.asset.type, self.roles)

    @property
    def shared_as(self) -> str:
        return ", ".join(self.roles)

    @property
    def label(self) -> str:
        """How every list names it: who shared it and at which role."""
        return f"shared by {self.owner} as {self.shared_as}"

    @property
    def next_role(self) -> str | None:
        return next_role(self.asset.type, self.roles)

    def capped(self, roles: Iterable[str]) -> list[str]:
        """What a grant of ``roles`` gives now, as the engine sees it."""
        return sorted(cap_roles(self.asset.type, roles, self.roles))


def _shares(center_id: int) -> Any:
    # No partnership status filter, as the access snapshot: shares only exist on
    # ACTIVE partnerships, and both must read the same rows.
    return (PartnerShare.objects.filter(partnership__partner_id=center_id)
            .select_related("asset", "partnership__owner").order_by("asset__name", "asset_id"))


def _ceiling(share: PartnerShare) -> Ceiling:
    owner = share.partnership.owner
    assert owner is not None  # an ACTIVE partnership has both sides (a constraint)
    return Ceiling(share.asset, tuple(share.roles), owner.name, owner.public_id)


def share_of(center_id: int, asset_id: int) -> Ceiling | None:
    """The ceiling of one asset in the Business Center it is shared with, or None when it
    is not shared there. No authorization: for the engine and services that have
    already decided the caller may know about the asset."""
    share = _shares(center_id).filter(asset_id=asset_id).first()
    return _ceiling(share) if share is not None else None


def ceilings(actor: Actor, center: BusinessCenter,
             asset_ids: Iterable[int] | None = None) -> dict[int, Ceiling]:
    """Asset id -> ceiling, for each shared asset the actor may see in this Business
    Center (an Admin: every one; a Standard member: those they were given), optionally
    only among ``asset_ids``. Owned assets have no ceiling and are not in it."""
    require(actor, Action.CENTER_VIEW, center)
    shares = _shares(center.pk)
    if asset_ids is not None:
        shares = shares.filter(asset_id__in=list(asset_ids))
    if actor.user is not None:
        snap = snapshot.get(actor.user.pk, center.pk)
        if snap is None or not snap.is_admin:
            shares = shares.filter(asset_id__in=list(snap.assets) if snap else [])
    return {share.asset_id: _ceiling(share) for share in shares}


def member_shared_roles(actor: Actor, center: BusinessCenter, membership_id: int | str
                        ) -> dict[int, list[str]]:
    """A member's direct roles on assets partners share with this Business Center, as
    they hold them now (capped by each share): what the Edit form starts from. Grants
    on assets no longer shared are left out, as the engine leaves them out."""
    require(actor, Action.MEMBER_VIEW, center)
    shared = ceilings(actor, center)
    held: dict[int, list[str]] = {}
    for asset_id, roles in (AssetGrant.objects.current()
                            .filter(membership_id=membership_id, membership__center=center,
                                    asset_id__in=list(shared))
                            .values_list("asset_id", "roles")):
        if capped := shared[asset_id].capped(roles):
            held[asset_id] = capped
    return held


def set_member_shared_assets(actor: Actor, center: BusinessCenter, membership_id: int | str,
                             wanted: Mapping[int | str, Sequence[str] | str]) -> int:
    """Make the member's direct grants on shared assets exactly ``wanted`` (asset id ->
    roles), never above each share: the shared twin of ``set_member_assets``. A grant
    that already gives what is wanted (capped by a lowered share) is left as stored, so
    that a plain Confirm does not throw away what a raised share would give back.
    Returns how many assets changed; each change is its own assign/unassign, logged."""
    from bizcenter.assets.services import _sync_grants, _wanted, active_member

    with transaction.atomic():
        require(actor, Action.ASSET_MANAGE, center)
        active_member(center, membership_id)
        want = _wanted(wanted)
        current = member_shared_roles(actor, center, membership_id)
        # assign() refuses a role above the share.
        return _sync_grants(actor, center, membership_id, current, want)


def edit_member_with_shared(actor: Actor, center: BusinessCenter, membership_id: int | str, *,
                            assets: Mapping[int | str, Sequence[str] | str] | None = None,
                            shared: Mapping[int | str, Sequence[str] | str] | None = None,
                            **changes: Any) -> Membership:
    """The Edit page's one Confirm in a Business Center partners share with: the
    membership, its owned assets and its shared assets change together or not at all."""
    from bizcenter.assets.services import edit_member_access

    with transaction.atomic():
        membership = edit_member_access(actor, center, membership_id, assets=assets, **changes)
        if shared is not None:
            set_member_shared_assets(actor, center, membership_id, shared)
    return membership
