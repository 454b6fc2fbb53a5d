"""End dates through the REST API (issue 17): ``last_day`` is the last day of access,
inclusive, in the Business Center's time zone, beside ``expires_at``, the instant it
ends. Sending back what was read changes nothing and records nothing; a bad date is
a 400 that says what to send, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from bizcenter.assets.models import AssetGrant
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.models import Membership
from bizcenter.centers.services import update_center
from bizcenter.invitations.models import Invitation
from tests.conftest import join
from tests.support.api import error_of

ENDS = {"Europe/Paris": "2027-06-30T22:00:00Z", "America/New_York": "2027-07-01T04:00:00Z"}
ZONES = list(ENDS)


@pytest.fixture(autouse=True)
def _june_2027():
    with time_machine.travel(datetime(2027, 6, 1, 12, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def partner(center, as_owner, make_user):
    return join(as_owner, center, make_user("ana@agency.com", name="Ana"))


def updates(membership: Membership) -> int:
    return AuditEvent.objects.filter(action="member.updated",
                                     target_id=str(membership.pk)).count()


@pytest.mark.parametrize("zone", ZONES)
def test_a_last_day_sent_is_the_last_day_read_everywhere(admin_api, center, as_owner,
                                                          partner, zone):
    update_center(as_owner, center, timezone=zone)
    path = f"/centers/{center.pk}/members/{partner.pk}"
    done = admin_api.send("patch", path, {"last_day": "2027-06-30"})
    assert done.status_code == 200, done.content
    assert (done.json()["last_day"], done.json()["expires_at"]) == ("2027-06-30", ENDS[zone])
    assert Membership.objects.get(pk=partner.pk).expires_at == datetime.fromisoformat(ENDS[zone])
    assert admin_api.get(path).json()["last_day"] == "2027-06-30"
    listed = admin_api.get(f"/centers/{center.pk}/members").json()["items"]
    assert {m["id"]: m["last_day"] for m in listed}[str(partner.pk)] == "2027-06-30"
    profile = admin_api.get(f"{path}/access").json()
    assert profile["member"]["last_day"] == "2027-06-30"

    # What was read, sent back, changes nothing and records nothing.
    assert updates(partner) == 1
    for same in ({"last_day": "2027-06-30"}, {"expires_at": ENDS[zone]},
                 {"expires_at": done.json()["expires_at"], "role": "STANDARD"}):
        again = admin_api.send("patch", path, same)
        assert again.status_code == 200 and again.json()["expires_at"] == ENDS[zone], same
    assert updates(partner) == 1


def test_an_instant_to_the_second_is_kept_and_read_as_its_day(admin_api, center, as_owner,
                                                              partner):
    update_center(as_owner, center, timezone="Europe/Paris")
    path = f"/centers/{center.pk}/members/{partner.pk}"
    done = admin_api.send("patch", path, {"expires_at": "2027-06-30T15:30:00+02:00"})
    assert done.json()["expires_at"] == "2027-06-30T13:30:00Z"
    assert done.json()["last_day"] == "2027-06-30"
    naive = admin_api.send("patch", path, {"expires_at": "2027-06-30T18:00:00"})  # UTC
    assert naive.status_code == 200 and naive.json()["expires_at"] == "2027-06-30T18:00:00Z"


@pytest.mark.parametrize(("body", "field", "says"), [
    ({"expires_at": "2027-06-30"}, "expires_at", "send the last day of access as last_day"),
    ({"last_day": "2027-06-30T00:00:00Z"}, "last_day", "must be a date, YYYY-MM-DD"),
    ({"last_day": "2027-06-31"}, "last_day", ""),
    ({"last_day": 1877000000}, "last_day", "must be a date"),
    ({"last_day": "30/06/2027"}, "last_day", "must be a date"),
    ({"last_day": "9999-12-31"}, "last_day", "too far in the future"),
    ({"last_day": "2001-01-01"}, "expires_at", "must be in the future"),
    ({"last_day": "2027-06-30", "expires_at": "2027-06-30T22:00:00Z"}, "body",
     "not both"),
    ({"last_day": "2027-06-30", "clear_expiry": True}, "body", "not both"),
])
def test_bad_end_dates_are_a_400_that_says_what_to_send(admin_api, center, partner, body,
                                                        field, says):
    refused = admin_api.send("patch", f"/centers/{center.pk}/members/{partner.pk}", body)
    assert refused.status_code == 400, refused.content
    error = error_of(refused)
    assert field in error["fields"], error
    assert says in error["message"]
    assert Membership.objects.get(pk=partner.pk).expires_at is None


@pytest.mark.parametrize("zone", ZONES)
def test_grants_and_invitations_take_and_give_the_last_day(admin_api, center, as_owner,
                                                           partner, ads, zone):
    update_center(as_owner, center, timezone=zone)
    put = f"/centers/{center.pk}/assets/{ads.pk}/grants/{partner.pk}"
    given = admin_api.send("put", put, {"roles": ["ANALYST"], "last_day": "2027-06-30"})
    assert given.status_code == 200, given.content
    assert (given.json()["last_day"], given.json()["expires_at"]) == ("2027-06-30", ENDS[zone])
    assert AssetGrant.objects.get(asset=ads).expires_at == datetime.fromisoformat(ENDS[zone])
    grants = admin_api.get(f"/centers/{center.pk}/members/{partner.pk}/assets").json()
    assert [g["last_day"] for g in grants["items"]] == ["2027-06-30"]
    holders = admin_api.get(f"/centers/{center.pk}/assets/{ads.pk}/holders").json()
    direct = [h for h in holders["items"] if h["via"] == "direct"]
    assert [h["last_day"] for h in direct] == ["2027-06-30"]
    bare = admin_api.send("put", put, {"roles": ["ANALYST"], "expires_at": "2027-06-30"})
    assert bare.status_code == 400 and "last_day" in error_of(bare)["message"]

    sent = admin_api.send("post", f"/centers/{center.pk}/invitations",
                          {"addresses": ["new@agency.com"], "last_day": "2027-06-30"})
    assert sent.status_code == 201, sent.content
    invitation = Invitation.objects.get(address="new@agency.com")
    assert invitation.membership_expires_at == datetime.fromisoformat(ENDS[zone])
    [listed] = admin_api.get(f"/centers/{center.pk}/invitations").json()["items"]
    assert listed["membership_last_day"] == "2027-06-30"
    assert listed["membership_expires_at"] == ENDS[zone]
