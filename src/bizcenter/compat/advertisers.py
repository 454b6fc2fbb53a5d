"""advertiser/info/: ad accounts' details, for the ad accounts the caller may see."""

from __future__ import annotations

from typing import Any

from bizcenter.assets import services as assets
from bizcenter.assets.kinds import AssetType
from bizcenter.compat import shapes
from bizcenter.compat.door import Call, endpoint
from bizcenter.compat.errors import param
from bizcenter.core.errors import NotFound

FIELDS = ("advertiser_id", "name", "status", "currency", "timezone", "display_timezone",
          "company", "owner_bc_id", "create_time")


@endpoint("GET")
def advertiser_info(call: Call) -> dict[str, Any]:
    center = call.own_center()
    p = call.params
    ids = p.ids("advertiser_ids")
    fields = p.strings("fields")
    if fields is not None and (unknown := sorted(set(fields) - set(FIELDS))):
        raise param(f"Unknown fields: {', '.join(unknown)}. Use any of: {', '.join(FIELDS)}.")
    rows = []
    for advertiser_id in dict.fromkeys(ids):
        asset = assets.get_asset(call.actor, center, advertiser_id)
        if asset.type != AssetType.ADVERTISER:
            raise NotFound(f"No ad account with id {advertiser_id} in {center.name}.")
        owner = asset.center
        row = {"advertiser_id": str(asset.pk), "name": asset.name,
               "status": shapes.ADVERTISER_STATUS[asset.status], "currency": owner.currency,
               "timezone": owner.timezone, "display_timezone": owner.timezone,
               "company": owner.company or owner.name,
               "owner_bc_id": shapes.owner_bc_id(owner, center),
               "create_time": shapes.when(asset.created_at)}
        rows.append({k: v for k, v in row.items() if fields is None or k in fields})
    return {"list": rows}
