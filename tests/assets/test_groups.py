"""Asset groups: a set of assets for a set of members, a role per asset type."""

from __future__ import annotations

import pytest

from bizcenter.access.actions import Action
from bizcenter.access.engine import check, explain
from bizcenter.assets import groups
from bizcenter.assets.services import assign, create_asset
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act


@pytest.fixture
def setup(center, as_owner, make_user):
    acct = create_asset(as_owner, center, type="ADVERTISER", name="Spring account")
    tiktok = create_asset(as_owner, center, type="TT_ACCOUNT", name="@brand")
    [sent] = invitations.invite(as_owner, center, ["p@agency.com"],
                                Grant(modules=("CAMPAIGNS", "ANALYTICS")))
    person = make_user("p@agency.com")
    member = invitations.accept(act(person), sent.link.rstrip("/").rsplit("/", 1)[-1])
    return acct, tiktok, member


def test_group_members_reach_the_group_assets_at_the_group_role(center, as_owner, setup):
    acct, tiktok, member = setup
    group = groups.create_group(as_owner, center, "Spring team", [acct.pk, tiktok.pk])
    assert not check(member.user, Action.CAMPAIGN_VIEW, acct)
    groups.set_member(as_owner, center, group.pk, member.pk)  # default: ANALYST on ad accounts
    decision = check(member.user, Action.CAMPAIGN_VIEW, acct)
    assert decision and "group Spring team" in decision.reason
    assert check(member.user, Action.CAMPAIGN_PROPOSE, acct).code == "role_too_low"
    # No TikTok-account role was given in the group, so @brand stays out of reach.
    assert check(member.user, Action.ASSET_VIEW, tiktok).code == "asset_not_assigned"
    groups.set_member(as_owner, center, group.pk, member.pk,
                      {"ADVERTISER": "OPERATOR", "TT_ACCOUNT": ["POST", "LIVE"]})
    assert check(member.user, Action.CAMPAIGN_PROPOSE, acct)
    assert check(member.user, Action.ASSET_VIEW, tiktok)


def test_a_member_keeps_a_higher_direct_role(center, as_owner, setup):
    acct, _, member = setup
    assign(as_owner, center, member.pk, acct.pk, ["OPERATOR"])
    group = groups.create_group(as_owner, center, "Viewers", [acct.pk])
    groups.set_member(as_owner, center, group.pk, member.pk, {"ADVERTISER": "ANALYST"})
    decision = check(member.user, Action.CAMPAIGN_PROPOSE, acct)
    assert decision and "OPERATOR" in decision.reason
    assert "direct, group Viewers" in explain(member.user, Action.ASSET_VIEW, acct).reasons[0]


def test_removing_assets_or_members_takes_access_away_at_once(center, as_owner, setup):
    acct, _, member = setup
    group = groups.create_group(as_owner, center, "Team", [acct.pk])
    groups.set_member(as_owner, center, group.pk, member.pk)
    assert check(member.user, Action.CAMPAIGN_VIEW, acct)
    groups.set_assets(as_owner, center, group.pk, [])
    assert check(member.user, Action.CAMPAIGN_VIEW, acct).code == "asset_not_assigned"
    groups.set_assets(as_owner, center, group.pk, [acct.pk])
    groups.remove_member(as_owner, center, group.pk, member.pk)
    assert not check(member.user, Action.CAMPAIGN_VIEW, acct)
    groups.set_member(as_owner, center, group.pk, member.pk)
    groups.delete_group(as_owner, center, group.pk)
    assert not check(member.user, Action.CAMPAIGN_VIEW, acct)


def test_bad_group_input_is_refused_and_only_admins_manage_groups(center, as_owner, setup):
    acct, _, member = setup
    group = groups.create_group(as_owner, center, "Team")
    with pytest.raises(Conflict):
        groups.create_group(as_owner, center, " Team ")
    with pytest.raises(InvalidInput) as unknown:
        groups.set_assets(as_owner, center, group.pk, [999999])
    assert "No asset with id 999999" in unknown.value.message
    with pytest.raises(InvalidInput) as bad_role:
        groups.set_member(as_owner, center, group.pk, member.pk, {"ADVERTISER": "POST"})
    assert "Use one of: ADMIN, OPERATOR, ANALYST" in bad_role.value.message
    with pytest.raises(NotAllowed):
        groups.create_group(act(member.user), center, "Mine", [acct.pk])
