"""Assets, asset roles, and access chosen at invitation time."""

from __future__ import annotations

import json

import pytest

from bizcenter.access.actions import Action
from bizcenter.access.engine import check
from bizcenter.assets.models import Asset, AssetGrant
from bizcenter.assets.services import (
    assign,
    create_asset,
    delete_asset,
    list_assets,
    unassign,
    update_asset,
)
from bizcenter.audit.models import AuditEvent
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act
from tests.support.cli import run


def join(as_owner, center, make_user, email, **grant):
    [sent] = invitations.invite(as_owner, center, [email], Grant(**grant))
    person = make_user(email)
    return invitations.accept(act(person), sent.link.rstrip("/").rsplit("/", 1)[-1])


@pytest.fixture
def acct(center, as_owner):
    return create_asset(as_owner, center, type="advertiser", name="Main account")


def test_create_rename_change_status_and_delete(center, as_owner, acct):
    assert (acct.type, acct.status) == ("ADVERTISER", "ACTIVE")
    update_asset(as_owner, center, acct.pk, name="Renamed", status="disabled")
    acct.refresh_from_db()
    assert (acct.name, acct.status) == ("Renamed", "DISABLED")
    event = AuditEvent.objects.get(action="asset.updated")
    assert event.category == "ACCOUNT"
    assert event.before == {"name": "Main account", "status": "ACTIVE"}
    pixel = create_asset(as_owner, center, type="PIXEL", name="Site pixel")
    with pytest.raises(InvalidInput) as refused:
        update_asset(as_owner, center, pixel.pk, status="CLOSED")
    assert "Only ad accounts" in refused.value.message
    delete_asset(as_owner, center, pixel.pk)
    assert not Asset.objects.filter(pk=pixel.pk).exists()
    with pytest.raises(NotFound):
        delete_asset(as_owner, center, pixel.pk)
    with pytest.raises(InvalidInput) as bad:
        create_asset(as_owner, center, type="SPACESHIP", name="x")
    assert "not a valid type" in bad.value.message


@pytest.mark.parametrize(("kind", "roles", "stored"), [
    ("ADVERTISER", ["operator"], ["OPERATOR"]),
    ("ADVERTISER", None, ["ANALYST"]),
    ("CATALOG", "AD_PROMOTE", ["AD_PROMOTE"]),
    ("TT_ACCOUNT", ["POST", "LIVE", "POST"], ["LIVE", "POST"]),
    ("PIXEL", None, ["ACCESS"]),
])
def test_roles_per_asset_type(center, as_owner, make_user, kind, roles, stored):
    asset = create_asset(as_owner, center, type=kind, name="A")
    member = join(as_owner, center, make_user, "p@agency.com")
    assert assign(as_owner, center, member.pk, asset.pk, roles).roles == stored


@pytest.mark.parametrize(("kind", "roles", "says"), [
    ("ADVERTISER", ["ADMIN", "ANALYST"], "An ad account takes one role, not 2"),
    ("ADVERTISER", ["POST"], "POST is not a role for an ad account"),
    ("CATALOG", ["OPERATOR"], "Use one of: ADMIN, AD_PROMOTE"),
    ("TT_ACCOUNT", None, "Use any of: POST, LIVE, DIRECT_MESSAGE"),
])
def test_wrong_roles_are_refused_listing_the_right_ones(center, as_owner, make_user, kind,
                                                        roles, says):
    asset = create_asset(as_owner, center, type=kind, name="A")
    member = join(as_owner, center, make_user, "p@agency.com")
    with pytest.raises(InvalidInput) as refused:
        assign(as_owner, center, member.pk, asset.pk, roles)
    assert says in refused.value.message
    assert not AssetGrant.objects.exists()


