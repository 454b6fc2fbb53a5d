"""Partner Business Centers: partnerships both sides agree to, and what flows through them.

Other Business Centers are named only by their public id (19 digits, shown in their
Settings), never by the row id this server keeps for them. A request this Business
Center sent shows only the id typed until the other side's Admins accept it, so asking
tells nothing about whether the id exists; a request to this one shows who asks. The
routes translate to the services of ``bizcenter.assets.partners``, which decide access
and write everything (Admins, with the ``asset.manage`` right).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from bizcenter.api.auth import actor, center
from bizcenter.api.idempotency import once
from bizcenter.api.schemas import (
    ERRORS,
    PageInfo,
    Paging,
    Schema,
    page_info,
)
from bizcenter.assets import partners
from bizcenter.assets.models import (
    AccessRequest,
    Asset,
    PartnerShare,
    Partnership,
    PartnershipStatus,
)
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput, NotFound
from bizcenter.core.pagination import paginate

router = Router(tags=["Partners"])

PUBLIC_ID = ("A Business Center's public id: 19 digits, shown in its Settings (spaces and "
             "dashes are ignored).")
Direction = Literal["incoming", "outgoing"]


# -- shapes ----------------------------------------------------------------------------


class CenterRef(Schema):
    """Another (or this) Business Center as partners know it: by public id and name."""

    id: str = Field(description=PUBLIC_ID)
    name: str

    @staticmethod
    def of(c: BusinessCenter) -> CenterRef:
        return CenterRef(id=c.public_id, name=c.name)


class SharedAssetOut(Schema):
    """An asset in a partnership. Unlike the assets list, no Business Center row id: the
    owner is named by the partnership around it."""

    id: str
    type: str  # ADVERTISER (ad account), TT_ACCOUNT, CATALOG or PIXEL
    name: str
    status: str

    @staticmethod
    def of(a: Asset) -> SharedAssetOut:
        return SharedAssetOut(id=str(a.pk), type=a.type, name=a.name, status=a.status)


class ShareOut(Schema):
    asset: SharedAssetOut
    roles: list[str] = Field(description="The most the partner's members can be given.")
    needs_approval: bool = Field(description=(
        "On: the partner's campaign changes in this ad account, even its Admins', wait "
        "for the owner's approval. Off: they apply, and the owner's log shows them."))
    shared_at: datetime
    shared_by: str | None = Field(description="The name of the person who shared it.")

    @staticmethod
    def of(s: PartnerShare) -> ShareOut:
        return ShareOut(asset=SharedAssetOut.of(s.asset), roles=list(s.roles),
                        needs_approval=s.needs_approval, shared_at=s.shared_at,
                        shared_by=s.shared_by.name if s.shared_by else None)


class PartnerOut(Schema):
    """An active partnership, seen from this Business Center."""

    id: str = Field(description="The other Business Center's public id.")
    name: str = Field(description="The other Business Center's name.")
    our_side: str = Field(description="OWNER: this Business Center shares its assets; "
                                      "PARTNER: it works on the other's.")
    owner: CenterRef
    partner: CenterRef
    since: datetime = Field(description="When the other side accepted.")
    shares: list[ShareOut]

    @staticmethod
    def of(link: Partnership, here: BusinessCenter) -> PartnerOut:
        assert link.owner is not None and link.partner is not None  # active: both sides
        other = link.other(here)
        assert other is not None
        shares = sorted(link.shares.all(), key=lambda s: (s.asset.name, s.asset_id))
        return PartnerOut(id=other.public_id, name=other.name, our_side=link.side_of(here),
                          owner=CenterRef.of(link.owner), partner=CenterRef.of(link.partner),
                          since=link.accepted_at or link.created_at,
                          shares=[ShareOut.of(s) for s in shares])


class PartnerPage(Schema):
    items: list[PartnerOut]
    page_info: PageInfo


class AskedAssetOut(Schema):
    asset_id: str = Field(description="An asset id of the owner.")
    roles: list[str]


class RequestOut(Schema):
    """A partner request waiting for the asked side's Admins. One this Business Center
    sent names the other side only by the id typed (partner_name is null) until it is
    accepted; one sent to it names who asks."""

    id: str
    status: str = Field(description="PENDING until accepted (it then becomes the "
                                    "partnership) or declined or cancelled (it is gone).")
    direction: Direction
    asked_by: str = Field(description="OWNER: the asking side will share its assets; "
                                      "PARTNER: it asks to work on the other's.")
    partner_id: str = Field(description="The other Business Center's public id; for a "
                                        "request sent, the id as typed.")
    partner_name: str | None = Field(description="The asking Business Center's name, on "
                                                 "requests to this one; null on requests "
                                                 "it sent.")
    requested_by: str | None = Field(description="The name of the person who asked.")
    message: str
    asked_assets: list[AskedAssetOut]
    requested_at: datetime

    @staticmethod
    def of(link: Partnership, here: BusinessCenter) -> RequestOut:
        sent = link.side_of(here) == link.asked_by
        asker = link.center_on(link.asked_by)
        if sent:
            other_id, other_name = link.asked_for, None
        else:
            assert asker is not None  # the asking side always exists
            other_id, other_name = asker.public_id, asker.name
        return RequestOut(
            id=str(link.pk), status=link.status, direction="outgoing" if sent else "incoming",
            asked_by=link.asked_by, partner_id=other_id, partner_name=other_name,
            requested_by=link.requested_by.name if link.requested_by else None,
            message=link.message,
            asked_assets=[AskedAssetOut(asset_id=str(a["asset_id"]), roles=list(a["roles"]))
                          for a in link.asked_assets],
            requested_at=link.created_at)


class RequestPage(Schema):
    items: list[RequestOut]
    page_info: PageInfo


class ReceivedOut(Schema):
    """An asset another Business Center shares with this one ("owned by partner")."""

    owner: CenterRef
    asset: SharedAssetOut
    roles: list[str] = Field(description="The most this Business Center's members can be "
                                         "given.")
    needs_approval: bool
    shared_at: datetime

    @staticmethod
    def of(s: PartnerShare) -> ReceivedOut:
        owner = s.partnership.owner
        assert owner is not None
        return ReceivedOut(owner=CenterRef.of(owner), asset=SharedAssetOut.of(s.asset),
                           roles=list(s.roles), needs_approval=s.needs_approval,
                           shared_at=s.shared_at)


class ReceivedPage(Schema):
    items: list[ReceivedOut]
    page_info: PageInfo


class AccessRequestOut(Schema):
    """A partner asking the owner for one asset at a role."""

    id: str
    state: str = Field(description="PENDING, APPROVED, DECLINED or WITHDRAWN.")
    direction: Direction
    owner: CenterRef
    partner: CenterRef
    asset_id: str
    asset: SharedAssetOut | None = Field(description="Its name and kind: always for the "
                                         "owner; for the partner only once approved, so "
                                         "asking never tells a partner what an id is.")
    roles: list[str] = Field(description="The roles asked for.")
    granted_roles: list[str] = Field(description="What the owner gave on approval: the "
                                                 "roles asked for, or lower ones.")
    message: str
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None

    @staticmethod
    def of(r: AccessRequest, here: BusinessCenter) -> AccessRequestOut:
        link = r.partnership
        assert link.owner is not None and link.partner is not None
        return AccessRequestOut(
            id=str(r.pk), state=r.state,
            direction="incoming" if link.owner_id == here.pk else "outgoing",
            owner=CenterRef.of(link.owner), partner=CenterRef.of(link.partner),
            asset_id=str(r.asset_id),
            asset=SharedAssetOut.of(r.asset) if r.named_for(here) else None, roles=list(r.roles),
            granted_roles=list(r.granted_roles), message=r.message,
            requested_by=r.requested_by.name if r.requested_by else None,
            requested_at=r.requested_at,
            decided_by=r.decided_by.name if r.decided_by else None, decided_at=r.decided_at)


class AccessRequestPage(Schema):
    items: list[AccessRequestOut]
    page_info: PageInfo


class AskOut(Schema):
    """What asking an owner for assets made: with an active partnership, one access
    request per asset; otherwise a partner request carrying the assets, which become
    access requests once the owner's Admins accept it."""

    status: str = Field(description="ACTIVE: already partners; PENDING: a partner request "
                                    "was sent.")
    partner_request: RequestOut | None
    access_requests: list[AccessRequestOut]

    @staticmethod
    def of(link: Partnership, here: BusinessCenter, who: Actor,
           asset_ids: list[str]) -> AskOut:
        """``asset_ids``: as sent to ask_for_access, which read them already."""
        if link.status != PartnershipStatus.ACTIVE:
            return AskOut(status=link.status, partner_request=RequestOut.of(link, here),
                          access_requests=[])
        made = partners.access_requests(who, here, incoming=False).filter(
            partnership=link, asset_id__in={int(str(i).strip()) for i in asset_ids})
        return AskOut(status=link.status, partner_request=None,
                      access_requests=[AccessRequestOut.of(r, here) for r in made])


