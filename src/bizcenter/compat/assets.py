"""Assets and who holds them: bc/asset/get|assign|unassign/, bc/asset/member/get/,
bc/asset/partner/get/."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bizcenter.access import snapshot
from bizcenter.access.profile import profile
from bizcenter.assets import partners
from bizcenter.assets import services as assets
from bizcenter.assets.holders import holders
from bizcenter.assets.kinds import merge_roles
from bizcenter.assets.models import Asset
from bizcenter.centers import services as centers
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.compat import shapes
from bizcenter.compat.door import Call, endpoint
from bizcenter.compat.errors import param
from bizcenter.compat.paging import listing, page_of, paging, sliced
from bizcenter.compat.params import field_of
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput


def _asset_type(call: Call) -> str:
    kind = call.params.enum("asset_type", shapes.ASSET_TYPES, required=True)
    assert kind is not None
    return kind


def _member(call: Call, center: BusinessCenter, filtering: dict[str, Any]) -> Membership | None:
    """The member named by filtering.user_id or filtering.user_email, if any."""
    member_id = field_of(filtering, "user_id")
    email = field_of(filtering, "user_email")
    if member_id is not None and email is not None:
        raise param("Filter on user_id or on user_email, not both.")
    if member_id is not None:
        return centers.get_member(call.actor, center, member_id)
    if email is not None:
        try:
            return centers.member_by_address(call.actor, center, email)
        except InvalidInput as exc:
            raise param(exc.message) from exc
    return None


def _roles(actor: Actor, center: BusinessCenter, asset: Asset) -> list[str]:
    """The caller's roles on an asset, as their compiled access holds them."""
    snap = snapshot.get(actor.user.pk, center.pk) if actor.user else None
    if snap is None:
        return []
    if snap.is_admin and asset.center_id == center.pk:
        return shapes.admin_roles(asset.type)
    reach = snap.assets.get(asset.pk)
    return sorted(reach.roles) if reach else []


@endpoint("GET")
def asset_get(call: Call) -> dict[str, Any]:
    """The assets of one type a member can reach, with their role on each: the caller's
    own by default, or (for Admins) those of the member in filtering.user_id or
    filtering.user_email."""
    center = call.center()
    kind = _asset_type(call)
    page = paging(call.params)
    filtering = call.params.obj("filtering")
    keyword = field_of(filtering, "keyword") or ""
    member = _member(call, center, filtering)
    who = call.actor
    if member is None or member.user_id == (who.user.pk if who.user else None):
        found, total = page_of(lambda n, s: assets.list_assets(
            who, center, type=kind, search=keyword, page=n, page_size=s), page)
        rows = [shapes.asset_row(a, center, _roles(who, center, a)) for a in found]
        return listing(rows, page, total)
    seen = profile(who, center, member.pk)
    reached = {r.asset.pk: r for r in seen.assets}
    if seen.all_assets:  # an Admin: everything the Business Center owns or is shared
        found, total = page_of(lambda n, s: assets.list_assets(
            who, center, type=kind, search=keyword, page=n, page_size=s), page)
        rows = [shapes.asset_row(a, center, reached[a.pk].roles if a.pk in reached
                                 else shapes.admin_roles(a.type)) for a in found]
        return listing(rows, page, total)
    mine_of_type = [r for r in seen.assets if r.asset.type == kind
                    and keyword.lower() in r.asset.name.lower()]
    chosen, total = sliced(mine_of_type, page)
    return listing([shapes.asset_row(r.asset, center, r.roles) for r in chosen], page, total)


def _asset_ids(call: Call) -> list[str]:
    """asset_id (the SDK's model) or asset_ids (a list), one of them."""
    p = call.params
    if p.has("asset_id"):
        return [p.id("asset_id") or ""]
    return p.ids("asset_ids")


@endpoint("POST")
def asset_assign(call: Call) -> dict[str, Any]:
    """Give a member a role on assets of one type (replacing any role they had on them)."""
    center = call.center()
    member_id = call.params.id("user_id") or ""
    kind = _asset_type(call)
    roles = shapes.role_of(call.params.data, kind)
    if roles is None and kind in shapes.ROLE_FIELD:
        raise param(f"{shapes.ROLE_FIELD[kind]} is required for {kind} assets.")
    for asset_id in _asset_ids(call):
        asset, _ = assets.reachable_asset(center, asset_id)
        if asset.type != kind:
            raise param(f"Asset {asset_id} is a {asset.type}, not a {kind}.")
        assets.assign(call.actor, center, member_id, asset_id, roles)
    return {}


@endpoint("POST")
def asset_unassign(call: Call) -> dict[str, Any]:
    """Take a member's direct role on assets away; what an asset group gives them stays."""
    center = call.center()
    member_id = call.params.id("user_id") or ""
    _asset_type(call)
    for asset_id in _asset_ids(call):
        assets.unassign(call.actor, center, member_id, asset_id)
    return {}


def _the_asset(call: Call, center: BusinessCenter) -> str:
    kind = _asset_type(call)
    asset_id = call.params.id("asset_id") or ""
    asset = assets.get_asset(call.actor, center, asset_id)
    if asset.type != kind:
        raise param(f"Asset {asset_id} is a {asset.type}, not a {kind}.")
    return asset_id


@endpoint("GET")
def asset_member_get(call: Call) -> dict[str, Any]:
    """The members who hold an asset (Admins: all of them, directly, through an asset
    group or as its Admins), one row each with the role they hold."""
    center = call.center()
    asset_id = _the_asset(call, center)
    page = paging(call.params)
    keyword = (field_of(call.params.obj("filtering"), "keyword") or "").lower()
    asset, found = holders(call.actor, center, asset_id)
    roles: dict[int, frozenset[str]] = {}
    for h in found:
        if h.membership_id is None:
            continue  # a partner Business Center: bc/asset/partner/get/
        held: Sequence[str] = (shapes.admin_roles(asset.type)
                               if h.via == "Admin" and h.roles == ("all roles",) else h.roles)
        roles[h.membership_id] = merge_roles(asset.type, roles.get(h.membership_id, ()), held)
    people = {m.pk: m for m in Membership.objects.filter(pk__in=list(roles))
              .select_related("user")}
    rows = []
    for member_id, merged in roles.items():
        m = people[member_id]
        if keyword and not any(keyword in (v or "").lower()
                               for v in (m.user.name, m.user.email, m.user.phone)):
            continue
        rows.append({**shapes.member_row(m, center), **shapes.roles_fields(asset.type, merged)})
    chosen, total = sliced(rows, page)
    return listing(chosen, page, total)


@endpoint("GET")
def asset_partner_get(call: Call) -> dict[str, Any]:
    """The partner Business Centers an asset is shared with, and the role it is shared at;
    each partner by its public id (``bc_id``), as bc/partner/get/ lists it. Only BOUND
    partners hold shares: a pending request shares nothing."""
    center = call.center()
    asset_id = _the_asset(call, center)
    page = paging(call.params)
    rows = []
    for link in partners.partners_of(call.actor, center):
        assert link.partner is not None  # an active partnership has both sides
        for share in link.shares.all():
            if str(share.asset_id) == asset_id:
                rows.append({"bc_id": link.partner.public_id, "bc_name": link.partner.name,
                             **shapes.roles_fields(share.asset.type, share.roles)})
    chosen, total = sliced(rows, page)
    return listing(chosen, page, total)

