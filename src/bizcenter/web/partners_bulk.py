"""Bulk actions of the members and invitations lists: the selected rows go to ONE
service call per action (invitations/bulk.py, centers/bulk.py), which authorizes,
writes in one transaction and logs each row. Destructive ones ask first through the
one confirmation mechanism (web/confirm.py). Every answer returns to the list with
its search, sort, page and filters (``next``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from bizcenter.centers import bulk as member_bulk
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.errors import InvalidInput
from bizcenter.invitations import bulk as invitation_bulk
from bizcenter.web.confirm import Ask, ask, confirmed
from bizcenter.web.lists import back
from bizcenter.web.scope import center_page
from bizcenter.web.views import actor

# How many names a confirmation page lists before "and N more".
NAMED = 10


def _named(labels: list[str]) -> list[str]:
    shown = labels[:NAMED]
    if len(labels) > NAMED:
        shown.append(f"and {len(labels) - NAMED} more")
    return shown


@center_page
@require_POST
def invitations(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    to_list = back(request, reverse("web:invitations", args=[center.pk]))
    action, ids = request.POST.get("action"), request.POST.getlist("invitation")
    me = actor(request)
    try:
        # Authorizes first (a refusal is the 403 page), then reads the ids.
        rows = invitation_bulk.picked(me, center, ids)
        if action == "resend":
            outcome = invitation_bulk.resend_many(me, center, ids)
        elif action == "cancel":
            if not confirmed(request):
                n = len(rows)
                return ask(request, Ask(
                    f"Cancel {n} invitation{'' if n == 1 else 's'}?",
                    "Their links stop working: nobody can join through them any more. "
                    "Invitations accepted or cancelled already are skipped.",
                    button=f"Cancel {n} invitation{'' if n == 1 else 's'}", back=to_list,
                    cancel="Keep them", details=_named([r.address for r in rows])),
                    center=center, tab="invitations")
            outcome = invitation_bulk.cancel_many(me, center, ids)
        else:
            raise InvalidInput("Pick Resend or Cancel for the selected invitations.")
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect(to_list)
    (messages.success if outcome.done else messages.warning)(request, outcome.summary())
    return redirect(to_list)


@center_page
@require_POST
def members(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    to_list = back(request, reverse("web:members", args=[center.pk]))
    action, ids = request.POST.get("action"), request.POST.getlist("member")
    me = actor(request)
    try:
        # Authorizes first (a refusal is the 403 page), then reads the ids.
        rows = member_bulk.picked(me, center, ids)
        if action not in ("revoke", "remove"):
            raise InvalidInput("Pick Revoke access or Remove for the selected members.")
        ended_only = action == "remove"
        if not confirmed(request):
            n = len(rows)
            word = "member" if n == 1 else "members"
            question = (f"Remove {n} {word} whose access ended?" if ended_only
                        else f"Revoke the access of {n} {word}?")
            what = ("They leave the list of current members; members who still have access "
                    "are skipped (revoke them instead)." if ended_only else
                    f"They lose access to {center.name} at once, and the invitations they "
                    "sent are cancelled. You can invite them again later.")
            return ask(request, Ask(question, what + " Their history stays in the activity log.",
                                    button=(f"Remove {n} {word}" if ended_only
                                            else f"Revoke {n} {word}"),
                                    back=to_list, cancel="Keep them",
                                    details=_named([r.user.label for r in rows])),
                       center=center, tab="members")
        outcome = member_bulk.revoke_many(me, center, ids, ended_only=ended_only)
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect(to_list)
    (messages.success if outcome.done else messages.warning)(request, outcome.summary())
    return redirect(to_list)
