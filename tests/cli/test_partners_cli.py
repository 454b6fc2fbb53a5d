"""``bizcenter partners``: every step of a partnership from a shell, on this installation
and through a server's API, naming other Business Centers only by public id."""

from __future__ import annotations

import io
import json
import re

import pytest

from bizcenter.accounts.tokens import create_token
from bizcenter.assets.models import AccessRequest, AssetGrant, PartnerShare, Partnership
from bizcenter.assets.services import assign, create_asset
from bizcenter.centers.services import create_center
from tests.conftest import act, join, partner_up
from tests.support.cli import _clean, run  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("quick_hashing")

NOBODY = "1111222233334444555"


@pytest.fixture
def agency(make_user):
    boss = make_user("boss@agency.com", name="Bea Boss")
    return create_center(act(boss), name="Agency Co")


@pytest.fixture
def ads(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Main ads")


def ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, err
    return out


def refused(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 1 and out == "", (out, err)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


def test_a_partnership_from_request_to_end(capsys, monkeypatch, center, agency, ads,
                                           as_owner):
    c, a = str(center.pk), str(agency.pk)
    owner, boss = ("--as", "owner@brand.com"), ("--as", "boss@agency.com")
    sent = ok(run(capsys, "partners", "request", c, agency.public_id, "-m", "Spring work",
                  *owner))
    request_id = Partnership.objects.get().pk
    assert sent == (f"Request {request_id} sent to Business Center {agency.public_id}; it "
                    "waits for their Admins.\n")
    # The side that asked sees only the id it typed; the side asked sees who asks.
    mine = ok(run(capsys, "partners", "requests", c, "--outgoing", *owner))
    assert agency.public_id in mine and "Agency Co" not in mine and "Bea Boss" not in mine
    theirs = json.loads(ok(run(capsys, "partners", "requests", a, "--json", *boss)))
    assert [(r["business_center"], r["name"], r["asked_by"], r["message"])
            for r in theirs] == [(center.public_id, "Brand Co", "Olivia Owner",
                                  "Spring work")]
    assert ok(run(capsys, "partners", "accept", a, str(request_id), *boss)) == (
        f"Brand Co ({center.public_id}) shares with Agency Co ({agency.public_id}) from now "
        "on.\n")
    # Share with approval needed, then see it from both sides.
    shared = ok(run(capsys, "partners", "share", c, agency.public_id, str(ads.pk), "-r",
                    "operator", "--needs-approval", *owner))
    assert shared == "Ad account Main ads shared as OPERATOR, changes need your approval.\n"
    [listed] = json.loads(ok(run(capsys, "partners", "list", c, "--json", *owner)))
    assert (listed["id"], listed["name"]) == (agency.public_id, "Agency Co")
    assert listed["shared"] == ["Ad account Main ads as OPERATOR (needs approval)"]
    [got] = json.loads(ok(run(capsys, "partners", "received", a, "--json", *boss)))
    assert (got["owner"], got["owner_id"], got["asset"], got["roles"], got["needs_approval"]
            ) == ("Brand Co", center.public_id, "Ad account Main ads", ["OPERATOR"], "yes")
    [client] = json.loads(ok(run(capsys, "partners", "owners", a, "--json", *boss)))
    assert (client["id"], client["name"]) == (center.public_id, "Brand Co")
    again = ok(run(capsys, "partners", "share", c, agency.public_id, str(ads.pk), "-r",
                   "analyst", "--no-needs-approval", *owner))
    assert again == "Ad account Main ads shared as ANALYST.\n"
    # Ending asks first, saying what ends; no is no.
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, _ = run(capsys, "partners", "end", c, agency.public_id, *owner)
    assert code == 1
    assert (f"End the partnership with Agency Co ({agency.public_id})? Agency Co loses the "
            "1 shared asset (Ad account Main ads) at once.") in out
    assert Partnership.objects.filter(status="ACTIVE").count() == 1
    # The partner may end it too, by the owner's public id, and is told what it loses.
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, _ = run(capsys, "partners", "end", a, center.public_id, *boss)
    assert code == 1 and ("Your members lose the 1 shared asset (Ad account Main ads) "
                          "Brand Co shares.") in out
    assert ok(run(capsys, "partners", "end", a, center.public_id, "--yes", *boss)) == (
        "Partnership ended.\n")
    assert not Partnership.objects.exists() and not PartnerShare.objects.exists()
    err = refused(run(capsys, "partners", "end", c, agency.public_id, "--yes", *owner))
    assert "has no partnership with Business Center" in err


def test_every_answer_to_a_request(capsys, center, agency, make_user):
    c, a = str(center.pk), str(agency.pk)
    owner, boss = ("--as", "owner@brand.com"), ("--as", "boss@agency.com")
    # A made-up id is answered like a real one.
    real = ok(run(capsys, "partners", "request", c, agency.public_id, *owner))
    fake = ok(run(capsys, "partners", "request", c, NOBODY, *owner))
    assert re.sub(r"\d+", "N", real) == re.sub(r"\d+", "N", fake)
    real_id, fake_id = (str(p.pk) for p in Partnership.objects.order_by("pk"))
    # Only the side asked answers; only the side that asked cancels.
    assert "No partner request with id" in refused(
        run(capsys, "partners", "accept", c, real_id, *owner))
    assert "No partner request with id" in refused(
        run(capsys, "partners", "cancel", a, real_id, *boss))
    assert ok(run(capsys, "partners", "decline", a, real_id, *boss)) == (
        f"Declined partner request {real_id}.\n")
    assert ok(run(capsys, "partners", "cancel", c, fake_id, *owner)) == (
        f"Cancelled partner request {fake_id}.\n")
    assert not Partnership.objects.exists()
    err = refused(run(capsys, "partners", "request", c, "the agency", *owner))
    assert "19 digits" in err
    # A Standard member is told why, and changes nothing.
    join(act(center.memberships.get().user), center, make_user("sam@brand.com"),
         modules=("ASSETS",))
    err = refused(run(capsys, "partners", "request", c, agency.public_id, "--as",
                      "sam@brand.com"))
    assert "Only Admins of Brand Co can manage assets and sharing" in err
    assert not Partnership.objects.exists()


def test_asking_for_assets_and_deciding(capsys, center, agency, ads, as_owner):
    c, a = str(center.pk), str(agency.pk)
    owner, boss = ("--as", "owner@brand.com"), ("--as", "boss@agency.com")
    catalog = create_asset(as_owner, center, type="CATALOG", name="Spring catalog")
    # Not partners yet: the ask is a partner request carrying the asset.
    first = ok(run(capsys, "partners", "ask", a, center.public_id, str(ads.pk), "-r",
                   "operator", *boss))
    assert first.endswith("The assets are asked for once they accept.\n")
    assert "Brand Co" not in first
    [incoming] = json.loads(ok(run(capsys, "partners", "requests", c, "--json", *owner)))
    assert incoming["name"] == "Agency Co" and incoming["assets"] == [f"{ads.pk} as OPERATOR"]
    ok(run(capsys, "partners", "accept", c, incoming["id"], *owner))
    [asked] = json.loads(ok(run(capsys, "partners", "access-requests", c, "--json",
                                *owner)))
    assert (asked["asset"], asked["roles"], asked["state"]) == (
        f"Ad account Main ads ({ads.pk})", ["OPERATOR"], "PENDING")
    assert asked["partner"] == f"Agency Co ({agency.public_id})"
    assert ok(run(capsys, "partners", "approve", c, asked["id"], "-r", "analyst", *owner)) == (
        "Ad account Main ads shared with Agency Co as ANALYST.\n")
    assert PartnerShare.objects.get().roles == ["ANALYST"]
    # Partners now: asking makes access requests at once.
    more = ok(run(capsys, "partners", "ask", a, center.public_id, str(catalog.pk),
                  str(ads.pk), "-r", "admin", *boss))
    # The partner names what it asked for by id until the owner shares it.
    assert f"Asked Brand Co for asset {catalog.pk} as ADMIN" in more
    assert f"Asked Brand Co for asset {ads.pk} as ADMIN" in more
    by_asset = {r.asset_id: str(r.pk) for r in AccessRequest.objects.filter(state="PENDING")}
    assert ok(run(capsys, "partners", "decline-access", c, by_asset[catalog.pk], *owner)) == (
        "Declined Agency Co's request for Catalog Spring catalog.\n")
    assert ok(run(capsys, "partners", "withdraw", a, by_asset[ads.pk], *boss)) == (
        f"Withdrew the request for asset {ads.pk}.\n")
    assert "already" in refused(run(capsys, "partners", "approve", c, by_asset[ads.pk],
                                    *owner))
    every = json.loads(ok(run(capsys, "partners", "access-requests", a, "--outgoing",
                              "--state", "all", "--json", *boss)))
    assert sorted(r["state"] for r in every) == ["APPROVED", "DECLINED", "WITHDRAWN"]
    # The partner drops what it no longer wants, asked first.
    assign(act(agency.memberships.get().user), agency, agency.memberships.get().pk, ads.pk,
           ["ANALYST"])
    assert ok(run(capsys, "partners", "drop", a, center.public_id, str(ads.pk), "--yes",
                  *boss)) == "Dropped.\n"
    assert not PartnerShare.objects.exists() and not AssetGrant.objects.exists()
    assert ok(run(capsys, "partners", "received", a, "--json", *boss)) == "[]\n"


def test_output_never_shows_another_business_centers_row_id(capsys, center, agency, ads,
                                                            as_owner):
    partner_up(as_owner, center, agency)
    from bizcenter.assets import partners

    partners.share(as_owner, center, agency.public_id, ads.pk, ["ANALYST"])
    c, a = str(center.pk), str(agency.pk)
    for args in (("partners", "list", c, "--as", "owner@brand.com"),
                 ("partners", "received", a, "--as", "boss@agency.com"),
                 ("partners", "owners", a, "--as", "boss@agency.com")):
        rows = json.loads(ok(run(capsys, *args, "--json")))
        for row in rows:
            named = {v for k, v in row.items() if k in ("id", "owner_id")}
            assert named and all(re.fullmatch(r"\d{19}", str(v)) for v in named), row


@pytest.mark.usefixtures("no_local")
def test_remote_mode_does_every_step_through_the_api(capsys, live_server, center, agency,
                                                     ads, owner):
    c, a = str(center.pk), str(agency.pk)
    boss = agency.memberships.get().user
    mine = create_token(act(owner), center, "cli").secret
    theirs = create_token(act(boss), agency, "agency cli").secret

    def remote(token: str, *args: str) -> tuple[int, str, str]:
        return run(capsys, "--url", live_server.url, "--token", token, *args)

    sent = ok(remote(mine, "partners", "request", c, agency.public_id, "-m", "Hi"))
    request_id = str(Partnership.objects.get().pk)
    assert sent == (f"Request {request_id} sent to Business Center {agency.public_id}; it "
                    "waits for their Admins.\n")
    outgoing = ok(remote(mine, "partners", "requests", c, "--outgoing"))
    assert "Agency Co" not in outgoing and agency.public_id in outgoing
    # The same rows as on this installation, through the API.
    local = ok(run(capsys, "partners", "requests", a, "--json", "--as", "boss@agency.com"))
    assert ok(remote(theirs, "partners", "requests", a, "--json")) == local
    assert "Brand Co" in local
    assert "from now on" in ok(remote(theirs, "partners", "accept", a, request_id))
    shared = ok(remote(mine, "partners", "share", c, agency.public_id, str(ads.pk), "-r",
                       "operator", "--needs-approval"))
    assert shared == "Ad account Main ads shared as OPERATOR, changes need your approval.\n"
    for who, token, args in (("owner@brand.com", mine, ("partners", "list", c)),
                             ("boss@agency.com", theirs, ("partners", "received", a)),
                             ("boss@agency.com", theirs, ("partners", "owners", a))):
        assert ok(remote(token, *args, "--json")) == ok(run(capsys, *args, "--json", "--as",
                                                            who))
    asked = ok(remote(theirs, "partners", "ask", a, center.public_id, str(ads.pk), "-r",
                      "admin"))
    [request] = AccessRequest.objects.all()
    assert asked == (f"Asked Brand Co for asset {ads.pk} as ADMIN (request "
                     f"{request.pk}).\n")
    listed = json.loads(ok(remote(mine, "partners", "access-requests", c, "--json")))
    assert [r["id"] for r in listed] == [str(request.pk)]
    assert ok(remote(mine, "partners", "approve", c, str(request.pk))) == (
        "Ad account Main ads shared with Agency Co as ADMIN.\n")
    assert ok(remote(mine, "partners", "unshare", c, agency.public_id, str(ads.pk),
                     "-y")) == "Unshared.\n"
    err = refused(remote(mine, "partners", "drop", c, agency.public_id, str(ads.pk), "-y"))
    assert "has no partnership" in err
    assert ok(remote(theirs, "partners", "end", a, center.public_id, "--yes")) == (
        "Partnership ended.\n")
    assert not Partnership.objects.exists()
    err = refused(remote(mine, "partners", "cancel", c, "999999"))
    assert "No partner request with id 999999" in err


def test_a_partners_campaign_is_listed_in_its_owners_currency(capsys, center, as_owner,
                                                              agency, ads):
    from bizcenter.campaigns.services import create_campaign
    from bizcenter.centers.models import BusinessCenter

    BusinessCenter.objects.filter(pk=center.pk).update(currency="EUR")
    BusinessCenter.objects.filter(pk=agency.pk).update(currency="GBP")
    partner_up(as_owner, center, agency)
    from bizcenter.assets import partners

    partners.share(as_owner, center, agency.public_id, ads.pk, "ANALYST")
    create_campaign(as_owner, center, ads.pk, name="Spring", objective="TRAFFIC",
                    budget="150.50")
    listed = json.loads(ok(run(capsys, "campaigns", "list", str(agency.pk), "--json",
                               "--as", "boss@agency.com")))
    [row] = listed["items"] if isinstance(listed, dict) else listed
    assert row["name"] == "Spring" and row["budget"] == "150.50 EUR"
