"""Assets, the roles members hold on them, and who can reach each one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field, model_validator

from bizcenter.api.auth import actor, center
from bizcenter.api.idempotency import once
from bizcenter.api.schemas import (
    ERRORS,
    EXPIRES_AT_IN,
    EXPIRES_AT_OUT,
    LAST_DAY_OUT,
    AssetOut,
    EndMoment,
    LastDay,
    PageInfo,
    Paging,
    Printable,
    Schema,
    end_sent,
    last_day_in,
    one_end,
    page_info,
    paged,
)
from bizcenter.assets import services as assets
from bizcenter.assets.ceilings import ceilings
from bizcenter.assets.holders import Holder, holders
from bizcenter.assets.kinds import RULES
from bizcenter.assets.models import AssetGrant
from bizcenter.centers import enddates
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import get_member

router = Router(tags=["Assets"])
T = TypeVar("T")


class AssetPage(Schema):
    items: list[AssetOut]
    page_info: PageInfo


class AssetFilters(Schema):
    type: str | None = None
    q: Printable = ""
    page: int = 1
    page_size: int = 50


class AssetIn(Schema):
    type: str
    name: Printable
    status: str = "ACTIVE"

    model_config = {"json_schema_extra": {"examples": [
        {"type": "ADVERTISER", "name": "Brand Co US", "status": "ACTIVE"},
        {"type": "CATALOG", "name": "Spring catalog"}]}}


class AssetPatch(Schema):
    name: Printable | None = None
    status: str | None = None

    model_config = {"json_schema_extra": {"examples": [
        {"status": "DISABLED"}, {"name": "Brand Co EU"}]}}


class GrantIn(Schema):
    roles: list[str]
    expires_at: EndMoment | None = Field(None, description=EXPIRES_AT_IN)
    last_day: LastDay | None = last_day_in()

    model_config = {"json_schema_extra": {"examples": [
        {"roles": ["OPERATOR"]}, {"roles": ["ANALYST"], "last_day": "2030-01-31"},
        {"roles": ["ANALYST"], "expires_at": "2030-01-31T18:00:00Z"},
        {"roles": ["POST", "LIVE"]}]}}

    @model_validator(mode="after")
    def _one_end(self) -> GrantIn:
        one_end(self.expires_at, self.last_day)
        return self


class GrantOut(Schema):
    member_id: str
    asset: AssetOut
    roles: list[str]
    expires_at: datetime | None = Field(description=EXPIRES_AT_OUT)
    last_day: date | None = Field(description=LAST_DAY_OUT)
    granted_at: datetime

    @staticmethod
    def of(g: AssetGrant, where: BusinessCenter | None = None) -> GrantOut:
        """``where``: the member's Business Center, whose time zone reads the last day,
        when the caller has it at hand."""
        zone = where if where is not None else g.membership.center
        return GrantOut(member_id=str(g.membership_id),
                        asset=AssetOut.of(g.asset, zone.pk),
                        roles=list(g.roles), expires_at=g.expires_at,
                        last_day=enddates.last_day(g.expires_at, zone), granted_at=g.granted_at)


class GrantPage(Schema):
    items: list[GrantOut]
    page_info: PageInfo


class MemberAssetsIn(Schema):
    assets: dict[str, list[str]]

    model_config = {"json_schema_extra": {"examples": [
        {"assets": {"12": ["OPERATOR"], "15": ["ANALYST"], "31": ["POST", "LIVE"]}}]}}


class MemberAssetsOut(Schema):
    changed: int
    items: list[GrantOut]


class HolderOut(Schema):
    who: str
    member_id: str | None  # None for a partner Business Center the asset is shared with
    roles: list[str]
    via: str  # Admin, direct, group <name> or shared
    ends: datetime | None = Field(description=EXPIRES_AT_OUT)
    last_day: date | None = Field(description=LAST_DAY_OUT)

    @staticmethod
    def of(h: Holder, where: BusinessCenter) -> HolderOut:
        return HolderOut(who=h.who, roles=list(h.roles), via=h.via, ends=h.ends,
                         last_day=enddates.last_day(h.ends, where),
                         member_id=str(h.membership_id) if h.membership_id else None)


class HoldersOut(Schema):
    asset: AssetOut
    items: list[HolderOut]
    page_info: PageInfo


@router.get("/{center_id}/assets", response={200: AssetPage, **ERRORS})
def list_assets(request: HttpRequest, center_id: int, filters: Query[AssetFilters]) -> AssetPage:
    """The assets the caller may see: for Admins everything the Business Center owns and
    what partners share with it, for Standard members (with the Assets module) only what
    they were given. Filter by type (ADVERTISER, TT_ACCOUNT, CATALOG, PIXEL) and search the
    name with q; sorted by type, then name."""
    found = assets.list_assets(actor(request), center(request, center_id), type=filters.type,
                               search=filters.q, page=filters.page, page_size=filters.page_size)
    return AssetPage(items=[AssetOut.of(a, center_id) for a in found.items],
                     page_info=page_info(found))


class AssetSearch(Schema):
    q: Printable = ""
    type: str | None = None
    owned: bool = False
    page: int = 1
    page_size: int = 20


class PickableAsset(AssetOut):
    # The roles this Business Center may give on it: every role of its type for what it
    # owns, at most the share's for what a partner shares.
    roles: list[str]


class PickablePage(Schema):
    items: list[PickableAsset]
    page_info: PageInfo


# Before /assets/{asset_id}, which would otherwise take "search" for an id.
@router.get("/{center_id}/assets/search", response={200: PickablePage, **ERRORS})
def search_assets(request: HttpRequest, center_id: int,
                  filters: Query[AssetSearch]) -> PickablePage:
    """What an asset picker offers: assets whose name contains q, or whose id is q,
    ordered by name then id (two assets may share a name; the id tells them apart).
    Filter by type; owned=true keeps only what this Business Center owns (Admins).
    Each item lists the roles that may be given on it."""
    who, where = actor(request), center(request, center_id)
    found = assets.search_assets(who, where, search=filters.q, type=filters.type,
                                 owned=filters.owned, page=filters.page,
                                 page_size=filters.page_size)
    shared = ceilings(who, where, [a.pk for a in found.items if a.center_id != center_id])
    return PickablePage(
        items=[PickableAsset(**AssetOut.of(a, center_id).model_dump(),
                             roles=list(shared[a.pk].allowed if a.pk in shared
                                        else RULES[a.type].roles))
               for a in found.items],
        page_info=page_info(found))


@router.post("/{center_id}/assets", response={201: AssetOut, **ERRORS})
def create_asset(request: HttpRequest, center_id: int, payload: AssetIn) -> Status[Any]:
    """Add an asset owned by this Business Center (Admins). Only ad accounts
    (ADVERTISER) can start DISABLED or CLOSED. Send an Idempotency-Key header so a retry
    creates nothing twice."""
    target = center(request, center_id)

    def run() -> tuple[int, Any]:
        made = assets.create_asset(actor(request), target, type=payload.type,
                                   name=payload.name, status=payload.status)
        return 201, AssetOut.of(made, center_id).model_dump(mode="json")

    return Status(*once(request, run))


@router.get("/{center_id}/assets/{asset_id}", response={200: AssetOut, **ERRORS})
def get_asset(request: HttpRequest, center_id: int, asset_id: int) -> AssetOut:
    """One asset the caller may see: owned by this Business Center or shared with it."""
    return AssetOut.of(assets.get_asset(actor(request), center(request, center_id), asset_id),
                       center_id)


@router.patch("/{center_id}/assets/{asset_id}", response={200: AssetOut, **ERRORS})
def update_asset(request: HttpRequest, center_id: int, asset_id: int,
                 payload: AssetPatch) -> AssetOut:
    """Rename an asset, or disable, close or reactivate an ad account (Admins). Only the
    fields sent change; a status change applies to every member's next request."""
    return AssetOut.of(assets.update_asset(actor(request), center(request, center_id),
                                           asset_id, **payload.model_dump(exclude_unset=True)),
                       center_id)


