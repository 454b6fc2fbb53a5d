"""The agency's pages never offer a role above what the brand shares, and say who shared it.

A brand (Brand Co) shares its assets with an agency's Business Center at a role; the
agency's Admin assigns them to the agency's members. What the Admin sees in the forms
is what the brand lets them give, and every list says who shared the asset and at which
role, so the next step (asking the brand) is on the page rather than a refusal away.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from bizcenter.accounts.models import User
from bizcenter.assets.models import Asset, AssetGrant, PartnerShare, Partnership
from bizcenter.assets.services import assign, create_asset
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import bump_access_version, create_center
from tests.conftest import act, join


@pytest.fixture(autouse=True)
def _quick_hashing(quick_hashing):
    """Passwords are not what these pages are about."""


@dataclass
class World:
    brand: BusinessCenter
    agency: BusinessCenter
    boss: User  # the agency's Admin
    worker: Membership  # a Standard member of the agency
    link: Partnership


@pytest.fixture
def world(center, make_user) -> World:
    boss = make_user("boss@agency.com", name="Boss")
    agency = create_center(act(boss), name="Agency")
    worker = join(act(boss), agency, make_user("wes@agency.com", name="Wes"),
                  modules=("CAMPAIGNS", "ANALYTICS", "ASSETS"))
    link = Partnership.objects.create(owner=center, partner=agency)
    return World(center, agency, boss, worker, link)


def share(world: World, asset: Asset, roles: list[str]) -> None:
    PartnerShare.objects.update_or_create(partnership=world.link, asset=asset,
                                          defaults={"roles": roles})
    bump_access_version(world.brand)
    bump_access_version(world.agency)


def ad_account(world: World, as_owner, name: str = "Brand ads") -> Asset:
    return create_asset(as_owner, world.brand, type="ADVERTISER", name=name)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return page.content.decode()


def options(html: str, name: str) -> list[str]:
    """The values a select named ``name`` offers, or the checkboxes of that name."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if select is not None:
        return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]
    return re.findall(rf'<input type="checkbox" name="{name}" value="([^"]*)"', html)