def test_lists_show_a_standard_member_only_their_assets(center, as_owner, make_user, acct):
    other = create_asset(as_owner, center, type="ADVERTISER", name="Other account")
    member = join(as_owner, center, make_user, "p@agency.com", modules=("ASSETS",))
    assign(as_owner, center, member.pk, acct.pk, ["ANALYST"])
    mine = list_assets(act(member.user), center)
    assert [a.name for a in mine.items] == ["Main account"] and mine.total == 1
    assert list_assets(as_owner, center).total == 2
    unassign(as_owner, center, member.pk, acct.pk)
    assert list_assets(act(member.user), center).total == 0
    assert other.pk not in [a.pk for a in list_assets(act(member.user), center).items]


def test_only_admins_manage_assets(center, as_owner, make_user, acct):
    member = join(as_owner, center, make_user, "p@agency.com", modules=("ASSETS",))
    with pytest.raises(NotAllowed):
        create_asset(act(member.user), center, type="PIXEL", name="Mine")
    with pytest.raises(NotAllowed):
        assign(act(member.user), center, member.pk, acct.pk, ["ADMIN"])
    revoked = join(as_owner, center, make_user, "gone@agency.com")
    from bizcenter.centers.services import revoke_member

    revoke_member(as_owner, center, revoked.pk)
    with pytest.raises(Conflict):
        assign(as_owner, center, revoked.pk, acct.pk, ["ANALYST"])


def test_assets_chosen_in_the_invitation_are_granted_on_acceptance(
    center, as_owner, make_user, acct
):
    catalog = create_asset(as_owner, center, type="CATALOG", name="Spring")
    member = join(as_owner, center, make_user, "p@agency.com", modules=("CAMPAIGNS",),
                  assets={acct.pk: ["OPERATOR"], str(catalog.pk): "AD_PROMOTE"})
    grants = {g.asset_id: g.roles for g in member.grants.all()}
    assert grants == {acct.pk: ["OPERATOR"], catalog.pk: ["AD_PROMOTE"]}
    assert check(member.user, Action.CAMPAIGN_PROPOSE, acct)
    with pytest.raises(InvalidInput) as refused:
        invitations.invite(as_owner, center, ["q@agency.com"], Grant(assets={999999: "ADMIN"}))
    assert "No asset with id 999999" in refused.value.message
    with pytest.raises(InvalidInput):
        invitations.invite(as_owner, center, ["q@agency.com"], Grant(assets={acct.pk: "POST"}))


def test_why_on_the_command_line(center, as_owner, owner, make_user, acct, capsys):
    member = join(as_owner, center, make_user, "p@agency.com", modules=("CAMPAIGNS",))
    assign(as_owner, center, member.pk, acct.pk, ["ANALYST"])
    code, out, _ = run(capsys, "why", "p@agency.com", "campaign.edit", f"asset:{acct.pk}",
                       "--as", owner.email)
    assert code == 0
    assert out.startswith("Denied (role_too_low).") and "Fix:" in out
    code, out, _ = run(capsys, "why", "p@agency.com", "campaign.view", f"asset:{acct.pk}",
                       "--json")
    assert json.loads(out)[0]["allowed"] is True
    code, _, err = run(capsys, "why", "p@agency.com", "campaign.fly", f"asset:{acct.pk}")
    assert code == 1 and "Unknown action" in err
    # A Standard member may ask about themself, not about others.
    code, _, err = run(capsys, "why", owner.email, "billing.view", f"center:{center.pk}",
                       "--as", "p@agency.com")
    assert code == 1 and "Only Admins" in err


def test_assets_on_the_command_line(center, owner, capsys):
    code, out, _ = run(capsys, "assets", "create", str(center.pk), "ADVERTISER", "CLI account",
                       "--as", owner.email, "--json")
    created = json.loads(out)[0]
    assert code == 0 and created["status"] == "ACTIVE"
    code, out, _ = run(capsys, "assets", "update", str(center.pk), created["id"],
                       "--status", "closed", "--as", owner.email, "--json")
    assert json.loads(out)[0]["status"] == "CLOSED"
    code, out, _ = run(capsys, "assets", "list", str(center.pk), "--as", owner.email)
    assert "CLI account" in out
    code, _, _ = run(capsys, "assets", "delete", str(center.pk), created["id"], "--yes",
                     "--as", owner.email)
    assert code == 0 and not Asset.objects.exists()
