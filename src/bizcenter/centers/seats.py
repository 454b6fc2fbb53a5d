"""Seat limits: Admins and members per Business Center, pending invitations included.

Limits are checked with the Business Center row locked, so two requests that
race for the last seat are serialised: on PostgreSQL by ``SELECT ... FOR
UPDATE``, on SQLite by its single writer (IMMEDIATE transactions).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from bizcenter.centers.choices import Role
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.errors import LimitReached, NotFound


@dataclass
class Seats:
    admins: int
    members: int

    @property
    def max_admins(self) -> int:
        return int(settings.BIZCENTER_MAX_ADMINS)

    @property
    def max_members(self) -> int:
        return int(settings.BIZCENTER_MAX_MEMBERS)

    def refusal(self, role: str, *, joining: bool = True) -> LimitReached | None:
        """Why one more seat of this role does not fit, or None if it does.

        ``joining=False`` is for someone who already holds a member seat and
        only changes role.
        """
        if joining and self.members >= self.max_members:
            return LimitReached(
                f"Member limit reached: this Business Center has {self.members} of "
                f"{self.max_members} member seats in use (pending invitations count). "
                "Revoke a member or cancel a pending invitation first.",
                code="member_limit",
            )
        if role == Role.ADMIN and self.admins >= self.max_admins:
            return LimitReached(
                f"Admin limit reached: this Business Center has {self.admins} of "
                f"{self.max_admins} Admin seats in use (pending invitations count). "
                "Invite this person as Standard, or free an Admin seat first.",
                code="admin_limit",
            )
        return None

    def take(self, role: str, *, joining: bool = True) -> None:
        if error := self.refusal(role, joining=joining):
            raise error
        if joining:
            self.members += 1
        if role == Role.ADMIN:
            self.admins += 1


def lock(center_id: int) -> BusinessCenter:
    """The Business Center row, locked until the transaction ends."""
    center = BusinessCenter.objects.select_for_update().filter(pk=center_id).first()
    if center is None:
        raise NotFound(f"No Business Center with id {center_id}.")
    return center


def lock_both(center_id: int, other_id: int | None) -> BusinessCenter:
    """Lock this Business Center's row and, for a change that also writes in another's log,
    inbox or access version (a partner, the owner of a shared asset), that one's too: the
    lower id first, always, so two Business Centers changing each other's things wait for
    one another instead of deadlocking (writing a log row references the Business Center's
    row, which waits for its lock on PostgreSQL). Returns this one, as ``lock`` does."""
    locked: BusinessCenter | None = None
    for pk in sorted({center_id, other_id or center_id}):
        if pk == center_id:
            locked = lock(pk)
        else:
            list(BusinessCenter.objects.select_for_update().filter(pk=pk)
                 .values_list("pk", flat=True))
    assert locked is not None
    return locked


def lock_person(user_id: int) -> None:
    """The person's row, locked until the transaction ends: the limits per person (Business
    Centers created a day, invitations sent from all of theirs) are counted under it, so
    two requests of one person cannot both take the last one. Taken after the Business
    Center's row (``lock``), never before, so no two transactions each hold a row the
    other waits for."""
    from bizcenter.accounts.models import User

    list(User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True))


def count(center: BusinessCenter) -> Seats:
    from bizcenter.invitations.models import Invitation

    members = Membership.objects.active().filter(center=center).aggregate(
        total=Count("id"), admins=Count("id", filter=Q(role=Role.ADMIN))
    )
    pending = Invitation.objects.pending().filter(center=center, expires_at__gt=timezone.now())
    invited = pending.aggregate(total=Count("id"), admins=Count("id", filter=Q(role=Role.ADMIN)))
    return Seats(
        admins=members["admins"] + invited["admins"],
        members=members["total"] + invited["total"],
    )
