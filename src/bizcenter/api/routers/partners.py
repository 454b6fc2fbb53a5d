"""Partner Business Centers: share chosen assets with another Business Center, at a role
its members can never exceed; and the assets partners share with this one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from bizcenter.api.auth import actor, center
from bizcenter.api.idempotency import once
from bizcenter.api.routers.assets import AssetOut, Paging
from bizcenter.api.routers.centers import ERRORS
from bizcenter.api.routers.members import page_info
from bizcenter.api.schemas import PageInfo, Schema
from bizcenter.assets import partners
from bizcenter.assets.models import PartnerShare, Partnership
from bizcenter.core.errors import NotFound
from bizcenter.core.pagination import paginate

router = Router(tags=["Partners"])


class ShareOut(Schema):
    asset: AssetOut
    roles: list[str]
    shared_at: datetime

    @staticmethod
    def of(s: PartnerShare) -> ShareOut:
        return ShareOut(asset=AssetOut.of(s.asset), roles=list(s.roles), shared_at=s.shared_at)


class PartnerOut(Schema):
    id: str  # the partner Business Center's own id
    name: str
    since: datetime
    shares: list[ShareOut]

    @staticmethod
    def of(p: Partnership) -> PartnerOut:
        shares = sorted(p.shares.all(), key=lambda s: (s.asset.name, s.asset_id))
        return PartnerOut(id=str(p.partner_id), name=p.partner.name, since=p.created_at,
                          shares=[ShareOut.of(s) for s in shares])


class PartnerPage(Schema):
    items: list[PartnerOut]
    page_info: PageInfo


class ReceivedOut(Schema):
    owner_center_id: str
    owner_name: str
    asset: AssetOut
    roles: list[str]  # the most this Business Center's members can be given
    shared_at: datetime

    @staticmethod
    def of(s: PartnerShare) -> ReceivedOut:
        owner = s.partnership.owner
        return ReceivedOut(owner_center_id=str(owner.pk), owner_name=owner.name,
                           asset=AssetOut.of(s.asset), roles=list(s.roles),
                           shared_at=s.shared_at)


class ReceivedPage(Schema):
    items: list[ReceivedOut]
    page_info: PageInfo


class PartnerIn(Schema):
    partner_id: str

    model_config = {"json_schema_extra": {"examples": [{"partner_id": "7031"}]}}


class ShareIn(Schema):
    asset_id: str
    roles: list[str]

    model_config = {"json_schema_extra": {"examples": [
        {"asset_id": "12", "roles": ["OPERATOR"]}, {"asset_id": "31", "roles": ["POST"]}]}}


class SharePatch(Schema):
    roles: list[str]

    model_config = {"json_schema_extra": {"examples": [{"roles": ["ANALYST"]}]}}


def _link(request: HttpRequest, center_id: int, partner_id: int) -> Partnership:
    target = center(request, center_id)
    found = partners.partners_of(actor(request), target).filter(
        partner_id=partner_id).first() if abs(partner_id) < 2**63 else None  # SQLite's range
    if found is None:
        raise NotFound(f"Business Center {partner_id} is not a partner of {target.name}. Add "
                       "it as a partner first.")
    return found


def _shared(link: Partnership, asset_id: int | str) -> bool:
    return any(str(s.asset_id) == str(asset_id) for s in link.shares.all())


@router.get("/{center_id}/partners", response={200: PartnerPage, **ERRORS})
def list_partners(request: HttpRequest, center_id: int, paging: Query[Paging]) -> PartnerPage:
    """The partner Business Centers this one shares assets with, by name, each with what
    it shares and at which role (Admins)."""
    found = paginate(partners.partners_of(actor(request), center(request, center_id)),
                     paging.page, paging.page_size)
    return PartnerPage(items=[PartnerOut.of(p) for p in found.items], page_info=page_info(found))


@router.post("/{center_id}/partners", response={201: PartnerOut, **ERRORS})
def add_partner(request: HttpRequest, center_id: int, payload: PartnerIn) -> Status[Any]:
    """Add another Business Center as a partner, by the id its Admins see in their
    settings (Admins). 409 already_partner if it is one. Nothing is shared until assets
    are shared with it. Send an Idempotency-Key header so a retry adds nothing twice."""
    target = center(request, center_id)

    def run() -> tuple[int, Any]:
        link = partners.add_partner(actor(request), target, payload.partner_id)
        return 201, PartnerOut.of(link).model_dump(mode="json")

    return Status(*once(request, run))


@router.get("/{center_id}/partners/{partner_id}", response={200: PartnerOut, **ERRORS})
def get_partner(request: HttpRequest, center_id: int, partner_id: int) -> PartnerOut:
    """One partner Business Center and what it is shared (Admins)."""
    return PartnerOut.of(_link(request, center_id, partner_id))


@router.delete("/{center_id}/partners/{partner_id}", response={204: None, **ERRORS})
def remove_partner(request: HttpRequest, center_id: int, partner_id: int) -> Status[None]:
    """Stop working with a partner (Admins): everything shared with it is unshared, and
    the partner's own assignments of those assets end on their next request."""
    partners.remove_partner(actor(request), center(request, center_id), partner_id)
    return Status(204, None)


