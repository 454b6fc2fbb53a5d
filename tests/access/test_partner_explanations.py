"""Explanations in a partner Business Center say who can lift a limit, and how to ask.

The agency's Admins hold exactly what a brand shares: when the limit is the share, only
the brand's Admins can raise it, so "ask an Admin of the agency" would send a member in
circles and an agency Admin to themself. When the share allows more than a member holds,
the agency's Admins can give it, and the explanation says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bizcenter.access.actions import Action
from bizcenter.access.engine import OwnerAsk, check, explain
from bizcenter.accounts.models import User
from bizcenter.assets.ceilings import allowed_roles, ceilings, next_role
from bizcenter.assets.models import Asset, PartnerShare, Partnership
from bizcenter.assets.services import assign, create_asset, update_asset
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import bump_access_version, create_center
from bizcenter.core.errors import InvalidInput
from tests.conftest import act, join


@pytest.fixture(autouse=True)
def _quick_hashing(quick_hashing):
    """Passwords are not what explanations are about."""


@dataclass
class World:
    brand: BusinessCenter
    agency: BusinessCenter
    boss: User
    worker: Membership
    ads: Asset
    link: Partnership

    def share(self, roles: list[str], asset: Asset | None = None) -> None:
        PartnerShare.objects.update_or_create(partnership=self.link, asset=asset or self.ads,
                                              defaults={"roles": roles})
        bump_access_version(self.brand)
        bump_access_version(self.agency)


@pytest.fixture
def world(center, as_owner, make_user) -> World:
    boss = make_user("boss@agency.com")
    agency = create_center(act(boss), name="Agency")
    worker = join(act(boss), agency, make_user("wes@agency.com"), modules=("CAMPAIGNS",))
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Brand ads")
    link = Partnership.objects.create(owner=center, partner=agency)
    return World(center, agency, boss, worker, ads, link)


BRANDS_ADMINS = ("Only the Admins of Brand Co can raise what they share with Agency; an "
                 "Admin of Agency can ask them for OPERATOR with Ask for access on the "
                 "Partner Business Centers page.")


def test_a_member_at_the_shared_role_is_sent_to_the_brands_admins(world):
    world.share(["ANALYST"])
    assign(act(world.boss), world.agency, world.worker.pk, world.ads.pk, ["ANALYST"])
    said = explain(world.worker.user, Action.CAMPAIGN_PROPOSE, world.ads, within=world.agency)
    assert not said.allowed and said.code == "role_too_low"
    assert said.fix == BRANDS_ADMINS
    assert "Brand Co shares Ad account Brand ads with Agency as ANALYST." in said.reasons
    assert said.ask == OwnerAsk("Brand Co", world.brand.public_id, world.ads.pk, "OPERATOR")
    edit = explain(world.worker.user, Action.CAMPAIGN_EDIT, world.ads, within=world.agency)
    assert edit.fix == BRANDS_ADMINS and "Ask an Admin of Agency" not in edit.fix


def test_a_member_below_the_shared_role_is_sent_to_the_agencys_admins(world):
    world.share(["OPERATOR"])
    assign(act(world.boss), world.agency, world.worker.pk, world.ads.pk, ["ANALYST"])
    said = explain(world.worker.user, Action.CAMPAIGN_PROPOSE, world.ads, within=world.agency)
    assert said.fix == "Ask an Admin of Agency to make you OPERATOR on Ad account Brand ads."
    assert said.ask is None and "Brand Co" not in said.fix
    # And the agency's Admin can indeed give it.
    assign(act(world.boss), world.agency, world.worker.pk, world.ads.pk, ["OPERATOR"])
    assert check(world.worker.user, Action.CAMPAIGN_PROPOSE, world.ads, within=world.agency)


def test_an_agency_admin_is_never_told_to_ask_an_agency_admin(world):
    world.share(["ANALYST"])
    for action in (Action.CAMPAIGN_PROPOSE, Action.CAMPAIGN_EDIT):
        said = explain(world.boss, action, world.ads, within=world.agency)
        assert not said.allowed and said.code == "role_too_low"
        assert said.reasons[0] == "Ad account Brand ads is shared with Agency as ANALYST, " \
                                  "which only views."
        assert said.fix == ("Only the Admins of Brand Co can raise what they share with "
                            "Agency; ask them for OPERATOR with Ask for access on the "
                            "Partner Business Centers page.")
        assert "Standard members" not in " ".join(said.reasons)
        assert said.ask is not None and said.ask.role == "OPERATOR"
    world.share(["OPERATOR"])
    assert check(world.boss, Action.CAMPAIGN_EDIT, world.ads, within=world.agency)


def test_what_only_the_owner_may_do_names_the_owner(world, as_owner):
    world.share(["OPERATOR"])
    said = explain(world.boss, Action.ASSET_MANAGE, world.ads, within=world.agency)
    assert said.code == "owned_by_partner"
    assert "owned by Brand Co" in said.reasons[0]
    assert said.fix == "Only the Admins of Brand Co can do it; ask them."
    disabled = update_asset(as_owner, world.brand, world.ads.pk, status="DISABLED")
    stopped = explain(world.boss, Action.CAMPAIGN_EDIT, disabled, within=world.agency)
    assert stopped.code == "account_inactive"
    assert stopped.fix.startswith("Only the Admins of Brand Co, which owns it, can reactivate")


def test_the_brands_own_explanations_are_unchanged(world, as_owner, make_user):
    """In the brand itself nothing is shared: its Admins give every role."""
    sam = join(as_owner, world.brand, make_user("sam@brand.com"), modules=("CAMPAIGNS",))
    assign(as_owner, world.brand, sam.pk, world.ads.pk, ["ANALYST"])
    said = explain(sam.user, Action.CAMPAIGN_PROPOSE, world.ads)
    assert said.fix == "Ask an Admin of Brand Co to make you OPERATOR on Ad account Brand ads."
    assert said.ask is None


def test_the_refusal_to_assign_above_the_share_says_who_can_raise_it(world):
    world.share(["OPERATOR"])
    with pytest.raises(InvalidInput) as above:
        assign(act(world.boss), world.agency, world.worker.pk, world.ads.pk, ["ADMIN"])
    message = above.value.message
    assert "shared with Agency as OPERATOR by Brand Co" in message
    assert "Only the Admins of Brand Co can raise what they share with Agency" in message


@pytest.mark.parametrize(("kind", "shared", "allowed", "asked"), [
    ("ADVERTISER", ["ANALYST"], ("ANALYST",), "OPERATOR"),
    ("ADVERTISER", ["OPERATOR"], ("OPERATOR", "ANALYST"), "ADMIN"),
    ("ADVERTISER", ["ADMIN"], ("ADMIN", "OPERATOR", "ANALYST"), None),
    ("CATALOG", ["AD_PROMOTE"], ("AD_PROMOTE",), "ADMIN"),
    ("TT_ACCOUNT", ["POST"], ("POST",), "LIVE"),
    ("TT_ACCOUNT", ["DIRECT_MESSAGE", "POST"], ("POST", "DIRECT_MESSAGE"), "LIVE"),
    ("PIXEL", ["ACCESS"], ("ACCESS",), None),
])
def test_what_a_share_lets_the_partner_give(kind, shared, allowed, asked):
    assert allowed_roles(kind, shared) == allowed
    assert next_role(kind, shared) == asked


def test_ceilings_are_what_the_viewer_may_see(world, as_owner):
    pixel = create_asset(as_owner, world.brand, type="PIXEL", name="Brand pixel")
    world.share(["ANALYST"])
    world.share(["ACCESS"], pixel)
    seen = ceilings(act(world.boss), world.agency)
    assert {a: c.label for a, c in seen.items()} == {
        world.ads.pk: "shared by Brand Co as ANALYST",
        pixel.pk: "shared by Brand Co as ACCESS"}
    assert ceilings(act(world.worker.user), world.agency) == {}
    assign(act(world.boss), world.agency, world.worker.pk, pixel.pk, ["ACCESS"])
    assert list(ceilings(act(world.worker.user), world.agency)) == [pixel.pk]
    assert ceilings(as_owner, world.brand) == {}  # the owner has no ceiling on its own
