"""GET /centers/{id}/assets/search: what an asset picker offers, a page at a time, by name
or exact id, ordered by name then id, each with the roles that may be given on it (never
above a partner's share)."""

from __future__ import annotations

from bizcenter.assets import partners as partner_services
from bizcenter.assets.models import Asset
from bizcenter.assets.services import create_asset
from bizcenter.centers.services import create_center
from tests.conftest import act, join, partner_up
from tests.support.api import api_for, error_of


def test_search_by_name_and_id_ordered_by_name_then_id(admin_api, center, as_owner):
    first = create_asset(as_owner, center, type="ADVERTISER", name="Brand Co DE")
    second = create_asset(as_owner, center, type="ADVERTISER", name="Brand Co DE")
    catalog = create_asset(as_owner, center, type="CATALOG", name="brand catalog")
    create_asset(as_owner, center, type="PIXEL", name="Other pixel")
    found = admin_api.get(f"/centers/{center.pk}/assets/search", q="brand")
    assert found.status_code == 200
    body = found.json()
    assert [(i["id"], i["name"]) for i in body["items"]] == [
        (str(catalog.pk), "brand catalog"), (str(first.pk), "Brand Co DE"),
        (str(second.pk), "Brand Co DE")]
    assert body["items"][0]["roles"] == ["ADMIN", "AD_PROMOTE"]
    assert body["page_info"]["total"] == 3
    by_id = admin_api.get(f"/centers/{center.pk}/assets/search", q=str(second.pk))
    assert str(second.pk) in [i["id"] for i in by_id.json()["items"]]
    typed = admin_api.get(f"/centers/{center.pk}/assets/search", q="brand", type="CATALOG")
    assert [i["id"] for i in typed.json()["items"]] == [str(catalog.pk)]


def test_paged(admin_api, center):
    Asset.objects.bulk_create(Asset(center=center, type="ADVERTISER", name=f"Acc {i:04}")
                              for i in range(250))
    page = admin_api.get(f"/centers/{center.pk}/assets/search", page=3, page_size=100)
    items = page.json()["items"]
    assert len(items) == 50 and items[0]["name"] == "Acc 0200"
    too_big = admin_api.get(f"/centers/{center.pk}/assets/search", page_size=1000)
    assert too_big.status_code == 400 and "page_size" in error_of(too_big)["fields"]


def test_a_shared_asset_offers_roles_up_to_the_share(center, as_owner, ads, make_user):
    boss = make_user("boss@agency.com")
    agency = create_center(act(boss), name="Agency")
    partner_up(as_owner, center, agency)
    partner_services.share(as_owner, center, agency.public_id, ads.pk, ["OPERATOR"])
    own = create_asset(act(boss), agency, type="ADVERTISER", name="Agency ads")
    theirs = api_for(boss, agency)
    every = theirs.get(f"/centers/{agency.pk}/assets/search").json()["items"]
    assert {i["name"]: i["roles"] for i in every} == {
        "Agency ads": ["ADMIN", "OPERATOR", "ANALYST"], "Main ads": ["OPERATOR", "ANALYST"]}
    assert {i["name"]: i["shared_by"] for i in every} == {"Agency ads": None,
                                                          "Main ads": "Brand Co"}
    owned = theirs.get(f"/centers/{agency.pk}/assets/search", owned="true").json()["items"]
    assert [i["id"] for i in owned] == [str(own.pk)]


def test_a_standard_member_finds_only_what_they_were_given(center, as_owner, ads, make_user):
    create_asset(as_owner, center, type="ADVERTISER", name="Main ads two")
    person = make_user("sam@agency.com")
    join(as_owner, center, person, modules=("ASSETS",), assets={ads.pk: ["ANALYST"]})
    api = api_for(person, center)
    found = api.get(f"/centers/{center.pk}/assets/search", q="main")
    assert [i["id"] for i in found.json()["items"]] == [str(ads.pk)]
    assert api.get(f"/centers/{center.pk}/assets/search", owned="true").status_code == 403
