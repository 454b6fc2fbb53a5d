"""Resend or cancel many invitations at once: one call, one transaction, every row
authorized and audited like its single-row twin, and an answer that says what was
skipped and why (issue 21: lists at volume)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.centers import seats
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.bulk import Outcome, each, row_ids
from bizcenter.invitations import services
from bizcenter.invitations.models import Invitation

# A skipped row's reason, by the code of its single-row refusal.
REASONS = {
    "already_accepted": "accepted already",
    "already_cancelled": "cancelled already",
    "cancelled": "cancelled (invite them again instead)",
    "superseded": "a newer invitation is pending",
    "not_found": "not found here",
    "daily_cap_reached": "the daily limit of invitations is reached",
    "rate_limited": "too many invitations this hour",
}


def picked(actor: Actor, center: BusinessCenter, ids: Iterable[int | str]) -> list[Invitation]:
    """The selected invitations of this Business Center, to name them before asking:
    ids from elsewhere are left out, as if they did not exist."""
    require(actor, Action.MEMBER_INVITE, center)
    wanted = row_ids(ids, "invitation")
    found = Invitation.objects.filter(center=center, pk__in=wanted).in_bulk()
    return [found[pk] for pk in wanted if pk in found]


def _each(actor: Actor, center: BusinessCenter, ids: list[int], outcome: Outcome,
          act: Callable[[int], str]) -> Outcome:
    """Run ``act`` per row in one transaction with the Business Center locked, each row
    in its own savepoint: a row refused for its own reason (accepted already) is
    skipped and leaves the others done. A refusal of the person (403) undoes all."""
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.MEMBER_INVITE, center)
        return each(outcome, ids, act, REASONS)


def resend_many(actor: Actor, center: BusinessCenter, ids: Iterable[int | str]) -> Outcome:
    """Each invitation gets a fresh link and expiry, as ``services.resend``; the hourly
    rate counts all the messages at once, before anything is written."""
    require(actor, Action.MEMBER_INVITE, center)
    wanted = row_ids(ids, "invitation")
    services._count_sending(center, len(wanted), actor.user)
    return _each(actor, center, wanted, Outcome("invitation", "resent"),
                 lambda pk: services.resend_counted(actor, center, pk).invitation.address)


def cancel_many(actor: Actor, center: BusinessCenter, ids: Iterable[int | str]) -> Outcome:
    """Each invitation's link stops working, as ``services.cancel``."""
    require(actor, Action.MEMBER_INVITE, center)
    wanted = row_ids(ids, "invitation")
    return _each(actor, center, wanted, Outcome("invitation", "cancelled"),
                 lambda pk: services.cancel(actor, center, pk).address)