@router.delete("/{center_id}/assets/{asset_id}", response={204: None, **ERRORS})
def delete_asset(request: HttpRequest, center_id: int, asset_id: int) -> Status[None]:
    """Delete an asset this Business Center owns (Admins): every grant on it, and every
    share of it with partners, goes with it."""
    assets.delete_asset(actor(request), center(request, center_id), asset_id)
    return Status(204, None)


@router.get("/{center_id}/assets/{asset_id}/holders", response={200: HoldersOut, **ERRORS})
def asset_holders(request: HttpRequest, center_id: int, asset_id: int,
                  paging: Query[Paging]) -> HoldersOut:
    """Who has access to this asset and through what (Admins): the Business Center's
    Admins, direct grants, asset groups and the partner Business Centers it is shared
    with. A partner's member never holds more than the role the partner shares."""
    where = center(request, center_id)
    asset, found = holders(actor(request), where, asset_id)
    page = paged(found, paging.page, paging.page_size)
    return HoldersOut(asset=AssetOut.of(asset, where.pk),
                      items=[HolderOut.of(h, where) for h in page.items],
                      page_info=page_info(page))


@router.put("/{center_id}/assets/{asset_id}/grants/{member_id}",
            response={200: GrantOut, **ERRORS})
def assign(request: HttpRequest, center_id: int, asset_id: int, member_id: int,
           payload: GrantIn) -> GrantOut:
    """Give a member roles on an asset, replacing any roles they had on it (Admins).
    An ad account takes one of ADMIN, OPERATOR or ANALYST; a catalog one of ADMIN or
    AD_PROMOTE; a TikTok account any of POST, LIVE and DIRECT_MESSAGE; a pixel ACCESS.
    On an asset a partner shares, never more than the shared role. An optional end:
    last_day (a date: the grant's last day, inclusive, in the Business Center's time
    zone) or expires_at (the exact time it ends)."""
    where = center(request, center_id)
    ends = end_sent(payload.last_day, payload.expires_at, where)
    grant = assets.assign(actor(request), where, member_id, asset_id, payload.roles,
                          expires_at=ends)
    return GrantOut.of(grant, where)


