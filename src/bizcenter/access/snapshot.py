"""A person's effective access in one Business Center, compiled once and reused.

Every change to access bumps ``BusinessCenter.access_version`` in the change's
own transaction. A snapshot remembers the version it was built from, and is
used only while the Business Center still has that version, so no process
ever answers from access that has since changed. The version is read from the
database at most once per request scope (``request_scope``), so a revoke takes
effect on the very next request while checks inside one request are plain
dictionary look-ups. A snapshot also stops at the earliest end time of the
membership or a grant, so expiring access ends at that instant.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q
from django.utils import timezone

from bizcenter.centers.models import BusinessCenter, Membership, MembershipState
from bizcenter.core.bounded import keep

if TYPE_CHECKING:
    from bizcenter.access.engine import Decision


@dataclass(frozen=True)
class AssetAccess:
    type: str
    status: str
    roles: frozenset[str]
    via: tuple[str, ...] = ("direct",)  # "direct" and/or "group <name>", for explain


@dataclass(frozen=True)
class Snapshot:
    user_id: int
    center_id: int
    center_name: str
    version: int
    membership_id: int | None = None
    state: str | None = None  # ACTIVE, REVOKED, EXPIRED, or None: never a member
    role: str | None = None
    finance_role: str = ""
    modules: frozenset[str] = frozenset()
    assets: Mapping[int, AssetAccess] = field(default_factory=dict)
    valid_until: datetime | None = None
    # The Business Center requires 2-step verification of this person, who has
    # not set it up: they reach nothing there until they do.
    needs_two_factor: str = ""  # "", or "Admins" / "everyone" when missing
    # Decisions already taken on this snapshot: they depend on nothing else, so
    # a warm check is a dictionary look-up. Keyed by (action, asset id, status).
    decisions: dict[tuple[str, int | None, str | None], Decision] = field(
        default_factory=dict, compare=False, repr=False)

    @property
    def ends_at(self) -> float:
        """valid_until as a timestamp, cheap to compare on every check."""
        return self.valid_until.timestamp() if self.valid_until else float("inf")

    @property
    def is_member(self) -> bool:
        return self.state == MembershipState.ACTIVE

    @property
    def is_admin(self) -> bool:
        return self.is_member and self.role == "ADMIN"


_versions: ContextVar[dict[int, int] | None] = ContextVar("access_versions", default=None)
_cache: dict[tuple[int, int], tuple[Snapshot, float]] = {}
CACHE_SIZE = 20_000


@contextmanager
def request_scope() -> Iterator[None]:
    """Read each Business Center's access version once for the whole scope."""
    token = _versions.set({})
    try:
        yield
    finally:
        _versions.reset(token)


def forget(center_id: int) -> None:
    """After a change in this scope, read the version again on the next check."""
    memo = _versions.get()
    if memo is not None:
        memo.pop(center_id, None)


_tied: list[dict] = []


def tied_cache() -> dict:
    """A process-wide cache for facts that change only with the access version (every
    key must hold it): emptied with the snapshots, so tests, which roll back and
    reuse ids, never see another test's rows."""
    made: dict = {}
    _tied.append(made)
    return made


def clear() -> None:
    _cache.clear()
    for cache in _tied:
        cache.clear()


def remember_version(center: BusinessCenter) -> None:
    """Take the version from a Business Center row this request has just read from the
    primary, instead of reading it again: the same moment, one query fewer per request.
    A row from a read replica (which may lag) is not trusted with it."""
    memo = _versions.get()
    if (memo is not None and center.pk not in memo
            and center._state.db in (None, DEFAULT_DB_ALIAS)):
        memo[center.pk] = center.access_version


def known_version(center_id: int) -> int | None:
    """The version this request scope has already read, or None: never a query."""
    memo = _versions.get()
    return memo.get(center_id) if memo is not None else None


def current_version(center_id: int) -> int | None:
    memo = _versions.get()
    if memo is not None and center_id in memo:
        return memo[center_id]
    version = (BusinessCenter.objects.filter(pk=center_id)
               .values_list("access_version", flat=True).first())
    if memo is not None and version is not None:
        memo[center_id] = version
    return version


