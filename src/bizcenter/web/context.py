"""Template context for the layout: the Business Center navigation and switcher.

Each link is shown only when the engine allows its action, so a Standard
member never sees an Admin-only button; the page behind it still checks on
its own, this only keeps the menu honest.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import check
from bizcenter.centers.choices import Role
from bizcenter.centers.services import memberships_of

# (url name, label, the action the page needs, section key)
SECTIONS = (
    # What partners work in first, then what Admins manage.
    ("web:center", "My access", Action.CENTER_VIEW, "mine"),
    ("web:campaigns", "Campaigns", Action.CAMPAIGN_VIEW, "campaigns"),
    ("web:reports", "Reports", Action.REPORT_VIEW, "reports"),
    ("web:billing", "Billing", Action.BILLING_VIEW, "billing"),
    ("web:assets", "Assets", Action.ASSET_VIEW, "assets"),
    ("web:members", "Partners", Action.MEMBER_VIEW, "partners"),
    ("web:partner_centers", "Partner Business Centers", Action.ASSET_MANAGE, "partner_centers"),
    ("web:groups", "Asset groups", Action.ASSET_MANAGE, "groups"),
    ("web:troubleshoot", "Troubleshooter", Action.MEMBER_VIEW, "troubleshoot"),
    ("web:review", "Access review", Action.MEMBER_MANAGE, "review"),
    ("web:activity", "Activity log", Action.ACTIVITY_VIEW, "activity"),
    ("web:settings", "Settings", Action.SETTINGS_MANAGE, "settings"),
)


def center_nav(request: HttpRequest) -> dict[str, Any]:
    center = getattr(request, "bizcenter_center", None)
    if center is None or not request.user.is_authenticated:
        return {}
    user = request.user
    nav: list[dict[str, Any]] = [
        {"url": reverse(name, args=[center.pk]), "label": label, "key": key}
        for name, label, action, key in SECTIONS
        if check(user, action, center)  # type: ignore[arg-type]
    ]
    current = _current(request, center, nav)
    for item in nav:
        item["current"] = item is current
    # Three columns, not the memberships and their centers as models: this runs on
    # every page, and building the models was most of its cost.
    switch = [{"id": center_id, "name": name, "role": Role(role).label}
              for center_id, name, role in memberships_of(
                  request.user).values_list("center_id", "center__name", "role")]  # type: ignore[arg-type]
    # Where the viewer may go: a breadcrumb links a section only when it is one of these.
    may_open = {item["key"] for item in nav}
    return {"center_nav": nav, "center_switch": switch, "current_center": center,
            "may_open": may_open}


def _current(request: HttpRequest, center: Any, nav: list[dict[str, Any]]
             ) -> dict[str, Any] | None:
    """The section this page belongs to: the one whose address is the longest prefix of
    the page's. My access (the Business Center's own address, a prefix of every page)
    is current only on itself and on the viewer's own detail, so an asset page or a
    refusal is never shown as My access; a page of a section the viewer cannot open
    marks none."""
    mine = next((item for item in nav if item["key"] == "mine"), None)
    if mine is not None and request.path == mine["url"]:
        return mine
    found = max((item for item in nav if item is not mine
                 and request.path.startswith(item["url"])),
                key=lambda item: len(item["url"]), default=None)
    if found is None and mine is not None:
        snap = snapshot.get(request.user.pk, center.pk)  # type: ignore[arg-type]
        own = (reverse("web:member", args=[center.pk, snap.membership_id])
               if snap is not None and snap.membership_id else None)
        if request.path == own:
            return mine
    return found
