"""Asset groups: bc/asset_group/create|update|list|get|delete/.

A group's members are given a role per asset type (``asset_roles``, e.g.
``{"ADVERTISER": "OPERATOR"}``; ad accounts default to ANALYST), and keep a
higher role given to them directly, as in TikTok.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bizcenter.assets import groups
from bizcenter.assets.models import AssetGroup
from bizcenter.centers.models import BusinessCenter
from bizcenter.compat.door import Call, endpoint
from bizcenter.compat.errors import param
from bizcenter.compat.paging import listing, paging, sliced
from bizcenter.compat.params import field_of
from bizcenter.core.actor import Actor
from bizcenter.core.lookup import find

ENTITIES = ("ASSET", "MEMBER", "NAME")
ACTIONS = ("ADD", "DELETE", "REPLACE", "UPDATE")


def _groups(who: Actor, center: BusinessCenter) -> QuerySet[AssetGroup]:
    return groups.list_groups(who, center).prefetch_related("members__membership__user")


def _group(call: Call, center: BusinessCenter) -> AssetGroup:
    group_id = call.params.id("asset_group_id") or ""
    return find(_groups(call.actor, center), group_id,
                f"No asset group with id {{id}} in {center.name}.")


def _asset_ids(entries: list[dict[str, Any]]) -> list[str]:
    ids = []
    for entry in entries:
        asset_id = field_of(entry, "asset_id")
        if asset_id is None:
            raise param("Each of assets needs an asset_id.")
        ids.append(asset_id)
    return ids


def _members(entries: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any] | None]]:
    found = []
    for entry in entries:
        member_id = field_of(entry, "member_id") or field_of(entry, "user_id")
        if member_id is None:
            raise param("Each of members needs a member_id.")
        roles = entry.get("asset_roles")
        if roles is not None and not isinstance(roles, dict):
            raise param("asset_roles must be an object of asset type to role, e.g. "
                        "{\"ADVERTISER\": \"OPERATOR\"}.")
        found.append((member_id, roles or None))
    return found


@endpoint("POST")
def group_create(call: Call) -> dict[str, Any]:
    center = call.center()
    p = call.params
    name = p.text("asset_group_name", required=True) or ""
    group = groups.create_group(call.actor, center, name, _asset_ids(p.objects("assets")))
    for member_id, roles in _members(p.objects("members")):
        groups.set_member(call.actor, center, group.pk, member_id, roles)
    return {"asset_group_id": str(group.pk)}


@endpoint("POST")
def group_update(call: Call) -> dict[str, Any]:
    """update_entity ASSET (action ADD, DELETE or REPLACE the assets given), MEMBER (ADD
    or UPDATE members with their asset_roles, or DELETE them) or NAME
    (asset_group_name; a name sent with the others renames the group too)."""
    center = call.center()
    p = call.params
    group = _group(call, center)
    entity = p.enum("update_entity", ENTITIES, required=True)
    action = p.enum("action", ACTIONS, default="ADD")
    name = (p.text("asset_group_name", required=True) or ""
            if entity == "NAME" or p.has("asset_group_name") else None)
    wanted: list[str] | None = None
    seats: dict[int | str, Any] = {}
    leaving: list[int | str] = []
    if entity == "ASSET":
        given = set(_asset_ids(p.objects("assets")))
        current = {str(a.pk) for a in group.assets.all()}
        if action == "DELETE":
            wanted = sorted(current - given)
        elif action == "REPLACE":
            wanted = sorted(given)
        else:
            wanted = sorted(current | given)
    elif entity == "MEMBER":
        for member_id, roles in _members(p.objects("members")):
            if action == "DELETE":
                leaving.append(member_id)
            else:
                seats[member_id] = roles
    groups.update_group(call.actor, center, group.pk, name=name, asset_ids=wanted,
                        members=seats, remove_members=leaving)
    return {}


@endpoint("GET")
def group_list(call: Call) -> dict[str, Any]:
    center = call.center()
    page = paging(call.params)
    keyword = (field_of(call.params.obj("filtering"), "keyword") or "").lower()
    rows = [{"asset_group_id": str(g.pk), "asset_group_name": g.name,
             "asset_count": len(g.assets.all()), "member_count": len(g.members.all())}
            for g in _groups(call.actor, center) if keyword in g.name.lower()]
    chosen, total = sliced(rows, page)
    return listing(chosen, page, total)


@endpoint("GET")
def group_get(call: Call) -> dict[str, Any]:
    """query_entity ASSET: the group's assets; MEMBER: its members and their roles."""
    center = call.center()
    group = _group(call, center)
    entity = call.params.enum("query_entity", ("ASSET", "MEMBER"), required=True)
    page = paging(call.params)
    keyword = (field_of(call.params.obj("filtering"), "keyword") or "").lower()
    info = {"asset_group_id": str(group.pk), "asset_group_name": group.name}
    if entity == "ASSET":
        found = sorted((a for a in group.assets.all() if keyword in a.name.lower()),
                       key=lambda a: (a.type, a.name, a.pk))
        chosen, total = sliced(found, page)
        rows: list[dict[str, Any]] = [
            {"asset_id": str(a.pk), "asset_name": a.name, "asset_type": a.type}
            for a in chosen]
    else:
        seats = sorted((s for s in group.members.all()
                        if keyword in f"{s.membership.user.name} {s.membership.user.email}"
                        .lower()), key=lambda s: s.membership_id)
        chosen_seats, total = sliced(seats, page)
        rows = [{"member_id": str(s.membership_id), "user_name": s.membership.user.name,
                 "user_email": s.membership.user.email,
                 "asset_roles": {kind: (roles if kind == "TT_ACCOUNT" else roles[0])
                                 for kind, roles in s.roles.items() if roles}}
                for s in chosen_seats]
    return {"asset_group": info, **listing(rows, page, total)}


@endpoint("POST")
def group_delete(call: Call) -> dict[str, Any]:
    center = call.center()
    for group_id in call.params.ids("asset_group_ids"):
        groups.delete_group(call.actor, center, group_id)
    return {}

