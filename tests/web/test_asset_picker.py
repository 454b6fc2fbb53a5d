"""The asset picker (web/pickers.py) on the pages that give access: Add Partners, Edit
member, asset groups and sharing with a partner, without JavaScript.

A person searches by name or id, pages through the results, picks a role per asset from
a select that offers only what the asset's type takes (and never above a partner's
share), and keeps what they chose across searches. Bad input is refused beside the
picker, with every choice kept and nothing written.
"""

from __future__ import annotations

import re
import time

import pytest

from bizcenter.assets import partners as partner_services
from bizcenter.assets.models import Asset, AssetGrant, PartnerShare
from bizcenter.assets.services import create_asset
from bizcenter.invitations.models import Invitation
from tests.conftest import act, partner_up
from tests.support import web
from tests.support.web import field_error, flash, member, plain, raw

admin, ads, other_center = web.admin, web.ads, web.other_center

pytestmark = pytest.mark.usefixtures("quick_hashing")


def picker_error(page) -> str:
    return " ".join(re.findall(r'id="picker-[\w-]+-error">([^<]*)<', raw(page)))


def rows(page) -> list[str]:
    """The labels of the picker's result rows, in order."""
    html = raw(page).split("data-results", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<span class="picker-name">([^<]*)</span>', html)


def chosen(page) -> list[str]:
    html = raw(page).split("data-chosen", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<span class="picker-name">([^<]*)</span>', html)


def options(page, name: str) -> list[str]:
    html = raw(page)
    start = html.index(f'name="{name}"')
    return [v for v in re.findall(r'<option value="([^"]*)"', html[start:html.index(
        "</select>", start)]) if v]


def add_url(center) -> str:
    return f"/c/{center.pk}/partners/add/"


def test_two_assets_of_one_name_are_told_apart_by_their_id(admin, center, as_owner):
    first = create_asset(as_owner, center, type="ADVERTISER", name="Brand Co DE")
    second = create_asset(as_owner, center, type="ADVERTISER", name="Brand Co DE")
    page = admin.get(add_url(center))
    assert rows(page)[:2] == [f"Brand Co DE · ad account · {first.pk}",
                              f"Brand Co DE · ad account · {second.pk}"]


def test_search_by_name_by_id_and_type(admin, center, as_owner):
    for name in ("Alpha US", "Beta EU", "Alpha EU"):
        create_asset(as_owner, center, type="ADVERTISER", name=name)
    pixel = create_asset(as_owner, center, type="PIXEL", name="Alpha pixel")
    found = admin.post(add_url(center), {"asset_q": "alpha", "picker": "search"})
    assert found.status_code == 200
    # Name contains, case-insensitive, by name then id; nothing is sent or refused.
    assert [r.split(" · ")[0] for r in rows(found)] == ["Alpha EU", "Alpha pixel", "Alpha US"]
    assert not Invitation.objects.exists() and "Type at least one" not in plain(found)
    by_id = admin.post(add_url(center), {"asset_q": str(pixel.pk), "picker": "search"})
    assert f"Alpha pixel · pixel · {pixel.pk}" in rows(by_id)
    typed = admin.post(add_url(center), {"asset_q": "alpha", "asset_type": "PIXEL",
                                         "picker": "search"})
    assert rows(typed) == [f"Alpha pixel · pixel · {pixel.pk}"]


def test_paging_and_what_was_chosen_is_kept_across_searches(admin, center, as_owner):
    made = [create_asset(as_owner, center, type="ADVERTISER", name=f"Account {i:02}")
            for i in range(45)]
    first = admin.get(add_url(center))
    assert len(rows(first)) == 20 and "45 assets match · page 1 of 3" in plain(first)
    # Pick a role on one row, then go to page 2: the pick stays, as a chosen asset.
    typed = {"addresses": "ana@agency.com", f"asset_{made[3].pk}": "OPERATOR"}
    second = admin.post(add_url(center), {**typed, "picker": "page:2"})
    assert rows(second)[0].startswith("Account 20")
    assert chosen(second) == [f"Account 03 · ad account · {made[3].pk}"]
    assert "ana@agency.com" in raw(second)  # what was typed elsewhere stays too
    # A new search, then a second pick, then Send: both assets, at their roles.
    third = admin.post(add_url(center), {**typed, "asset_q": "Account 4", "picker": "search"})
    assert len(rows(third)) == 5 and chosen(third) == chosen(second)
    sent = admin.post(add_url(center), {**typed, "role": "STANDARD", "kind": "agency",
                                        "modules": ["CAMPAIGNS"],
                                        f"asset_{made[41].pk}": "ANALYST"})
    assert sent.status_code == 200, plain(sent)
    invitation = Invitation.objects.get()
    assert {g["asset_id"]: g["roles"] for g in invitation.assets} == {
        made[3].pk: ["OPERATOR"], made[41].pk: ["ANALYST"]}
    # The form is shown again for the next people, with the same assets chosen.
    assert sorted(chosen(sent)) == sorted([f"Account 03 · ad account · {made[3].pk}",
                                           f"Account 41 · ad account · {made[41].pk}"])


def test_roles_offered_follow_the_type(admin, center, as_owner, ads):
    catalog = create_asset(as_owner, center, type="CATALOG", name="Spring catalog")
    page = admin.get(add_url(center))
    assert options(page, f"asset_{ads.pk}") == ["ADMIN", "OPERATOR", "ANALYST"]
    assert options(page, f"asset_{catalog.pk}") == ["ADMIN", "AD_PROMOTE"]
    assert "Ad Promote" in plain(page) and "AD_PROMOTE" not in plain(page)


def test_an_invalid_role_is_refused_beside_the_asset_and_nothing_is_sent(admin, center,
                                                                        as_owner, ads):
    catalog = create_asset(as_owner, center, type="CATALOG", name="Spring catalog")
    page = admin.post(add_url(center), {"addresses": "ana@agency.com", "role": "STANDARD",
                                        "kind": "agency", f"asset_{ads.pk}": "ANALYST",
                                        f"asset_{catalog.pk}": "OPERATOR"})
    assert page.status_code == 400
    said = field_error(page, f"asset_{catalog.pk}")
    assert "OPERATOR is not a role you can give on a catalog here" in said
    assert "choose Admin or Ad Promote" in said
    # Both choices are kept; nothing was written.
    assert sorted(chosen(page)) == sorted([f"Main ads · ad account · {ads.pk}",
                                           f"Spring catalog · catalog · {catalog.pk}"])
    assert re.search(rf'name="asset_{ads.pk}"[^>]*>.*?<option value="ANALYST" selected',
                     raw(page), re.S)
    assert not Invitation.objects.exists()


def test_an_asset_that_is_not_there_or_not_ours_is_refused(admin, center, as_owner, ads,
                                                           other_center):
    boss = other_center.memberships.get().user
    theirs = create_asset(act(boss), other_center, type="ADVERTISER", name="Their ads")
    page = admin.post(add_url(center), {"addresses": "ana@agency.com", "role": "STANDARD",
                                        "kind": "agency", f"asset_{ads.pk}": "ANALYST",
                                        f"asset_{theirs.pk}": "ANALYST",
                                        "asset_987654": "ANALYST"})
    assert page.status_code == 400
    said = picker_error(page)
    assert f"No asset with id {theirs.pk}, 987654 in Brand Co" in said
    assert "Their ads" not in plain(page)  # another company's name is never shown
    assert chosen(page) == [f"Main ads · ad account · {ads.pk}"]
    assert not Invitation.objects.exists()


def test_edit_member_offers_a_share_only_up_to_its_ceiling(as_owner, center, other_center,
                                                           make_user, ads):
    boss = other_center.memberships.get().user
    partner_up(as_owner, center, other_center)
    partner_services.share(as_owner, center, other_center.public_id, ads.pk, ["OPERATOR"])
    worker = member(act(boss), other_center, make_user, "wes@agency.com",
                    modules=("CAMPAIGNS",))
    url = f"/c/{other_center.pk}/partners/{worker.pk}/edit/"
    bosses = web.logged_in(boss)
    page = bosses.get(url)
    assert options(page, f"asset_{ads.pk}") == ["OPERATOR", "ANALYST"]
    assert f"Main ads · ad account · {ads.pk} (shared by Brand Co as OPERATOR)" in plain(page)
    base = {"role": "STANDARD", "modules": ["CAMPAIGNS"], "finance_role": "", "kind": "agency"}
    above = bosses.post(url, {**base, f"asset_{ads.pk}": "ADMIN"})
    assert above.status_code == 400
    said = field_error(above, f"asset_{ads.pk}")
    assert "ADMIN is not a role you can give on an ad account here" in said
    assert "shared by Brand Co as OPERATOR: choose Operator or Analyst" in said
    assert not AssetGrant.objects.exists()
    done = bosses.post(url, {**base, f"asset_{ads.pk}": "OPERATOR"})
    assert done.status_code == 302
    assert AssetGrant.objects.get().roles == ["OPERATOR"]
    # The chosen asset is shown, with its id, when the page is opened again.
    again = bosses.get(url)
    assert chosen(again) == [f"Main ads · ad account · {ads.pk}"]


def test_groups_pick_assets_with_the_picker(admin, center, as_owner, ads):
    from bizcenter.assets import groups as group_services

    group = group_services.create_group(as_owner, center, "Media team")
    pixel = create_asset(as_owner, center, type="PIXEL", name="Main pixel")
    url = f"/c/{center.pk}/groups/{group.pk}/"
    found = admin.post(url, {"step": "assets", "assets": [str(ads.pk)], "asset_q": "pixel",
                             "picker": "search"})
    assert found.status_code == 200 and not group.assets.exists()
    assert chosen(found) == [f"Main ads · ad account · {ads.pk}"]
    assert rows(found) == [f"Main pixel · pixel · {pixel.pk}"]
    saved = admin.post(url, {"step": "assets", "assets": [str(ads.pk), str(pixel.pk)]})
    assert saved.status_code == 302
    assert set(group.assets.values_list("pk", flat=True)) == {ads.pk, pixel.pk}


def test_sharing_picks_assets_and_a_role_their_type_takes(admin, center, as_owner, ads,
                                                          other_center):
    partner_up(as_owner, center, other_center)
    catalog = create_asset(as_owner, center, type="CATALOG", name="Spring catalog")
    base = {"step": "share", "other": other_center.public_id}
    url = f"/c/{center.pk}/partner-centers/"
    page = admin.get(url)
    assert options(page, f"asset_{catalog.pk}") == ["ADMIN", "AD_PROMOTE"]
    wrong = admin.post(url, {**base, f"asset_{ads.pk}": "ANALYST",
                             f"asset_{catalog.pk}": "ANALYST"})
    assert wrong.status_code == 400
    assert "ANALYST is not a role you can give on a catalog" in field_error(
        wrong, f"asset_{catalog.pk}")
    assert not PartnerShare.objects.exists()
    nothing = admin.post(url, base)
    assert nothing.status_code == 400
    assert "Choose at least one asset" in picker_error(nothing)
    done = admin.post(url, {**base, f"asset_{ads.pk}": "ANALYST",
                            f"asset_{catalog.pk}": "AD_PROMOTE"})
    assert done.status_code == 302
    assert {s.asset_id: s.roles for s in PartnerShare.objects.all()} == {
        ads.pk: ["ANALYST"], catalog.pk: ["AD_PROMOTE"]}
    assert f"Main ads · ad account · {ads.pk} as Analyst" in flash(admin.get(url))


def test_add_partners_with_10000_ad_accounts_stays_small_and_quick(admin, center):
    Asset.objects.bulk_create(Asset(center=center, type="ADVERTISER", name=f"Account {i:05}")
                              for i in range(10_000))
    admin.get(add_url(center))  # warm the caches a first page fills, as a second visit
    started = time.perf_counter()
    page = admin.get(add_url(center))
    took = time.perf_counter() - started
    assert page.status_code == 200
    assert len(rows(page)) == 20 and "10000 assets match · page 1 of 500" in plain(page)
    assert len(page.content) < 40_000, len(page.content)
    assert took < 2.0, took
    found = admin.post(add_url(center), {"asset_q": "Account 0999", "picker": "search"})
    assert len(rows(found)) == 10 and len(found.content) < 40_000


def test_approving_an_access_request_picks_the_role_from_a_select(admin, center, as_owner,
                                                                  ads, other_center):
    boss = other_center.memberships.get().user
    partner_up(as_owner, center, other_center)
    partner_services.ask_for_access(act(boss), other_center, center.public_id, [ads.pk],
                                    "OPERATOR")
    url = f"/c/{center.pk}/partner-centers/"
    page = admin.get(url)
    # What was asked or lower, in words, the asked one first chosen: no codes to type.
    assert options(page, "roles") == ["OPERATOR", "ANALYST"]
    assert re.search(r'<option value="OPERATOR" selected>Operator</option>', raw(page))
