"""Approval and direct edit of one campaign at once, on PostgreSQL (each thread its own
connection, as two app processes would be), and the invitation races the centers file
does not cover: parallel resends of one invitation, and accept racing a resend.

The campaign must always end in a state some serial order of the two requests gives:
either the approval went first and the edit then applied on top of it, or the edit
went first and the approval was refused as stale (the request stays pending). The
activity log must tell exactly that story: replaying its ``before``/``after`` values
in order leads from the original campaign to the stored one.
"""

from __future__ import annotations

from collections import Counter

from bizcenter.assets.models import Asset
from bizcenter.assets.services import create_asset, update_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.campaigns import services
from bizcenter.campaigns.models import Campaign, ChangeRequest, RequestState
from bizcenter.centers.models import Membership
from bizcenter.core.errors import Conflict, ServiceError
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState, InvitationToken
from bizcenter.invitations.services import Grant, Resent
from bizcenter.outbox.models import OutboxMessage
from tests.conftest import act, token_of
from tests.support.campaigns import ORIGINAL, replay
from tests.support.races import RACING, fresh_center, joined, quick_user, race, token

pytestmark = RACING

ROUNDS = 3
PROPOSED = {"name": "Spring sale (proposed)", "budget": "300.00"}
EDITED = {"name": "Spring sale (edited)", "budget": "500.00"}


def campaign_events(campaign: Campaign) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(target_type="campaign", target_id=str(campaign.pk))
                .order_by("created_at", "pk"))


def test_approve_and_edit_of_one_campaign_at_once_never_mix():
    outcomes = Counter(approve_and_edit(round_) for round_ in range(ROUNDS))
    # Both orders are correct; which one wins is up to the scheduler.
    assert set(outcomes) <= {"approved_then_edited", "edited_then_refused_stale"}


def approve_and_edit(round_: int) -> str:
    owner, other_admin, _, center, campaign, request = proposal(round_, "campaign")
    start = {**services.values_of(campaign)}

    approval, edit = race([
        lambda: services.decide(act(owner), center, request.pk, approve=True),
        lambda: services.update_campaign(act(other_admin), center, campaign.pk, **EDITED),
    ])
    campaign.refresh_from_db()
    request.refresh_from_db()
    assert isinstance(edit, services.Outcome) and edit.applied, f"round {round_}: {edit!r}"
    # Whatever the order, the direct edit was the last change applied: its values stand.
    assert (campaign.name, f"{campaign.budget:.2f}") == (EDITED["name"], EDITED["budget"])
    events = campaign_events(campaign)
    actions = [e.action for e in events]
    assert replay(start, events) == services.values_of(campaign), f"round {round_}: {actions}"
    if isinstance(approval, ChangeRequest):
        # The approval committed first: the proposal applied on the original values,
        # then the edit on the proposal's.
        assert request.state == RequestState.APPROVED
        assert campaign.version == 3
        assert actions == ["campaign.created", "campaign.change_proposed", "campaign.updated",
                           "campaign.change_approved", "campaign.updated"], actions
        first, second = (e for e in events if e.action == "campaign.updated")
        assert (first.actor_id, second.actor_id) == (owner.pk, other_admin.pk)
        assert PROPOSED.items() <= first.after.items(), first.after
        assert PROPOSED.items() <= second.before.items(), second.before
        return "approved_then_edited"
    # The edit committed first: the approval is refused as stale and changes nothing.
    assert isinstance(approval, Conflict) and approval.code == "stale", approval
    assert request.state == RequestState.PENDING and request.decided_by is None
    assert campaign.version == 2
    assert actions == ["campaign.created", "campaign.change_proposed", "campaign.updated"]
    [updated] = (e for e in events if e.action == "campaign.updated")
    assert updated.actor_id == other_admin.pk
    assert not AuditEvent.objects.filter(action="campaign.change_approved",
                                         center=center).exists()
    return "edited_then_refused_stale"


def test_parallel_resends_of_one_invitation_leave_exactly_one_live_link():
    for round_ in range(ROUNDS):
        parallel_resends(round_)


def parallel_resends(round_: int) -> None:
    owner, center = fresh_center(f"resend{round_}")
    [invited] = invitations.invite(act(owner), center, [f"guest.r{round_}@agency.com"])
    assert invited.invitation is not None
    pk = invited.invitation.pk
    outcomes = race([lambda: invitations.resend(act(owner), center, pk) for _ in range(5)])
    assert all(isinstance(o, Resent) for o in outcomes), outcomes
    invitation = Invitation.objects.get(pk=pk)
    assert invitation.state == InvitationState.PENDING and invitation.resend_count == 5
    live = InvitationToken.objects.filter(invitation=invitation, replaced_at__isnull=True)
    assert live.count() == 1, f"round {round_}"
    links = [o.link for o in outcomes if isinstance(o, Resent)] + [invited.link or ""]
    usable = [link for link in links if invitations.preview(token_of(link)).problem is None]
    assert len(usable) == 1, f"round {round_}: {len(usable)} links work"
    refused = {invitations.preview(token_of(link)).problem.code  # type: ignore[union-attr]
               for link in links if link not in usable}
    assert refused == {"replaced"}
    # One message per link, and only the live link's message is still worth sending.
    messages = OutboxMessage.objects.filter(kind="invitation", payload__invitation_id=pk)
    assert messages.count() == 6
    assert sorted(m.payload["token_id"] for m in messages) == sorted(
        InvitationToken.objects.filter(invitation=invitation).values_list("pk", flat=True))
    # The one invitation still holds one seat.
    assert Invitation.objects.pending().filter(center=center).count() == 1


def test_accept_and_resend_of_one_invitation_at_once_exactly_one_wins():
    for round_ in range(ROUNDS):
        accept_and_resend(round_)