@router.post("/{center_id}/partners/{partner_id}/shares",
             response={201: ShareOut, 200: ShareOut, **ERRORS})
def share(request: HttpRequest, center_id: int, partner_id: int,
          payload: ShareIn) -> Status[Any]:
    """Share an asset this Business Center owns with the partner at a role (Admins):
    201 when newly shared, 200 when it was shared already and the role is now this one.
    The partner's Admins can assign it to their members, never above this role. Send an
    Idempotency-Key header so a retry shares nothing twice."""
    link = _link(request, center_id, partner_id)  # Admins only, before anything is looked up
    target = link.owner

    def run() -> tuple[int, Any]:
        existed = _shared(link, payload.asset_id)
        done = partners.share(actor(request), target, partner_id, payload.asset_id,
                              payload.roles)
        return (200 if existed else 201), ShareOut.of(done).model_dump(mode="json")

    return Status(*once(request, run))


@router.patch("/{center_id}/partners/{partner_id}/shares/{asset_id}",
              response={200: ShareOut, **ERRORS})
def reshare(request: HttpRequest, center_id: int, partner_id: int, asset_id: int,
            payload: SharePatch) -> ShareOut:
    """Raise or lower the role an asset is shared at (Admins). A lower role applies to
    every member of the partner on their next request."""
    link = _link(request, center_id, partner_id)
    if not _shared(link, asset_id):
        raise NotFound(f"Asset {asset_id} is not shared with {link.partner.name}; share it "
                       "first.")
    return ShareOut.of(partners.share(actor(request), link.owner, partner_id, asset_id,
                                      payload.roles))


@router.delete("/{center_id}/partners/{partner_id}/shares/{asset_id}",
               response={204: None, **ERRORS})
def unshare(request: HttpRequest, center_id: int, partner_id: int,
            asset_id: int) -> Status[None]:
    """Stop sharing an asset with the partner (Admins); the partner's assignments of it
    end too."""
    partners.unshare(actor(request), center(request, center_id), partner_id, asset_id)
    return Status(204, None)


@router.get("/{center_id}/partner-assets", response={200: ReceivedPage, **ERRORS})
def shared_with(request: HttpRequest, center_id: int, paging: Query[Paging]) -> ReceivedPage:
    """Assets other Business Centers share with this one, with the owner and the role
    shared (Admins). Assign them to members with PUT /assets/{asset_id}/grants/{member_id}."""
    found = paginate(partners.shared_with(actor(request), center(request, center_id)),
                     paging.page, paging.page_size)
    return ReceivedPage(items=[ReceivedOut.of(s) for s in found.items],
                        page_info=page_info(found))
