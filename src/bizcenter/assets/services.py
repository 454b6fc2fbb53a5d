"""Use cases of assets and asset grants. Every change bumps the Business Center's
access version in its own transaction, so no stale view of access survives it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import check, require
from bizcenter.assets.kinds import AssetStatus, AssetType, clean_roles, exceeds
from bizcenter.assets.models import Asset, AssetGrant, PartnerShare
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.centers import seats
from bizcenter.centers.choices import choice
from bizcenter.centers.models import BusinessCenter, Membership, MembershipState
from bizcenter.centers.services import bump_access_version, require_future
from bizcenter.core.actor import Actor
from bizcenter.core.bounded import fresh, keep
from bizcenter.core.errors import Conflict, InvalidInput, NotFound
from bizcenter.core.lookup import find
from bizcenter.core.pagination import Page, paginate
from bizcenter.core.replicas import from_replica


def _category(asset: Asset) -> Category:
    # The real product logs ad accounts under ACCOUNT and the rest under ASSET.
    return Category.ACCOUNT if asset.type == AssetType.ADVERTISER else Category.ASSET


def _name(value: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > 200:
        raise InvalidInput("An asset needs a name of 1 to 200 characters.",
                           fields={"name": "1 to 200 characters"})
    return text


# Every check on an asset starts with _asset. Assets found in this process, by
# (center, access version, id). Every change to an asset row bumps the version
# (update_asset, delete_asset), so an entry is exactly as fresh as the access snapshot
# it is checked against, and a request that already knows its Business Center's
# version (an API call, from its token's row) finds the asset with no query at all.
_found: dict[tuple[int, int, int], Asset] = snapshot.tied_cache()
FOUND_SIZE = 10_000


def _missing(center: BusinessCenter) -> str:
    return f"No asset with id {{id}} in {center.name}."


def _asset(center: BusinessCenter, asset_id: int | str, *, lock: bool = False) -> Asset:
    missing = _missing(center)
    if lock:
        return find(Asset.objects.select_for_update().filter(center=center), asset_id, missing)
    key = None
    if (version := snapshot.known_version(center.pk)) is not None:
        with contextlib.suppress(ValueError):  # not an id: find() says so below
            key = (center.pk, version, int(str(asset_id)))
    if key is not None and (hit := _found.get(key)) is not None:
        return fresh(hit)  # a new instance each time: a request may change its own
    asset = find(Asset.objects.filter(center_id=center.pk), asset_id, missing)
    if key is not None:
        keep(_found, key, fresh(asset), FOUND_SIZE)
    return asset


def asset_dict(asset: Asset) -> dict[str, Any]:
    return {"type": asset.type, "name": asset.name, "status": asset.status}


def create_asset(actor: Actor, center: BusinessCenter, *, type: str, name: str,
                 status: str = AssetStatus.ACTIVE) -> Asset:
    with transaction.atomic():
        require(actor, Action.ASSET_MANAGE, center)  # before the input (ARCHITECTURE.md)
        kind = choice(AssetType, type, "type")
        state = choice(AssetStatus, status, "status")
        if state != AssetStatus.ACTIVE and kind != AssetType.ADVERTISER:
            raise InvalidInput("Only ad accounts can be disabled or closed.",
                               fields={"status": "ACTIVE for this type"})
        asset = Asset.objects.create(center=center, type=kind, name=_name(name), status=state)
        record(actor, center=center, category=_category(asset), action="asset.created",
               target=asset, after=asset_dict(asset))
    return asset


def update_asset(actor: Actor, center: BusinessCenter, asset_id: int | str, *,
                 name: str | None = None, status: str | None = None) -> Asset:
    """Rename, or disable / close / reactivate an ad account."""
    with transaction.atomic():
        # The Business Center first, as every change does: locking the asset first and
        # then the center (to bump its access version) deadlocked on PostgreSQL with a
        # campaign edit in that ad account, which locks them the other way round.
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        asset = _asset(center, asset_id, lock=True)
        before = asset_dict(asset)
        if name is not None:
            asset.name = _name(name)
        if status is not None:
            state = choice(AssetStatus, status, "status")
            if state != AssetStatus.ACTIVE and asset.type != AssetType.ADVERTISER:
                raise InvalidInput("Only ad accounts can be disabled or closed.",
                                   fields={"status": "ACTIVE for this type"})
            asset.status = state
        after = asset_dict(asset)
        if before == after:
            return asset
        asset.save()
        # A rename too: explanations name the asset, and assets found earlier are
        # reused only while the version holds (see _found).
        bump_access_version(center)
        record(actor, center=center, category=_category(asset), action="asset.updated",
               target=asset, before={k: v for k, v in before.items() if after[k] != v},
               after={k: v for k, v in after.items() if before[k] != v})
    return asset


def delete_asset(actor: Actor, center: BusinessCenter, asset_id: int | str) -> None:
    with transaction.atomic():
        center = seats.lock(center.pk)  # before the asset, as in update_asset
        require(actor, Action.ASSET_MANAGE, center)
        asset = _asset(center, asset_id, lock=True)
        holders = asset.grants.count()
        record(actor, center=center, category=_category(asset), action="asset.deleted",
               target=asset, before={**asset_dict(asset), "grants": holders})
        asset.delete()
        bump_access_version(center)


def list_assets(actor: Actor, center: BusinessCenter, *, type: str | None = None,
                search: str = "", page: int = 1, page_size: int = 50) -> Page[Asset]:
    """Assets the actor may see: all for Admins, only their own for Standard members."""
    require(actor, Action.ASSET_VIEW, center)
    qs = visible_to(actor, center)
    if type:
        qs = qs.filter(type=choice(AssetType, type, "type"))
    if search := (search or "").strip():
        qs = qs.filter(name__icontains=search)
    # The owner too: a partner's asset is listed with who shared it.
    with from_replica():  # a list: a replica may answer it (core/replicas.py)
        return paginate(qs.select_related("center").order_by("type", "name", "id"), page,
                        page_size)


def search_assets(actor: Actor, center: BusinessCenter, *, search: str = "",
                  type: str | None = None, owned: bool = False, page: int = 1,
                  page_size: int = 20) -> Page[Asset]:
    """What an asset picker offers: a name that contains ``search``, or the exact id when
    it is all digits, ordered by name (whatever its case) then id, so two assets of the
    same name keep one order across pages. Authorizes as ``list_assets`` does; ``owned``
    (what an Admin invites to, groups or shares: only what this Business Center owns)
    as ``owned_assets`` does. A Business Center of 10,000 ad accounts is answered a page
    at a time."""
    require(actor, Action.ASSET_VIEW, center)
    if owned:
        require(actor, Action.ASSET_MANAGE, center)
    qs = Asset.objects.filter(center=center) if owned else visible_to(actor, center)
    if type:
        qs = qs.filter(type=choice(AssetType, type, "type"))
    text = (search or "").strip()
    if text.isdigit():
        qs = qs.filter(Q(pk=int(text)) | Q(name__icontains=text)) if len(text) < 19 else (
            qs.filter(name__icontains=text))
    elif text:
        qs = qs.filter(name__icontains=text)
    with from_replica():
        return paginate(qs.select_related("center").order_by(Lower("name"), "id"), page,
                        page_size)


def picked_assets(actor: Actor, center: BusinessCenter, ids: Iterable[int | str], *,
                  owned: bool = False) -> dict[int, Asset]:
    """The assets among ``ids`` that this person may pick here (as ``search_assets``
    would find them), by id: a picker's chosen ids are checked against it, so an id that
    does not exist, belongs elsewhere or is not visible is left out alike."""
    require(actor, Action.ASSET_VIEW, center)
    if owned:
        require(actor, Action.ASSET_MANAGE, center)
    wanted = {int(str(i)) for i in ids if str(i).strip().isdigit() and len(str(i)) < 19}
    if not wanted:
        return {}
    qs = Asset.objects.filter(center=center) if owned else visible_to(actor, center)
    return {a.pk: a for a in qs.filter(pk__in=wanted).select_related("center")}


def owned_assets(actor: Actor, center: BusinessCenter, limit: int = 1000) -> list[Asset]:
    """What an Admin can put in a group or share: only what this Business Center owns."""
    require(actor, Action.ASSET_MANAGE, center)
    return list(Asset.objects.filter(center=center).order_by("type", "name", "id")[:limit])


def visible_to(actor: Actor, center: BusinessCenter) -> QuerySet[Asset]:
    """The filter is in the query itself, so no list can show an asset it should not.

    Admins see what the Business Center owns and what partners share with it;
    Standard members see what they were given.
    """
    # Ids from each side, united, then the rows by primary key: both sides use an
    # index. (center OR shared-with-center over a join made PostgreSQL scan every
    # asset of every Business Center: 14 ms at 100,000 centers, growing with them.)
    own = Asset.objects.filter(center=center).values("pk")
    shared = PartnerShare.objects.filter(partnership__partner=center).values("asset_id")
    reachable = Asset.objects.filter(pk__in=own.union(shared))
    if actor.user is None:
        return reachable
    snap = snapshot.get(actor.user.pk, center.pk)
    if snap is not None and snap.is_admin:
        return reachable
    return Asset.objects.filter(pk__in=list(snap.assets) if snap else [])


def get_asset(actor: Actor, center: BusinessCenter, asset_id: int | str) -> Asset:
    require(actor, Action.CENTER_VIEW, center)
    asset, _ = visible_asset(actor, center, asset_id)
    require(actor, Action.ASSET_VIEW, asset, within=center)
    return asset


def visible_asset(actor: Actor, center: BusinessCenter, asset_id: int | str
                  ) -> tuple[Asset, list[str] | None]:
    """``reachable_asset`` as this person may know it: an asset they may not see at all
    answers exactly as an id that does not exist, so a Standard member cannot learn
    from a refusal which ids are assets, of what type, or what they are called.

    Call it after authorizing the caller on the Business Center (whose refusals, such
    as 2-step verification missing, must come first and be said as they are)."""
    asset, ceiling = reachable_asset(center, asset_id)
    if actor.user is not None and not check(actor.user, Action.ASSET_VIEW, asset,
                                            within=center):
        raise NotFound(_missing(center).replace("{id}", str(asset.pk), 1))
    return asset, ceiling


def reachable_asset(center: BusinessCenter, asset_id: int | str
                    ) -> tuple[Asset, list[str] | None]:
    """An asset this Business Center owns (no ceiling) or that a partner shares with it
    (the shared roles are the ceiling)."""
    try:
        return _asset(center, asset_id), None
    except NotFound:
        if not str(asset_id).strip().isdigit() or int(asset_id) >= 2**63:
            raise  # not an id at all (the share lookup below would fail on it, a 500)
        share = (PartnerShare.objects.select_related("asset")
                 .filter(partnership__partner=center, asset_id=asset_id).first())
        if share is None:
            raise
        return share.asset, list(share.roles)


def active_member(center: BusinessCenter, membership_id: int | str) -> Membership:
    membership = find(Membership.objects.select_related("user").filter(center=center),
                      membership_id, f"No member with id {{id}} in {center.name}.")
    if membership.state != MembershipState.ACTIVE:
        raise Conflict(f"{membership.user.label} no longer has access to {center.name}; "
                       "invite them again first.", code="revoked")
    return membership


def _lock_with_owner(center: BusinessCenter, asset_id: int | str) -> BusinessCenter:
    """This Business Center's row and, for an asset a partner shares with it, the owner's
    too, in id order (``seats.lock_both``): the change is written in the owner's log as
    well. The owner is read quietly, before anything is checked, and only among assets
    shared with this Business Center."""
    text = str(asset_id)
    owner = (PartnerShare.objects.filter(partnership__partner=center, asset_id=int(text))
             .values_list("asset__center_id", flat=True).first()
             if text.isdigit() and len(text) < 18 else None)
    return seats.lock_both(center.pk, owner)


def assign(actor: Actor, center: BusinessCenter, membership_id: int | str,
           asset_id: int | str, roles: Iterable[str] | str | None = None, *,
           expires_at: datetime | None = None) -> AssetGrant:
    """Give a member roles on an asset (replacing any roles they had on it)."""
    with transaction.atomic():
        center = _lock_with_owner(center, asset_id)
        require(actor, Action.ASSET_MANAGE, center)
        membership = active_member(center, membership_id)
        asset, ceiling = reachable_asset(center, asset_id)
        cleaned = clean_roles(asset.type, roles)
        if ceiling is not None and exceeds(asset.type, cleaned, ceiling):
            # Nobody here can lift this (its Admins hold exactly the share): say who can.
            owner = BusinessCenter.objects.filter(pk=asset.center_id).values_list(
                "name", flat=True).first() or "the partner that owns it"
            raise InvalidInput(
                f"{asset} is shared with {center.name} as {', '.join(ceiling)} by {owner}; "
                f"members cannot be given more than that. Only the Admins of {owner} can "
                f"raise what they share with {center.name}; ask them with Ask for access on "
                "the Partner Business Centers page.",
                fields={"roles": f"at most {', '.join(ceiling)}"})
        ends = require_future(expires_at, "expires_at")
        grant = AssetGrant.objects.filter(membership=membership, asset=asset).first()
        before = {"roles": grant.roles, "expires_at": _iso(grant.expires_at)} if grant else None
        if grant is not None and before == {"roles": cleaned, "expires_at": _iso(ends)}:
            return grant  # saved unchanged: nothing to write, nothing to log
        if grant is None:
            grant = AssetGrant(membership=membership, asset=asset, granted_by=actor.user)
        grant.roles, grant.expires_at = cleaned, ends
        grant.save()
        bump_access_version(center)
        record(actor, center=center, category=_category(asset), action="asset.assigned",
               target=asset, before=before,
               after={"member": membership.user.label, "roles": cleaned,
                      "expires_at": _iso(ends)})
    return grant


def unassign(actor: Actor, center: BusinessCenter, membership_id: int | str,
             asset_id: int | str) -> None:
    with transaction.atomic():
        center = _lock_with_owner(center, asset_id)
        require(actor, Action.ASSET_MANAGE, center)
        asset, _ = reachable_asset(center, asset_id)
        grant = (AssetGrant.objects.select_related("membership__user")
                 .filter(membership_id=membership_id, membership__center=center, asset=asset)
                 .first())
        if grant is None:
            raise NotFound(f"{asset} is not assigned to member {membership_id}.")
        record(actor, center=center, category=_category(asset), action="asset.unassigned",
               target=asset, before={"member": grant.membership.user.label,
                                     "roles": grant.roles})
        grant.delete()
        bump_access_version(center)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _wanted(wanted: Mapping[int | str, Sequence[str] | str]) -> dict[int, list[str]]:
    """A member's asset set as typed (asset id -> roles), as ids and sorted roles."""
    def roles_of(value: Sequence[str] | str) -> list[str]:
        return sorted(r.strip().upper() for r in ([value] if isinstance(value, str) else value))

    try:
        return {int(k): roles_of(v) for k, v in wanted.items()}
    except (TypeError, ValueError) as exc:
        raise InvalidInput("Asset ids are numbers.", fields={"assets": "numeric ids"}) from exc


