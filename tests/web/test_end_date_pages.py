"""End dates on the web pages (issue 17): the day picked in a form is the last day of
access, inclusive, in the Business Center's time zone; every page shows that same day
back, and a plain Confirm on Edit changes nothing and records nothing, however many
times it is pressed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bizcenter.access.actions import Action
from bizcenter.access.engine import check
from bizcenter.accounts.models import ApiToken
from bizcenter.assets.models import AssetGrant
from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.models import Membership
from bizcenter.centers.services import update_center
from tests.conftest import act, join

pytestmark = pytest.mark.usefixtures("quick_hashing")

# The first instant of 2027-07-01 in each zone: where access picked to end on
# 2027-06-30 really ends.
ENDS = {"Europe/Paris": datetime(2027, 6, 30, 22, tzinfo=UTC),
        "America/New_York": datetime(2027, 7, 1, 4, tzinfo=UTC)}
ZONES = list(ENDS)


@pytest.fixture(autouse=True)
def _june_2027():
    """Weeks before the picked day, whatever the date of the machine running this."""
    with time_machine.travel(datetime(2027, 6, 1, 12, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def partner(center, as_owner, make_user):
    return join(as_owner, center, make_user("ana@agency.com", name="Ana"), kind="agency",
                modules=("ANALYTICS",))


def zoned(center, as_owner, zone):
    return update_center(as_owner, center, timezone=zone)


def shown_form(html: str) -> dict[str, object]:
    """What a browser would send back on Confirm: the form's values as rendered."""
    role = re.search(r'name="role".*?<option value="(\w+)" selected', html, re.S)
    kind = re.search(r'name="kind".*?<option value="(\w+)" selected', html, re.S)
    finance = re.search(r'name="finance_role".*?<option value="(\w*)" selected', html, re.S)
    expires = re.search(r'<input type="date" name="expires"(?: value="([^"]*)")?', html)
    modules = re.findall(r'<input type="checkbox" name="modules" value="(\w+)"[^>]*checked',
                         html)
    assert role and kind and finance and expires, html
    return {"role": role.group(1), "kind": kind.group(1), "finance_role": finance.group(1),
            "modules": modules, "expires": expires.group(1) or ""}


def member_updates(membership: Membership) -> int:
    return AuditEvent.objects.filter(action="member.updated",
                                     target_id=str(membership.pk)).count()


@pytest.mark.parametrize("zone", ZONES)
def test_a_picked_day_is_kept_and_shown_as_itself_on_every_page(
        client, owner, center, as_owner, partner, zone):
    center = zoned(center, as_owner, zone)
    client.force_login(owner)
    edit = f"/c/{center.pk}/partners/{partner.pk}/edit/"
    form = client.get(edit).content.decode()
    assert "Last day of access" in form
    assert f"Inclusive, in {zone} time (the Business Center&#x27;s time zone)" in form
    sent = {**shown_form(form), "expires": "2027-06-30"}
    assert client.post(edit, sent).status_code == 302
    partner.refresh_from_db()
    assert partner.expires_at == ENDS[zone]  # the start of July 1 there

    assert shown_form(client.get(edit).content.decode())["expires"] == "2027-06-30"
    listed = client.get(f"/c/{center.pk}/partners/").content.decode()
    row = listed.split("ana@agency.com", 1)[1].split("</tr>", 1)[0]
    assert "last day 2027-06-30" in row and "2027-07-01" not in row
    detail = client.get(f"/c/{center.pk}/partners/{partner.pk}/").content.decode()
    assert "Last day of access" in detail and "2027-06-30" in detail
    assert "2027-07-01" not in detail
    client.force_login(partner.user)
    mine = client.get(f"/c/{center.pk}/").content.decode()  # My access
    assert "2027-06-30" in mine and "2027-07-01" not in mine


@pytest.mark.parametrize("zone", ZONES)
def test_a_plain_confirm_changes_nothing_and_records_nothing(
        client, owner, center, as_owner, partner, zone):
    center = zoned(center, as_owner, zone)
    client.force_login(owner)
    edit = f"/c/{center.pk}/partners/{partner.pk}/edit/"
    client.post(edit, {**shown_form(client.get(edit).content.decode()),
                       "expires": "2027-06-30"})
    recorded = member_updates(partner)
    assert recorded == 1
    for _ in range(3):  # Confirm, as the form shows it, again and again
        done = client.post(edit, shown_form(client.get(edit).content.decode()))
        assert done.status_code == 302
    partner.refresh_from_db()
    assert partner.expires_at == ENDS[zone]
    assert member_updates(partner) == recorded
    assert shown_form(client.get(edit).content.decode())["expires"] == "2027-06-30"


@pytest.mark.parametrize("zone", ZONES)
def test_access_ends_at_the_start_of_the_next_day_in_the_centers_zone(
        client, owner, center, as_owner, partner, zone):
    center = zoned(center, as_owner, zone)
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    client.force_login(owner)
    edit = f"/c/{center.pk}/partners/{partner.pk}/edit/"
    client.post(edit, {**shown_form(client.get(edit).content.decode()),
                       "expires": "2027-06-30"})
    client.post(f"/c/{center.pk}/assets/{ads.pk}/", {
        "step": "assign", "person": "ana@agency.com", "roles": "ANALYST",
        "expires": "2027-06-30"})
    last_second = ENDS[zone] - timedelta(seconds=1)  # 23:59:59 on June 30, there
    with time_machine.travel(last_second, tick=False):
        assert check(partner.user, Action.CENTER_VIEW, center)
        assert check(partner.user, Action.ASSET_VIEW, ads, within=center)
    with time_machine.travel(ENDS[zone], tick=False):  # 00:00:00 on July 1, there
        refused = check(partner.user, Action.CENTER_VIEW, center)
        assert not refused and refused.code == "membership_expired"
        assert not check(partner.user, Action.ASSET_VIEW, ads, within=center)


