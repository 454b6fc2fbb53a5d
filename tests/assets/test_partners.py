"""Partner Business Centers: share, assign on the partner's side, raise, lower, unshare."""

from __future__ import annotations

import pytest

from bizcenter.access.actions import Action
from bizcenter.access.engine import check, explain
from bizcenter.assets import partners
from bizcenter.assets.models import AssetGrant
from bizcenter.assets.services import assign, create_asset, list_assets
from bizcenter.centers.services import create_center
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act, partner_up


@pytest.fixture
def agency(center, as_owner, make_user):
    """The brand (center) shares its ad account with an agency's Business Center."""
    boss = make_user("boss@agency.com")
    agency_center = create_center(act(boss), name="Agency")
    [sent] = invitations.invite(act(boss), agency_center, ["op@agency.com"],
                                Grant(modules=("CAMPAIGNS", "ANALYTICS")))
    operator = invitations.accept(act(make_user("op@agency.com")),
                                  sent.link.rstrip("/").rsplit("/", 1)[-1])
    acct = create_asset(as_owner, center, type="ADVERTISER", name="Brand account")
    partner_up(as_owner, center, agency_center)
    return agency_center, boss, operator, acct


def test_shared_assets_are_owned_by_partner_and_capped_by_the_shared_role(
    center, as_owner, agency
):
    agency_center, boss, operator, acct = agency
    assert not check(boss, Action.ASSET_VIEW, acct, within=agency_center)
    partners.share(as_owner, center, agency_center.public_id, acct.pk, "OPERATOR")
    # The agency's Admin sees it as a partner's asset and holds the shared role.
    assert [a.name for a in list_assets(act(boss), agency_center).items] == ["Brand account"]
    [received] = partners.shared_with(act(boss), agency_center)
    assert received.partnership.owner == center and received.roles == ["OPERATOR"]
    assert check(boss, Action.CAMPAIGN_EDIT, acct, within=agency_center)
    assert check(boss, Action.ASSET_MANAGE, acct, within=agency_center).code == \
        "owned_by_partner"
    # The agency's Admin assigns it to their member, never above the shared role.
    with pytest.raises(InvalidInput) as above:
        assign(act(boss), agency_center, operator.pk, acct.pk, ["ADMIN"])
    assert "shared with Agency as OPERATOR" in above.value.message
    assign(act(boss), agency_center, operator.pk, acct.pk, ["OPERATOR"])
    assert check(operator.user, Action.CAMPAIGN_PROPOSE, acct, within=agency_center)
    answer = explain(operator.user, Action.ASSET_VIEW, acct, within=agency_center)
    assert "OPERATOR (partner Brand Co)" in answer.reasons[0]


def test_lowering_the_shared_role_applies_to_every_partner_member_at_once(
    center, as_owner, agency
):
    agency_center, boss, operator, acct = agency
    partners.share(as_owner, center, agency_center.public_id, acct.pk, "OPERATOR")
    assign(act(boss), agency_center, operator.pk, acct.pk, ["OPERATOR"])
    assert check(operator.user, Action.CAMPAIGN_PROPOSE, acct, within=agency_center)
    # Lowered in place.
    partners.share(as_owner, center, agency_center.public_id, acct.pk, "ANALYST")
    assert check(operator.user, Action.CAMPAIGN_PROPOSE, acct,
                 within=agency_center).code == "role_too_low"
    assert check(operator.user, Action.CAMPAIGN_VIEW, acct, within=agency_center)
    assert not check(boss, Action.CAMPAIGN_EDIT, acct, within=agency_center)
    # Raised again.
    partners.share(as_owner, center, agency_center.public_id, acct.pk, "OPERATOR")
    assert check(operator.user, Action.CAMPAIGN_PROPOSE, acct, within=agency_center)


def test_unshare_and_remove_partner_take_everything_back(center, as_owner, agency):
    agency_center, boss, operator, acct = agency
    partners.share(as_owner, center, agency_center.public_id, acct.pk, "ANALYST")
    assign(act(boss), agency_center, operator.pk, acct.pk, ["ANALYST"])
    partners.unshare(as_owner, center, agency_center.public_id, acct.pk)
    assert check(operator.user, Action.CAMPAIGN_VIEW, acct,
                 within=agency_center).code == "asset_not_assigned"
    assert not AssetGrant.objects.filter(membership=operator).exists()
    assert list_assets(act(boss), agency_center).total == 0
    with pytest.raises(NotFound):
        partners.unshare(as_owner, center, agency_center.public_id, acct.pk)
    partners.share(as_owner, center, agency_center.public_id, acct.pk, "ANALYST")
    partners.end_partnership(as_owner, center, agency_center.public_id)
    assert not check(boss, Action.CAMPAIGN_VIEW, acct, within=agency_center)
    with pytest.raises(NotFound) as gone:
        partners.share(as_owner, center, agency_center.public_id, acct.pk, "ANALYST")
    assert "send a partner request first" in gone.value.message


def test_partner_mistakes_and_permissions(center, as_owner, agency, make_user):
    agency_center, boss, operator, acct = agency
    with pytest.raises(Conflict):
        partner_up(as_owner, center, agency_center)
    with pytest.raises(InvalidInput):
        partner_up(as_owner, center, center)
    with pytest.raises(InvalidInput, match="19 digits"):
        partners.request_partner(as_owner, center, 999999)
    with pytest.raises(InvalidInput):
        partners.share(as_owner, center, agency_center.public_id, acct.pk, "POST")
    # The agency cannot share the brand's asset onwards, nor act in the brand's center.
    with pytest.raises(NotFound):
        partners.share(act(boss), center, agency_center.public_id, acct.pk, "ANALYST")
    with pytest.raises(NotAllowed):
        partner_up(act(operator.user), agency_center, center)


def test_why_within_the_receiving_center(center, as_owner, agency, capsys):
    from tests.support.cli import run

    agency_center, boss, operator, acct = agency
    partners.share(as_owner, center, agency_center.public_id, acct.pk, "ANALYST")
    assign(act(boss), agency_center, operator.pk, acct.pk, ["ANALYST"])
    code, out, _ = run(capsys, "why", "op@agency.com", "campaign.propose", f"asset:{acct.pk}",
                       "--within", str(agency_center.pk), "--as", boss.email)
    assert code == 0 and out.startswith("Denied (role_too_low).")


def test_a_members_owned_asset_set_leaves_shared_assets_alone(center, as_owner, agency):
    from bizcenter.assets.services import set_member_assets

    agency_center, boss, operator, acct = agency
    partners.share(as_owner, center, agency_center.public_id, acct.pk, "OPERATOR")
    assign(act(boss), agency_center, operator.pk, acct.pk, ["ANALYST"])
    with pytest.raises(InvalidInput, match="shared by"):
        set_member_assets(act(boss), agency_center, operator.pk, {acct.pk: ["OPERATOR"]})
    # Setting the owned ones (none here) keeps the shared grant as it was.
    assert set_member_assets(act(boss), agency_center, operator.pk, {}) == 0
    assert AssetGrant.objects.get(membership=operator, asset=acct).roles == ["ANALYST"]
