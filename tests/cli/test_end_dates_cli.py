"""``--expires YYYY-MM-DD`` on the command line (issue 17): the last day of access,
inclusive, in the Business Center's time zone, the same whether the command runs on
the local database or against a server through its API; tables show that day."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache

from bizcenter.accounts.tokens import create_token
from bizcenter.assets.models import AssetGrant
from bizcenter.assets.services import create_asset
from bizcenter.centers.models import Membership
from bizcenter.centers.services import update_center
from bizcenter.cli import common
from bizcenter.invitations.models import Invitation
from tests.conftest import join
from tests.support.cli import run

ENDS = {"Europe/Paris": datetime(2027, 6, 30, 22, tzinfo=UTC),
        "America/New_York": datetime(2027, 7, 1, 4, tzinfo=UTC)}
ZONES = list(ENDS)


@pytest.fixture(autouse=True)
def _june_2027(quick_hashing, monkeypatch):
    """Weeks before the picked day; a fresh backend choice and rate counters."""
    for name in ("BIZCENTER_URL", "BIZCENTER_TOKEN", "BIZCENTER_AS", "BIZCENTER_CENTER"):
        monkeypatch.delenv(name, raising=False)
    cache.clear()
    with time_machine.travel(datetime(2027, 6, 1, 12, tzinfo=UTC), tick=True):
        yield
    common.use_server(None, None)


def ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, err
    return out


@pytest.mark.parametrize("zone", ZONES)
def test_a_local_expires_is_the_last_day_in_the_centers_zone(capsys, owner, center, as_owner,
                                                             make_user, zone):
    update_center(as_owner, center, timezone=zone)
    partner = join(as_owner, center, make_user("ana@agency.com", name="Ana"))
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    c, me = str(center.pk), owner.email
    edited = json.loads(ok(run(capsys, "members", "edit", c, str(partner.pk), "--expires",
                               "2027-06-30", "--as", me, "--json")))
    assert edited[0]["last_day"] == "2027-06-30"
    assert Membership.objects.get(pk=partner.pk).expires_at == ENDS[zone]
    table = ok(run(capsys, "members", "list", c, "--as", me))
    assert "2027-06-30" in table and "2027-07-01" not in table
    listed = json.loads(ok(run(capsys, "members", "list", c, "--as", me, "--json")))
    assert {m["email"]: m["last_day"] for m in listed["items"]}["ana@agency.com"] == \
        "2027-06-30"

    given = ok(run(capsys, "assets", "assign", c, str(partner.pk), str(ads.pk), "--role",
                   "analyst", "--expires", "2027-06-30", "--as", me))
    assert "2027-06-30" in given
    assert AssetGrant.objects.get(asset=ads).expires_at == ENDS[zone]

    ok(run(capsys, "invite", c, "new@agency.com", "--expires", "2027-06-30", "--as", me))
    invited = Invitation.objects.get(address="new@agency.com")
    assert invited.membership_expires_at == ENDS[zone]

    # A time is an exact instant (UTC unless it says otherwise); both ways is refused.
    ok(run(capsys, "members", "edit", c, str(partner.pk), "--expires",
           "2027-06-30T15:00+02:00", "--as", me))
    assert Membership.objects.get(pk=partner.pk).expires_at == datetime(2027, 6, 30, 13,
                                                                        tzinfo=UTC)
    code, _, err = run(capsys, "members", "edit", c, str(partner.pk), "--expires",
                       "2027-06-30", "--no-expiry", "--as", me)
    assert code == 1 and "not both" in err
    code, _, err = run(capsys, "members", "edit", c, str(partner.pk), "--expires",
                       "9999-12-31", "--as", me)
    assert code == 1 and "too far in the future" in err and err.count("\n") == 1


def test_remote_and_local_agree_on_the_day(live_server, capsys, owner, center, as_owner,
                                           make_user):
    update_center(as_owner, center, timezone="Europe/Paris")
    partner = join(as_owner, center, make_user("ana@agency.com", name="Ana"))
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    token = create_token(as_owner, center, "cli").secret
    c = str(center.pk)

    def remote(*args: str) -> str:
        return ok(run(capsys, "--url", live_server.url, "--token", token, *args))

    far = json.loads(remote("members", "edit", c, str(partner.pk), "--expires", "2027-06-30",
                            "--json"))
    assert far[0]["last_day"] == "2027-06-30"
    assert Membership.objects.get(pk=partner.pk).expires_at == ENDS["Europe/Paris"]
    near = json.loads(ok(run(capsys, "members", "edit", c, str(partner.pk), "--expires",
                             "2027-06-30", "--json", "--as", owner.email)))
    assert near == far
    assert remote("members", "list", c) == ok(run(capsys, "members", "list", c, "--as",
                                                  owner.email))
    assert "2027-06-30" in remote("assets", "assign", c, str(partner.pk), str(ads.pk),
                                  "--role", "analyst", "--expires", "2027-06-30")
    assert AssetGrant.objects.get(asset=ads).expires_at == ENDS["Europe/Paris"]
    remote("invite", c, "new@agency.com", "--expires", "2027-06-30")
    assert Invitation.objects.get(address="new@agency.com").membership_expires_at == \
        ENDS["Europe/Paris"]