class OfferIn(Schema):
    asset_id: str
    roles: list[str]


class PartnerRequestIn(Schema):
    partner_id: str = Field(description=PUBLIC_ID)
    message: str = ""
    offer: list[OfferIn] = Field(default_factory=list, max_length=100, description=(
        "Assets of this Business Center to share the moment the other side accepts, at "
        "these roles; the other side sees them with the request."))
    needs_approval: bool = Field(False, description=(
        "For the offered assets: whether the partner's campaign changes wait for this "
        "Business Center's approval."))

    model_config = {"json_schema_extra": {"examples": [
        {"partner_id": "4829105738291047561", "message": "Brand Co's spring campaigns"},
        {"partner_id": "4829105738291047561", "offer": [
            {"asset_id": "12", "roles": ["OPERATOR"]}], "needs_approval": True}]}}


class ShareIn(Schema):
    asset_id: str
    roles: list[str]
    needs_approval: bool | None = Field(None, description=(
        "Whether the partner's campaign changes wait for this Business Center's approval; "
        "left out: off for a new share, unchanged for one shared already."))

    model_config = {"json_schema_extra": {"examples": [
        {"asset_id": "12", "roles": ["OPERATOR"]},
        {"asset_id": "12", "roles": ["OPERATOR"], "needs_approval": True},
        {"asset_id": "31", "roles": ["POST"]}]}}


