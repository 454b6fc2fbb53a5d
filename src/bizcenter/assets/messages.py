"""Emails to a Business Center's Admins about its partnerships, rendered when delivered.

Each names the other Business Center only once it may be known: the side that was
asked sees the requester's name (the requester chose to reveal it by asking); the
requester learns the other's name only when it accepts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from bizcenter.assets.models import Asset, Partnership
from bizcenter.centers.models import BusinessCenter
from bizcenter.outbox.names import quoted
from bizcenter.outbox.renderers import Rendered, register

# event -> (subject, first line); {other} is the other Business Center, {asset} the asset.
WORDING = {
    "requested": ("{other} asks to be partners with {me}",
                  "{other} asks {me} to be partners{direction}. Nothing is shared until an "
                  "Admin of {me} accepts; decline it if you do not know them."),
    "accepted": ("{other} accepted your partner request",
                 "{other} accepted {me}'s partner request. {next_step}"),
    "declined": ("Your partner request was declined",
                 "The Business Center {me} asked to be partners declined the request."),
    "ended": ("{other} ended the partnership with {me}",
              "{other} ended the partnership with {me}. Nothing is shared between you any "
              "more, and {me}'s assignments of what was shared ended with it."),
    "shared": ("{other} shared {asset} with {me}",
               "{other} shared {asset} with {me} as {roles}. Its Admins can assign it to "
               "members, up to that role."),
    "reshared": ("{other} changed how {asset} is shared with {me}",
                 "{other} now shares {asset} with {me} as {roles}{approval}."),
    "unshared": ("{other} stopped sharing {asset} with {me}",
                 "{other} stopped sharing {asset} with {me}; the members it was assigned to "
                 "lost it."),
    "dropped": ("{other} removed {asset} from its side",
                "{other} removed {asset}, which {me} shared with it, from its side."),
    "access_requested": ("{other} asks {me} for access",
                         "{other} asks {me} for access to {count}. Approve (at that role or "
                         "a lower one) or decline."),
    "access_declined": ("{other} declined access to {asset}",
                        "{other} declined {me}'s request for access to {asset}."),
}


@register("partnership")
def render_partnership(payload: dict[str, Any]) -> Rendered | None:
    event = payload["event"]
    me = BusinessCenter.objects.filter(pk=payload["to_center"]).first()
    if me is None or event not in WORDING:
        return None
    other_pk = payload["partner"] if payload.get("owner") == me.pk else payload["owner"]
    if event == "ended":
        other_pk = payload.get("by", other_pk)
    other = BusinessCenter.objects.filter(pk=other_pk).first() if other_pk else None
    link = (Partnership.objects.filter(owner_id=payload.get("owner"),
                                       partner_id=payload.get("partner")).first())
    if event == "requested" and (link is None or link.status != "PENDING"):
        return None  # answered or cancelled before this went out: nothing to ask any more
    asset_pk = payload.get("asset")
    asset = Asset.objects.filter(pk=int(asset_pk)).first() if asset_pk else None
    share = (link.shares.filter(asset=asset).first() if link is not None and asset else None)
    asks_to_share = payload.get("owner") != me.pk  # we are asked to become the partner
    words = {
        "me": quoted(me.name), "other": quoted(other.name) if other else "A Business Center",
        "asset": quoted(asset.name) if asset else "an asset",
        "roles": ", ".join(share.roles) if share else "",
        "approval": "; their campaign changes need your approval" if share
        and share.needs_approval else "",
        "direction": " (they would share assets with you)" if asks_to_share
        else " (you would share assets with them)",
        "next_step": "Share assets with it from the Partner Business Centers page."
        if payload.get("owner") == me.pk else "They can now share assets with you.",
        "count": f"{len(payload.get('requests', []))} asset(s)",
    }
    subject, first = WORDING[event]
    path = reverse("web:partner_centers", args=[me.pk])
    text = (first.format(**words) + f"\n\nSee it on the Partner Business Centers page: "
            f"{settings.BIZCENTER_BASE_URL}{path}\n")
    return Rendered(subject=subject.format(**words), text=text)
