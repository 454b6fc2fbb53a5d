"""Access review: everyone who can reach a Business Center, and who looks idle.

Meant for the periodic check the article recommends ("be sure to periodically
check and update your partners"). Revoking from the review is the ordinary
revoke_member service; this only gathers what an Admin needs to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.centers import enddates
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.actor import Actor
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


def access_review(actor: Actor, center: BusinessCenter, *, idle_days: int = IDLE_DAYS
                  ) -> list[ReviewRow]:
    require(actor, Action.MEMBER_MANAGE, center)
    now = timezone.now()
    cutoff = now - timedelta(days=idle_days)
    rows: list[ReviewRow] = []
    members = (Membership.objects.active().filter(center=center).select_related("user")
               .annotate(asset_count=Count("grants", filter=Q(grants__expires_at__isnull=True)
                                           | Q(grants__expires_at__gt=now), distinct=True),
                         group_count=Count("asset_groups", distinct=True))
               .order_by("last_active_at", "joined_at"))
    for m in members:
        assets: int = m.asset_count  # type: ignore[attr-defined]
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
                              m.expires_at, idle, note))
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