class SharePatch(Schema):
    roles: list[str] | None = None
    needs_approval: bool | None = None

    model_config = {"json_schema_extra": {"examples": [
        {"roles": ["ANALYST"]}, {"needs_approval": True}]}}


class AskIn(Schema):
    owner_id: str = Field(description="The owner's public id. " + PUBLIC_ID)
    asset_ids: list[str] = Field(description="The owner's asset ids (ask the owner).")
    role: str = Field(description="The role asked for on each, e.g. OPERATOR.")
    message: str = ""

    model_config = {"json_schema_extra": {"examples": [
        {"owner_id": "4829105738291047561", "asset_ids": ["12"], "role": "OPERATOR",
         "message": "For the summer campaigns"}]}}


class DecideIn(Schema):
    roles: list[str] | None = Field(None, description="Approve at these roles (the ones "
                                                       "asked for, or lower); left out: "
                                                       "as asked.")

    model_config = {"json_schema_extra": {"examples": [{}, {"roles": ["ANALYST"]}]}}


class DirectionFilter(Schema):
    direction: Direction = "incoming"
    page: int = 1
    page_size: int = 50


class AccessFilter(Schema):
    direction: Direction = "incoming"
    state: str = Field("PENDING", description="PENDING (default), APPROVED, DECLINED, "
                                              "WITHDRAWN, or ALL.")
    page: int = 1
    page_size: int = 50


def request_state(value: str) -> str | None:
    text = value.strip().upper()
    if text in ("", "ALL"):
        return None
    if text not in ("PENDING", "APPROVED", "DECLINED", "WITHDRAWN"):
        raise InvalidInput(f"'{value[:40]}' is not a state; use PENDING, APPROVED, DECLINED, "
                           "WITHDRAWN or ALL.", fields={"state": "a request state"})
    return text


def _share_of(link: Partnership, asset_id: object) -> PartnerShare | None:
    return next((s for s in link.shares.all() if str(s.asset_id) == str(asset_id)), None)


# -- partnerships ----------------------------------------------------------------------


