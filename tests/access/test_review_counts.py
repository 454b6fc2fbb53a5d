"""The access review's asset counts (issue 21): each member's count is what the access
engine lets them reach, direct grants, asset groups and assets partners share alike.
It used to count direct grants only, so a member working through a group read "0"."""

from __future__ import annotations

import pytest

from bizcenter.access import snapshot
from bizcenter.access.review import access_review
from bizcenter.assets import groups, partners
from bizcenter.assets.ceilings import set_member_shared_assets
from bizcenter.assets.services import assign, create_asset
from bizcenter.centers.services import create_center
from tests.conftest import act, join, partner_up

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def world(center, as_owner, make_user):
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Ads")
    pixels = [create_asset(as_owner, center, type="PIXEL", name=f"Pixel {n}") for n in (1, 2)]
    sam = join(as_owner, center, make_user("sam@agency.example", name="Sam"))
    gus = join(as_owner, center, make_user("gus@agency.example", name="Gus"))
    assign(as_owner, center, sam.pk, ads.pk, ["ANALYST"])
    group = groups.create_group(as_owner, center, "Pixels", [p.pk for p in pixels])
    groups.set_member(as_owner, center, group.pk, sam.pk, {"PIXEL": ["ACCESS"]})
    # Gus sits in the group with a role on ad accounts only: its pixels reach him not.
    groups.set_member(as_owner, center, group.pk, gus.pk, {"ADVERTISER": ["ANALYST"]})
    # A partner shares its ad account with this Business Center; Sam is given it.
    boss = make_user("boss@partner.example", name="Boss")
    other = create_center(act(boss), name="Partner Co")
    partner_up(act(boss), other, center)
    theirs = create_asset(act(boss), other, type="ADVERTISER", name="Their ads")
    partners.share(act(boss), other, center.public_id, theirs.pk, "ANALYST")
    set_member_shared_assets(as_owner, center, sam.pk, {theirs.pk: ["ANALYST"]})
    return {"sam": sam, "gus": gus}


def counts(as_owner, center) -> dict[str, int]:
    return {r.who: r.assets for r in access_review(as_owner, center) if r.kind == "member"}


def test_a_members_count_includes_group_and_partner_access(center, as_owner, world):
    found = counts(as_owner, center)
    # Ads directly, two pixels through the group, the partner's ad account shared.
    assert found["Sam <sam@agency.example>"] == 4
    assert found["Gus <gus@agency.example>"] == 0
    # An Admin reaches every asset owned here and every asset shared with it.
    assert found["Olivia Owner <owner@brand.com>"] == 3 + 1


def test_every_count_is_what_the_engine_lets_that_member_reach(center, as_owner, world):
    for row in access_review(as_owner, center):
        if row.kind != "member":
            continue
        from bizcenter.centers.models import Membership

        user_id = Membership.objects.get(pk=row.id).user_id
        snap = snapshot.get(user_id, center.pk)
        assert snap is not None
        reached = len(snap.assets)
        if snap.is_admin:
            from bizcenter.assets.models import Asset

            reached = len(set(snap.assets) | set(
                Asset.objects.filter(center=center).values_list("pk", flat=True)))
        assert row.assets == reached, row.who


def test_a_grant_on_an_asset_no_longer_shared_is_not_counted(center, as_owner, world,
                                                             make_user):
    from bizcenter.assets.models import PartnerShare

    PartnerShare.objects.filter(partnership__partner=center).delete()
    assert counts(as_owner, center)["Sam <sam@agency.example>"] == 3
