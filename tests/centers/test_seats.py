"""Seat limits: 20 Admins and 4,000 members by default, pending invitations counted."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bizcenter.centers import seats
from bizcenter.centers.services import revoke_member, update_member
from bizcenter.core.errors import Conflict, LimitReached
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act

ADMIN = Grant(role="ADMIN")


def admins(n: int, start: int = 0) -> list[str]:
    return [f"admin{i}@agency.com" for i in range(start, start + n)]


def test_the_21st_admin_is_refused_naming_the_limit(center, as_owner):
    # The owner holds one Admin seat; 19 pending Admin invitations fill the rest.
    results = invitations.invite(as_owner, center, admins(20), ADMIN)
    assert [r.status for r in results] == ["invited"] * 19 + ["limit_reached"]
    assert "20 of 20 Admin seats" in results[-1].message
    assert "Invite this person as Standard" in results[-1].message
    # A Standard invitation still fits.
    [standard] = invitations.invite(as_owner, center, ["std@agency.com"])
    assert standard.ok
    assert seats.count(center).admins == 20


def test_cancelling_or_expiry_gives_the_admin_seat_back(center, as_owner):
    results = invitations.invite(as_owner, center, admins(19), ADMIN)
    [refused] = invitations.invite(as_owner, center, ["late@agency.com"], ADMIN)
    assert refused.status == "limit_reached"
    invitations.cancel(as_owner, center, results[0].invitation.pk)
    [fits] = invitations.invite(as_owner, center, ["late@agency.com"], ADMIN)
    assert fits.ok
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        # Every pending invitation has expired: only the owner's seat is taken.
        assert seats.count(center).admins == 1
        assert all(r.ok for r in invitations.invite(as_owner, center, admins(19, 100), ADMIN))


def test_resending_an_expired_invitation_needs_a_free_seat(center, as_owner):
    [old] = invitations.invite(as_owner, center, ["old@agency.com"], ADMIN)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        invitations.invite(as_owner, center, admins(19), ADMIN)
        with pytest.raises(LimitReached) as refused:
            invitations.resend(as_owner, center, old.invitation.pk)
        assert refused.value.code == "admin_limit"


def test_promoting_a_standard_member_respects_the_admin_limit(center, as_owner, make_user):
    [std] = invitations.invite(as_owner, center, ["std@agency.com"])
    person = make_user("std@agency.com")
    membership = invitations.accept(act(person), std.link.rstrip("/").rsplit("/", 1)[-1])
    invitations.invite(as_owner, center, admins(19), ADMIN)
    with pytest.raises(LimitReached) as refused:
        update_member(as_owner, center, membership.pk, role="ADMIN")
    assert "Admin limit reached" in refused.value.message
    assert membership.__class__.objects.get(pk=membership.pk).role == "STANDARD"


def test_limits_are_configurable(center, as_owner, settings):
    settings.BIZCENTER_MAX_ADMINS = 3
    settings.BIZCENTER_MAX_MEMBERS = 5
    results = invitations.invite(as_owner, center, admins(3), ADMIN)
    assert [r.status for r in results] == ["invited", "invited", "limit_reached"]
    more = invitations.invite(as_owner, center, [f"s{i}@agency.com" for i in range(4)])
    assert [r.status for r in more] == ["invited", "invited", "limit_reached", "limit_reached"]
    assert "5 of 5 member seats" in more[-1].message


@pytest.mark.slow
def test_the_4001st_member_is_refused(center, as_owner):
    started = time.monotonic()
    # The owner holds one seat; 3,999 pending invitations fill the Business Center.
    everyone = [f"person{i}@agency.com" for i in range(3999)]
    for start in range(0, len(everyone), 50):
        results = invitations.invite(as_owner, center, everyone[start : start + 50])
        assert all(r.ok for r in results)
    elapsed = time.monotonic() - started
    [refused] = invitations.invite(as_owner, center, ["one.too.many@agency.com"])
    assert refused.status == "limit_reached"
    assert "4000 of 4000 member seats" in refused.message
    assert seats.count(center).members == 4000
    assert elapsed < 60, f"3,999 invitations took {elapsed:.1f}s"


def test_the_last_admin_can_never_be_demoted_or_revoked(center, as_owner, owner, make_user):
    mine = owner.memberships.get()
    for attempt in (lambda: update_member(as_owner, center, mine.pk, role="STANDARD"),
                    lambda: revoke_member(as_owner, center, mine.pk)):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "last_admin"
        assert "Make someone else Admin first" in refused.value.message
    # With a second Admin, one of them may step down; then the other is the last.
    [second] = invitations.invite(as_owner, center, ["second@agency.com"], ADMIN)
    other = make_user("second@agency.com")
    theirs = invitations.accept(act(other), second.link.rstrip("/").rsplit("/", 1)[-1])
    update_member(as_owner, center, mine.pk, role="STANDARD")
    with pytest.raises(Conflict):
        revoke_member(act(other), center, theirs.pk)
