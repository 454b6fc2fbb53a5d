"""Emails about change requests, rendered when delivered."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from bizcenter.campaigns.models import ChangeRequest
from bizcenter.outbox.names import quoted
from bizcenter.outbox.renderers import Rendered, register

SUBJECTS = {
    "proposed": "{who} proposes a change in {account}",
    "approved": "Your change in {account} was approved",
    "rejected": "Your change in {account} was rejected",
}


@register("change_request")
def render_change_request(payload: dict[str, Any]) -> Rendered | None:
    request = (ChangeRequest.objects.select_related("center", "proposed_in", "advertiser",
                                                    "campaign", "proposed_by", "decided_by")
               .filter(pk=payload["request_id"]).first())
    if request is None:
        return None
    event = payload["event"]
    if event == "proposed" and request.state != "PENDING":
        return None  # decided before the message went out: nothing to ask any more
    from bizcenter.campaigns.services import differences

    # The Admins who decide open it in their Business Center; its author, in the one they
    # proposed it from (a partner's, for a change that waited for the owner's approval).
    where = request.center_id if event == "proposed" else (
        request.proposed_in_id or request.center_id)
    path = reverse("web:change_request", args=[where, request.pk])
    # Names are what people typed: quoted, trimmed and never a link (outbox/names.py).
    proposer, decider = request.proposed_by, request.decided_by
    context = {"request": request, "event": event, "diff": differences(request),
               "link": f"{settings.BIZCENTER_BASE_URL}{path}",
               "proposer": quoted(proposer.name or proposer.label) if proposer else "Someone",
               "decider": quoted(decider.name or decider.label) if decider else "an Admin"}
    subject = SUBJECTS[event].format(who=context["proposer"],
                                     account=quoted(request.advertiser.name))
    return Rendered(subject=subject,
                    text=render_to_string("campaigns/change_request_email.txt", context))
