"""The article's flows end to end through the services: invite, accept, edit,
revoke, re-invite, and every way an invitation link can fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bizcenter.audit.models import AuditEvent
from bizcenter.centers.models import Membership, MembershipState
from bizcenter.centers.services import list_members, revoke_member, update_member
from bizcenter.core.errors import Conflict, Gone, InvalidInput, NotAllowed, NotFound
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState, InvitationToken
from bizcenter.invitations.services import Grant
from bizcenter.outbox import sms
from bizcenter.outbox.models import MessageState, OutboxMessage
from tests.conftest import act


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def invite_one(as_owner, center, address: str, **grant) -> invitations.InviteResult:
    [result] = invitations.invite(as_owner, center, [address], Grant(**grant))
    assert result.status == "invited", result.message
    return result


def test_invite_accept_member_with_exactly_the_access_given(
    center, as_owner, make_user, run_worker, mailbox
):
    result = invite_one(as_owner, center, "J.Doe@Agency.com", kind="agency",
                        modules=("analytics", "campaigns"), finance_role="analyst")
    assert result.normalized == "j.doe@agency.com"
    run_worker()
    [email] = mailbox
    assert email.to == ["j.doe@agency.com"]
    assert "Brand Co" in email.subject
    assert result.link in email.body

    person = make_user("j.doe@agency.com", name="Jo Doe")
    membership = invitations.accept(act(person), token_of(result.link))

    assert membership.state == MembershipState.ACTIVE
    assert (membership.role, membership.kind, membership.finance_role) == (
        "STANDARD", "agency", "ANALYST")
    assert membership.modules == ["ANALYTICS", "CAMPAIGNS"]
    members = list_members(as_owner, center, search="jo doe").items
    assert [m.user.email for m in members] == ["j.doe@agency.com"]
    assert Invitation.objects.get(pk=result.invitation.pk).state == InvitationState.ACCEPTED
    actions = list(AuditEvent.objects.filter(center=center).values_list("action", flat=True))
    assert "invitation.sent" in actions and "invitation.accepted" in actions


def test_phone_invitation_is_texted_and_accepted_by_that_phone(
    center, as_owner, make_user, run_worker
):
    result = invite_one(as_owner, center, "+1 (415) 555-0123")
    run_worker()
    [text] = sms.sent
    assert text["to"] == "+14155550123"
    assert result.link in text["body"]
    person = make_user(phone="+14155550123")
    assert invitations.accept(act(person), token_of(result.link)).user == person


def test_wrong_address_is_refused_with_the_masked_address_and_consumes_nothing(
    center, as_owner, make_user
):
    result = invite_one(as_owner, center, "jane@agency.com")
    intruder = make_user("someone@else.com")
    with pytest.raises(NotAllowed) as refused:
        invitations.accept(act(intruder), token_of(result.link))
    assert refused.value.code == "wrong_address"
    assert "j***@agency.com" in refused.value.message
    assert "jane@agency.com" not in refused.value.message
    assert "someone@else.com" in refused.value.message
    assert not Membership.objects.filter(user=intruder).exists()
    # The right person can still use the same link.
    jane = make_user("jane@agency.com")
    assert invitations.accept(act(jane), token_of(result.link)).center == center


def test_accept_needs_a_logged_in_person(center, as_owner):
    result = invite_one(as_owner, center, "jane@agency.com")
    with pytest.raises(NotAllowed) as refused:
        invitations.accept(act(None), token_of(result.link))
    assert refused.value.code == "login_required"


def test_expired_link_says_so_and_how_to_get_a_new_one(center, as_owner, make_user):
    result = invite_one(as_owner, center, "late@agency.com")
    person = make_user("late@agency.com")
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        preview = invitations.preview(token_of(result.link))
        assert preview.problem is not None and preview.problem.code == "expired"
        with pytest.raises(Gone) as gone:
            invitations.accept(act(person), token_of(result.link))
        assert gone.value.code == "expired"
        assert "resend" in gone.value.message and "30 days" in gone.value.message
        # The Admin resends: a new link works, the old one stays dead.
        fresh = invitations.resend(as_owner, center, result.invitation.pk)
        with pytest.raises(Gone):
            invitations.accept(act(person), token_of(result.link))
        assert invitations.accept(act(person), token_of(fresh.link)).user == person


def test_one_day_before_expiry_the_link_still_works(center, as_owner, make_user):
    result = invite_one(as_owner, center, "ontime@agency.com")
    person = make_user("ontime@agency.com")
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert invitations.accept(act(person), token_of(result.link)).user == person


def test_resend_kills_the_old_link_at_once(center, as_owner, make_user, run_worker, mailbox):
    result = invite_one(as_owner, center, "again@agency.com")
    fresh = invitations.resend(as_owner, center, result.invitation.pk)
    assert fresh.link != result.link
    run_worker()
    # Only the new link is delivered: the first message was no longer worth sending.
    assert [fresh.link in m.body for m in mailbox] == [True]
    assert OutboxMessage.objects.filter(state=MessageState.SKIPPED).count() == 1
    person = make_user("again@agency.com")
    with pytest.raises(Gone) as gone:
        invitations.accept(act(person), token_of(result.link))
    assert gone.value.code == "replaced"
    assert invitations.accept(act(person), token_of(fresh.link)).user == person


def test_cancelled_and_used_links_say_exactly_that(center, as_owner, make_user):
    cancelled = invite_one(as_owner, center, "cancel@agency.com")
    invitations.cancel(as_owner, center, cancelled.invitation.pk)
    person = make_user("cancel@agency.com")
    with pytest.raises(Gone) as gone:
        invitations.accept(act(person), token_of(cancelled.link))
    assert gone.value.code == "cancelled" and "invite you again" in gone.value.message
    with pytest.raises(Conflict):
        invitations.cancel(as_owner, center, cancelled.invitation.pk)

    used = invite_one(as_owner, center, "used@agency.com")
    user = make_user("used@agency.com")
    invitations.accept(act(user), token_of(used.link))
    with pytest.raises(Gone) as gone:
        invitations.accept(act(user), token_of(used.link))
    assert gone.value.code == "used"
    with pytest.raises(NotFound) as unknown:
        invitations.preview("not-a-real-token")
    assert unknown.value.code == "invalid_link"


def test_duplicates_members_and_pending_get_clear_answers(center, as_owner, owner):
    invite_one(as_owner, center, "pending@agency.com")
    results = invitations.invite(as_owner, center, [
        "new@agency.com", "NEW@agency.com", "pending@agency.com", owner.email, "not an address",
    ])
    assert [r.status for r in results] == [
        "invited", "duplicate", "already_invited", "already_member", "invalid"]
    assert "Resend" in results[2].message
    assert "already a member" in results[3].message
    assert Invitation.objects.filter(center=center).count() == 2


def test_at_most_fifty_addresses_per_call_and_nothing_written_beyond(center, as_owner):
    with pytest.raises(InvalidInput) as refused:
        invitations.invite(as_owner, center, [f"p{i}@agency.com" for i in range(51)])
    assert "At most 50" in refused.value.message
    assert not Invitation.objects.exists()
    results = invitations.invite(as_owner, center, [f"p{i}@agency.com" for i in range(50)])
    assert all(r.ok for r in results)


def test_edit_then_revoke_then_reinvite(center, as_owner, make_user):
    result = invite_one(as_owner, center, "partner@agency.com")
    person = make_user("partner@agency.com")
    membership = invitations.accept(act(person), token_of(result.link))

    edited = update_member(as_owner, center, membership.pk, modules=["ASSETS"], kind="client")
    assert (edited.modules, edited.kind) == (["ASSETS"], "client")

    revoked = revoke_member(as_owner, center, membership.pk)
    assert revoked.state == MembershipState.REVOKED
    with pytest.raises(Conflict):
        update_member(as_owner, center, membership.pk, role="ADMIN")
    # The revoked person reaches nothing, and is no longer in the members list.
    with pytest.raises(NotFound):
        list_members(act(person), center)
    assert person.email not in [m.user.email for m in list_members(as_owner, center).items]

    again = invite_one(as_owner, center, "partner@agency.com", modules=("ANALYTICS",))
    second = invitations.accept(act(person), token_of(again.link))
    assert second.pk != membership.pk and second.modules == ["ANALYTICS"]
    history = Membership.objects.filter(center=center, user=person).order_by("pk")
    assert [m.state for m in history] == [MembershipState.REVOKED, MembershipState.ACTIVE]


def test_only_admins_manage_members_and_invitations(center, as_owner, make_user):
    result = invite_one(as_owner, center, "std@agency.com")
    standard = make_user("std@agency.com")
    membership = invitations.accept(act(standard), token_of(result.link))
    for attempt in (
        lambda: invitations.invite(act(standard), center, ["x@agency.com"]),
        lambda: revoke_member(act(standard), center, membership.pk),
        lambda: update_member(act(standard), center, membership.pk, role="ADMIN"),
    ):
        with pytest.raises(NotAllowed) as refused:
            attempt()
        assert "Only Admins" in refused.value.message
    assert Membership.objects.get(pk=membership.pk).role == "STANDARD"
    assert not Invitation.objects.filter(address="x@agency.com").exists()


def test_no_token_is_ever_stored(center, as_owner):
    result = invite_one(as_owner, center, "secret@agency.com")
    token = token_of(result.link)
    assert len(token) >= 22  # at least 128 bits in URL-safe base64
    rows = [*Invitation.objects.values_list(), *InvitationToken.objects.values_list(),
            *OutboxMessage.objects.values_list(), *AuditEvent.objects.values_list()]
    assert all(token not in str(row) for row in rows)
    assert invitations.link(as_owner, center, result.invitation.pk) == result.link