def words(html: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def ask_link() -> str | None:
    """The Ask for access page's path for the agency, when that page exists yet."""
    try:
        return reverse("web:partner_access", args=[0])
    except NoReverseMatch:
        return None


@pytest.fixture(params=["site", "with the ask page"])
def urls(request, settings) -> str:
    """Each page test runs on the site as it is, and with an Ask for access page (a
    stand-in until the real one lands): the links appear exactly when it exists."""
    if request.param != "site":
        settings.ROOT_URLCONF = "tests.web.ask_page_urls"
    return request.param


@pytest.mark.parametrize(("shared", "offered"), [
    (["ANALYST"], ["ANALYST"]),
    (["OPERATOR"], ["OPERATOR", "ANALYST"]),
    (["ADMIN"], ["ADMIN", "OPERATOR", "ANALYST"]),
])
def test_the_asset_pages_assign_form_offers_only_roles_up_to_the_share(
        world, as_owner, shared, offered):
    ads = ad_account(world, as_owner)
    share(world, ads, shared)
    html = page_of(logged_in(world.boss), f"/c/{world.agency.pk}/assets/{ads.pk}/")
    assert options(html, "roles") == offered
    assert f"shared by Brand Co as {shared[0]}" in words(html)


def test_a_tiktok_account_shared_for_posting_offers_only_posting(world, as_owner):
    tiktok = create_asset(as_owner, world.brand, type="TT_ACCOUNT", name="Brand TikTok")
    share(world, tiktok, ["POST"])
    html = page_of(logged_in(world.boss), f"/c/{world.agency.pk}/assets/{tiktok.pk}/")
    assert options(html, "roles") == ["POST"]
    # The brand's own Admin, on the brand's own account, is offered every role.
    own = page_of(logged_in(as_owner.user), f"/c/{world.brand.pk}/assets/{tiktok.pk}/")
    assert options(own, "roles") == ["POST", "LIVE", "DIRECT_MESSAGE"]


def test_the_asset_page_says_only_the_brand_can_raise_the_share(world, as_owner, urls):
    ads = ad_account(world, as_owner)
    share(world, ads, ["ANALYST"])
    html = page_of(logged_in(world.boss), f"/c/{world.agency.pk}/assets/{ads.pk}/")
    said = words(html)
    assert "Brand Co shares Ad account Brand ads with Agency as ANALYST" in said
    assert "only the Admins of Brand Co can raise it" in said
    assert urls == "site" or ask_link() is not None
    if ask_link() is not None:
        path = reverse("web:partner_access", args=[world.agency.pk])
        assert (f'href="{path}?owner={world.brand.public_id}&amp;asset={ads.pk}'
                '&amp;role=OPERATOR"') in html
    else:
        assert "Ask Brand Co for OPERATOR" not in said  # no link to a page not there yet
    # Choosing a role above the share anyway (an old tab): refused, saying who decides.
    refused = logged_in(world.boss).post(f"/c/{world.agency.pk}/assets/{ads.pk}/", {
        "step": "assign", "person": "wes@agency.com", "roles": "OPERATOR"})
    assert refused.status_code == 400
    assert not AssetGrant.objects.filter(membership=world.worker).exists()


def test_a_share_that_allows_every_role_asks_for_nothing_more(world, as_owner):
    ads = ad_account(world, as_owner)
    share(world, ads, ["ADMIN"])
    said = words(page_of(logged_in(world.boss), f"/c/{world.agency.pk}/assets/{ads.pk}/"))
    assert "as ADMIN: members here get at most that." in said
    assert "can raise it" not in said


def test_assigning_within_the_share_from_the_asset_page_works(world, as_owner):
    ads = ad_account(world, as_owner)
    share(world, ads, ["OPERATOR"])
    done = logged_in(world.boss).post(f"/c/{world.agency.pk}/assets/{ads.pk}/", {
        "step": "assign", "person": "wes@agency.com", "roles": "OPERATOR"})
    assert done.status_code == 302
    assert AssetGrant.objects.get(membership=world.worker).roles == ["OPERATOR"]


def test_the_asset_list_says_who_shared_each_asset_and_at_which_role(world, as_owner):
    ads = ad_account(world, as_owner)
    tiktok = create_asset(as_owner, world.brand, type="TT_ACCOUNT", name="Brand TikTok")
    share(world, ads, ["OPERATOR"])
    share(world, tiktok, ["LIVE", "POST"])
    create_asset(act(world.boss), world.agency, type="PIXEL", name="Agency pixel")
    said = words(page_of(logged_in(world.boss), f"/c/{world.agency.pk}/assets/"))
    assert "Brand ads Ad account Active partner shared by Brand Co as OPERATOR" in said
    assert "shared by Brand Co as LIVE, POST" in said
    assert "Agency pixel Pixel Active Agency" in said
    # A member given the account sees the same, and only what they were given.
    assign(act(world.boss), world.agency, world.worker.pk, ads.pk, ["ANALYST"])
    theirs = words(page_of(logged_in(world.worker.user), f"/c/{world.agency.pk}/assets/"))
    assert "shared by Brand Co as OPERATOR" in theirs and "Brand TikTok" not in theirs


def test_the_member_edit_page_offers_shared_assets_only_up_to_the_share(world, as_owner):
    ads = ad_account(world, as_owner)
    catalog = create_asset(as_owner, world.brand, type="CATALOG", name="Brand catalog")
    tiktok = create_asset(as_owner, world.brand, type="TT_ACCOUNT", name="Brand TikTok")
    share(world, ads, ["OPERATOR"])
    share(world, catalog, ["AD_PROMOTE"])
    share(world, tiktok, ["POST"])
    own = create_asset(act(world.boss), world.agency, type="ADVERTISER", name="Agency ads")
    url = f"/c/{world.agency.pk}/partners/{world.worker.pk}/edit/"
    html = page_of(logged_in(world.boss), url)
    assert options(html, f"asset_{ads.pk}") == ["OPERATOR", "ANALYST"]
    assert options(html, f"asset_{catalog.pk}") == ["AD_PROMOTE"]
    assert options(html, f"asset_{tiktok.pk}") == ["POST"]
    assert options(html, f"asset_{own.pk}") == ["ADMIN", "OPERATOR", "ANALYST"]
    said = words(html)
    assert f"Brand ads · ad account · {ads.pk} (shared by Brand Co as OPERATOR)" in said
    assert f"Brand TikTok · tiktok account · {tiktok.pk} (shared by Brand Co as POST)" in said
    # Confirm gives the member the shared account with the rest of their access.
    base = {"role": "STANDARD", "modules": ["CAMPAIGNS"], "finance_role": "",
            "kind": "agency"}
    done = logged_in(world.boss).post(url, {**base, f"asset_{ads.pk}": "OPERATOR",
                                            f"asset_{tiktok.pk}": ["POST"],
                                            f"asset_{own.pk}": "ANALYST"})
    assert done.status_code == 302, words(done.content.decode())
    grants = {g.asset_id: g.roles for g in AssetGrant.objects.filter(membership=world.worker)}
    assert grants == {ads.pk: ["OPERATOR"], tiktok.pk: ["POST"], own.pk: ["ANALYST"]}
    # Picking above the share anyway (a page from before the brand lowered it): refused.
    share(world, ads, ["ANALYST"])
    above = logged_in(world.boss).post(url, {**base, f"asset_{ads.pk}": "OPERATOR"})
    assert above.status_code == 400
    assert AssetGrant.objects.get(membership=world.worker, asset=ads).roles == ["OPERATOR"]


def test_a_plain_confirm_keeps_what_a_lowered_share_caps(world, as_owner):
    """The member holds OPERATOR, the brand lowers the share to ANALYST: the page shows
    what they hold now (ANALYST), and saving it unchanged keeps the stored grant, which
    gives OPERATOR again if the brand raises the share back."""
    ads = ad_account(world, as_owner)
    share(world, ads, ["OPERATOR"])
    assign(act(world.boss), world.agency, world.worker.pk, ads.pk, ["OPERATOR"])
    share(world, ads, ["ANALYST"])
    url = f"/c/{world.agency.pk}/partners/{world.worker.pk}/edit/"
    html = page_of(logged_in(world.boss), url)
    assert options(html, f"asset_{ads.pk}") == ["ANALYST"]
    assert re.search(r'<option value="ANALYST" selected>', html)
    done = logged_in(world.boss).post(url, {"role": "STANDARD", "modules": ["CAMPAIGNS"],
                                            "finance_role": "", "kind": "agency",
                                            f"asset_{ads.pk}": "ANALYST"})
    assert done.status_code == 302
    assert AssetGrant.objects.get(membership=world.worker, asset=ads).roles == ["OPERATOR"]
    # Leaving it at "No access" takes it away, as for an owned asset.
    logged_in(world.boss).post(url, {"role": "STANDARD", "modules": ["CAMPAIGNS"],
                                     "finance_role": "", "kind": "agency",
                                     f"asset_{ads.pk}": ""})
    assert not AssetGrant.objects.filter(membership=world.worker, asset=ads).exists()


def test_the_brands_own_pages_are_unchanged(world, as_owner):
    """The owner's forms offer every role of its own assets; nothing is capped there."""
    ads = ad_account(world, as_owner)
    share(world, ads, ["ANALYST"])
    html = page_of(logged_in(as_owner.user), f"/c/{world.brand.pk}/assets/{ads.pk}/")
    assert options(html, "roles") == ["ADMIN", "OPERATOR", "ANALYST"]
    assert "shared by" not in words(html)
    said = words(page_of(logged_in(as_owner.user), f"/c/{world.brand.pk}/assets/"))
    assert "Brand ads Ad account Active Brand Co" in said


def test_the_troubleshooter_and_member_page_tell_the_agency_admin_to_ask_the_brand(
        world, as_owner, urls):
    ads = ad_account(world, as_owner)
    share(world, ads, ["ANALYST"])
    assign(act(world.boss), world.agency, world.worker.pk, ads.pk, ["ANALYST"])
    boss = logged_in(world.boss)
    html = page_of(boss, f"/c/{world.agency.pk}/troubleshoot/?person=wes@agency.com"
                         f"&action=campaign.propose&resource=asset:{ads.pk}")
    said = words(html)
    # Issue 21: about Wes, to the agency's Admin who reads it, in words.
    assert ("Wes cannot propose campaign changes on Ad account Brand ads: Brand Co shares it "
            "with Agency only as Analyst, and only its Admins can raise that — ask Brand Co "
            "for Operator (Ask for access, on the Partner Business Centers page).") in said
    assert "Ask an Admin of Agency" not in said
    member_page = page_of(boss, f"/c/{world.agency.pk}/partners/{world.worker.pk}/")
    assert "only its Admins can raise that — ask Brand Co for Operator" in words(member_page)
    assert urls == "site" or ask_link() is not None
    if ask_link() is not None:
        path = reverse("web:partner_access", args=[world.agency.pk])
        wanted = f"{path}?owner={world.brand.public_id}&amp;asset={ads.pk}&amp;role=OPERATOR"
        assert wanted in html and wanted in member_page
    # The member reads the same on their own page, without a link they could not use.
    mine = page_of(logged_in(world.worker.user), f"/c/{world.agency.pk}/")
    assert ("Brand Co shares Ad account Brand ads with Agency only as Analyst: to propose "
            "campaign changes there, ask Boss (Admin) to ask Brand Co for Operator."
            ) in words(mine)
    assert "ask-owner" not in mine
    # Their asset page says it too.
    theirs = words(page_of(logged_in(world.worker.user),
                           f"/c/{world.agency.pk}/assets/{ads.pk}/"))
    assert "Brand Co shares Ad account Brand ads with Agency as ANALYST." in theirs
