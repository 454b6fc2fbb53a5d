"""The brand and its agency taking partnership steps at the same instant, on PostgreSQL:
each step writes in both Business Centers' logs and access versions, so each locks both
rows in one order; neither may deadlock, and the result is one a serial order gives."""

from __future__ import annotations

from bizcenter.accounts.models import User
from bizcenter.assets import partners
from bizcenter.assets.models import Asset, PartnerShare, Partnership
from bizcenter.assets.services import assign, create_asset
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import create_center
from bizcenter.core.errors import NotFound
from bizcenter.invitations.services import Grant
from tests.conftest import act
from tests.support.races import RACING, fresh_center, joined, quick_user, race

pytestmark = RACING

ROUNDS = 3


def partnered(tag: str) -> tuple[User, BusinessCenter, User, BusinessCenter, Asset]:
    """A brand and an agency that agreed, the brand's ad account shared as OPERATOR."""
    owner, brand = fresh_center(tag)
    ads = create_asset(act(owner), brand, type="ADVERTISER", name="Ads")
    boss = quick_user(f"boss.{tag}@agency.com")
    agency = create_center(act(boss), name=f"Agency {tag}")
    asked = partners.request_partner(act(owner), brand, agency.public_id)
    partners.accept(act(boss), agency, asked.pk)
    partners.share(act(owner), brand, agency.public_id, ads.pk, "OPERATOR")
    return owner, brand, boss, agency, ads


def test_the_brand_sharing_while_the_agency_ends_it_ends_in_a_serial_order():
    for round_ in range(ROUNDS):
        share_while_ending(round_)


def share_while_ending(round_: int) -> None:
    owner, brand, boss, agency, ads = partnered(f"se{round_}")
    more = create_asset(act(owner), brand, type="ADVERTISER", name="More ads")
    seat = joined(boss, agency, f"max.se{round_}@agency.com",
                  Grant(modules=("CAMPAIGNS",)))
    assign(act(boss), agency, seat.pk, ads.pk, ["ANALYST"])
    shared, ended = race([
        lambda: partners.share(act(owner), brand, agency.public_id, more.pk, "ANALYST"),
        lambda: partners.end_partnership(act(boss), agency, brand.public_id),
    ])
    assert ended is None, ended  # ending always goes through
    # Shared first (then ended with everything), or refused after the end.
    assert isinstance(shared, PartnerShare | NotFound), shared
    assert not Partnership.objects.filter(owner=brand).exists()
    assert not PartnerShare.objects.filter(asset__center=brand).exists()


def test_the_agency_dropping_while_the_brand_lowers_the_role_never_deadlocks():
    for round_ in range(ROUNDS):
        lower_while_dropping(round_)


def lower_while_dropping(round_: int) -> None:
    owner, brand, boss, agency, ads = partnered(f"dl{round_}")
    lowered, dropped = race([
        lambda: partners.share(act(owner), brand, agency.public_id, ads.pk, "ANALYST"),
        lambda: partners.drop_shared(act(boss), agency, brand.public_id, ads.pk),
    ])
    assert dropped is None or isinstance(dropped, NotFound), dropped
    assert isinstance(lowered, PartnerShare), lowered
    left = list(PartnerShare.objects.filter(asset=ads).values_list("roles", flat=True))
    # Lowered then dropped: nothing; dropped then shared again: shared as ANALYST.
    assert left in ([], [["ANALYST"]]), left


def test_the_agency_assigning_while_the_brand_unshares_never_deadlocks():
    for round_ in range(ROUNDS):
        assign_while_unsharing(round_)


def assign_while_unsharing(round_: int) -> None:
    from bizcenter.assets.models import AssetGrant

    owner, brand, boss, agency, ads = partnered(f"au{round_}")
    seat = joined(boss, agency, f"max.au{round_}@agency.com",
                  Grant(modules=("CAMPAIGNS",)))
    assigned, unshared = race([
        lambda: assign(act(boss), agency, seat.pk, ads.pk, ["ANALYST"]),
        lambda: partners.unshare(act(owner), brand, agency.public_id, ads.pk),
    ])
    assert unshared is None, unshared
    # Assigned first (then taken back with the share), or not found once unshared.
    assert isinstance(assigned, AssetGrant | NotFound), assigned
    assert not AssetGrant.objects.filter(membership=seat).exists()
