"""Asset types, their statuses and the roles a person can hold on each.

The table is the real product's (TikTok Business Center): an ad account takes
exactly one of ADMIN / OPERATOR / ANALYST, a catalog one of ADMIN / AD_PROMOTE,
a TikTok account any set of POST / LIVE / DIRECT_MESSAGE, a pixel is either
reachable or not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from bizcenter.core.errors import InvalidInput


class AssetType(models.TextChoices):
    ADVERTISER = "ADVERTISER", "Ad account"
    TT_ACCOUNT = "TT_ACCOUNT", "TikTok account"
    CATALOG = "CATALOG", "Catalog"
    PIXEL = "PIXEL", "Pixel"


class AssetStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    DISABLED = "DISABLED", "Disabled"
    CLOSED = "CLOSED", "Closed"


@dataclass(frozen=True)
class RoleRule:
    roles: tuple[str, ...]  # highest first where they are ranked
    many: bool = False  # any set of roles (TikTok account) instead of exactly one

    def rank(self, role: str) -> int:
        """Higher is more; only meaningful for one-role types."""
        return len(self.roles) - self.roles.index(role)


RULES: dict[str, RoleRule] = {
    AssetType.ADVERTISER: RoleRule(("ADMIN", "OPERATOR", "ANALYST")),
    AssetType.CATALOG: RoleRule(("ADMIN", "AD_PROMOTE")),
    AssetType.TT_ACCOUNT: RoleRule(("POST", "LIVE", "DIRECT_MESSAGE"), many=True),
    AssetType.PIXEL: RoleRule(("ACCESS",)),
}

# Ad-account roles that may change things inside the account.
CHANGE_ROLES = frozenset({"ADMIN", "OPERATOR"})


def merge_roles(asset_type: str, a: Iterable[str], b: Iterable[str]) -> frozenset[str]:
    """Roles from two sources (direct and a group): the higher one-role wins, sets unite."""
    rule = RULES[asset_type]
    both = set(a) | set(b)
    if rule.many or len(both) <= 1:
        return frozenset(both)
    return frozenset({max(both, key=rule.rank)})


def cap_roles(asset_type: str, wanted: Iterable[str], ceiling: Iterable[str]) -> frozenset[str]:
    """Roles limited by what was shared: never above the ceiling's rank, or outside its set."""
    rule = RULES[asset_type]
    top = set(ceiling)
    if rule.many:
        return frozenset(set(wanted) & top)
    if not top:
        return frozenset()
    limit = max(rule.rank(r) for r in top)
    return frozenset(
        r if rule.rank(r) <= limit else max(top, key=rule.rank) for r in wanted
    )


def exceeds(asset_type: str, wanted: Iterable[str], ceiling: Iterable[str]) -> bool:
    return cap_roles(asset_type, wanted, ceiling) != frozenset(wanted)


def clean_roles(asset_type: str, roles: Iterable[str] | str | None) -> list[str]:
    """The roles as stored: upper-case, valid for the type, the right count."""
    rule = RULES[asset_type]
    if roles is None or roles == "":
        wanted: list[str] = [rule.roles[-1]] if not rule.many else []
    elif isinstance(roles, str):
        wanted = [r for r in roles.split(",") if r.strip()]
    else:
        wanted = list(roles)
    cleaned = sorted({r.strip().upper() for r in wanted})
    label = AssetType(asset_type).label.lower()
    label = f"{'an' if label[0] in 'aeiou' else 'a'} {label}"
    unknown = [r for r in cleaned if r not in rule.roles]
    if unknown or not cleaned:
        raise InvalidInput(
            f"{', '.join(unknown) or 'No role'} is not a role for {label}. Use "
            f"{'any of' if rule.many else 'one of'}: {', '.join(rule.roles)}.",
            fields={"roles": ", ".join(rule.roles)},
        )
    if not rule.many and len(cleaned) > 1:
        raise InvalidInput(
            f"{label.capitalize()} takes one role, not {len(cleaned)}: choose one of "
            f"{', '.join(rule.roles)}.", fields={"roles": "exactly one"})
    return cleaned
