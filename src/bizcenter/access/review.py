"""Access review: everyone who can reach a Business Center, and who looks idle.

Meant for the periodic check the article recommends ("be sure to periodically
check and update your partners"). Revoking from the review is the ordinary
revoke_member service; this only gathers what an Admin needs to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.centers import enddates
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput
from bizcenter.invitations.models import Invitation

IDLE_DAYS = 90


@dataclass(frozen=True)
class ReviewRow:
    kind: str  # "member", "invitation" or "partner"
    id: int | str  # a partner Business Center's public id
    who: str
    role: str
    finance_role: str
    partner_kind: str
    modules: list[str]
    assets: int
    since: datetime  # joined, or invitation sent
    last_active: datetime | None
    ends: datetime | None  # membership end time, or invitation expiry
    idle: bool
    note: str
    contact: str = ""  # every address of a member, for search (``who`` shows one)


def reach(center: BusinessCenter, members: list[Membership]) -> dict[int, int]:
    """How many assets each of ``members`` (active, of ``center``) reaches, as the access
    engine builds it (access/snapshot.py): direct grants still current (on an asset a
    partner shares, only while it is still shared), every asset of an asset group they
    sit in whose type the group gives a role on, and for Admins every asset owned here
    plus every asset partners share with this Business Center. Counting direct grants
    alone missed group and partner access. Two queries whatever the number of members:
    the grants and the groups as one UNION of (member, asset) pairs, which also drops
    an asset reached both ways, and the count of what Admins reach."""
    from bizcenter.assets.kinds import AssetType
    from bizcenter.assets.models import Asset, AssetGrant, AssetGroupMember

    if not members:
        return {}
    ids = [m.pk for m in members]
    shared_here = Q(shares__partnership__partner_id=center.pk)
    grants = (AssetGrant.objects.current().filter(membership_id__in=ids)
              .filter(Q(asset__center=center)
                      | Q(asset__shares__partnership__partner_id=center.pk))
              .values_list("membership_id", "asset_id"))
    # A group gives an asset only when it gives a role on that asset's type.
    gives = Q(pk__in=[])
    for kind in AssetType.values:
        gives |= Q(group__assets__type=kind, roles__has_key=kind)
    grouped = (AssetGroupMember.objects.filter(membership_id__in=ids).filter(gives)
               .values_list("membership_id", "group__assets"))
    reached: dict[int, int] = {}
    for membership_id, _asset_id in grants.union(grouped):
        reached[membership_id] = reached.get(membership_id, 0) + 1
    if any(m.role == "ADMIN" for m in members):
        everything = (Asset.objects.filter(Q(center=center) | shared_here)
                      .values("pk").distinct().count())
        for m in members:
            if m.role == "ADMIN":
                reached[m.pk] = everything
    return reached


def access_review(actor: Actor, center: BusinessCenter, *, idle_days: int = IDLE_DAYS
                  ) -> list[ReviewRow]:
    require(actor, Action.MEMBER_MANAGE, center)
    now = timezone.now()
    cutoff = now - timedelta(days=idle_days)
    rows: list[ReviewRow] = []
    members = list(Membership.objects.active().filter(center=center).select_related("user")
                   .annotate(group_count=Count("asset_groups", distinct=True))
                   .order_by("last_active_at", "joined_at"))
    reached = reach(center, members)
    for m in members:
        assets = reached.get(m.pk, 0)
        groups: int = m.group_count  # type: ignore[attr-defined]
        seen = m.last_active_at or m.joined_at
        idle = seen < cutoff
        note = ""
        if idle:
            note = (f"no activity for {(now - seen).days} days" if m.last_active_at
                    else f"never active since joining {(now - m.joined_at).days} days ago")
        if m.expires_at:
            day = enddates.shown(m.expires_at, center)
            note = "; ".join(filter(None, [note, f"last day of access {day}"]))
        if groups:
            note = "; ".join(filter(None, [note, f"in {groups} asset group(s)"]))
        rows.append(ReviewRow("member", m.pk, m.user.label, m.role, m.finance_role, m.kind,
                              list(m.modules), assets, m.joined_at, m.last_active_at,
                              m.expires_at, idle, note,
                              contact=" ".join(filter(None, [m.user.email, m.user.phone]))))
    for inv in Invitation.objects.usable().filter(center=center).order_by("sent_at"):
        age = (now - inv.created_at).days
        rows.append(ReviewRow("invitation", inv.pk, inv.address, inv.role, inv.finance_role,
                              inv.kind, list(inv.modules), len(inv.assets), inv.created_at,
                              None, inv.expires_at, False,
                              f"pending for {age} days" + (
                                  f", resent {inv.resend_count}x" if inv.resend_count else "")))
    from bizcenter.assets.models import Partnership

    # Active ones only: a pending request names nothing of the other side (its partner is
    # empty while the id asked matches no Business Center), and the other side is known
    # by its public id, never by its row id here.
    for link in (Partnership.objects.active().filter(owner=center).select_related("partner")
                 .prefetch_related("shares__asset")):
        assert link.partner is not None  # active: both sides
        shares = list(link.shares.all())
        rows.append(ReviewRow(
            "partner", link.partner.public_id, f"{link.partner.name} (Business Center)",
            "PARTNER", "", "partner", [], len(shares), link.created_at, None, None, False,
            "; ".join(f"{s.asset} as {', '.join(s.roles)}" for s in shares) or "nothing shared",
        ))
    return rows


# The review's sortable columns: a ReviewRow attribute each.
SORTS = ("who", "kind", "role", "assets", "since", "last_active")


def matching(rows: list[ReviewRow], search: str) -> list[ReviewRow]:
    """Rows whose name or any address contains ``search`` ("olivia", "@agency",
    "+4915"), ignoring case."""
    wanted = (search or "").strip().lower()
    if not wanted:
        return rows
    return [r for r in rows if wanted in f"{r.who} {r.contact}".lower()]


def ordered(rows: list[ReviewRow], key: str, descending: bool = False) -> list[ReviewRow]:
    """Rows by one of SORTS; missing values (never active) come first going up, last
    going down, and ties keep the review's own order."""
    if key not in SORTS:
        raise InvalidInput(f"Unknown sort '{key}'. Use one of: {', '.join(SORTS)}.",
                           fields={"sort": "unknown"})

    def value(row: ReviewRow) -> tuple[bool, Any]:
        got = getattr(row, key)
        return (got is not None, got.lower() if isinstance(got, str) else got)

    return sorted(rows, key=value, reverse=descending)


CSV_FIELDS = ("kind", "who", "contact", "role", "finance_role", "partner_kind", "modules",
              "assets", "since", "last_active", "ends", "idle", "note")


def as_csv_row(row: ReviewRow) -> list[str]:
    """One review row for a spreadsheet: times in ISO 8601 UTC, modules joined, and any
    cell a spreadsheet would run as a formula defused (a name like ``=HYPERLINK(...)``)."""
    def when(moment: datetime | None) -> str:
        return moment.astimezone(UTC).isoformat() if moment else ""

    from bizcenter.audit.services import _csv_safe

    cells = (row.kind, row.who, row.contact, row.role, row.finance_role, row.partner_kind,
             " ".join(row.modules), str(row.assets), when(row.since), when(row.last_active),
             when(row.ends), "yes" if row.idle else "no", row.note)
    return [_csv_safe(cell) for cell in cells]