@router.delete("/{center_id}/assets/{asset_id}/grants/{member_id}",
               response={204: None, **ERRORS})
def unassign(request: HttpRequest, center_id: int, asset_id: int,
             member_id: int) -> Status[None]:
    """Take the member's direct roles on the asset away (Admins); what they hold through
    an asset group stays."""
    assets.unassign(actor(request), center(request, center_id), member_id, asset_id)
    return Status(204, None)


def _direct(request: HttpRequest, center_id: int, member_id: int
            ) -> tuple[BusinessCenter, list[AssetGrant]]:
    who, target = actor(request), center(request, center_id)
    get_member(who, target, member_id)  # a member of another Business Center is a 404
    return target, list(assets.direct_grants(who, target, member_id)
                        .order_by("asset__type", "asset__name", "pk"))


@router.get("/{center_id}/members/{member_id}/assets", response={200: GrantPage, **ERRORS})
def member_assets(request: HttpRequest, center_id: int, member_id: int,
                  paging: Query[Paging]) -> GrantPage:
    """A member's direct grants on assets this Business Center owns (Admins). Groups and
    partner shares are on the member's access profile, /members/{member_id}/access."""
    target, grants = _direct(request, center_id, member_id)
    page = paged(grants, paging.page, paging.page_size)
    return GrantPage(items=[GrantOut.of(g, target) for g in page.items],
                     page_info=page_info(page))


@router.put("/{center_id}/members/{member_id}/assets", response={200: MemberAssetsOut, **ERRORS})
def set_member_assets(request: HttpRequest, center_id: int, member_id: int,
                      payload: MemberAssetsIn) -> MemberAssetsOut:
    """Make the member's direct grants on assets this Business Center owns exactly these
    (asset id → roles), all or nothing (Admins). Grants that stay the same keep their
    end dates; assets not listed are unassigned; assets partners share are left alone.
    Answers how many assets changed and the grants as they are now."""
    wanted: dict[int | str, Sequence[str] | str] = {k: v for k, v in payload.assets.items()}
    changed = assets.set_member_assets(actor(request), center(request, center_id), member_id,
                                       wanted)
    target, grants = _direct(request, center_id, member_id)
    return MemberAssetsOut(changed=changed, items=[GrantOut.of(g, target) for g in grants])
