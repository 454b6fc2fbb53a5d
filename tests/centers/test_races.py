"""Concurrent requests on PostgreSQL, each thread on its own connection as separate
app processes would be: the limits and the last-Admin rule must still hold."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, connections

from bizcenter.centers import seats
from bizcenter.centers.models import Membership
from bizcenter.centers.services import create_center, update_member
from bizcenter.core.errors import ServiceError
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from bizcenter.invitations.services import Grant
from tests.conftest import act

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks and real parallel writers need PostgreSQL"),
]


def race(jobs: list[Callable[[], object]]) -> list[object]:
    """Start every job at the same instant, each on its own connection."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[object] = [None] * len(jobs)

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = jobs[i]()
        except ServiceError as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("round_", range(3))
def test_forty_parallel_admin_invitations_leave_exactly_twenty_admins(make_user, round_):
    owner = make_user(f"owner{round_}@brand.com")
    center = create_center(act(owner), name=f"Race {round_}")
    jobs = [
        (lambda i=i: invitations.invite(act(owner), center, [f"a{i}@agency.com"],
                                        Grant(role="ADMIN"))[0].status)
        for i in range(40)
    ]
    outcomes = Counter(race(jobs))
    assert outcomes == {"invited": 19, "limit_reached": 21}
    assert seats.count(center).admins == 20


@pytest.mark.parametrize("round_", range(3))
def test_two_admins_demoting_each_other_leave_one(make_user, round_):
    first = make_user(f"first{round_}@brand.com")
    center = create_center(act(first), name=f"Pair {round_}")
    [invite] = invitations.invite(act(first), center, [f"second{round_}@brand.com"],
                                  Grant(role="ADMIN"))
    second = make_user(f"second{round_}@brand.com")
    theirs = invitations.accept(act(second), invite.link.rstrip("/").rsplit("/", 1)[-1])
    mine = Membership.objects.get(center=center, user=first)
    outcomes = race([
        lambda: update_member(act(first), center, theirs.pk, role="STANDARD"),
        lambda: update_member(act(second), center, mine.pk, role="STANDARD"),
    ])
    refused = [o for o in outcomes if isinstance(o, ServiceError)]
    assert len(refused) == 1
    # Whoever lost the race was either already demoted (no longer an Admin, so not
    # allowed to demote) or would have removed the last Admin.
    assert refused[0].code in {"last_admin", "admins_only"}
    assert Membership.objects.active().filter(center=center, role="ADMIN").count() == 1


@pytest.mark.parametrize("round_", range(3))
def test_accept_and_cancel_at_once_exactly_one_wins(make_user, round_):
    owner = make_user(f"boss{round_}@brand.com")
    center = create_center(act(owner), name=f"Accept {round_}")
    [invite] = invitations.invite(act(owner), center, [f"guest{round_}@agency.com"])
    guest = make_user(f"guest{round_}@agency.com")
    token = invite.link.rstrip("/").rsplit("/", 1)[-1]
    outcomes = race([
        lambda: invitations.accept(act(guest), token),
        lambda: invitations.cancel(act(owner), center, invite.invitation.pk),
    ])
    assert sum(isinstance(o, ServiceError) for o in outcomes) == 1
    state = Invitation.objects.get(pk=invite.invitation.pk).state
    joined = Membership.objects.filter(center=center, user=guest).exists()
    assert (state, joined) in {(InvitationState.ACCEPTED, True),
                               (InvitationState.CANCELLED, False)}
