"""An invitation is a secret that carries its sender's authority: only people who may
invite read its link, it dies with the sender's right to invite, and what a member held
(tokens, invitations sent) ends when their access does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from bizcenter.accounts.models import User
from bizcenter.accounts.tokens import create_token
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import revoke_member, update_member
from bizcenter.core.errors import Gone, LimitReached, NotAllowed
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from bizcenter.invitations.services import Grant
from tests.conftest import PASSWORD, act, join, token_of
from tests.support.api import Api

pytestmark = pytest.mark.usefixtures("quick_hashing")


def error_code(response) -> str:
    return response.json()["error"]["code"]


@pytest.fixture
def co_admin(center, as_owner, make_user) -> User:
    person = make_user("co@brand.com", name="Cora")
    join(as_owner, center, person, role="ADMIN")
    return person


# -- the link is a secret ----------------------------------------------------------------


def test_a_read_only_token_never_reads_a_link_and_a_forwarded_one_lets_nobody_in(
        client, center, as_owner, run_worker):
    """The attack: a read-only token read the link of an Admin invitation, signed up with
    the invited address and accepted. Now it is refused the link, and whoever has the
    link anyway (a forwarded email) cannot accept without the code sent to the address."""
    [sent] = invitations.invite(as_owner, center, ["new.admin@brand.com"], Grant(role="ADMIN"))
    path = f"/centers/{center.pk}/invitations/{sent.invitation.pk}/link"
    reader = Api(create_token(as_owner, center, "reader", read_only=True).secret)
    refused = reader.get(path)
    assert refused.status_code == 403 and error_code(refused) == "read_only_token"
    assert "new.admin" not in refused.content.decode() and token_of(sent.link) not in (
        refused.content.decode())
    writer = Api(create_token(as_owner, center, "writer").secret)
    assert writer.get(path).json()["link"] == sent.link

    link = "/" + sent.link.split("://", 1)[1].split("/", 1)[1]
    client.post(f"{link}signup/", {"name": "Mallory", "password": PASSWORD})
    mallory = User.objects.get(email="new.admin@brand.com")
    behind_the_gate = Client()
    behind_the_gate.force_login(mallory)
    answer = behind_the_gate.post(link)
    assert answer.status_code == 403
    assert not mallory.memberships.exists()
    assert Invitation.objects.get(pk=sent.invitation.pk).state == InvitationState.PENDING


def test_a_standard_member_never_sees_a_copy_link_page(client, center, as_owner, make_user):
    [sent] = invitations.invite(as_owner, center, ["x@agency.com"])
    sam = make_user("sam@agency.com")
    join(as_owner, center, sam)
    client.force_login(sam)
    page = client.get(f"/c/{center.pk}/partners/invitations/{sent.invitation.pk}/link/")
    assert page.status_code == 403
    assert token_of(sent.link) not in page.content.decode()


# -- an invitation lasts as long as its sender's authority ----------------------------------


def test_revoking_an_admin_cancels_every_invitation_they_sent(client, center, as_owner,
                                                              co_admin, owner):
    sent = invitations.invite(act(co_admin), center, ["friend@else.com", "+14155550188"],
                              Grant(role="ADMIN"))
    mine = invitations.invite(as_owner, center, ["kept@agency.com"])
    membership = co_admin.memberships.get(center=center)
    client.force_login(owner)
    confirm = client.get(f"/c/{center.pk}/partners/{membership.pk}/revoke/")
    assert "The 2 pending invitations they sent are cancelled" in confirm.content.decode()

    revoke_member(as_owner, center, membership.pk)
    for result in sent:
        invitation = Invitation.objects.get(pk=result.invitation.pk)
        assert invitation.state == InvitationState.CANCELLED
        event = AuditEvent.objects.get(action="invitation.cancelled",
                                       target_id=str(invitation.pk))
        assert event.after == {"state": "CANCELLED",
                               "reason": "sent by a member who was revoked"}
        assert event.actor == owner
        page = Client().get("/" + result.link.split("://", 1)[1].split("/", 1)[1])
        assert page.status_code == 410 and "cancelled" in page.content.decode()
    assert Invitation.objects.get(pk=mine[0].invitation.pk).state == InvitationState.PENDING

    # Invited back, the Admin does not get their old invitations back either.
    join(as_owner, center, co_admin, role="ADMIN")
    for result in sent:
        with pytest.raises(Gone):
            invitations.accept(act(User.objects.get(pk=co_admin.pk)), token_of(result.link))


def test_making_an_admin_standard_cancels_what_they_sent(client, center, as_owner, co_admin,
                                                         owner):
    [sent] = invitations.invite(act(co_admin), center, ["friend@else.com"])
    membership = co_admin.memberships.get(center=center)
    client.force_login(owner)
    edit = client.get(f"/c/{center.pk}/partners/{membership.pk}/edit/").content.decode()
    assert "cancels the 1 pending invitation they sent" in edit
    update_member(as_owner, center, membership.pk, role="STANDARD")
    assert Invitation.objects.get(pk=sent.invitation.pk).state == InvitationState.CANCELLED


def test_an_invitation_whose_sender_may_no_longer_invite_cannot_be_accepted(
        center, as_owner, co_admin, make_user):
    """Not cancelled (the sender's access simply ended on its date), but the invitation
    carries their authority, which is gone: accepting checks it again."""
    ends = timezone.now() + timedelta(days=2)
    update_member(as_owner, center, co_admin.memberships.get(center=center).pk,
                  expires_at=ends)
    [sent] = invitations.invite(act(co_admin), center, ["friend@else.com"],
                                Grant(role="ADMIN"))
    friend = make_user("friend@else.com")
    with time_machine.travel(ends + timedelta(hours=1)):
        with pytest.raises(Gone) as refused:
            invitations.accept(act(friend), token_of(sent.link))
        assert refused.value.code == "inviter_cannot_invite"
        assert "Ask an Admin of Brand Co to invite you again" in refused.value.message
        assert not friend.memberships.exists()


def test_an_invitation_the_operator_sent_stands_on_its_own(center, make_user):
    from bizcenter.core.actor import Actor

    [sent] = invitations.invite(Actor.system("cli"), center, ["ops@agency.com"])
    ops = make_user("ops@agency.com")
    assert invitations.accept(act(ops), token_of(sent.link)).center == center


# -- tokens end with the access that made them --------------------------------------------


def test_a_revoked_members_tokens_stop_for_good_even_after_an_invitation_back(
        center, as_owner, co_admin):
    api = Api(create_token(act(co_admin), center, "cora's script").secret)
    assert api.get(f"/centers/{center.pk}").status_code == 200
    revoke_member(as_owner, center, co_admin.memberships.get(center=center).pk)
    assert api.get(f"/centers/{center.pk}").status_code == 401
    join(as_owner, center, co_admin, role="ADMIN")
    again = api.get(f"/centers/{center.pk}")
    assert again.status_code == 401 and error_code(again) == "token_revoked"
    event = AuditEvent.objects.get(action="api_token.revoked", center=center)
    assert event.after["reason"] == "member revoked"


def test_a_password_reset_ends_every_token_of_the_account(client, center, owner, as_owner,
                                                        run_worker, mailbox):
    api = Api(create_token(as_owner, center, "script").secret)
    assert api.get(f"/centers/{center.pk}").status_code == 200
    client.post("/password/reset/", {"address": owner.email})
    run_worker()
    reset = next(m for m in mailbox if "Reset your bizcenter password" in m.subject)
    link = re.search(r"https?://\S+(/password/reset/\S+/)", reset.body).group(1)
    form = client.get(link, follow=True)
    new = "another long passphrase 7"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    answer = api.get(f"/centers/{center.pk}")
    assert answer.status_code == 401 and error_code(answer) == "token_revoked"


# -- seats ----------------------------------------------------------------------------


def test_bringing_back_an_ended_membership_takes_a_seat_under_the_limit(center, as_owner,
                                                                         make_user):
    """The attack: an expired Admin revived with "clear expiry" skipped the seat check
    (21 of 20 Admins). Ending gave the seat back; coming back takes one again."""
    limit = settings.BIZCENTER_MAX_ADMINS
    ends = timezone.now() + timedelta(days=1)
    late = make_user("late@brand.com")
    membership = join(as_owner, center, late, role="ADMIN")
    update_member(as_owner, center, membership.pk, expires_at=ends)
    with time_machine.travel(ends + timedelta(hours=1)):
        # The seat it gave back goes to others: the Admin seats fill up.
        invitations.invite(as_owner, center, [f"a{n}@brand.com" for n in range(limit - 1)],
                           Grant(role="ADMIN"))
        with pytest.raises(LimitReached) as full:
            update_member(as_owner, center, membership.pk, clear_expiry=True)
        assert full.value.code == "admin_limit"
        with pytest.raises(LimitReached):
            update_member(as_owner, center, membership.pk,
                          expires_at=timezone.now() + timedelta(days=30))
        assert not late.memberships.get(pk=membership.pk).is_current
        # As Standard it fits (member seats are free), and then it is current again.
        back = update_member(as_owner, center, membership.pk, clear_expiry=True,
                             role="STANDARD")
        assert back.is_current


def test_an_unproven_account_cannot_accept_even_its_own_invitation(center, as_owner):
    from bizcenter.accounts.services import sign_up
    from bizcenter.core.actor import Actor

    [sent] = invitations.invite(as_owner, center, ["jo@agency.com"])
    jo = sign_up(Actor(None, ip="192.0.2.1", via="web"), email="jo@agency.com",
                 password=PASSWORD)
    with pytest.raises(NotAllowed) as refused:
        invitations.accept(act(jo), token_of(sent.link))
    assert refused.value.code == "address_unverified"
    assert Invitation.objects.get(pk=sent.invitation.pk).state == InvitationState.PENDING
