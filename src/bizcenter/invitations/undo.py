"""Cancelling an invitation, asked first and undoable for a short while.

The web door asks before it cancels (web/confirm.py): ``cancel_preview`` is what the
confirmation page reads, refusing up front what ``services.cancel`` would refuse, so the
page says it cannot be done instead of offering a button that fails. ``undo_cancel``
takes a cancellation back within ``UNDO_MINUTES``: the invitation is pending again and
its link works as before, unless something happened since that makes it wrong to revive.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import check, require
from bizcenter.audit import services as audit
from bizcenter.audit.models import Category
from bizcenter.centers import seats
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict
from bizcenter.core.lookup import find
from bizcenter.invitations.models import Invitation, InvitationState

# How long "Invitation cancelled — Undo" works: long enough to notice a wrong click,
# short enough that nobody revives an offer everyone has forgotten.
UNDO_MINUTES = 10


def cancel_preview(actor: Actor, center: BusinessCenter, invitation_id: int | str) -> Invitation:
    """The invitation a confirmation page is about, to the people who may cancel it.

    Raises the same refusals as cancelling would (accepted, already cancelled), so the
    page can say why instead of asking."""
    require(actor, Action.MEMBER_INVITE, center)
    invitation = find(Invitation.objects.filter(center=center), invitation_id,
                      f"No invitation with id {{id}} in {center.name}.")
    if invitation.state == InvitationState.ACCEPTED:
        raise Conflict(f"{invitation.address} already accepted this invitation. Revoke "
                       "their access from the members list instead.", code="already_accepted")
    if invitation.state == InvitationState.CANCELLED:
        raise Conflict(f"The invitation to {invitation.address} was already cancelled.",
                       code="already_cancelled")
    return invitation


def undo_cancel(actor: Actor, center: BusinessCenter, invitation_id: int | str) -> Invitation:
    """Restore an invitation cancelled in the last ``UNDO_MINUTES``: pending again, with
    the link it had, and a seat taken back.

    Refused when it is too late, when a newer invitation to the same address replaced
    it, when it expired meanwhile, or when its sender may no longer invite (an
    invitation carries its sender's authority; the product cancels those on purpose).
    """
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.MEMBER_INVITE, center)
        invitation = find(Invitation.objects.select_for_update().filter(center=center),
                          invitation_id, f"No invitation with id {{id}} in {center.name}.")
        address = invitation.address
        if invitation.state != InvitationState.CANCELLED or invitation.cancelled_at is None:
            raise Conflict(f"The invitation to {address} is not cancelled; there is nothing "
                           "to undo.", code="not_cancelled")
        now = timezone.now()
        if now - invitation.cancelled_at > timedelta(minutes=UNDO_MINUTES):
            raise Conflict(f"The invitation to {address} was cancelled more than "
                           f"{UNDO_MINUTES} minutes ago and can no longer be restored. "
                           "Invite them again instead.", code="undo_too_late")
        if Invitation.objects.filter(center=center, address=address,
                                     created_at__gt=invitation.created_at).exists():
            raise Conflict(f"A newer invitation to {address} replaced this one; that one "
                           "is the one to use.", code="replaced")
        if invitation.expires_at <= now:
            raise Conflict(f"The invitation to {address} has expired meanwhile. Invite "
                           "them again instead.", code="expired")
        sender = invitation.invited_by
        if sender is not None and not check(sender, Action.MEMBER_INVITE, center):
            raise Conflict(f"{sender.label} may no longer invite people to {center.name}, "
                           f"so their invitation to {address} stays cancelled. Invite "
                           "them again yourself instead.", code="sender_gone")
        seats.count(center).take(invitation.role)
        cancelled_at = invitation.cancelled_at
        invitation.state = InvitationState.PENDING
        invitation.cancelled_at = None
        invitation.cancelled_by = None
        invitation.save(update_fields=["state", "cancelled_at", "cancelled_by"])
        # The link the cancellation stopped works again; older links stay replaced.
        invitation.tokens.filter(replaced_at=cancelled_at).update(replaced_at=None)
        audit.record(actor, center=center, category=Category.USER, action="invitation.restored",
                     target=invitation, before={"state": InvitationState.CANCELLED},
                     after={"state": InvitationState.PENDING})
    return invitation