def _partner_page(request: HttpRequest, center_id: int, paging: Paging,
                  read: Callable[[Actor, BusinessCenter], QuerySet[Partnership]]
                  ) -> PartnerPage:
    """A page of active partnerships from either side, each with what it shares."""
    here = center(request, center_id)
    found = paginate(read(actor(request), here).select_related("owner", "partner")
                     .prefetch_related("shares__shared_by"), paging.page, paging.page_size)
    return PartnerPage(items=[PartnerOut.of(p, here) for p in found.items],
                       page_info=page_info(found))


@router.get("/{center_id}/partners", response={200: PartnerPage, **ERRORS})
def list_partners(request: HttpRequest, center_id: int, paging: Query[Paging]) -> PartnerPage:
    """The partner Business Centers this one shares assets with (it is the owner), by
    public id and name, each with what it shares, at which role, and whether changes
    need approval (Admins). The Business Centers sharing with this one:
    GET /partner-owners."""
    return _partner_page(request, center_id, paging, partners.partners_of)


@router.get("/{center_id}/partner-owners", response={200: PartnerPage, **ERRORS})
def list_owners(request: HttpRequest, center_id: int, paging: Query[Paging]) -> PartnerPage:
    """The Business Centers that made this one their partner (its clients), each with
    what it shares with this one (Admins)."""
    return _partner_page(request, center_id, paging, partners.owners_of)


@router.post("/{center_id}/partners", response={202: RequestOut, **ERRORS})
def request_partner(request: HttpRequest, center_id: int,
                    payload: PartnerRequestIn) -> Status[Any]:
    """Ask another Business Center, by its public id, to become this one's partner, so
    that this one can share assets with it (Admins). 202: the request waits for the
    other side's Admins, and the answer is the same whether or not the id belongs to a
    Business Center. 400 for an id that is not 19 digits or is this Business Center's
    own; 409 already_partner, already_requested (this one asked already), or
    asked_by_them (they asked first: accept theirs). Send an Idempotency-Key header so a
    retry asks once."""
    here = center(request, center_id)

    def run() -> tuple[int, Any]:
        link = partners.request_partner(
            actor(request), here, payload.partner_id, message=payload.message,
            offer=[(o.asset_id, o.roles) for o in payload.offer],
            needs_approval=payload.needs_approval)
        return 202, RequestOut.of(link, here).model_dump(mode="json")

    return Status(*once(request, run))


@router.get("/{center_id}/partners/{partner_id}", response={200: PartnerOut, **ERRORS})
def get_partner(request: HttpRequest, center_id: int, partner_id: str) -> PartnerOut:
    """One active partnership, from either side, by the other Business Center's public
    id: both names and ids, and what is shared (Admins)."""
    here = center(request, center_id)
    return PartnerOut.of(partners.partnership_with(actor(request), here, partner_id), here)


@router.delete("/{center_id}/partners/{partner_id}", response={204: None, **ERRORS})
def end_partnership(request: HttpRequest, center_id: int, partner_id: str) -> Status[None]:
    """End a partnership, from either side, by the other's public id (Admins): every
    shared asset goes, and the partner's members lose them on their very next request.
    Both logs record it and the other side's Admins are emailed."""
    partners.end_partnership(actor(request), center(request, center_id), partner_id)
    return Status(204, None)


# -- partner requests ------------------------------------------------------------------


@router.get("/{center_id}/partner-requests", response={200: RequestPage, **ERRORS})
def list_requests(request: HttpRequest, center_id: int,
                  filters: Query[DirectionFilter]) -> RequestPage:
    """Pending partner requests: incoming (default), which this Business Center's Admins
    are asked to accept or decline, naming who asks; or outgoing, which it sent, naming
    only the id typed (Admins)."""
    here, who = center(request, center_id), actor(request)
    rows = (partners.requests_to(who, here) if filters.direction == "incoming"
            else partners.requests_from(who, here))
    found = paginate(rows, filters.page, filters.page_size)
    return RequestPage(items=[RequestOut.of(r, here) for r in found.items],
                       page_info=page_info(found))


@router.post("/{center_id}/partner-requests/{partner_request_id}/accept",
             response={200: PartnerOut, **ERRORS})