def get(user_id: int, center_id: int) -> Snapshot | None:
    """The person's snapshot, rebuilt if access changed or an end time passed.

    This is the hot path of every check: kept to dictionary look-ups.
    """
    memo = _versions.get()
    version = memo.get(center_id) if memo is not None else None
    if version is None:
        version = current_version(center_id)
        if version is None:
            return None
    key = (user_id, center_id)
    cached = _cache.get(key)
    if cached is not None:
        snap, ends_at = cached
        if snap.version == version and time.time() < ends_at:
            return snap
    snap = compile_snapshot(user_id, center_id, version)
    keep(_cache, key, (snap, snap.ends_at), CACHE_SIZE)
    return snap


def compile_snapshot(user_id: int, center_id: int, version: int) -> Snapshot:
    """Build from the database: the membership and this person's own grants only."""
    from bizcenter.assets.kinds import cap_roles, merge_roles
    from bizcenter.assets.models import AssetGrant, AssetGroupMember, PartnerShare

    now = timezone.now()
    center_name, policy = (BusinessCenter.objects.filter(pk=center_id)
                           .values_list("name", "two_factor_policy").first() or ("", "NOBODY"))
    base = Snapshot(user_id=user_id, center_id=center_id, center_name=center_name,
                    version=version)
    membership = (Membership.objects.select_related("user")
                  .filter(center_id=center_id, user_id=user_id)
                  .order_by("state", "-joined_at").first())  # ACTIVE sorts before REVOKED
    if membership is None:
        return base
    if membership.state != MembershipState.ACTIVE:
        return replace(base, membership_id=membership.pk, state=membership.state)
    if membership.expires_at is not None and membership.expires_at <= now:
        return replace(base, membership_id=membership.pk, state="EXPIRED")
    ends = [membership.expires_at] if membership.expires_at else []
    required = policy == "EVERYONE" or (policy == "ADMINS" and membership.role == "ADMIN")
    needs = ("everyone" if policy == "EVERYONE" else "Admins") if required and not (
        membership.user.totp_confirmed_at) else ""
    assets: dict[int, AssetAccess] = {}
    # Assets other Business Centers share with this one: nobody here goes above
    # the shared role, and Admins here hold exactly that role.
    shared = {asset_id: (kind, status, roles, owner) for asset_id, kind, status, roles, owner in
              PartnerShare.objects.filter(partnership__partner_id=center_id).values_list(
                  "asset_id", "asset__type", "asset__status", "roles",
                  "partnership__owner__name")}
    if membership.role == "ADMIN":
        for asset_id, (kind, status, roles, owner) in shared.items():
            assets[asset_id] = AssetAccess(kind, status, frozenset(roles), (f"partner {owner}",))
    grants = (AssetGrant.objects.filter(membership=membership)
              .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
              .values_list("asset_id", "asset__type", "asset__status", "roles", "expires_at",
                           "asset__center_id"))
    for asset_id, kind, status, roles, expires_at, owner_id in grants:
        if owner_id != center_id:
            if asset_id not in shared or asset_id in assets:
                continue  # no longer shared, or an Admin here already holds the shared role
            _, _, ceiling, owner = shared[asset_id]
            assets[asset_id] = AssetAccess(kind, status, cap_roles(kind, roles, ceiling),
                                           (f"partner {owner}",))
        else:
            assets[asset_id] = AssetAccess(kind, status, frozenset(roles))
        if expires_at:
            ends.append(expires_at)
    grouped = (AssetGroupMember.objects.filter(membership=membership)
               .values_list("group__name", "roles", "group__assets", "group__assets__type",
                            "group__assets__status"))
    for group_name, roles_by_type, asset_id, kind, status in grouped:
        if asset_id is None or not roles_by_type.get(kind):
            continue
        via = f"group {group_name}"
        had = assets.get(asset_id)
        if had is None:
            assets[asset_id] = AssetAccess(kind, status, frozenset(roles_by_type[kind]), (via,))
        else:
            assets[asset_id] = AssetAccess(kind, status,
                                           merge_roles(kind, had.roles, roles_by_type[kind]),
                                           (*had.via, via))
    return replace(
        base, membership_id=membership.pk, state=MembershipState.ACTIVE,
        role=membership.role, finance_role=membership.finance_role,
        modules=frozenset(membership.modules), assets=assets, needs_two_factor=needs,
        valid_until=min(ends) if ends else None,
    )
