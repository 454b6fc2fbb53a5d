"""Revoke or remove many members at once: one call, one transaction, every row
authorized and audited as ``revoke_member`` does it, and an answer that says what was
skipped and why (issue 21: lists at volume).

Revoke ends the access of members who have it. Remove takes members whose access has
already ended (an end date passed) off the list: they are revoked too, so they leave
the default "Not revoked" view, and their history stays in the activity log."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.centers import seats
from bizcenter.centers.choices import MemberStatus
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import revoke_member
from bizcenter.core.actor import Actor
from bizcenter.core.bulk import Outcome, each, row_ids
from bizcenter.core.errors import Conflict

REASONS = {
    "already_revoked": "revoked already",
    "last_admin": "the last Admin stays",
    "not_found": "not found here",
    "still_active": "still has access (use Revoke access)",
}


def picked(actor: Actor, center: BusinessCenter, ids: Iterable[int | str]) -> list[Membership]:
    """The selected members of this Business Center, to name them before asking."""
    require(actor, Action.MEMBER_MANAGE, center)
    wanted = row_ids(ids, "member")
    found = Membership.objects.filter(center=center, pk__in=wanted).select_related("user"
                                                                                 ).in_bulk()
    return [found[pk] for pk in wanted if pk in found]


def revoke_many(actor: Actor, center: BusinessCenter, ids: Iterable[int | str], *,
                ended_only: bool = False) -> Outcome:
    """Revoke each member (``ended_only``: only those whose access already ended, the
    Remove action). One transaction with the Business Center locked; each row in its own
    savepoint, so a row refused for its own reason (the last Admin) is skipped and the
    others are done. A refusal of the person (403) undoes all."""
    require(actor, Action.MEMBER_MANAGE, center)
    wanted = row_ids(ids, "member")
    outcome = Outcome("member", "removed" if ended_only else "revoked")
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.MEMBER_MANAGE, center)

        def one(pk: int) -> str:
            if ended_only and (Membership.objects.filter(center=center, pk=pk)
                               .in_status(MemberStatus.ACTIVE).exists()):
                raise Conflict("still active", code="still_active")
            return revoke_member(actor, center, pk).user.label

        return each(outcome, wanted, one, REASONS)
