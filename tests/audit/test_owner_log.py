"""The owner's activity log holds every change made to its things from a partner.

Brand Co (``center``) shares its ad account with Agency Inc at OPERATOR. What the
agency's Admin and members do to the brand's ad account and campaigns, through any
door, is in the agency's log and in the brand's, naming the agency and the person.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest

from bizcenter.accounts.models import User
from bizcenter.accounts.tokens import create_token
from bizcenter.assets.models import Asset, PartnerShare, Partnership
from bizcenter.assets.services import assign, create_asset, unassign
from bizcenter.audit.models import AuditEvent, Category
from bizcenter.audit.services import activity, build, record
from bizcenter.campaigns import services as campaigns
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import bump_access_version, create_center
from tests.conftest import act, join
from tests.support.api import Api

pytestmark = pytest.mark.usefixtures("quick_hashing")


@dataclass
class Agency:
    center: BusinessCenter
    boss: User  # its Admin
    seat: Membership  # its Standard member, Max
    ads: Asset  # the brand's ad account, shared with it


@pytest.fixture
def agency(center, as_owner, make_user) -> Agency:
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Brand ads")
    boss = make_user("bo@agency.com", name="Bo Agency")
    other = create_center(act(boss), name="Agency Inc")
    link = Partnership.objects.create(owner=center, partner=other)
    PartnerShare.objects.create(partnership=link, asset=ads, roles=["OPERATOR"])
    bump_access_version(center)
    bump_access_version(other)
    seat = join(act(boss), other, make_user("max@agency.com", name="Max"),
                modules=("CAMPAIGNS",))
    return Agency(other, boss, seat, ads)


def test_a_partner_admin_assigning_the_shared_account_is_in_the_owners_log(
    center, as_owner, agency
):
    assign(act(agency.boss), agency.center, agency.seat.pk, agency.ads.pk, ["OPERATOR"])
    unassign(act(agency.boss), agency.center, agency.seat.pk, agency.ads.pk)
    seen = list(activity(as_owner, center).filter(
        action__in=("asset.assigned", "asset.unassigned")).order_by("id"))
    assert [e.action for e in seen] == ["asset.assigned", "asset.unassigned"]
    assigned = seen[0]
    assert assigned.acting_center == agency.center and assigned.actor == agency.boss
    assert assigned.target_label == "Ad account Brand ads"
    assert assigned.after["member"].startswith("Max") and assigned.after["roles"] == [
        "OPERATOR"]
    # The agency's own log has it once, as its own.
    own = AuditEvent.objects.filter(center=agency.center, action="asset.assigned")
    assert [e.acting_center for e in own] == [None]


def test_only_changes_to_another_centers_things_are_copied(center, as_owner, agency):
    own_pixel = create_asset(act(agency.boss), agency.center, type="PIXEL", name="Our pixel")
    record(act(agency.boss), center=agency.center, category=Category.ASSET,
           action="asset.updated", target=own_pixel, after={"name": "Our pixel"})
    record(act(agency.boss), center=None, category=Category.ASSET, action="asset.updated",
           target=agency.ads)
    record(as_owner, center=center, category=Category.ASSET, action="asset.updated",
           target=agency.ads)
    assert not AuditEvent.objects.filter(acting_center__isnull=False).exists()


def test_events_written_many_at_once_get_their_twins(center, agency):
    made = AuditEvent.objects.bulk_create(
        build(act(agency.boss), center=agency.center, category=Category.ASSET,
              action="asset.assigned", target=agency.ads, after={"n": n}) for n in (1, 2))
    assert len(made) == 4
    copies = AuditEvent.objects.filter(center=center, action="asset.assigned").order_by("id")
    assert [(e.after, e.acting_center_id, e.actor_id) for e in copies] == [
        ({"n": 1}, agency.center.pk, agency.boss.pk), ({"n": 2}, agency.center.pk,
                                                       agency.boss.pk)]


def test_also_writes_the_event_in_one_more_log(center, as_owner, agency):
    record(as_owner, center=center, category=Category.ACCOUNT, action="campaign.updated",
           target=agency.ads, also=agency.center)
    [told] = AuditEvent.objects.filter(center=agency.center, action="campaign.updated")
    assert told.acting_center == center and told.actor_label.startswith("Olivia Owner")


def test_through_the_rest_api_the_owner_reads_the_partners_change(
    client, owner, center, as_owner, agency
):
    campaign = campaigns.create_campaign(as_owner, center, agency.ads.pk, name="Spring",
                                         objective="TRAFFIC", budget="100").campaign
    theirs = Api(create_token(act(agency.boss), agency.center, "agency script").secret)
    changed = theirs.send("patch", f"/centers/{agency.center.pk}/campaigns/{campaign.pk}",
                          {"budget": "120"})
    assert changed.status_code == 200 and changed.json()["campaign"]["currency"] == "USD"
    ours = Api(create_token(as_owner, center, "brand script").secret)
    page = ours.get(f"/centers/{center.pk}/activity", action="campaign.updated").json()
    [event] = page["items"]
    assert event["acting_center"] == {"name": "Agency Inc"}  # a name, never an id
    assert event["actor_label"] == "Bo Agency <bo@agency.com>" and event["via"] == "api"
    assert (event["before"], event["after"]) == ({"budget": "100.00"}, {"budget": "120.00"})
    # The agency's log has it as its own.
    [mine] = theirs.get(f"/centers/{agency.center.pk}/activity",
                        action="campaign.updated").json()["items"]
    assert mine["acting_center"] is None
    # Exports say it too.
    body = b"".join(ours.get(f"/centers/{center.pk}/activity/export",
                             action="campaign.updated").streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["acting_center"] == "Agency Inc"
    lines = b"".join(ours.get(f"/centers/{center.pk}/activity/export", format="json",
                              action="campaign.updated").streaming_content).decode()
    assert json.loads(lines)["acting_center"] == "Agency Inc"
    # And the page.
    client.force_login(owner)
    shown = client.get(f"/c/{center.pk}/activity/").content.decode()
    assert "from partner Agency Inc" in shown
