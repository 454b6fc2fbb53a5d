"""Who is told what, for each event other apps report (one call from inside their
transaction). Each function picks the people, writes the sentence in words and calls
``notify``; kinds that already had their own email (change requests, partnerships,
spending limits) keep it, with the in-app sentence taken from that email's subject so
both say the same thing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from bizcenter.notifications.models import Kind
from bizcenter.notifications.services import Removal, notify
from bizcenter.outbox.names import quoted
from bizcenter.outbox.renderers import RENDERERS

if TYPE_CHECKING:
    from bizcenter.accounts.models import User
    from bizcenter.billing.models import LimitAlert
    from bizcenter.campaigns.models import ChangeRequest
    from bizcenter.centers.models import BusinessCenter, Membership
    from bizcenter.core.actor import Actor
    from bizcenter.invitations.models import Invitation


def _name(user: User | None) -> str:
    if user is None:
        return "Someone"
    return quoted(user.name or user.email or user.phone or "Someone")


def _admins(center: BusinessCenter, *, finance: bool = False) -> list[User]:
    from bizcenter.accounts.models import User
    from bizcenter.centers.models import Membership

    who = Q(role="ADMIN") | Q(finance_role="MANAGER") if finance else Q(role="ADMIN")
    ids = Membership.objects.active().filter(who, center=center).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def _subject(renderer: str, payload: dict[str, Any]) -> str | None:
    """The subject the email would have now: the in-app sentence for the same event."""
    rendered = RENDERERS[renderer](payload)
    return rendered.subject if rendered is not None else None


def invitation_accepted(invitation: Invitation, membership: Membership) -> None:
    """To whoever sent the invitation: who joined, as what, with a link to them."""
    inviter = invitation.invited_by
    if inviter is None or inviter.pk == membership.user_id:
        return
    center = membership.center
    notify(inviter, Kind.INVITATION_ACCEPTED, center=center,
           sentence=f"{_name(membership.user)} accepted your invitation to "
                    f"{quoted(center.name)} as {membership.get_role_display()}.",
           link=reverse("web:member", args=[center.pk, membership.pk]))


def _access_words(before: dict[str, Any], after: dict[str, Any],
                  center: BusinessCenter) -> list[str]:
    from bizcenter.centers import enddates
    from bizcenter.centers.choices import FinanceRole, Module, PartnerKind, Role

    words = []
    if before.get("role") != after.get("role"):
        words.append(f"you are now {Role(after['role']).label}")
    if before.get("finance_role") != after.get("finance_role"):
        finance = after.get("finance_role") or ""
        words.append(f"finance role {FinanceRole(finance).label}" if finance
                     else "no finance role")
    if before.get("kind") != after.get("kind") and after.get("kind"):
        words.append(f"partner type {PartnerKind(after['kind']).label}")
    if before.get("modules") != after.get("modules"):
        modules = [Module(m).label for m in after.get("modules") or []]
        words.append(f"modules: {', '.join(modules)}" if modules else "no modules")
    if before.get("expires_at") != after.get("expires_at"):
        ends = after.get("expires_at")
        words.append(f"access until {enddates.shown(datetime.fromisoformat(ends), center)}"
                     if ends else "access with no end date")
    return words


def access_changed(actor: Actor, membership: Membership, before: dict[str, Any],
                   after: dict[str, Any]) -> None:
    """To the person whose access an Admin changed (not to an Admin changing their own)."""
    if actor.user is not None and actor.user.pk == membership.user_id:
        return
    center = membership.center
    words = _access_words(before, after, center)
    if not words:
        return
    notify(membership.user, Kind.ACCESS_CHANGED, center=center,
           sentence=f"{_name(actor.user) if actor.user else 'An Admin'} changed your access "
                    f"in {quoted(center.name)}: {'; '.join(words)}.",
           link=reverse("web:center", args=[center.pk]))


def access_revoked(actor: Actor, membership: Membership) -> None:
    """To the person removed: which Business Center, when, and whom to ask."""
    center = membership.center
    when = membership.revoked_at
    assert when is not None
    day = timezone.localtime(when, ZoneInfo(center.timezone or "UTC")).date().isoformat()
    notify(membership.user, Kind.ACCESS_CHANGED, center=center,
           sentence=Removal(quoted(center.name), day, revoked=True).sentence)


def access_ending(target: str, pk: int, lead: int, ends: datetime,
                  center: BusinessCenter) -> None:
    """To the person whose access (to the Business Center, or to one asset) ends soon."""
    from bizcenter.assets.models import AssetGrant
    from bizcenter.centers import enddates
    from bizcenter.centers.models import Membership

    last_day = enddates.shown(ends, center)
    days = f"{lead} day{'s' if lead != 1 else ''}"
    if target == "membership":
        member = Membership.objects.select_related("user").get(pk=pk)
        user, what = member.user, quoted(center.name)
    else:
        grant = AssetGrant.objects.select_related("membership__user", "asset").get(pk=pk)
        user = grant.membership.user
        what = (f"{grant.asset.get_type_display()} {quoted(grant.asset.name)} in "
                f"{quoted(center.name)}")
    notify(user, Kind.ACCESS_ENDING, center=center,
           sentence=f"Your access to {what} ends in {days} (last day {last_day}). Ask an "
                    "Admin to extend it if you still need it.",
           link=reverse("web:center", args=[center.pk]))


def change_request(request: ChangeRequest, event: str) -> None:
    """A proposal to the deciding Business Center's Admins; a decision to its author.
    Each keeps its email with the diff (campaigns/messages.py)."""
    payload = {"request_id": request.pk, "event": event}
    if event == "proposed":
        people, kind, where = _admins(request.center), Kind.CHANGE_TO_DECIDE, request.center
    else:
        author = request.proposed_by
        people, kind = ([author] if author is not None else []), Kind.CHANGE_DECIDED
        where = request.proposed_in or request.center
    sentence = _subject("change_request", payload)
    if sentence is None:
        return
    link = reverse("web:change_request", args=[where.pk, request.pk])
    for person in people:
        notify(person, kind, center=where, sentence=sentence, link=link,
               email=("change_request", payload))


def partnership(to: BusinessCenter, payload: dict[str, Any]) -> None:
    """Partner requests, answers and shares, to the Admins of the side concerned, with
    the partnership email (assets/messages.py)."""
    sentence = _subject("partnership", payload)
    if sentence is None:
        return
    link = reverse("web:partner_centers", args=[to.pk])
    for person in _admins(to):
        notify(person, Kind.PARTNER, center=to, sentence=sentence, link=link,
               email=("partnership", payload))


def spending_limit(center: BusinessCenter, alert: LimitAlert) -> None:
    """To the Admins and Finance Managers, who get the spending-limit email."""
    payload = {"alert_id": alert.pk}
    sentence = _subject("spending_limit", payload)
    if sentence is None:
        return
    link = reverse("web:billing", args=[center.pk]) + "#limits"
    for person in _admins(center, finance=True):
        notify(person, Kind.SPENDING_LIMIT, center=center, sentence=sentence, link=link,
               email=("spending_limit", payload))
