"""End dates on the TikTok-compatible API (issue 17): members and pending invitations
carry ``membership_last_day``, bizcenter's own field, the last day of access as it was
picked: inclusive, in the Business Center's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from bizcenter.centers import enddates
from bizcenter.centers.services import update_center, update_member
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import join


@pytest.fixture(autouse=True)
def _june_2027():
    with time_machine.travel(datetime(2027, 6, 1, 12, tzinfo=UTC), tick=True):
        yield


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York"])
def test_members_and_invitations_show_the_picked_last_day(admin, center, as_owner, ads,
                                                          make_user, zone):
    center = update_center(as_owner, center, timezone=zone)
    ends = enddates.ends_at(date(2027, 6, 30), center)
    partner = join(as_owner, center, make_user("ana@agency.com", name="Ana"))
    update_member(as_owner, center, partner.pk, expires_at=ends)
    invitations.invite(as_owner, center, ["new@agency.com"], Grant(expires_at=ends))
    listed = admin.ok("GET", "bc/member/get/", bc_id=center.pk)["list"]
    days = {m["user_email"]: m["membership_last_day"] for m in listed}
    assert days == {"owner@brand.com": None, "ana@agency.com": "2027-06-30",
                    "new@agency.com": "2027-06-30"}
    admin.ok("POST", "bc/asset/assign/", bc_id=str(center.pk), user_id=str(partner.pk),
             asset_type="ADVERTISER", asset_ids=[str(ads.pk)], advertiser_role="ANALYST")
    holders = admin.ok("GET", "bc/asset/member/get/", bc_id=center.pk, asset_id=str(ads.pk),
                       asset_type="ADVERTISER")["list"]
    assert {m["user_email"]: m["membership_last_day"] for m in holders}["ana@agency.com"] \
        == "2027-06-30"