def accept(request: HttpRequest, center_id: int, partner_request_id: int) -> Status[Any]:
    """Accept a partner request sent to this Business Center (Admins): the partnership is
    active and both sides see each other's name. Assets the partner asked for with it
    become access requests for the owner's Admins. 404 for a request not sent to this
    Business Center."""
    here = center(request, center_id)

    def run() -> tuple[int, Any]:
        link = partners.accept(actor(request), here, partner_request_id)
        return 200, PartnerOut.of(link, here).model_dump(mode="json")

    return Status(*once(request, run))


@router.post("/{center_id}/partner-requests/{partner_request_id}/decline",
             response={204: None, **ERRORS})
def decline(request: HttpRequest, center_id: int, partner_request_id: int) -> Status[None]:
    """Decline a partner request sent to this Business Center (Admins); the asking side's
    Admins are told. 404 for a request not sent to it."""
    partners.decline(actor(request), center(request, center_id), partner_request_id)
    return Status(204, None)


@router.delete("/{center_id}/partner-requests/{partner_request_id}",
               response={204: None, **ERRORS})
def cancel(request: HttpRequest, center_id: int, partner_request_id: int) -> Status[None]:
    """Cancel a partner request this Business Center sent, before it is answered
    (Admins). 404 for a request it did not send."""
    partners.cancel_request(actor(request), center(request, center_id), partner_request_id)
    return Status(204, None)


# -- shares (the owner's side) ---------------------------------------------------------


@router.post("/{center_id}/partners/{partner_id}/shares",
             response={201: ShareOut, 200: ShareOut, **ERRORS})
def share(request: HttpRequest, center_id: int, partner_id: str,
          payload: ShareIn) -> Status[Any]:
    """Share an asset this Business Center owns with a partner at a role (Admins): 201
    when newly shared, 200 when it was shared already and now has this role (and
    needs_approval, when sent). The partner's Admins can assign it to their members,
    never above this role; a lower role applies to all of them on their next request.
    Send an Idempotency-Key header so a retry shares once."""
    here, who = center(request, center_id), actor(request)

    def run() -> tuple[int, Any]:
        # Authorized and looked up by the service first: a refusal never tells anything.
        existed = _share_of(partners.partnership_with(who, here, partner_id),
                            payload.asset_id) is not None
        done = partners.share(who, here, partner_id, payload.asset_id, payload.roles,
                              needs_approval=payload.needs_approval)
        return (200 if existed else 201), ShareOut.of(done).model_dump(mode="json")

    return Status(*once(request, run))


@router.patch("/{center_id}/partners/{partner_id}/shares/{asset_id}",
              response={200: ShareOut, **ERRORS})
def reshare(request: HttpRequest, center_id: int, partner_id: str, asset_id: int,
            payload: SharePatch) -> ShareOut:
    """Change the role or the approval option of an asset already shared (Admins); only
    the fields sent change. A lower role applies to every member of the partner on their
    next request. 404 when the asset is not shared with this partner."""
    here, who = center(request, center_id), actor(request)
    link = partners.partnership_with(who, here, partner_id)
    current = _share_of(link, asset_id) if link.owner_id == here.pk else None
    if current is None:
        other = link.other(here)
        raise NotFound(f"No asset with id {asset_id} is shared with "
                       f"{other.name if other else 'this partner'}; share it first.")
    roles = payload.roles if payload.roles is not None else list(current.roles)
    return ShareOut.of(partners.share(who, here, partner_id, asset_id, roles,
                                      needs_approval=payload.needs_approval))


@router.delete("/{center_id}/partners/{partner_id}/shares/{asset_id}",
               response={204: None, **ERRORS})
def unshare(request: HttpRequest, center_id: int, partner_id: str,
            asset_id: int) -> Status[None]:
    """Stop sharing an asset with a partner (Admins); the partner's assignments of it end,
    on its members' next request."""
    partners.unshare(actor(request), center(request, center_id), partner_id, asset_id)
    return Status(204, None)


# -- what partners share with this one -------------------------------------------------


