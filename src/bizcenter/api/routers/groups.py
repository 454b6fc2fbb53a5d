"""Asset groups: a set of assets given to a set of members, with a role per asset type."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from bizcenter.api.auth import actor, center
from bizcenter.api.idempotency import once
from bizcenter.api.schemas import (
    ERRORS,
    AssetOut,
    PageInfo,
    Paging,
    Printable,
    Schema,
    page_info,
)
from bizcenter.assets import groups
from bizcenter.assets.models import AssetGroup, AssetGroupMember
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.lookup import find
from bizcenter.core.pagination import paginate

router = Router(tags=["Asset groups"])


class SeatOut(Schema):
    member_id: str
    name: str
    roles: dict[str, list[str]]  # asset type -> roles, e.g. {"ADVERTISER": ["ANALYST"]}

    @staticmethod
    def of(s: AssetGroupMember) -> SeatOut:
        return SeatOut(member_id=str(s.membership_id), name=s.membership.user.label,
                       roles={k: list(v) for k, v in (s.roles or {}).items()})


class GroupOut(Schema):
    id: str
    name: str
    assets: list[AssetOut]
    members: list[SeatOut]
    created_at: datetime

    @staticmethod
    def of(g: AssetGroup) -> GroupOut:
        # Sorted here, not in the query, so a list's prefetched rows are used as they are.
        seats = sorted(g.members.all(), key=lambda s: (s.membership.user.label, s.pk))
        return GroupOut(id=str(g.pk), name=g.name, created_at=g.created_at,
                        assets=[AssetOut.of(a, g.center_id) for a in sorted(
                            g.assets.all(), key=lambda a: (a.type, a.name, a.pk))],
                        members=[SeatOut.of(s) for s in seats])


class GroupPage(Schema):
    items: list[GroupOut]
    page_info: PageInfo


class GroupIn(Schema):
    name: Printable
    asset_ids: list[str] = []

    model_config = {"json_schema_extra": {"examples": [
        {"name": "EU agency", "asset_ids": ["12", "15"]}]}}


class GroupPatch(Schema):
    name: str | None = None
    asset_ids: list[str] | None = None

    model_config = {"json_schema_extra": {"examples": [
        {"asset_ids": ["12", "15", "31"]}, {"name": "Catalog team (EU)"}]}}


class SeatIn(Schema):
    roles: dict[str, list[str]] = {}

    model_config = {"json_schema_extra": {"examples": [
        {"roles": {"ADVERTISER": ["OPERATOR"], "TT_ACCOUNT": ["POST"]}}, {"roles": {}}]}}


def _with_seats(qs: QuerySet[AssetGroup]) -> QuerySet[AssetGroup]:
    return qs.prefetch_related("members__membership__user")


def _group(who: Actor, target: BusinessCenter, group_id: int) -> AssetGroup:
    return find(_with_seats(groups.list_groups(who, target)), group_id,
                f"No asset group with id {{id}} in {target.name}.")


@router.get("/{center_id}/asset-groups", response={200: GroupPage, **ERRORS})
def list_groups(request: HttpRequest, center_id: int, paging: Query[Paging]) -> GroupPage:
    """The Business Center's asset groups by name, each with its assets and members
    (Admins)."""
    found = paginate(_with_seats(groups.list_groups(actor(request), center(request, center_id))),
                     paging.page, paging.page_size)
    return GroupPage(items=[GroupOut.of(g) for g in found.items], page_info=page_info(found))


@router.post("/{center_id}/asset-groups", response={201: GroupOut, **ERRORS})
def create_group(request: HttpRequest, center_id: int, payload: GroupIn) -> Status[Any]:
    """A new group with a name unique in the Business Center (409 duplicate_name
    otherwise) and, optionally, assets this Business Center owns (Admins). Send an
    Idempotency-Key header so a retry creates nothing twice."""
    target = center(request, center_id)

    def run() -> tuple[int, Any]:
        made = groups.create_group(actor(request), target, payload.name, payload.asset_ids)
        return 201, GroupOut.of(made).model_dump(mode="json")

    return Status(*once(request, run))


@router.get("/{center_id}/asset-groups/{group_id}", response={200: GroupOut, **ERRORS})
def get_group(request: HttpRequest, center_id: int, group_id: int) -> GroupOut:
    """One asset group with its assets and members (Admins)."""
    return GroupOut.of(_group(actor(request), center(request, center_id), group_id))


@router.patch("/{center_id}/asset-groups/{group_id}", response={200: GroupOut, **ERRORS})
def update_group(request: HttpRequest, center_id: int, group_id: int,
                 payload: GroupPatch) -> GroupOut:
    """Rename the group and/or replace its assets (Admins), all or nothing: its members
    gain and lose assets on their next request. Only assets this Business Center owns can
    be in a group; a name must be unique in the Business Center (409 otherwise)."""
    who, target = actor(request), center(request, center_id)
    groups.update_group(who, target, group_id, name=payload.name, asset_ids=payload.asset_ids)
    return GroupOut.of(_group(who, target, group_id))


@router.delete("/{center_id}/asset-groups/{group_id}", response={204: None, **ERRORS})
def delete_group(request: HttpRequest, center_id: int, group_id: int) -> Status[None]:
    """Delete the group (Admins): its members lose what it gave them, and keep what they
    were given directly."""
    groups.delete_group(actor(request), center(request, center_id), group_id)
    return Status(204, None)


@router.put("/{center_id}/asset-groups/{group_id}/members/{member_id}",
            response={200: GroupOut, **ERRORS})
def set_member(request: HttpRequest, center_id: int, group_id: int, member_id: int,
               payload: SeatIn) -> GroupOut:
    """Put a member in the group, or change their roles in it (Admins). roles maps an
    asset type to the roles the member gets on the group's assets of that type; empty
    means ANALYST on ad accounts. A role held directly that is higher stays."""
    who, target = actor(request), center(request, center_id)
    groups.set_member(who, target, group_id, member_id, payload.roles)
    return GroupOut.of(_group(who, target, group_id))


@router.delete("/{center_id}/asset-groups/{group_id}/members/{member_id}",
               response={204: None, **ERRORS})
def remove_member(request: HttpRequest, center_id: int, group_id: int,
                  member_id: int) -> Status[None]:
    """Take a member out of the group (Admins): they lose what only the group gave."""
    groups.remove_member(actor(request), center(request, center_id), group_id, member_id)
    return Status(204, None)
