"""An invitation's whole life: sent, delivered, accepted, refused, expired, resent,
cancelled, used, and what every wrong turn tells the person."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bizcenter.audit.models import AuditEvent, Category
from bizcenter.centers.models import Membership, MembershipState
from bizcenter.centers.services import get_center, list_members, revoke_member
from bizcenter.core.errors import Conflict, Gone, InvalidInput, NotAllowed, NotFound
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState, InvitationToken
from bizcenter.invitations.services import Grant
from bizcenter.outbox import sms
from bizcenter.outbox.models import Channel, MessageState, OutboxMessage
from tests.conftest import act, token_of

pytestmark = pytest.mark.usefixtures("quick_hashing")


def invite_one(as_owner, center, address: str, **grant) -> invitations.InviteResult:
    [result] = invitations.invite(as_owner, center, [address], Grant(**grant))
    assert result.status == "invited", result.message
    return result


def nothing_written() -> bool:
    return not (Invitation.objects.exists() or InvitationToken.objects.exists()
                or OutboxMessage.objects.exists() or DBTaskResult.objects.exists()
                or AuditEvent.objects.filter(action__startswith="invitation.").exists())


def later(**delta):
    """Move the clock forward (never sleep)."""
    return time_machine.travel(timezone.now() + timedelta(**delta), tick=False)


# -- invite, deliver, accept -------------------------------------------------------


def test_email_invitation_from_invite_to_member(center, as_owner, owner, make_user, run_worker,
                                                mailbox):
    result = invite_one(as_owner, center, "J.Doe@Agency.com", kind="agency",
                        modules=("campaigns", "analytics"), finance_role="manager")
    assert result.normalized == "j.doe@agency.com"
    assert "Invitation sent to j.doe@agency.com" in result.message

    # Written to the outbox with the invitation; nothing is sent yet.
    [message] = OutboxMessage.objects.all()
    assert (message.channel, message.to, message.state) == (
        Channel.EMAIL, "j.doe@agency.com", MessageState.PENDING)
    assert mailbox == []

    run_worker()
    [email] = mailbox
    assert email.to == ["j.doe@agency.com"]
    assert email.subject == '"Olivia Owner" invited you to "Brand Co" on bizcenter'
    assert result.link in email.body
    assert '"Olivia Owner" invited you to work in "Brand Co"' in email.body
    assert 'ask an Admin of "Brand Co" to resend it' in email.body
    [(html, mime)] = email.alternatives
    assert mime == "text/html" and result.link in html
    assert OutboxMessage.objects.get().state == MessageState.SENT

    # The person signs up with the invited address, typed their own way, and accepts.
    jo = make_user("J.DOE@agency.com", name="Jo Doe")
    membership = invitations.accept(act(jo), token_of(result.link))

    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.center, stored.user, stored.state) == (center, jo, MembershipState.ACTIVE)
    assert (stored.role, stored.kind, stored.finance_role) == ("STANDARD", "agency", "MANAGER")
    assert stored.modules == ["ANALYTICS", "BILLING", "CAMPAIGNS"]  # the finance role's
    assert stored.joined_at is not None
    # A member at once: they reach the center, and the Admin sees them in the list.
    assert get_center(act(jo), center.pk) == center
    assert [m.user for m in list_members(as_owner, center, search="jo doe").items] == [jo]
    invitation = Invitation.objects.get(pk=result.invitation.pk)
    assert (invitation.state, invitation.accepted_by, invitation.membership) == (
        InvitationState.ACCEPTED, jo, stored)


def test_an_admin_invitation_gives_every_module_and_an_end_date(center, as_owner, make_user):
    ends = timezone.now() + timedelta(days=60)
    result = invite_one(as_owner, center, "lead@agency.com", role="admin", kind="manager",
                        modules=(), expires_at=ends)
    lead = make_user("lead@agency.com")
    membership = invitations.accept(act(lead), token_of(result.link))
    assert (membership.role, membership.kind) == ("ADMIN", "manager")
    assert membership.modules == ["ANALYTICS", "CAMPAIGNS", "ASSETS", "BILLING"]
    assert membership.expires_at == ends
    assert list_members(act(lead), center).total == 2


def test_an_invitation_with_no_grant_gives_standard_access_of_kind_other(center, as_owner,
                                                                         make_user):
    result = invite_one(as_owner, center, "plain@agency.com")
    membership = invitations.accept(act(make_user("plain@agency.com")), token_of(result.link))
    assert (membership.role, membership.kind) == ("STANDARD", "other")


def test_phone_invitation_is_texted_and_accepted_by_that_phone(center, as_owner, make_user,
                                                               run_worker, mailbox):
    result = invite_one(as_owner, center, "+1 (415) 555-0123", kind="influencer")
    assert result.invitation.address == "+14155550123"
    run_worker()
    assert mailbox == []
    [text] = sms.sent
    assert text["to"] == "+14155550123"
    assert result.link in text["body"] and "Brand Co" in text["body"]
    assert OutboxMessage.objects.get().channel == Channel.SMS

    # Signed up with the same number written differently.
    creator = make_user(phone="+1 415 555 0123")
    membership = invitations.accept(act(creator), token_of(result.link))
    assert (membership.user, membership.kind) == (creator, "influencer")


def test_preview_shows_the_invitation_without_disclosing_the_address(center, as_owner):
    result = invite_one(as_owner, center, "jane@agency.com", modules=("BILLING",))
    preview = invitations.preview(token_of(result.link))
    assert (preview.center_name, preview.masked_address, preview.role) == (
        "Brand Co", "j***@agency.com", "STANDARD")
    assert preview.modules == ["BILLING"]
    assert preview.problem is None


# -- many addresses in one call ----------------------------------------------------


def test_fifty_addresses_in_one_call(center, as_owner, run_worker, mailbox):
    results = invitations.invite(as_owner, center, [f"p{i}@agency.com" for i in range(50)])
    assert [r.status for r in results] == ["invited"] * 50
    assert len({r.link for r in results}) == 50
    assert Invitation.objects.filter(center=center, state="PENDING").count() == 50
    run_worker()
    assert sorted(m.to[0] for m in mailbox) == sorted(f"p{i}@agency.com" for i in range(50))


def test_fifty_one_addresses_are_refused_and_nothing_is_written(center, as_owner):
    with pytest.raises(InvalidInput) as refused:
        invitations.invite(as_owner, center, [f"p{i}@agency.com" for i in range(51)])
    assert "At most 50 addresses" in refused.value.message
    assert "this list has 51" in refused.value.message
    assert refused.value.fields == {"addresses": "at most 50"}
    assert nothing_written()


def test_an_empty_call_is_refused(center, as_owner):
    with pytest.raises(InvalidInput) as refused:
        invitations.invite(as_owner, center, [])
    assert "at least one" in refused.value.message
    assert nothing_written()


def test_a_bad_grant_refuses_the_whole_call(center, as_owner):
    with pytest.raises(InvalidInput) as refused:
        invitations.invite(as_owner, center, ["a@agency.com"], Grant(role="owner"))
    assert "'owner' is not a valid role" in refused.value.message
    with pytest.raises(InvalidInput):
        invitations.invite(as_owner, center, ["a@agency.com"],
                           Grant(expires_at=timezone.now() - timedelta(days=1)))
    assert nothing_written()


def test_each_address_gets_its_own_answer(center, as_owner, owner):
    pending = invite_one(as_owner, center, "pending@agency.com")
    results = invitations.invite(as_owner, center, [
        "new@agency.com", "not an address", "NEW@Agency.com", "Pending@agency.com",
        "OWNER@brand.com", "4155550123", "+14155550188",
    ])
    by_status = [(r.address, r.status) for r in results]
    assert by_status == [
        ("new@agency.com", "invited"),
        ("not an address", "invalid"),
        ("NEW@Agency.com", "duplicate"),
        ("Pending@agency.com", "already_invited"),
        ("OWNER@brand.com", "already_member"),
        ("4155550123", "invalid"),
        ("+14155550188", "invited"),
    ]
    invited, invalid, duplicate, again, member, no_code, phone = results
    assert invited.link and phone.link
    assert "neither an email address nor a phone number" in invalid.message
    assert duplicate.message == "new@agency.com is already in this list; it is invited once."
    assert "pending@agency.com already has a pending invitation" in again.message
    assert "Resend it" in again.message
    assert again.invitation.pk == pending.invitation.pk and again.link is None
    assert "owner@brand.com is already a member of Brand Co" in member.message
    assert "Edit their access" in member.message
    assert "country code" in no_code.message
    for refused in (invalid, duplicate, again, member, no_code):
        assert not refused.ok and refused.link is None
    # Only the two new invitations were written, each with one message and one log entry.
    assert sorted(Invitation.objects.values_list("address", flat=True)) == [
        "+14155550188", "new@agency.com", "pending@agency.com"]
    assert OutboxMessage.objects.count() == 3
    assert AuditEvent.objects.filter(action="invitation.sent").count() == 3


def test_an_expired_invitation_does_not_block_a_new_one(center, as_owner, make_user):
    first = invite_one(as_owner, center, "late@agency.com")
    with later(days=31):
        second = invite_one(as_owner, center, "late@agency.com")
        assert Invitation.objects.get(pk=first.invitation.pk).state == InvitationState.EXPIRED
        person = make_user("late@agency.com")
        with pytest.raises(Gone) as gone:
            invitations.accept(act(person), token_of(first.link))
        assert gone.value.code == "expired"
        assert invitations.accept(act(person), token_of(second.link)).user == person


# -- who may accept -----------------------------------------------------------------


def test_the_wrong_account_is_refused_with_the_masked_address(center, as_owner, make_user):
    result = invite_one(as_owner, center, "jane@agency.com", kind="client")
    intruder = make_user("mallory@else.com")
    with pytest.raises(NotAllowed) as refused:
        invitations.accept(act(intruder), token_of(result.link))
    error = refused.value
    assert error.code == "wrong_address" and error.status == 403
    assert "This invitation was sent to j***@agency.com" in error.message
    assert "you are logged in as mallory@else.com" in error.message
    assert "Log out, then log in or sign up with j***@agency.com" in error.message
    assert "jane@agency.com" not in error.message
    # Nothing was consumed: no membership, the invitation is still pending ...
    assert not Membership.objects.filter(user=intruder).exists()
    with pytest.raises(NotFound):
        get_center(act(intruder), center.pk)
    assert Invitation.objects.get(pk=result.invitation.pk).state == InvitationState.PENDING
    # ... and the right person can use the very same link afterwards.
    jane = make_user("jane@agency.com")
    assert invitations.accept(act(jane), token_of(result.link)).kind == "client"


def test_a_phone_invitation_is_refused_to_an_email_account(center, as_owner, make_user):
    result = invite_one(as_owner, center, "+14155550123")
    other = make_user("someone@agency.com", phone="+14155550999")
    with pytest.raises(NotAllowed) as refused:
        invitations.accept(act(other), token_of(result.link))
    assert "+14*****0123" in refused.value.message
    assert "+14155550123" not in refused.value.message
    assert Invitation.objects.get(pk=result.invitation.pk).state == InvitationState.PENDING


def test_a_person_must_log_in_before_accepting(center, as_owner):
    result = invite_one(as_owner, center, "jane@agency.com")
    with pytest.raises(NotAllowed) as refused:
        invitations.accept(act(None), token_of(result.link))
    assert refused.value.code == "login_required"
    assert "Log in or sign up first" in refused.value.message
    assert Invitation.objects.get(pk=result.invitation.pk).state == InvitationState.PENDING
    assert Membership.objects.filter(center=center).count() == 1


# -- expiry --------------------------------------------------------------------------


def test_a_link_works_until_thirty_days_after_sending(center, as_owner, make_user):
    result = invite_one(as_owner, center, "ontime@agency.com")
    assert result.invitation.expires_at - result.invitation.sent_at == timedelta(days=30)
    person = make_user("ontime@agency.com")
    with later(days=29, hours=23):
        assert invitations.accept(act(person), token_of(result.link)).user == person


def test_an_expired_link_says_so_and_to_ask_an_admin_to_resend(center, as_owner, make_user):
    result = invite_one(as_owner, center, "late@agency.com")
    person = make_user("late@agency.com")
    with later(days=30, minutes=1):
        with pytest.raises(Gone) as gone:
            invitations.accept(act(person), token_of(result.link))
        assert gone.value.code == "expired" and gone.value.status == 410
        assert "This invitation to Brand Co expired on" in gone.value.message
        assert "Ask an Admin of Brand Co to resend it" in gone.value.message
        assert "links work for 30 days" in gone.value.message
        assert invitations.preview(token_of(result.link)).problem.code == "expired"
    assert not Membership.objects.filter(user=person).exists()


def test_the_validity_is_configurable(settings, center, as_owner, make_user):
    settings.BIZCENTER_INVITATION_DAYS = 7
    result = invite_one(as_owner, center, "week@agency.com")
    person = make_user("week@agency.com")
    with later(days=7, seconds=1):
        with pytest.raises(Gone) as gone:
            invitations.accept(act(person), token_of(result.link))
        assert "links work for 7 days" in gone.value.message


# -- resend ----------------------------------------------------------------------------


def test_resend_gives_a_new_link_and_kills_the_old_one(center, as_owner, make_user,
                                                       run_worker, mailbox):
    result = invite_one(as_owner, center, "again@agency.com")
    run_worker()
    assert result.link in mailbox[0].body
    with later(days=3):
        fresh = invitations.resend(as_owner, center, result.invitation.pk)
        assert fresh.link != result.link
        assert fresh.invitation.resend_count == 1
        assert fresh.invitation.expires_at == timezone.now() + timedelta(days=30)
        run_worker()
    assert len(mailbox) == 2 and fresh.link in mailbox[1].body
    assert result.link not in mailbox[1].body

    person = make_user("again@agency.com")
    with pytest.raises(Gone) as gone:
        invitations.accept(act(person), token_of(result.link))
    assert gone.value.code == "replaced"
    assert "replaced by a newer invitation to Brand Co, sent to a***@agency.com" in \
        gone.value.message
    assert "newest message" in gone.value.message
    assert invitations.accept(act(person), token_of(fresh.link)).user == person


def test_resending_an_expired_invitation_brings_it_back(center, as_owner, make_user):
    result = invite_one(as_owner, center, "late@agency.com")
    person = make_user("late@agency.com")
    with later(days=45):
        assert invitations.list_invitations(as_owner, center, status="expired").total == 1
        fresh = invitations.resend(as_owner, center, result.invitation.pk)
        assert invitations.list_invitations(as_owner, center, status="pending").total == 1
        with pytest.raises(Gone):
            invitations.accept(act(person), token_of(result.link))
        assert invitations.accept(act(person), token_of(fresh.link)).user == person


def test_resend_of_an_accepted_or_cancelled_invitation_is_a_conflict(center, as_owner,
                                                                     make_user):
    used = invite_one(as_owner, center, "used@agency.com")
    invitations.accept(act(make_user("used@agency.com")), token_of(used.link))
    with pytest.raises(Conflict) as refused:
        invitations.resend(as_owner, center, used.invitation.pk)
    assert refused.value.code == "already_accepted"

    gone = invite_one(as_owner, center, "gone@agency.com")
    invitations.cancel(as_owner, center, gone.invitation.pk)
    with pytest.raises(Conflict) as refused:
        invitations.resend(as_owner, center, gone.invitation.pk)
    assert refused.value.code == "cancelled" and "Invite them again" in refused.value.message
    with pytest.raises(NotFound):
        invitations.resend(as_owner, center, 999_999)


# -- cancel, used, unknown ---------------------------------------------------------------


def test_a_cancelled_link_says_so(center, as_owner, owner, make_user):
    result = invite_one(as_owner, center, "cancel@agency.com")
    cancelled = invitations.cancel(as_owner, center, result.invitation.pk)
    assert (cancelled.state, cancelled.cancelled_by) == (InvitationState.CANCELLED, owner)
    person = make_user("cancel@agency.com")
    with pytest.raises(Gone) as gone:
        invitations.accept(act(person), token_of(result.link))
    assert gone.value.code == "cancelled"
    assert "was cancelled by an Admin" in gone.value.message
    assert "Ask an Admin of Brand Co to invite you again" in gone.value.message
    assert not Membership.objects.filter(user=person).exists()


def test_cancel_twice_and_cancel_after_accept_are_conflicts(center, as_owner, make_user):
    result = invite_one(as_owner, center, "cancel@agency.com")
    invitations.cancel(as_owner, center, result.invitation.pk)
    with pytest.raises(Conflict) as refused:
        invitations.cancel(as_owner, center, result.invitation.pk)
    assert refused.value.code == "already_cancelled"
    assert "already cancelled" in refused.value.message
    assert AuditEvent.objects.filter(action="invitation.cancelled").count() == 1

    accepted = invite_one(as_owner, center, "in@agency.com")
    invitations.accept(act(make_user("in@agency.com")), token_of(accepted.link))
    with pytest.raises(Conflict) as refused:
        invitations.cancel(as_owner, center, accepted.invitation.pk)
    assert refused.value.code == "already_accepted"
    assert "Revoke their access" in refused.value.message


def test_a_used_link_says_so(center, as_owner, make_user):
    result = invite_one(as_owner, center, "used@agency.com")
    person = make_user("used@agency.com")
    invitations.accept(act(person), token_of(result.link))
    with pytest.raises(Gone) as gone:
        invitations.accept(act(person), token_of(result.link))
    assert gone.value.code == "used"
    assert "already used on" in gone.value.message and "just log in" in gone.value.message
    assert Membership.objects.filter(user=person).count() == 1


def test_a_used_link_stays_dead_after_the_member_is_revoked(center, as_owner, make_user):
    result = invite_one(as_owner, center, "used@agency.com")
    person = make_user("used@agency.com")
    membership = invitations.accept(act(person), token_of(result.link))
    revoke_member(as_owner, center, membership.pk)
    with pytest.raises(Gone) as gone:
        invitations.accept(act(person), token_of(result.link))
    assert gone.value.code == "used"
    with pytest.raises(NotFound):
        get_center(act(person), center.pk)


@pytest.mark.parametrize("token", ["not-a-real-token", "", "A" * 43])
def test_an_unknown_token_is_not_found(center, as_owner, make_user, token):
    invite_one(as_owner, center, "jane@agency.com")
    jane = make_user("jane@agency.com")
    with pytest.raises(NotFound) as unknown:
        invitations.accept(act(jane), token)
    assert unknown.value.code == "invalid_link"
    assert "opened the whole link" in unknown.value.message
    with pytest.raises(NotFound) as unknown:
        invitations.preview(token)
    assert unknown.value.code == "invalid_link"
    assert not Membership.objects.filter(user=jane).exists()


# -- the link an Admin can copy ---------------------------------------------------------


def test_copy_link_is_the_link_in_the_message(center, as_owner, run_worker, mailbox):
    result = invite_one(as_owner, center, "copy@agency.com")
    run_worker()
    copied = invitations.link(as_owner, center, result.invitation.pk)
    assert copied == result.link
    assert copied in mailbox[0].body
    fresh = invitations.resend(as_owner, center, result.invitation.pk)
    assert invitations.link(as_owner, center, result.invitation.pk) == fresh.link


def test_copy_link_of_a_dead_invitation_is_refused(center, as_owner):
    result = invite_one(as_owner, center, "copy@agency.com")
    invitations.cancel(as_owner, center, result.invitation.pk)
    with pytest.raises(Conflict) as refused:
        invitations.link(as_owner, center, result.invitation.pk)
    assert refused.value.code == "cancelled"
    assert "only a pending invitation has a working link" in refused.value.message

    late = invite_one(as_owner, center, "late@agency.com")
    with later(days=31), pytest.raises(Conflict) as refused:
        invitations.link(as_owner, center, late.invitation.pk)
    assert refused.value.code == "expired" and "Resend it" in refused.value.message


# -- messages not worth sending ----------------------------------------------------------


def test_a_message_for_an_invitation_cancelled_before_delivery_is_skipped(
        center, as_owner, run_worker, mailbox):
    email = invite_one(as_owner, center, "cancel@agency.com")
    text = invite_one(as_owner, center, "+14155550123")
    invitations.cancel(as_owner, center, email.invitation.pk)
    invitations.cancel(as_owner, center, text.invitation.pk)
    run_worker()
    assert mailbox == [] and sms.sent == []
    states = set(OutboxMessage.objects.values_list("state", flat=True))
    assert states == {MessageState.SKIPPED}


def test_no_message_goes_to_someone_who_already_joined_with_the_copied_link(
        center, as_owner, make_user, run_worker, mailbox):
    result = invite_one(as_owner, center, "quick@agency.com")
    copied = invitations.link(as_owner, center, result.invitation.pk)
    invitations.accept(act(make_user("quick@agency.com")), token_of(copied))
    run_worker()
    # Only the inviter hears of it: that the invitation was accepted (notifications).
    assert [(m.to, m.subject) for m in mailbox] == [
        (["owner@brand.com"], '"quick[@]agency[.]com" accepted your invitation to "Brand Co" as '
                              'Standard')]
    assert OutboxMessage.objects.get(kind="invitation").state == MessageState.SKIPPED


def test_a_message_still_undelivered_when_the_link_expires_is_skipped(
        center, as_owner, run_worker, mailbox):
    invite_one(as_owner, center, "slow@agency.com")
    with later(days=31):
        run_worker()
    assert mailbox == []
    assert OutboxMessage.objects.get().state == MessageState.SKIPPED


def test_a_message_whose_link_was_replaced_is_skipped(center, as_owner, run_worker, mailbox):
    result = invite_one(as_owner, center, "again@agency.com")
    fresh = invitations.resend(as_owner, center, result.invitation.pk)
    run_worker()
    assert len(mailbox) == 1 and fresh.link in mailbox[0].body
    assert sorted(OutboxMessage.objects.values_list("state", flat=True)) == [
        MessageState.SENT, MessageState.SKIPPED]


# -- tokens ------------------------------------------------------------------------------


def test_no_token_is_stored_in_any_column(center, as_owner, make_user, run_worker):
    first = invite_one(as_owner, center, "secret@agency.com")
    phone = invite_one(as_owner, center, "+14155550123")
    resent = invitations.resend(as_owner, center, first.invitation.pk)
    run_worker()
    invitations.accept(act(make_user(phone="+14155550123")), token_of(phone.link))
    tokens = [token_of(link) for link in (first.link, phone.link, resent.link)]
    rows = [
        *Invitation.objects.values_list(), *InvitationToken.objects.values_list(),
        *OutboxMessage.objects.values_list(), *AuditEvent.objects.values_list(),
        *DBTaskResult.objects.values_list(),
    ]
    assert rows
    for token in tokens:
        assert all(token not in str(row) for row in rows)


def test_tokens_carry_at_least_128_random_bits(center, as_owner):
    results = invitations.invite(as_owner, center, [f"t{i}@agency.com" for i in range(20)])
    tokens = [token_of(r.link) for r in results]
    assert len(set(tokens)) == 20
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
    assert all(r.link.startswith("http") and "/invite/" in r.link for r in results)


# -- the activity log ----------------------------------------------------------------------


def test_sent_resent_cancelled_and_accepted_are_logged(center, as_owner, owner, make_user):
    kept = invite_one(as_owner, center, "kept@agency.com", kind="agency")
    dropped = invite_one(as_owner, center, "dropped@agency.com")
    invitations.resend(as_owner, center, kept.invitation.pk)
    invitations.cancel(as_owner, center, dropped.invitation.pk)
    person = make_user("kept@agency.com")
    membership = invitations.accept(act(person), token_of(
        invitations.link(as_owner, center, kept.invitation.pk)))

    events = AuditEvent.objects.filter(center=center, action__startswith="invitation.")
    assert sorted(events.values_list("action", flat=True)) == [
        "invitation.accepted", "invitation.cancelled", "invitation.resent",
        "invitation.sent", "invitation.sent"]
    assert set(events.values_list("category", flat=True)) == {Category.USER}

    sent = events.get(action="invitation.sent", target_id=str(kept.invitation.pk))
    assert (sent.actor, sent.ip, sent.via) == (owner, "203.0.113.7", "test")
    assert sent.after["address"] == "kept@agency.com" and sent.after["kind"] == "agency"
    resent = events.get(action="invitation.resent")
    assert resent.before["sent_at"] != resent.after["sent_at"]
    assert resent.after["state"] == "PENDING"
    cancelled = events.get(action="invitation.cancelled")
    assert (cancelled.before, cancelled.after) == ({"state": "PENDING"}, {"state": "CANCELLED"})
    assert cancelled.target_id == str(dropped.invitation.pk)
    accepted = events.get(action="invitation.accepted")
    assert (accepted.actor, accepted.ip) == (person, "198.51.100.1")
    assert accepted.target_id == str(membership.pk)
    assert accepted.before == {"invitation": kept.invitation.pk}
    assert accepted.after["kind"] == "agency" and accepted.after["state"] == "ACTIVE"


def test_a_refused_wrong_account_is_remembered(center, as_owner, make_user):
    result = invite_one(as_owner, center, "jane@agency.com")
    intruder = make_user("mallory@else.com")
    with pytest.raises(NotAllowed):
        invitations.accept(act(intruder), token_of(result.link))
    event = AuditEvent.objects.get(action="invitation.wrong_account")
    assert event.actor == intruder and event.after == {"sent_to": "j***@agency.com"}


# -- the list of invitations -----------------------------------------------------------------


def test_list_invitations_by_status(center, as_owner, make_user):
    with later(days=-40):
        invite_one(as_owner, center, "expired@agency.com")
    invite_one(as_owner, center, "pending@agency.com")
    accepted = invite_one(as_owner, center, "accepted@agency.com")
    invitations.accept(act(make_user("accepted@agency.com")), token_of(accepted.link))
    cancelled = invite_one(as_owner, center, "cancelled@agency.com")
    invitations.cancel(as_owner, center, cancelled.invitation.pk)

    def listed(**kw) -> list[str]:
        return [i.address for i in invitations.list_invitations(as_owner, center, **kw).items]

    assert listed() == ["pending@agency.com"]  # pending is the default
    assert listed(status="pending") == ["pending@agency.com"]
    assert listed(status="EXPIRED") == ["expired@agency.com"]
    assert listed(status="accepted") == ["accepted@agency.com"]
    assert listed(status="cancelled") == ["cancelled@agency.com"]
    # Everything, newest first.
    assert listed(status=None) == ["cancelled@agency.com", "accepted@agency.com",
                                   "pending@agency.com", "expired@agency.com"]
    assert listed(status=None, search="ACCEPT") == ["accepted@agency.com"]
    assert {i.status for i in invitations.list_invitations(
        as_owner, center, status=None).items} == {"PENDING", "EXPIRED", "ACCEPTED", "CANCELLED"}


def test_list_invitations_refuses_an_unknown_status(center, as_owner):
    with pytest.raises(InvalidInput) as refused:
        invitations.list_invitations(as_owner, center, status="lost")
    assert "'lost' is not a valid status" in refused.value.message
    assert "PENDING" in refused.value.message and "CANCELLED" in refused.value.message


# -- only Admins invite -----------------------------------------------------------------------


def test_standard_members_cannot_invite_resend_cancel_copy_or_list(center, as_owner,
                                                                   make_user):
    staff = make_user("staff@agency.com")
    invitations.accept(act(staff), token_of(invite_one(as_owner, center, staff.email).link))
    pending = invite_one(as_owner, center, "pending@agency.com")
    me = act(staff)
    for attempt in (
        lambda: invitations.invite(me, center, ["friend@agency.com"], Grant(role="ADMIN")),
        lambda: invitations.resend(me, center, pending.invitation.pk),
        lambda: invitations.cancel(me, center, pending.invitation.pk),
        lambda: invitations.link(me, center, pending.invitation.pk),
        lambda: invitations.list_invitations(me, center),
    ):
        with pytest.raises(NotAllowed) as refused:
            attempt()
        assert refused.value.code == "admins_only"
        assert "Only Admins of Brand Co" in refused.value.message
    assert not Invitation.objects.filter(address="friend@agency.com").exists()
    stored = Invitation.objects.get(pk=pending.invitation.pk)
    assert (stored.state, stored.resend_count) == (InvitationState.PENDING, 0)


def test_outsiders_cannot_invite_into_a_center(center, make_user):
    outsider = make_user("outsider@else.com")
    with pytest.raises(NotFound):
        invitations.invite(act(outsider), center, ["friend@else.com"])
    assert nothing_written()
