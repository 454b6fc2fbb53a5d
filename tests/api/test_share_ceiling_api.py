"""The API's refusal to assign above a partner's share says the shared role and who can
raise it, as the web does: a script's author learns whom to ask, not just "no"."""

from __future__ import annotations

from bizcenter.assets.models import AssetGrant, PartnerShare, Partnership
from bizcenter.centers.services import bump_access_version, create_center
from tests.conftest import act, join
from tests.support.api import api_for, error_of


def test_assigning_above_the_share_is_refused_naming_the_role_and_the_owners_admins(
        center, ads, make_user):
    boss = make_user("boss@agency.com")
    agency = create_center(act(boss), name="Agency")
    wes = join(act(boss), agency, make_user("wes@agency.com"), modules=("CAMPAIGNS",))
    link = Partnership.objects.create(owner=center, partner=agency)
    PartnerShare.objects.create(partnership=link, asset=ads, roles=["OPERATOR"])
    bump_access_version(center)
    bump_access_version(agency)
    agencys = api_for(boss, agency)
    path = f"/centers/{agency.pk}/assets/{ads.pk}/grants/{wes.pk}"
    refused = agencys.send("put", path, {"roles": ["ADMIN"]})
    assert refused.status_code == 400
    error = error_of(refused)
    assert error["message"] == (
        "Ad account Main ads is shared with Agency as OPERATOR by Brand Co; members cannot "
        "be given more than that. Only the Admins of Brand Co can raise what they share "
        "with Agency; ask them with Ask for access on the Partner Business Centers page.")
    assert error["fields"] == {"roles": "at most OPERATOR"}
    assert not AssetGrant.objects.exists()
    given = agencys.send("put", path, {"roles": ["OPERATOR"]})
    assert given.status_code == 200 and given.json()["roles"] == ["OPERATOR"]
