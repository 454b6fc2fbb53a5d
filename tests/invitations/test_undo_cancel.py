"""Undo a cancelled invitation for a short while (issue 21): pending again with the link
it had, logged; refused once too late, once replaced, once expired, once its sender may
no longer invite; and from the web, the success message carries the Undo button."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import revoke_member
from bizcenter.core.errors import Conflict
from bizcenter.invitations import services as invitations
from bizcenter.invitations import undo
from bizcenter.invitations.models import Invitation, InvitationState
from bizcenter.invitations.services import Grant
from tests.conftest import act
from tests.support.web import flash, raw

pytestmark = pytest.mark.usefixtures("quick_hashing")


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_undo_restores_the_invitation_and_its_link(center, as_owner, make_user):
    [sent] = invitations.invite(as_owner, center, ["bob@example.com"])
    invitations.cancel(as_owner, center, sent.invitation.pk)
    back = undo.undo_cancel(as_owner, center, sent.invitation.pk)
    assert back.state == InvitationState.PENDING and back.cancelled_at is None
    event = AuditEvent.objects.get(action="invitation.restored")
    assert event.before == {"state": "CANCELLED"} and event.after == {"state": "PENDING"}
    # The link in the email works again: Bob joins with it.
    bob = make_user("bob@example.com", name="Bob")
    joined = invitations.accept(act(bob), token_of(sent.link))
    assert joined.center_id == center.pk


def test_undo_is_refused_after_ten_minutes(center, as_owner):
    [sent] = invitations.invite(as_owner, center, ["bob@example.com"])
    invitations.cancel(as_owner, center, sent.invitation.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=undo.UNDO_MINUTES, seconds=5)),\
            pytest.raises(Conflict, match="more than 10 minutes ago") as late:
        undo.undo_cancel(as_owner, center, sent.invitation.pk)
    assert late.value.code == "undo_too_late"
    assert Invitation.objects.get().state == InvitationState.CANCELLED


def test_undo_is_refused_once_a_new_invitation_replaced_it(center, as_owner):
    [sent] = invitations.invite(as_owner, center, ["bob@example.com"])
    invitations.cancel(as_owner, center, sent.invitation.pk)
    [again] = invitations.invite(as_owner, center, ["bob@example.com"])
    assert again.ok
    with pytest.raises(Conflict, match="newer invitation") as replaced:
        undo.undo_cancel(as_owner, center, sent.invitation.pk)
    assert replaced.value.code == "replaced"


def test_undo_of_a_pending_invitation_has_nothing_to_undo(center, as_owner):
    [sent] = invitations.invite(as_owner, center, ["bob@example.com"])
    with pytest.raises(Conflict, match="nothing to undo"):
        undo.undo_cancel(as_owner, center, sent.invitation.pk)


def test_what_the_product_cancelled_with_a_revoked_sender_stays_cancelled(
        center, as_owner, make_user):
    from tests.web.test_partner_pages import member

    co = member(as_owner, center, make_user, "co@brand.com", role="ADMIN")
    [sent] = invitations.invite(act(co.user), center, ["friend@else.com"], Grant())
    revoke_member(as_owner, center, co.pk)
    assert Invitation.objects.get(pk=sent.invitation.pk).state == InvitationState.CANCELLED
    with pytest.raises(Conflict, match="may no longer invite"):
        undo.undo_cancel(as_owner, center, sent.invitation.pk)


def test_the_web_says_cancelled_with_an_undo_button_that_works(client, owner, center,
                                                                as_owner):
    [sent] = invitations.invite(as_owner, center, ["bob@example.com"])
    client.force_login(owner)
    back = f"/c/{center.pk}/partners/invitations/?q=bob"
    done = client.post(f"/c/{center.pk}/partners/invitations/{sent.invitation.pk}/cancel/",
                       {"confirmed": "1", "next": back}, follow=True)
    assert "Cancelled the invitation to bob@example.com. Undo" in " ".join(flash(done).split())
    form = re.search(r'<form method="post" action="([^"]+)" class="inline undo">', raw(done))
    assert form and form.group(1) == (
        f"/c/{center.pk}/partners/invitations/{sent.invitation.pk}/restore/")
    restored = client.post(form.group(1), {"next": back}, follow=True)
    assert "is pending again" in flash(restored)
    assert restored.redirect_chain[-1][0] == back
    assert Invitation.objects.get().state == InvitationState.PENDING
    again = client.post(form.group(1), {"next": back}, follow=True)
    assert "nothing to undo" in flash(again)
