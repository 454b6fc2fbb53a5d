"""The invitation message, rendered when it is delivered."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from bizcenter.centers.choices import Module
from bizcenter.invitations import tokens
from bizcenter.invitations.models import InvitationState, InvitationToken
from bizcenter.outbox.names import quoted
from bizcenter.outbox.renderers import Rendered, register


@register("invitation")
def render_invitation(payload: dict[str, Any]) -> Rendered | None:
    row = (InvitationToken.objects.select_related("invitation__center", "invitation__invited_by")
           .filter(pk=payload["token_id"]).first())
    # A link replaced by a resend, or an invitation cancelled or accepted before
    # its message went out, is not worth a message any more.
    if row is None or row.replaced_at is not None:
        return None
    invitation = row.invitation
    if invitation.state != InvitationState.PENDING or invitation.is_expired:
        return None
    inviter = invitation.invited_by
    # Names are what people typed: quoted, trimmed and never a link (outbox/names.py).
    context = {
        "invitation": invitation,
        "center": invitation.center,
        "inviter": inviter,
        "inviter_name": quoted(inviter.name or inviter.email or inviter.phone)
        if inviter else "",
        "center_name": quoted(invitation.center.name),
        "link": tokens.link_for(tokens.token_for(row.nonce)),
        # The modules by their names ("Analytics, Campaigns"), never their codes.
        "modules": ", ".join(Module(m).label for m in invitation.modules
                             if m in Module.values),
    }
    if invitation.address_kind == "phone":
        text = render_to_string("invitations/sms.txt", context).strip()
        return Rendered(subject="", text=text)
    invited = (f"{context['inviter_name']} invited you to" if inviter
               else "You're invited to")
    return Rendered(
        subject=f"{invited} {context['center_name']} on bizcenter",
        text=render_to_string("invitations/email.txt", context),
        html=render_to_string("invitations/email.html", context),
    )
