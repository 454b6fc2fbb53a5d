"""Partner Business Centers: bc/partner/get|add|delete/, bc/partner/asset/get|delete/.

``bc/partner/add/`` adds the partner and shares the assets given, at the role
given, in one transaction; called again for a partner already added, it
shares more assets (or changes the role they are shared at), as TikTok's does.
"""

from __future__ import annotations

from typing import Any

from bizcenter.assets import partners
from bizcenter.assets.services import reachable_asset
from bizcenter.compat import shapes
from bizcenter.compat.door import Call, endpoint
from bizcenter.compat.errors import param
from bizcenter.compat.paging import listing, paging, sliced
from bizcenter.compat.params import field_of
from bizcenter.core.errors import Conflict, NotFound

SHARE_TYPES = ("SHARED", "RECEIVED")
DEFAULT_ROLES = {"advertiser_role": "ANALYST", "catalog_role": "AD_PROMOTE"}


@endpoint("GET")
def partner_get(call: Call) -> dict[str, Any]:
    center = call.center()
    page = paging(call.params)
    filtering = call.params.obj("filtering")
    name = (field_of(filtering, "name") or field_of(filtering, "keyword") or "").lower()
    rows = [{"bc_id": str(link.partner_id), "bc_name": link.partner.name}
            for link in partners.partners_of(call.actor, center)
            if name in link.partner.name.lower()]
    chosen, total = sliced(rows, page)
    return listing(chosen, page, total)


@endpoint("POST")
def partner_add(call: Call) -> dict[str, Any]:
    center = call.center()
    p = call.params
    partner_id = p.id("partner_id") or ""
    kind = p.enum("asset_type", shapes.ASSET_TYPES, required=True) or ""
    asset_ids = p.ids("asset_ids", required=False)
    try:
        partners.add_partner(call.actor, center, partner_id)
    except Conflict as exc:
        if exc.code != "already_partner" or not asset_ids:
            raise
    roles = shapes.role_of(p.data, kind, DEFAULT_ROLES)
    for asset_id in asset_ids:
        asset, _ = reachable_asset(center, asset_id)
        if asset.type != kind:
            raise param(f"Asset {asset_id} is a {asset.type}, not a {kind}.")
        partners.share(call.actor, center, partner_id, asset_id, roles)
    return {}


@endpoint("POST")
def partner_delete(call: Call) -> dict[str, Any]:
    """Remove the partner: what was shared with it, and its own assignments of those
    assets, go with it."""
    center = call.center()
    partners.remove_partner(call.actor, center, call.params.id("partner_id") or "")
    return {}


@endpoint("GET")
def partner_asset_get(call: Call) -> dict[str, Any]:
    """SHARED: what we share with the partner; RECEIVED: what the partner shares with us."""
    center = call.center()
    p = call.params
    partner_id = p.id("partner_id") or ""
    kind = p.enum("asset_type", shapes.ASSET_TYPES, required=True)
    share_type = p.enum("share_type", SHARE_TYPES, default="SHARED")
    page = paging(p)
    keyword = (field_of(p.obj("filtering"), "keyword") or "").lower()
    if share_type == "SHARED":
        link = next((link for link in partners.partners_of(call.actor, center)
                     if str(link.partner_id) == partner_id), None)
        if link is None:
            raise NotFound(f"Business Center {partner_id} is not a partner of {center.name}.")
        shares = list(link.shares.all())
    else:
        shares = [s for s in partners.shared_with(call.actor, center)
                  if str(s.partnership.owner_id) == partner_id]
    rows = [shapes.asset_row(s.asset, center, s.roles) for s in shares
            if s.asset.type == kind and keyword in s.asset.name.lower()]
    chosen, total = sliced(rows, page)
    return listing(chosen, page, total)


@endpoint("POST")
def partner_asset_delete(call: Call) -> dict[str, Any]:
    """Stop sharing assets with the partner; its own assignments of them end too."""
    center = call.center()
    p = call.params
    partner_id = p.id("partner_id") or ""
    p.enum("asset_type", shapes.ASSET_TYPES, required=True)
    for asset_id in p.ids("asset_ids"):
        partners.unshare(call.actor, center, partner_id, asset_id)
    return {}