def _sync_grants(actor: Actor, center: BusinessCenter, membership_id: int | str,
                 current: Mapping[int, list[str]], want: Mapping[int, list[str]]) -> int:
    """Assign what differs from ``current`` and unassign what is no longer wanted, each
    its own assign/unassign with its own log line; how many assets changed."""
    changed = 0
    for asset_id, roles in sorted(want.items()):
        if current.get(asset_id) != roles:
            assign(actor, center, membership_id, asset_id, roles)
            changed += 1
    for asset_id in sorted(current.keys() - want.keys()):
        unassign(actor, center, membership_id, asset_id)
        changed += 1
    return changed


def set_member_assets(actor: Actor, center: BusinessCenter, membership_id: int | str,
                      wanted: Mapping[int | str, Sequence[str] | str]) -> int:
    """Make the member's direct grants on assets this Business Center owns exactly
    ``wanted`` (asset id -> roles), in one transaction; grants that stay the same keep
    their end dates, and assets shared by partners are left alone (they are assigned
    on the asset's page). Returns how many assets changed; each change is its own
    assign/unassign, with its own log line."""
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        active_member(center, membership_id)
        current = {g.asset_id: sorted(g.roles) for g in AssetGrant.objects.filter(
            membership_id=membership_id, membership__center=center, asset__center=center)}
        want = _wanted(wanted)
        owned = set(Asset.objects.filter(center=center, pk__in=list(want))
                    .values_list("pk", flat=True))
        for asset_id in sorted(set(want) - owned):
            asset, _ = reachable_asset(center, asset_id)  # NotFound when not reachable at all
            owner = BusinessCenter.objects.filter(pk=asset.center_id).values_list(
                "name", flat=True).first() or "a partner Business Center"
            raise InvalidInput(f"{asset} is shared by {owner}; assign it on its own, not in "
                               "the member's set of owned assets.",
                               fields={"assets": "owned assets only"})
        return _sync_grants(actor, center, membership_id, current, want)


def edit_member_access(actor: Actor, center: BusinessCenter, membership_id: int | str, *,
                       assets: Mapping[int | str, Sequence[str] | str] | None = None,
                       **changes: Any) -> Membership:
    """The Edit page's one Confirm: the membership and its assets change together or
    not at all."""
    from bizcenter.centers.services import update_member

    with transaction.atomic():
        membership = update_member(actor, center, membership_id, **changes)
        if assets is not None:
            set_member_assets(actor, center, membership_id, assets)
    return membership


def direct_grants(actor: Actor, center: BusinessCenter, membership_id: int | str
                  ) -> QuerySet[AssetGrant]:
    """A member's direct grants on assets this Business Center owns, for the Edit form."""
    require(actor, Action.MEMBER_VIEW, center)
    return (AssetGrant.objects.filter(membership_id=membership_id, membership__center=center,
                                      asset__center=center).select_related("asset"))