def accept_and_resend(round_: int) -> None:
    owner, center = fresh_center(f"acceptresend{round_}")
    address = f"guest.r{round_}@agency.com"
    [invited] = invitations.invite(act(owner), center, [address])
    assert invited.invitation is not None
    guest = quick_user(address)
    accepted, resent = race([
        lambda: invitations.accept(act(guest), token(invited)),
        lambda: invitations.resend(act(owner), center, invited.invitation.pk),  # type: ignore[union-attr]
    ])
    failures = [o for o in (accepted, resent) if isinstance(o, ServiceError)]
    assert len(failures) == 1, f"round {round_}: {accepted!r} {resent!r}"
    invitation = Invitation.objects.get(pk=invited.invitation.pk)
    members = Membership.objects.filter(center=center, user=guest)
    if isinstance(accepted, Membership):
        # Accepted first: nothing to resend, the guest is a member.
        assert isinstance(resent, Conflict) and resent.code == "already_accepted"
        assert invitation.state == InvitationState.ACCEPTED
        assert [m.pk for m in members] == [accepted.pk]
    else:
        # Resent first: the old link says it was replaced, the new one still works.
        assert isinstance(accepted, ServiceError) and accepted.code == "replaced", accepted
        assert isinstance(resent, Resent)
        assert invitation.state == InvitationState.PENDING and not members.exists()
        assert invitations.accept(act(guest), token_of(resent.link)).user_id == guest.pk


def proposal(round_: int, tag: str):
    """A Business Center with two Admins and a Standard operator's pending edit."""
    owner, center = fresh_center(f"{tag}{round_}")
    other_admin = joined(owner, center, f"second.r{round_}@brand.com", Grant(role="ADMIN")).user
    ads: Asset = create_asset(act(owner), center, type="ADVERTISER", name="Ads")
    operator = joined(owner, center, f"op.r{round_}@agency.com",
                      Grant(modules=("CAMPAIGNS",), assets={ads.pk: ["OPERATOR"]})).user
    campaign = services.create_campaign(act(owner), center, ads.pk, **ORIGINAL).campaign
    assert campaign is not None
    request = services.update_campaign(act(operator), center, campaign.pk, **PROPOSED).request
    assert request is not None
    return owner, other_admin, operator, center, campaign, request


def test_two_admins_deciding_one_request_at_once_decide_it_once():
    for round_ in range(ROUNDS):
        decide_twice(round_, second_approves=round_ % 2 == 0)


def decide_twice(round_: int, *, second_approves: bool) -> None:
    owner, other_admin, _, center, campaign, request = proposal(round_, "decide")
    outcomes = race([
        lambda: services.decide(act(owner), center, request.pk, approve=True),
        lambda: services.decide(act(other_admin), center, request.pk, approve=second_approves),
    ])
    [decided] = [o for o in outcomes if isinstance(o, ChangeRequest)]
    [refused] = [o for o in outcomes if isinstance(o, ServiceError)]
    assert isinstance(refused, Conflict) and refused.code == "decided", refused
    request.refresh_from_db()
    campaign.refresh_from_db()
    assert request.state == decided.state
    decisions = AuditEvent.objects.filter(
        center=center, action__in=["campaign.change_approved", "campaign.change_rejected"])
    assert decisions.count() == 1, f"round {round_}"
    applied = request.state == RequestState.APPROVED
    assert campaign.version == 1 + applied
    assert campaign.name == (PROPOSED["name"] if applied else ORIGINAL["name"])


def test_approve_and_withdraw_of_one_request_at_once_exactly_one_wins():
    # Found a deadlock on PostgreSQL: withdraw locked the request, then the center.
    for round_ in range(ROUNDS):
        approve_and_withdraw(round_)


def approve_and_withdraw(round_: int) -> None:
    owner, _, operator, center, campaign, request = proposal(round_, "withdraw")
    approved, withdrawn = race([
        lambda: services.decide(act(owner), center, request.pk, approve=True),
        lambda: services.withdraw(act(operator), center, request.pk),
    ])
    failures = [o for o in (approved, withdrawn) if isinstance(o, ServiceError)]
    assert len(failures) == 1, f"round {round_}: {approved!r} {withdrawn!r}"
    [failure] = failures
    assert isinstance(failure, Conflict) and failure.code == "decided", failure
    request.refresh_from_db()
    campaign.refresh_from_db()
    if isinstance(approved, ChangeRequest):
        assert request.state == RequestState.APPROVED
        assert (campaign.version, campaign.name) == (2, PROPOSED["name"])
    else:
        assert request.state == RequestState.WITHDRAWN
        assert (campaign.version, campaign.name) == (1, ORIGINAL["name"])


def test_disabling_an_ad_account_while_a_campaign_in_it_is_edited():
    for round_ in range(ROUNDS):
        disable_and_edit(round_)


def disable_and_edit(round_: int) -> None:
    owner, other_admin, _, center, campaign, _ = proposal(round_, "disable")
    disabled, edited = race([
        lambda: update_asset(act(owner), center, campaign.advertiser_id, status="DISABLED"),
        lambda: services.update_campaign(act(other_admin), center, campaign.pk, **EDITED),
    ])
    assert isinstance(disabled, Asset) and disabled.status == "DISABLED", disabled
    campaign.refresh_from_db()
    if isinstance(edited, services.Outcome):
        # The edit went first, while the account was still active.
        assert (campaign.name, campaign.version) == (EDITED["name"], 2)
    else:
        # The account was disabled first: the edit is refused, saying so.
        assert isinstance(edited, ServiceError), edited
        assert "disabled" in edited.message.lower(), edited.message
        assert (campaign.name, campaign.version) == (ORIGINAL["name"], 1)
