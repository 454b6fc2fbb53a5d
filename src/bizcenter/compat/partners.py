"""Partner Business Centers: bc/partner/get|add|delete/, bc/partner/asset/get|delete/.

Partnerships need both sides (assets/partners.py): another Business Center is named
only by its public id (19 digits, ``BusinessCenter.public_id``; the row id is refused
with 40002), a request stays PENDING until that Business Center's Admins accept it
(on its Partner Business Centers page), and nothing is shared, nor its name shown,
before then. In TikTok's shapes, with these extras:

- ``relation_status`` on partner rows and on ``bc/partner/add/``'s answer, in TikTok's
  own vocabulary for relations: BOUND (active) or PENDING (waiting for the asked side).
- ``bc/partner/add/`` answers ``{"partner_id", "relation_status"}``. To a Business
  Center that is not a partner yet it sends a request and answers PENDING, byte for byte
  the same whether the id belongs to a Business Center or to none. ``asset_ids`` sent
  with a new request are checked (ours, of ``asset_type``, valid role) and shared the
  moment the partner accepts, as TikTok's do; until then the asked side sees them
  offered with the request. To a partner already BOUND it shares the assets (or
  changes their role), as TikTok's does.
- ``bc/partner/get/`` lists BOUND partners (either way assets flow) by default, and
  PENDING requests with ``filtering={"relation_status": "PENDING"}``. Rows carry
  ``share_types`` (SHARING: this Business Center shares with the partner, SHARED: the
  partner shares with it; the values ``bc/partner/asset/get/`` takes) and, on PENDING
  rows, ``request_direction`` (SENT or RECEIVED). A request this Business Center SENT
  has ``bc_name`` null: the other side is not named until it accepts.
- ``bc/partner/delete/`` ends every partnership with that Business Center, from either
  side, and takes back (SENT) or declines (RECEIVED) a pending request with it.
- ``bc/partner/asset/get/`` takes TikTok's ``share_type``: SHARING (what this Business
  Center shares with the partner) or SHARED (what the partner shares with it).
- ``bc/partner/asset/delete/``: for an asset this Business Center owns, it stops
  sharing it; for one the partner shares with it, it drops it from this side.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bizcenter.assets import partners
from bizcenter.assets.kinds import clean_roles
from bizcenter.assets.models import Partnership, Side
from bizcenter.assets.services import reachable_asset
from bizcenter.centers.models import BusinessCenter
from bizcenter.compat import shapes
from bizcenter.compat.door import Answer, Call, endpoint
from bizcenter.compat.errors import param
from bizcenter.compat.paging import listing, paging, sliced
from bizcenter.compat.params import Params, field_of
from bizcenter.core.errors import Conflict, NotFound

BOUND, PENDING = "BOUND", "PENDING"
RELATION_STATUSES = (BOUND, PENDING)
# TikTok's share_type: SHARED is what a partner shares with you, SHARING what you share.
SHARED, SHARING = "SHARED", "SHARING"
SHARE_TYPES = (SHARED, SHARING)
DEFAULT_ROLES = {"advertiser_role": "ANALYST", "catalog_role": "AD_PROMOTE"}


def _share_type(link: Partnership, center: BusinessCenter) -> str:
    """Which way assets flow through this partnership, seen from ``center``."""
    return SHARING if link.side_of(center) == Side.OWNER else SHARED


def _not_partners(center: BusinessCenter, public_id: str) -> NotFound:
    return NotFound(f"{center.name} has no partnership with Business Center {public_id}. "
                    "Check the id, or send a partner request with bc/partner/add/ and wait "
                    "for its Admins to accept (bc/partner/get/ lists it as BOUND then).")


# -- partners ------------------------------------------------------------------------------


def _bound_rows(call: Call, center: BusinessCenter) -> list[dict[str, Any]]:
    """One row per partner Business Center, whichever way assets flow."""
    rows: dict[str, dict[str, Any]] = {}
    links = [*partners.partners_of(call.actor, center), *partners.owners_of(call.actor, center)]
    for link in links:
        other = link.other(center)
        assert other is not None  # an active partnership has both sides
        row = rows.setdefault(other.public_id, {
            "bc_id": other.public_id, "bc_name": other.name, "relation_status": BOUND,
            "share_types": [], "request_direction": None})
        row["share_types"] = sorted({*row["share_types"], _share_type(link, center)})
    return sorted(rows.values(), key=lambda r: (r["bc_name"].lower(), r["bc_id"]))


def _pending_rows(call: Call, center: BusinessCenter) -> list[dict[str, Any]]:
    """Requests this Business Center sent (the other side unnamed: it has not accepted)
    and requests sent to it (the asker named itself by asking)."""
    rows = []
    for link in partners.requests_from(call.actor, center):
        rows.append({"bc_id": link.asked_for, "bc_name": None, "relation_status": PENDING,
                     "share_types": [_share_type(link, center)], "request_direction": "SENT"})
    for link in partners.requests_to(call.actor, center):
        asker = link.center_on(link.asked_by)
        assert asker is not None  # the side that asked exists
        rows.append({"bc_id": asker.public_id, "bc_name": asker.name,
                     "relation_status": PENDING, "share_types": [_share_type(link, center)],
                     "request_direction": "RECEIVED"})
    return rows


@endpoint("GET")
def partner_get(call: Call) -> dict[str, Any]:
    """BOUND partners (default) or PENDING requests (filtering.relation_status)."""
    center = call.center()
    page = paging(call.params)
    filtering = call.params.obj("filtering")
    name = (field_of(filtering, "name") or field_of(filtering, "keyword") or "").lower()
    status = (field_of(filtering, "relation_status") or BOUND).upper()
    if status not in RELATION_STATUSES:
        raise param(f"'{status}' is not a valid filtering.relation_status. Use BOUND "
                    "(partners) or PENDING (partner requests waiting for an answer).")
    rows = _bound_rows(call, center) if status == BOUND else _pending_rows(call, center)
    if name:
        rows = [r for r in rows if name in (r["bc_name"] or "").lower()]
    chosen, total = sliced(rows, page)
    return listing(chosen, page, total)


def _assets_to_share(p: Params, center: BusinessCenter, asset_ids: list[str]) -> list[str]:
    """The roles to share the assets named at (TikTok's defaults, and a pixel's only
    one, when the body names none), each asset checked to be this Business Center's
    own and of ``asset_type`` (the caller is authorized by then)."""
    kind = p.enum("asset_type", shapes.ASSET_TYPES, required=True)
    assert kind is not None
    roles = clean_roles(kind, shapes.role_of(p.data, kind, DEFAULT_ROLES))
    for asset_id in asset_ids:
        asset, ceiling = reachable_asset(center, asset_id)
        if ceiling is not None:  # a partner's asset shared with us: not ours to share
            raise NotFound(f"No asset with id {asset.pk} in {center.name}.")
        if asset.type != kind:
            raise param(f"Asset {asset_id} is a {asset.type}, not a {kind}.")
    return roles


@endpoint("POST")
def partner_add(call: Call) -> Answer:
    """Ask another Business Center to be a partner, or share more with one that is."""
    center = call.center()
    p = call.params
    partner_id = p.id("partner_id") or ""
    asset_ids = p.ids("asset_ids", required=False, most=50)
    kind = p.enum("asset_type", shapes.ASSET_TYPES, required=bool(asset_ids))
    roles = clean_roles(kind, shapes.role_of(p.data, kind, DEFAULT_ROLES)) if kind else []
    try:
        partners.request_partner(call.actor, center, partner_id,
                                 offer=[(asset_id, roles) for asset_id in asset_ids])
    except Conflict as exc:
        if exc.code != "already_partner" or not asset_ids:
            raise
        _assets_to_share(p, center, asset_ids)
        for asset_id in asset_ids:
            partners.share(call.actor, center, partner_id, asset_id, roles)
        return {"partner_id": partners.clean_public_id(partner_id), "relation_status": BOUND}
    if asset_ids:
        _assets_to_share(p, center, asset_ids)  # of asset_type, or nothing is asked at all
    return {"partner_id": partners.clean_public_id(partner_id), "relation_status": PENDING}


@endpoint("POST")
def partner_delete(call: Call) -> dict[str, Any]:
    """End every partnership with that Business Center, from either side (what was
    shared, and the partner's own assignments of it, go with it), and take back or
    decline a pending request with it."""
    center = call.center()
    partner_id = call.params.id("partner_id") or ""
    done = 0
    for _ in range(2):  # a partnership each way, at most
        try:
            partners.end_partnership(call.actor, center, partner_id)
        except NotFound:
            break
        done += 1
    public_id = partners.clean_public_id(partner_id)  # valid: the service checked it
    for link in partners.requests_from(call.actor, center).filter(asked_for=public_id):
        partners.cancel_request(call.actor, center, link.pk)
        done += 1
    # One side of a request to us is this Business Center: the other is the asker.
    theirs = Q(owner__public_id=public_id) | Q(partner__public_id=public_id)
    for link in partners.requests_to(call.actor, center).filter(theirs):
        partners.decline(call.actor, center, link.pk)
        done += 1
    if not done:
        raise NotFound(f"{center.name} has no partner and no partner request with Business "
                       f"Center {public_id}. Check the id (bc/partner/get/ lists them).")
    return {}


# -- what partners share -------------------------------------------------------------------


def _share_type_param(p: Params) -> str:
    value = (p.text("share_type") or "").upper()
    if value not in SHARE_TYPES:
        raise param("share_type is required: SHARING (the assets this Business Center "
                    "shares with the partner) or SHARED (the assets the partner shares with "
                    "this Business Center).")
    return value


@endpoint("GET")
def partner_asset_get(call: Call) -> dict[str, Any]:
    """SHARING: what we share with the partner; SHARED: what the partner shares with us.
    Only a BOUND partner has any: a pending one answers 40007, as a made-up id does."""
    center = call.center()
    p = call.params
    partner_id = p.id("partner_id") or ""
    kind = p.enum("asset_type", shapes.ASSET_TYPES, required=True)
    share_type = _share_type_param(p)
    page = paging(p)
    keyword = (field_of(p.obj("filtering"), "keyword") or "").lower()
    if share_type == SHARING:  # we own, they are the partner
        links = partners.partners_of(call.actor, center)
        public_id = partners.clean_public_id(partner_id)
        link = links.filter(partner__public_id=public_id).first()
    else:  # they own, we are the partner
        links = partners.owners_of(call.actor, center)
        public_id = partners.clean_public_id(partner_id)
        link = links.filter(owner__public_id=public_id).first()
    if link is None:
        raise _not_partners(center, public_id)
    rows = [shapes.asset_row(s.asset, center, s.roles) for s in link.shares.all()
            if s.asset.type == kind and keyword in s.asset.name.lower()]
    rows.sort(key=lambda r: (r["asset_name"].lower(), int(r["asset_id"])))
    chosen, total = sliced(rows, page)
    return listing(chosen, page, total)


@endpoint("POST")
def partner_asset_delete(call: Call) -> dict[str, Any]:
    """Stop sharing assets this Business Center owns with the partner (its members lose
    them at once), or drop assets the partner shares with it from this side."""
    center = call.center()
    p = call.params
    partner_id = p.id("partner_id") or ""
    kind = p.enum("asset_type", shapes.ASSET_TYPES, required=True)
    asset_ids = p.ids("asset_ids")
    partners.partnership_with(call.actor, center, partner_id)  # authorizes; 40007 if none
    for asset_id in asset_ids:
        asset, ceiling = reachable_asset(center, asset_id)
        if asset.type != kind:
            raise param(f"Asset {asset_id} is a {asset.type}, not a {kind}.")
        if ceiling is None:
            partners.unshare(call.actor, center, partner_id, asset_id)
        else:
            partners.drop_shared(call.actor, center, partner_id, asset_id)
    return {}
