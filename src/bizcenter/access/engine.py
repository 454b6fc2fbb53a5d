"""Whether a person may do something in a Business Center, and why not.

Every door goes through ``require`` (or ``check``) instead of deciding itself.
This first version reads the membership directly; the access engine issue
replaces the inside with compiled snapshots without changing the interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.accounts.models import User
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.actor import Actor
from bizcenter.core.errors import NotAllowed, NotFound

ADMIN_ONLY = frozenset(
    {Action.MEMBER_VIEW, Action.MEMBER_INVITE, Action.MEMBER_MANAGE,
     Action.SETTINGS_MANAGE, Action.ACTIVITY_VIEW}
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    membership: Membership | None = None

    def __bool__(self) -> bool:
        return self.allowed


def current_membership(user: User | None, center: BusinessCenter) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.active().filter(center=center, user=user).first()


def check(user: User | None, action: Action, center: BusinessCenter) -> Decision:
    membership = current_membership(user, center)
    if membership is None:
        return Decision(False, f"You are not a member of {center.name}.")
    if action in ADMIN_ONLY and not membership.is_admin:
        return Decision(
            False,
            f"Only Admins of {center.name} can do this ({action}); you are a Standard "
            "member. Ask an Admin.",
            membership,
        )
    return Decision(True, f"You are {membership.get_role_display()} of {center.name}.", membership)


def require(actor: Actor, action: Action, center: BusinessCenter) -> Membership | None:
    """Raise unless the actor may act. System actors (operator CLI without --as) may."""
    if actor.user is None:
        return None
    decision = check(actor.user, action, center)
    if decision.membership is None:
        # Outsiders learn nothing about a Business Center, not even that it exists.
        raise NotFound(f"No Business Center with id {center.pk} is visible to you.")
    if not decision:
        raise NotAllowed(decision.reason, code="forbidden")
    _note_activity(decision.membership)
    return decision.membership


# "Last active" is for people reviewing access, so minutes are precise enough,
# and it must not turn every read into a write.
ACTIVITY_RESOLUTION = timedelta(minutes=5)


def _note_activity(membership: Membership) -> None:
    now = timezone.now()
    if membership.last_active_at is None or now - membership.last_active_at > ACTIVITY_RESOLUTION:
        Membership.objects.filter(pk=membership.pk).update(last_active_at=now)
        membership.last_active_at = now
