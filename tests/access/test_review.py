"""Access review: everyone with access, idle members flagged, revoke from it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.access.review import access_review
from bizcenter.assets.services import assign, create_asset
from bizcenter.centers.services import revoke_member
from bizcenter.core.errors import NotAllowed
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act, partner_up
from tests.support.cli import run


def test_review_lists_members_and_invitations_and_flags_the_idle(
    center, as_owner, owner, make_user
):
    start = timezone.now()
    acct = create_asset(as_owner, center, type="ADVERTISER", name="Acct")
    [sent] = invitations.invite(as_owner, center, ["sleepy@agency.com"],
                                Grant(modules=("CAMPAIGNS",)))
    sleepy = invitations.accept(act(make_user("sleepy@agency.com")),
                                sent.link.rstrip("/").rsplit("/", 1)[-1])
    assign(as_owner, center, sleepy.pk, acct.pk, ["ANALYST"])
    with time_machine.travel(start + timedelta(days=80)):
        invitations.invite(as_owner, center, ["pending@agency.com"])
    with time_machine.travel(start + timedelta(days=100, hours=1)):
        require(as_owner, Action.CENTER_VIEW, center)  # the owner is active today
        rows = {r.who.split(" <")[-1].rstrip(">"): r for r in access_review(as_owner, center)}
        assert rows["sleepy@agency.com"].idle
        assert rows["sleepy@agency.com"].assets == 1
        assert "never active since joining 100 days ago" in rows["sleepy@agency.com"].note
        assert not rows[owner.email].idle
        assert rows["pending@agency.com"].kind == "invitation"
        assert "pending for 20 days" in rows["pending@agency.com"].note
        revoke_member(as_owner, center, sleepy.pk)
        assert "sleepy@agency.com" not in {r.who for r in access_review(as_owner, center)}


def test_review_lists_partner_business_centers_with_what_they_were_shared(
    center, as_owner, make_user
):
    from bizcenter.assets import partners
    from bizcenter.centers.services import create_center

    agency = create_center(act(make_user("boss@agency.com")), name="Agency")
    acct = create_asset(as_owner, center, type="ADVERTISER", name="Acct")
    partner_up(as_owner, center, agency)
    partners.share(as_owner, center, agency.public_id, acct.pk, "ANALYST")
    [row] = [r for r in access_review(as_owner, center) if r.kind == "partner"]
    assert row.who == "Agency (Business Center)" and row.assets == 1
    assert row.note == "Ad account Acct as ANALYST"


def test_only_admins_review(center, as_owner, make_user):
    [sent] = invitations.invite(as_owner, center, ["std@agency.com"])
    std = invitations.accept(act(make_user("std@agency.com")),
                             sent.link.rstrip("/").rsplit("/", 1)[-1])
    with pytest.raises(NotAllowed):
        access_review(act(std.user), center)


def test_review_on_the_command_line(center, owner, capsys):
    code, out, _ = run(capsys, "review", str(center.pk), "--as", owner.email)
    assert code == 0 and owner.email in out and "Access review" in out
