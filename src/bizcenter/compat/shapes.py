"""Our objects in TikTok's field names and enum values."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bizcenter.assets.kinds import RULES, AssetType
from bizcenter.assets.models import Asset
from bizcenter.centers import enddates
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.compat.errors import param
from bizcenter.invitations.models import Invitation

# TikTok's ad account statuses for ours; a closed account has no TikTok name.
ADVERTISER_STATUS = {"ACTIVE": "STATUS_ENABLE", "DISABLED": "STATUS_DISABLE",
                     "CLOSED": "STATUS_CLOSED"}
ASSET_TYPES = tuple(AssetType.values)
# The role field of each asset type in TikTok's bodies and answers.
ROLE_FIELD: dict[str, str] = {AssetType.ADVERTISER: "advertiser_role",
                               AssetType.CATALOG: "catalog_role",
                               AssetType.TT_ACCOUNT: "tt_account_roles"}


def when(moment: datetime | None) -> str | None:
    """TikTok's times: ``YYYY-MM-DD HH:MM:SS`` in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else None


def amount(value: Decimal | None) -> float | None:
    """TikTok's amounts are JSON numbers; two decimals survive the float exactly as text."""
    return None if value is None else float(value)


def finance(role: str) -> dict[str, str | None]:
    return {"finance_role": role or None}


def bc_row(center: BusinessCenter, membership: Membership | None) -> dict[str, Any]:
    return {
        "bc_info": {"bc_id": str(center.pk), "name": center.name, "company": center.company,
                    "currency": center.currency, "timezone": center.timezone,
                    "status": "ENABLE", "type": "NORMAL", "registered_area": None},
        "user_role": membership.role if membership else None,
        "ext_user_role": finance(membership.finance_role if membership else ""),
    }


def member_row(m: Membership, center: BusinessCenter) -> dict[str, Any]:
    """A member: BOUND while their access is current, UNBOUND once revoked or ended.
    ``membership_last_day`` is bizcenter's own (TikTok's members do not end): the last
    day of access, inclusive, in the time zone of ``center`` (theirs), or None."""
    user = m.user
    return {"user_id": str(m.pk), "user_name": user.name, "user_email": user.email,
            "user_phone": user.phone,
            "relation_status": "BOUND" if m.is_current else "UNBOUND",
            "user_role": m.role, "ext_user_role": finance(m.finance_role),
            "membership_last_day": _day(enddates.last_day(m.expires_at, center))}


def invitation_row(inv: Invitation, center: BusinessCenter) -> dict[str, Any]:
    """A pending invitation is a PENDING member; it has no member id until accepted.
    ``membership_last_day``: the last day of the membership it gives, as on members."""
    email = inv.address if inv.address_kind == "email" else None
    return {"user_id": None, "user_name": "", "user_email": email,
            "user_phone": None if email else inv.address, "relation_status": "PENDING",
            "user_role": inv.role, "ext_user_role": finance(inv.finance_role),
            "membership_last_day": _day(enddates.last_day(inv.membership_expires_at, center))}


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def admin_roles(asset_type: str) -> list[str]:
    """What an Admin holds on an asset its Business Center owns: every role of the type."""
    rule = RULES[asset_type]
    return list(rule.roles) if rule.many else [rule.roles[0]]


def roles_fields(asset_type: str, roles: Iterable[str]) -> dict[str, Any]:
    """Roles in the asset type's own TikTok field (a pixel has none)."""
    field = ROLE_FIELD.get(asset_type)
    if field is None:
        return {}
    ordered = sorted(roles, key=RULES[asset_type].roles.index)
    if field == "tt_account_roles":
        return {field: ordered}
    return {field: ordered[0] if ordered else None}


def owner_bc_id(owner: BusinessCenter, center: BusinessCenter) -> str:
    """This Business Center's own id (as ``bc_id`` takes it) for what it owns, a partner's
    public id (as bc/partner/get/ lists it) for what a partner shares; never another
    Business Center's row id."""
    return str(owner.pk) if owner.pk == center.pk else owner.public_id


def asset_row(asset: Asset, center: BusinessCenter, roles: Iterable[str] | None = None
              ) -> dict[str, Any]:
    own = asset.center_id == center.pk
    row: dict[str, Any] = {
        "asset_id": str(asset.pk), "asset_name": asset.name, "asset_type": asset.type,
        "relation_type": "OWNER_BC" if own else "OWNER_PARTNER",
        "owner_bc_id": owner_bc_id(asset.center, center),
        "owner_bc_name": center.name if own else asset.center.name,
    }
    if asset.type == AssetType.ADVERTISER:
        row["advertiser_status"] = ADVERTISER_STATUS[asset.status]
    if roles is not None:
        row.update(roles_fields(asset.type, roles))
    return row


def role_of(body: dict[str, Any], asset_type: str, defaults: dict[str, str] | None = None
            ) -> list[str] | str | None:
    """The roles a TikTok body gives for one asset type, from the type's own field."""
    field = ROLE_FIELD.get(asset_type)
    if field is None:
        return None
    value = body.get(field)
    if value in (None, "", []):
        return (defaults or {}).get(field)
    if isinstance(value, str) or (isinstance(value, list)
                                  and all(isinstance(v, str) for v in value)):
        return value
    raise param(f"{field} must be a role name (or, for tt_account_roles, a list of them).")
