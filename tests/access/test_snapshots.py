"""Compiled access is never used after it changed, in any process; ends on time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import check
from bizcenter.assets.services import assign, create_asset, unassign, update_asset
from bizcenter.centers.services import revoke_member
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act, in_other_connection


def join(as_owner, center, make_user, email, **grant):
    [sent] = invitations.invite(as_owner, center, [email], Grant(**grant))
    person = make_user(email)
    return invitations.accept(act(person), sent.link.rstrip("/").rsplit("/", 1)[-1])


@pytest.mark.django_db(transaction=True)
def test_a_change_made_elsewhere_is_seen_on_the_next_request(owner, make_user):
    from bizcenter.centers.services import create_center

    center = create_center(act(owner), name="Shared")
    acct = create_asset(act(owner), center, type="ADVERTISER", name="Acct")
    member = join(act(owner), center, make_user, "p@agency.com", modules=("CAMPAIGNS",))
    assign(act(owner), center, member.pk, acct.pk, ["OPERATOR"])
    person = member.user

    with snapshot.request_scope():  # request 1 compiles and caches the snapshot
        assert check(person, Action.CAMPAIGN_PROPOSE, acct)
    in_other_connection(lambda: unassign(act(owner), center, member.pk, acct.pk))
    with snapshot.request_scope():  # request 2: the cached snapshot is stale, not used
        assert check(person, Action.CAMPAIGN_PROPOSE, acct).code == "asset_not_assigned"
    in_other_connection(lambda: revoke_member(act(owner), center, member.pk))
    with snapshot.request_scope():
        assert check(person, Action.CENTER_VIEW, center).code == "revoked"


def test_within_one_request_checks_do_not_touch_the_database(center, as_owner, make_user):
    acct = create_asset(as_owner, center, type="ADVERTISER", name="Acct")
    member = join(as_owner, center, make_user, "p@agency.com", modules=("CAMPAIGNS",))
    assign(as_owner, center, member.pk, acct.pk, ["ANALYST"])
    with snapshot.request_scope():
        check(member.user, Action.CAMPAIGN_VIEW, acct)
        with CaptureQueriesContext(connection) as queries:
            for _ in range(100):
                assert check(member.user, Action.CAMPAIGN_VIEW, acct)
        assert len(queries) == 0


def test_a_change_in_the_same_request_is_seen_at_once(center, as_owner, make_user):
    acct = create_asset(as_owner, center, type="ADVERTISER", name="Acct")
    member = join(as_owner, center, make_user, "p@agency.com", modules=("CAMPAIGNS",))
    assign(as_owner, center, member.pk, acct.pk, ["OPERATOR"])
    with snapshot.request_scope():
        assert check(member.user, Action.CAMPAIGN_PROPOSE, acct)
        update_asset(as_owner, center, acct.pk, status="CLOSED")
        acct.refresh_from_db()
        assert check(member.user, Action.CAMPAIGN_PROPOSE, acct).code == "account_inactive"


def test_expiring_membership_and_grant_stop_at_that_instant(center, as_owner, make_user):
    acct = create_asset(as_owner, center, type="ADVERTISER", name="Acct")
    soon = timezone.now() + timedelta(days=3)
    member = join(as_owner, center, make_user, "temp@agency.com", modules=("CAMPAIGNS",),
                  expires_at=soon + timedelta(days=4))
    assign(as_owner, center, member.pk, acct.pk, ["ANALYST"], expires_at=soon)
    assert check(member.user, Action.CAMPAIGN_VIEW, acct)  # compiled and cached now
    with time_machine.travel(soon - timedelta(seconds=1)):
        assert check(member.user, Action.CAMPAIGN_VIEW, acct)
    with time_machine.travel(soon + timedelta(seconds=1)):
        assert check(member.user, Action.CAMPAIGN_VIEW, acct).code == "asset_not_assigned"
        assert check(member.user, Action.CENTER_VIEW, center)
    with time_machine.travel(soon + timedelta(days=4, seconds=1)):
        assert check(member.user, Action.CENTER_VIEW, center).code == "membership_expired"


def test_access_compiled_inside_a_change_that_was_rolled_back_is_never_reused(
        center, as_owner, make_user):
    """A check inside a transaction sees its uncommitted change and caches what it
    compiled under the new version. After a rollback the next change must not land on
    that version again, or the rolled-back access would pass for current."""
    from django.db import transaction

    acct = create_asset(as_owner, center, type="ADVERTISER", name="Acct")
    other = create_asset(as_owner, center, type="ADVERTISER", name="Other")
    member = join(as_owner, center, make_user, "p@agency.com", modules=("ANALYTICS",))

    with pytest.raises(RuntimeError), transaction.atomic():
        assign(as_owner, center, member.pk, acct.pk, ["ANALYST"])
        assert check(member.user, Action.REPORT_VIEW, acct)  # compiled, cached
        raise RuntimeError("the rest of the change failed")
    assign(as_owner, center, member.pk, other.pk, ["ANALYST"])  # the next change

    assert check(member.user, Action.REPORT_VIEW, acct).code == "asset_not_assigned"
    assert check(member.user, Action.REPORT_VIEW, other)


def test_an_asset_is_read_once_per_access_version_and_a_rename_is_seen_next_time(
        center, as_owner):
    from bizcenter.assets.services import reachable_asset
    from bizcenter.centers.models import BusinessCenter

    acct = create_asset(as_owner, center, type="ADVERTISER", name="Acct")

    def request_knowing_the_version():
        scope = snapshot.request_scope()
        scope.__enter__()
        snapshot.remember_version(BusinessCenter.objects.get(pk=center.pk))
        return scope

    scope = request_knowing_the_version()
    reachable_asset(center, acct.pk)
    scope.__exit__(None, None, None)

    scope = request_knowing_the_version()
    with CaptureQueriesContext(connection) as queries:
        found, _ = reachable_asset(center, str(acct.pk))
    assert len(queries) == 0 and found.name == "Acct"
    found.name = "changed by this request only"
    assert reachable_asset(center, acct.pk)[0].name == "Acct"
    scope.__exit__(None, None, None)

    update_asset(as_owner, center, acct.pk, name="Renamed")
    scope = request_knowing_the_version()
    assert reachable_asset(center, acct.pk)[0].name == "Renamed"
    scope.__exit__(None, None, None)
