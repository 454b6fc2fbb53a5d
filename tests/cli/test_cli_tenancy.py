"""No command reaches another Business Center's data: an Admin of one Business Center
naming another one's id, or its members', invitations', assets', campaigns',
groups' or requests' ids under their own, is told it is not there (exit 1, one
``error:`` line), exactly as for an id that does not exist, and nothing changes."""

from __future__ import annotations

import pytest

from bizcenter.assets.groups import create_group
from bizcenter.assets.models import Asset
from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.campaigns import services as campaigns
from bizcenter.campaigns.models import Campaign, ChangeRequest
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import create_center
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation
from bizcenter.invitations.services import Grant
from tests.conftest import act, join
from tests.support.cli import run


@pytest.fixture(autouse=True)
def _fast(quick_hashing):
    """Password hashing is not what these tests are about."""


@pytest.fixture
def rival(make_user):
    """Another Business Center with one of everything, and its ids."""
    rita = make_user("rita@rival.com")
    center = create_center(act(rita), name="Rival Co")
    ads = create_asset(act(rita), center, type="ADVERTISER", name="Rival ads")
    sam = make_user("sam@rival.com")
    member = join(act(rita), center, sam, modules=("CAMPAIGNS",), assets={ads.pk: ["OPERATOR"]})
    [pending] = invitations.invite(act(rita), center, ["new@rival.com"], Grant())
    made = campaigns.create_campaign(act(rita), center, ads.pk, name="Rival sale",
                                     objective="TRAFFIC", budget="100")
    assert made.campaign is not None and pending.invitation is not None
    request = campaigns.update_campaign(act(sam), center, made.campaign.pk,
                                        budget="200").request
    assert request is not None
    group = create_group(act(rita), center, "Rival group", [ads.pk])
    return {"center": str(center.pk), "member": str(member.pk),
            "invitation": str(pending.invitation.pk), "asset": str(ads.pk),
            "campaign": str(made.campaign.pk), "request": str(request.pk),
            "group": str(group.pk)}


def commands(center: str, ids: dict[str, str]) -> list[list[str]]:
    """Every command that names a Business Center, with the rival's object ids."""
    return [
        ["centers", "show", center], ["centers", "update", center, "--name", "Mine now"],
        ["members", "list", center], ["members", "edit", center, ids["member"], "--role", "admin"],
        ["members", "revoke", center, ids["member"], "--yes"],
        ["invite", center, "spy@else.com"],
        ["invitations", "list", center], ["invitations", "resend", center, ids["invitation"]],
        ["invitations", "cancel", center, ids["invitation"], "--yes"],
        ["invitations", "link", center, ids["invitation"]],
        ["activity", "list", center], ["activity", "export", center],
        ["review", center],
        ["assets", "list", center], ["assets", "update", center, ids["asset"], "--name", "Mine"],
        ["assets", "delete", center, ids["asset"], "--yes"],
        ["assets", "assign", center, ids["member"], ids["asset"], "--role", "analyst"],
        ["partners", "list", center],
        ["groups", "list", center], ["groups", "show", center, ids["group"]],
        ["groups", "delete", center, ids["group"], "--yes"],
        ["campaigns", "list", center], ["campaigns", "show", center, ids["campaign"]],
        ["campaigns", "update", center, ids["campaign"], "--name", "Mine"],
        ["campaigns", "pause", center, ids["campaign"]],
        ["requests", "list", center], ["requests", "show", center, ids["request"]],
        ["requests", "approve", center, ids["request"]],
        ["report", center],
        ["billing", "balance", center], ["billing", "transactions", center],
        ["billing", "top-up", center, "100"],
    ]


def everything() -> tuple:
    """What a refused command must leave exactly as it was."""
    return (
        sorted(BusinessCenter.objects.values_list("pk", "name")),
        sorted(Membership.objects.values_list("pk", "role", "state")),
        sorted(Invitation.objects.values_list("pk", "state", "resend_count")),
        sorted(Asset.objects.values_list("pk", "name", "status")),
        sorted(Campaign.objects.values_list("pk", "name", "status", "version")),
        sorted(ChangeRequest.objects.values_list("pk", "state")),
        AuditEvent.objects.count(),
    )


def test_an_admin_elsewhere_is_told_the_business_center_is_not_there(
        capsys, owner, center, rival):
    before = everything()
    for argv in commands(rival["center"], rival):
        code, out, err = run(capsys, *argv, "--as", owner.email)
        assert (code, out) == (1, ""), (argv, code, out, err)
        assert err == f"error: No Business Center with id {rival['center']} is visible to " \
                      "you.\n", (argv, err)
    assert everything() == before


def test_another_business_centers_ids_under_ones_own_are_not_found(
        capsys, owner, center, rival):
    before = everything()
    mine = str(center.pk)
    shapes = commands(mine, dict.fromkeys(rival, "ID"))
    about_objects = [argv for argv, shape in zip(commands(mine, rival), shapes, strict=True)
                     if "ID" in shape]
    assert len(about_objects) == 15
    for argv in about_objects:
        code, out, err = run(capsys, *argv, "--as", owner.email)
        assert code == 1, (argv, code, out, err)
        assert err.startswith("error: No ") and err.count("\n") == 1, (argv, err)
        assert "Rival" not in err, (argv, err)
    assert everything() == before
