"""The web forms that store text people type, and the pages that show it back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# form name -> (url, data with the text in it, the page that shows what was stored)
FORMS: dict[str, Callable[[dict[str, int], str], tuple[str, dict[str, Any], str]]] = {
    "new center name": lambda w, v: ("/centers/new/", {
        "name": v, "company": v, "timezone": "UTC", "currency": "USD"}, "/"),
    "center settings": lambda w, v: (f"/c/{w['center']}/settings/", {
        "name": v, "company": v, "timezone": "UTC", "currency": "USD",
        "two_factor_policy": "NOBODY", "allowed_email_domains": ""},
        f"/c/{w['center']}/settings/"),
    "asset name": lambda w, v: (f"/c/{w['center']}/assets/", {
        "type": "CATALOG", "name": v}, f"/c/{w['center']}/assets/"),
    "group name": lambda w, v: (f"/c/{w['center']}/groups/", {"name": v},
                                f"/c/{w['center']}/groups/"),
    "campaign name": lambda w, v: (f"/c/{w['center']}/campaigns/new/", {
        "advertiser": str(w["ads"]), "name": v, "objective": "TRAFFIC",
        "budget_mode": "BUDGET_MODE_DAY", "budget": "100"}, f"/c/{w['center']}/campaigns/"),
    "top-up note": lambda w, v: (f"/c/{w['center']}/billing/", {
        "step": "topup", "topup-amount": "10", "topup-note": v}, f"/c/{w['center']}/billing/"),
    "invitation addresses": lambda w, v: (f"/c/{w['center']}/partners/add/", {
        "addresses": v, "role": "STANDARD", "modules": ["ANALYTICS"], "kind": "other"},
        f"/c/{w['center']}/partners/invitations/"),
    "API token name": lambda w, v: ("/account/tokens/", {
        "step": "create", "name": v, "center": str(w["center"])}, "/account/tokens/"),
}