@router.get("/{center_id}/partner-assets", response={200: ReceivedPage, **ERRORS})
def shared_with(request: HttpRequest, center_id: int, paging: Query[Paging]) -> ReceivedPage:
    """Assets other Business Centers share with this one, with the owner (public id and
    name), the role shared and whether changes need the owner's approval (Admins).
    Assign them to members with PUT /assets/{asset_id}/grants/{member_id}."""
    found = paginate(partners.shared_with(actor(request), center(request, center_id)),
                     paging.page, paging.page_size)
    return ReceivedPage(items=[ReceivedOut.of(s) for s in found.items],
                        page_info=page_info(found))


@router.delete("/{center_id}/partner-assets/{owner_id}/{asset_id}",
               response={204: None, **ERRORS})
def drop_shared(request: HttpRequest, center_id: int, owner_id: str,
                asset_id: int) -> Status[None]:
    """Remove one asset an owner shares from this Business Center's side (Admins): this
    Business Center's members lose it on their next request, and the owner's Admins are
    told. owner_id is the owner's public id."""
    partners.drop_shared(actor(request), center(request, center_id), owner_id, asset_id)
    return Status(204, None)


# -- access requests -------------------------------------------------------------------


@router.post("/{center_id}/access-requests", response={202: AskOut, **ERRORS})
def ask_for_access(request: HttpRequest, center_id: int, payload: AskIn) -> Status[Any]:
    """Ask an owner, by its public id, for some of its assets at a role (Admins). When
    the two are partners already, each asset becomes an access request the owner's
    Admins approve (possibly at a lower role) or decline; otherwise this sends a partner
    request carrying the assets, answered the same whether or not the id exists. 409
    already_requested or already_shared (ask for a higher role). Send an Idempotency-Key
    header so a retry asks once."""
    here, who = center(request, center_id), actor(request)

    def run() -> tuple[int, Any]:
        link = partners.ask_for_access(who, here, payload.owner_id, payload.asset_ids,
                                       payload.role, message=payload.message)
        return 202, AskOut.of(link, here, who, payload.asset_ids).model_dump(mode="json")

    return Status(*once(request, run))


@router.get("/{center_id}/access-requests", response={200: AccessRequestPage, **ERRORS})
def list_access_requests(request: HttpRequest, center_id: int,
                         filters: Query[AccessFilter]) -> AccessRequestPage:
    """Access requests: incoming (default), partners asking this Business Center for its
    assets; or outgoing, this one asking its owners. state: PENDING (default), APPROVED,
    DECLINED, WITHDRAWN, or ALL (Admins)."""
    here = center(request, center_id)
    found = paginate(partners.access_requests(actor(request), here,
                                              incoming=filters.direction == "incoming",
                                              state=request_state(filters.state)),
                     filters.page, filters.page_size)
    return AccessRequestPage(items=[AccessRequestOut.of(r, here) for r in found.items],
                             page_info=page_info(found))


@router.post("/{center_id}/access-requests/{access_request_id}/approve",
             response={200: AccessRequestOut, **ERRORS})
def approve_access(request: HttpRequest, center_id: int, access_request_id: int,
                   payload: DecideIn) -> AccessRequestOut:
    """Approve a partner's access request (Admins of the owner): the asset is shared at
    the roles asked for, or at the lower ones sent. 409 decided when it was already
    answered or withdrawn."""
    here = center(request, center_id)
    return AccessRequestOut.of(partners.decide_access(
        actor(request), here, access_request_id, approve=True, roles=payload.roles), here)


@router.post("/{center_id}/access-requests/{access_request_id}/decline",
             response={200: AccessRequestOut, **ERRORS})
def decline_access(request: HttpRequest, center_id: int,
                   access_request_id: int) -> AccessRequestOut:
    """Decline a partner's access request (Admins of the owner); the partner's Admins are
    told. 409 decided when it was already answered or withdrawn."""
    here = center(request, center_id)
    return AccessRequestOut.of(partners.decide_access(
        actor(request), here, access_request_id, approve=False), here)


@router.delete("/{center_id}/access-requests/{access_request_id}",
               response={200: AccessRequestOut, **ERRORS})
def withdraw_access(request: HttpRequest, center_id: int,
                    access_request_id: int) -> AccessRequestOut:
    """Withdraw an access request this Business Center sent, before the owner decides
    (Admins). 409 decided when it was already answered."""
    here = center(request, center_id)
    return AccessRequestOut.of(partners.withdraw_access(actor(request), here,
                                                        access_request_id), here)

