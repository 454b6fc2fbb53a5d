"""Requests racing each other on PostgreSQL, each thread on its own connection as
separate app processes would be: the seat limits, the last-Admin rule and the
invitation lifecycle must hold exactly, with no deadlock.

Every race runs a few rounds on fresh Business Centers so a lucky ordering
cannot pass for a correct one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from bizcenter.centers import seats
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import revoke_member, update_member
from bizcenter.core.errors import Conflict, LimitReached, NotAllowed, ServiceError
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from bizcenter.invitations.services import Grant, InviteResult
from tests.conftest import act
from tests.support.races import RACING, fresh_center, joined, quick_user, race, token

pytestmark = RACING

ROUNDS = 3
ADMIN = Grant(role="ADMIN")


def current_admins(center: BusinessCenter) -> list[Membership]:
    return list(Membership.objects.active().filter(center=center, role="ADMIN"))


def test_forty_parallel_admin_invitations_leave_exactly_twenty_admins():
    for round_ in range(ROUNDS):
        forty_admin_invitations(round_)


def forty_admin_invitations(round_: int) -> None:
    owner, center = fresh_center(f"admins{round_}")
    jobs = [
        (lambda i=i: invitations.invite(act(owner), center, [f"a{i}.r{round_}@agency.com"],
                                        ADMIN)[0])
        for i in range(40)
    ]
    results: list[InviteResult] = race(jobs)  # type: ignore[assignment]
    assert Counter(r.status for r in results) == {"invited": 19, "limit_reached": 21}, (
        f"round {round_}")
    assert all("20 of 20 Admin seats" in r.message
               for r in results if r.status == "limit_reached")
    assert seats.count(center).admins == 20
    stored = Invitation.objects.pending().filter(center=center, role="ADMIN")
    assert sorted(stored.values_list("address", flat=True)) == sorted(
        r.normalized for r in results if r.ok)


def test_parallel_batches_never_overshoot_the_member_limit(settings):
    settings.BIZCENTER_MAX_MEMBERS = 26  # the owner holds one: 25 seats to race for
    for round_ in range(ROUNDS):
        parallel_batches(round_)


def parallel_batches(round_: int) -> None:
    owner, center = fresh_center(f"members{round_}")
    jobs = [
        (lambda t=t: invitations.invite(
            act(owner), center, [f"p{t}.{i}.r{round_}@agency.com" for i in range(5)]))
        for t in range(12)
    ]
    calls: list[list[InviteResult]] = race(jobs)  # type: ignore[assignment]
    outcome = Counter(r.status for call in calls for r in call)
    assert outcome == {"invited": 25, "limit_reached": 35}, f"round {round_}"
    assert seats.count(center).members == 26


def test_promotions_and_admin_invitations_race_for_the_same_seats(settings):
    settings.BIZCENTER_MAX_ADMINS = 4  # the owner holds one: 3 Admin seats left
    for round_ in range(ROUNDS):
        promotions_and_invitations(round_)


def promotions_and_invitations(round_: int) -> None:
    owner, center = fresh_center(f"promote{round_}")
    members = [joined(owner, center, f"std{i}.r{round_}@agency.com", Grant())
               for i in range(4)]
    jobs: list[Callable[[], object]] = [
        (lambda m=m: update_member(act(owner), center, m.pk, role="ADMIN")) for m in members
    ] + [
        (lambda i=i: invitations.invite(act(owner), center, [f"new{i}.r{round_}@agency.com"],
                                        ADMIN)[0])
        for i in range(4)
    ]
    outcomes = race(jobs)
    won = [o for o in outcomes if isinstance(o, Membership)
           or (isinstance(o, InviteResult) and o.ok)]
    lost = [o for o in outcomes if isinstance(o, LimitReached)
            or (isinstance(o, InviteResult) and o.status == "limit_reached")]
    assert (len(won), len(lost)) == (3, 5), f"round {round_}: {outcomes}"
    assert seats.count(center).admins == 4


def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    for round_ in range(ROUNDS):
        demote_each_other(round_)


def demote_each_other(round_: int) -> None:
    first, center = fresh_center(f"pair{round_}")
    theirs = joined(first, center, f"second.r{round_}@brand.com", ADMIN)
    second = theirs.user
    mine = Membership.objects.get(center=center, user=first)
    outcomes = race([
        lambda: update_member(act(first), center, theirs.pk, role="STANDARD"),
        lambda: update_member(act(second), center, mine.pk, role="STANDARD"),
    ])
    winners = [o for o in outcomes if isinstance(o, Membership)]
    [refused] = [o for o in outcomes if isinstance(o, ServiceError)]
    assert len(winners) == 1, f"round {round_}: {outcomes}"
    # The winner's request committed first, so the loser was no longer an Admin when
    # theirs ran: it is refused as from a Standard member, never half-applied.
    assert isinstance(refused, NotAllowed) and refused.code == "admins_only", refused
    [demoted] = winners
    [admin] = current_admins(center)
    assert {admin.pk, demoted.pk} == {mine.pk, theirs.pk}


def test_two_admins_stepping_down_at_once_leave_one_admin():
    # Each demotes (or revokes) themselves: both are still Admins when they ask, so the
    # second to run is the last Admin and gets the last-Admin answer.
    for round_, step_down in enumerate(["demote", "revoke", "demote"]):
        step_down_together(round_, step_down)


def step_down_together(round_: int, step_down: str) -> None:
    first, center = fresh_center(f"down{round_}")
    theirs = joined(first, center, f"co.r{round_}@brand.com", ADMIN)
    mine = Membership.objects.get(center=center, user=first)

    def leave(m: Membership) -> Membership:
        if step_down == "revoke":
            return revoke_member(act(m.user), center, m.pk)
        return update_member(act(m.user), center, m.pk, role="STANDARD")

    outcomes = race([lambda: leave(mine), lambda: leave(theirs)])
    [refused] = [o for o in outcomes if isinstance(o, ServiceError)]
    assert isinstance(refused, Conflict) and refused.code == "last_admin", refused
    assert "Make someone else Admin first" in refused.message
    assert len(current_admins(center)) == 1, f"round {round_} ({step_down})"


def test_accept_and_cancel_of_one_invitation_at_once_exactly_one_wins():
    for round_ in range(ROUNDS * 2):
        accept_and_cancel(round_)


def accept_and_cancel(round_: int) -> None:
    owner, center = fresh_center(f"accept{round_}")
    [invited] = invitations.invite(act(owner), center, [f"guest.r{round_}@agency.com"])
    guest = quick_user(f"guest.r{round_}@agency.com")
    outcomes = race([
        lambda: invitations.accept(act(guest), token(invited)),
        lambda: invitations.cancel(act(owner), center, invited.invitation.pk),
    ])
    accepted, cancelled = outcomes
    failures = [o for o in outcomes if isinstance(o, ServiceError)]
    assert len(failures) == 1, f"round {round_}: {outcomes}"
    invitation = Invitation.objects.get(pk=invited.invitation.pk)
    memberships = Membership.objects.filter(center=center, user=guest)
    if isinstance(accepted, Membership):
        # Accepted first: the cancel is told it is too late, and the guest is a member.
        assert isinstance(cancelled, Conflict) and cancelled.code == "already_accepted"
        assert invitation.state == InvitationState.ACCEPTED
        assert invitation.membership_id == accepted.pk
        assert [m.state for m in memberships] == ["ACTIVE"]
    else:
        # Cancelled first: the link says so, and nobody joined.
        assert isinstance(accepted, ServiceError) and accepted.code == "cancelled"
        assert invitation.state == InvitationState.CANCELLED
        assert not memberships.exists()
    assert seats.count(center).members == 1 + (invitation.state == InvitationState.ACCEPTED)