def test_an_end_stored_by_older_versions_survives_a_plain_confirm(
        client, owner, center, as_owner, partner):
    """Older versions kept a day picked as June 30 as midnight UTC after it. Confirming
    the form unchanged must not move it: only a changed date is sent."""
    center = zoned(center, as_owner, "Europe/Paris")
    old = datetime(2027, 7, 1, tzinfo=UTC)
    Membership.objects.filter(pk=partner.pk).update(expires_at=old)
    client.force_login(owner)
    edit = f"/c/{center.pk}/partners/{partner.pk}/edit/"
    shown = shown_form(client.get(edit).content.decode())
    assert shown["expires"] == "2027-07-01"  # two hours of July 1 remain, in Paris
    assert client.post(edit, shown).status_code == 302
    partner.refresh_from_db()
    assert partner.expires_at == old and member_updates(partner) == 0
    # Changing something else keeps the end as it is too.
    assert client.post(edit, {**shown, "kind": "client"}).status_code == 302
    partner.refresh_from_db()
    assert (partner.kind, partner.expires_at) == ("client", old)
    event = AuditEvent.objects.get(action="member.updated", target_id=str(partner.pk))
    assert "expires_at" not in event.after
    # Clearing the date removes the end; picking one sets the new instant.
    assert client.post(edit, {**shown, "expires": ""}).status_code == 302
    partner.refresh_from_db()
    assert partner.expires_at is None


def test_inviting_with_a_last_day_gives_membership_until_that_day_ends(
        client, owner, center, as_owner, make_user):
    from bizcenter.invitations import services as invitations
    from bizcenter.invitations.models import Invitation
    from tests.conftest import token_of

    center = zoned(center, as_owner, "Europe/Paris")
    client.force_login(owner)
    add = f"/c/{center.pk}/partners/add/"
    assert "Inclusive, in Europe/Paris time" in client.get(add).content.decode()
    client.post(add, {"addresses": "new@agency.com", "role": "STANDARD", "kind": "agency",
                      "modules": ["ANALYTICS"], "expires": "2027-06-30"})
    invitation = Invitation.objects.get(address="new@agency.com")
    assert invitation.membership_expires_at == ENDS["Europe/Paris"]
    sent = invitations.resend(as_owner, center, invitation.pk)
    joined = invitations.accept(act(make_user("new@agency.com")), token_of(sent.link))
    assert joined.expires_at == ENDS["Europe/Paris"]


def test_a_far_day_is_a_form_error_not_a_server_error(client, owner, center, as_owner,
                                                      partner):
    center = zoned(center, as_owner, "Pacific/Kiritimati")
    client.force_login(owner)
    edit = f"/c/{center.pk}/partners/{partner.pk}/edit/"
    page = client.post(edit, {**shown_form(client.get(edit).content.decode()),
                              "expires": "9999-12-31"})
    assert page.status_code == 400 and "too far in the future" in page.content.decode()
    partner.refresh_from_db()
    assert partner.expires_at is None


@pytest.mark.parametrize("zone", ZONES)
def test_an_asset_grants_end_is_the_picked_day(client, owner, center, as_owner, partner,
                                               zone):
    center = zoned(center, as_owner, zone)
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    client.force_login(owner)
    page = f"/c/{center.pk}/assets/{ads.pk}/"
    assert f"Inclusive, in {zone} time" in client.get(page).content.decode()
    done = client.post(page, {"step": "assign", "person": "ana@agency.com",
                              "roles": "ANALYST", "expires": "2027-06-30"})
    assert done.status_code == 302
    assert AssetGrant.objects.get(membership=partner, asset=ads).expires_at == ENDS[zone]
    holders = client.get(page).content.decode().split("Who has access", 1)[1]
    [row] = [r for r in re.findall(r"<tr>.*?</tr>", holders, re.S) if "ana@agency.com" in r]
    assert "2027-06-30" in row and "2027-07-01" not in row
    assert "<td>Analyst</td>" in row and "ANALYST" not in row  # the role in words
    # Assigned again as it is: nothing changes and nothing is logged.
    logged = AuditEvent.objects.filter(action="asset.assigned").count()
    again = client.post(page, {"step": "assign", "person": "ana@agency.com",
                               "roles": "ANALYST", "expires": "2027-06-30"})
    assert again.status_code == 302
    assert AuditEvent.objects.filter(action="asset.assigned").count() == logged
    assert AssetGrant.objects.get(membership=partner, asset=ads).expires_at == ENDS[zone]


@pytest.mark.parametrize("zone", ZONES)
def test_a_tokens_last_day_is_the_picked_day_in_its_centers_zone(client, owner, center,
                                                                 as_owner, zone):
    center = zoned(center, as_owner, zone)
    client.force_login(owner)
    form = client.get("/account/tokens/").content.decode()
    assert "Last day it works" in form and "Inclusive" in form
    made = client.post("/account/tokens/", {"step": "create", "name": "Sync",
                                            "center": center.pk, "expires": "2027-06-30"})
    assert made.status_code == 200
    token = ApiToken.objects.get()
    assert token.expires_at == ENDS[zone]
    listed = client.get("/account/tokens/").content.decode()
    row = listed.split("Sync", 1)[1].split("</tr>", 1)[0]
    assert "2027-06-30" in row and "2027-07-01" not in row
