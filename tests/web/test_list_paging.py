"""Lists at volume (issue 21): the members list, pending invitations, the access review
and the activity log page alike, with page numbers, a page size, pages past the end
clamped to the last one, sortable column headers both ways, and search that takes part
of a name or an address. One implementation (core/pagination.py, web/lists.py and
web/_pager.html), so the same checks run on each list."""

from __future__ import annotations

import re

import pytest

from bizcenter.centers.models import Membership
from bizcenter.invitations import services as invitations
from tests.conftest import act, join
from tests.support import web
from tests.support.web import raw, table_rows, text

admin = web.admin

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def people(center, as_owner, make_user) -> list[Membership]:
    """Five members with telling names and addresses, besides Olivia the owner."""
    made = []
    for name, email, phone in [("Ann Archer", "ann@agency.example", None),
                               ("Bob Baker", "bob@agency.example", None),
                               ("Cat Cole", "cat@brand.example", None),
                               ("Dan Dorn", None, "+4915112345678"),
                               ("Eve Ernst", "eve@other.example", None)]:
        made.append(join(as_owner, center, make_user(email, phone=phone, name=name)))
    return made


def names_in(page) -> list[str]:
    return re.findall(r'<a href="/c/\d+/partners/\d+/"><strong>([^<]+)</strong>', raw(page))


def test_members_sort_by_a_header_both_ways_with_aria_sort(admin, center, people):
    up = admin.get(f"/c/{center.pk}/partners/?sort=name")
    assert names_in(up) == sorted(names_in(up)) and len(names_in(up)) == 6
    header = re.search(r'<th scope="col" aria-sort="ascending"><a class="sort" href="([^"]+)">'
                       r"Name", raw(up))
    assert header, "the Name header says the list is sorted by it, A to Z"
    down = admin.get(f"/c/{center.pk}/partners/" + header.group(1).replace("&amp;", "&"))
    assert names_in(down) == sorted(names_in(up), reverse=True)
    assert 'aria-sort="descending"' in raw(down)
    # The other headers sort too, and say nothing until they are picked.
    assert raw(up).count("aria-sort=") == 1
    assert 'href="?sort=role"' in raw(up) and 'href="?sort=last_active"' in raw(up)


def test_a_sort_header_keeps_the_search_and_filters_and_goes_back_to_page_one(
        admin, center, people):
    page = admin.get(f"/c/{center.pk}/partners/",
                     {"q": "agency", "role": "STANDARD", "page": "2", "size": "1"})
    link = re.search(r'<a class="sort" href="([^"]+)">Name', raw(page)).group(1)
    assert "q=agency" in link and "role=STANDARD" in link and "size=1" in link
    assert "page=" not in link


@pytest.mark.parametrize("typed,found,missing", [
    ("olivia", "Olivia Owner", "Ann Archer"),
    ("@agency", "Bob Baker", "Cat Cole"),
    ("+4915", "Dan Dorn", "Eve Ernst"),
    ("ARCHER", "Ann Archer", "Bob Baker"),
])
def test_members_search_takes_part_of_a_name_or_an_address(admin, center, people, typed,
                                                           found, missing):
    names = names_in(admin.get(f"/c/{center.pk}/partners/", {"q": typed}))
    assert found in names and missing not in names


def test_members_pages_have_numbers_and_a_page_size_and_clamp_past_the_end(
        admin, center, people):
    first = admin.get(f"/c/{center.pk}/partners/?size=2&sort=name")
    assert "Page 1 of 3 · 6 in all" in text(first)
    assert 'aria-label="Page 3"' in raw(first) and 'rel="next"' in raw(first)
    assert names_in(first) == ["Ann Archer", "Bob Baker"]
    past = admin.get(f"/c/{center.pk}/partners/?size=2&sort=name&page=99")
    assert past.status_code == 200
    assert "Page 3 of 3 · 6 in all" in text(past) and "Page 99" not in text(past)
    assert names_in(past) == ["Eve Ernst", "Olivia Owner"]
    assert "No members match" not in text(past)
    # A search that shrank the list: page 2 of it is its last page, never an empty table.
    narrowed = admin.get(f"/c/{center.pk}/partners/?size=2&sort=name&page=2&q=agency")
    assert names_in(narrowed) == ["Ann Archer", "Bob Baker"]
    assert "Page 1 of 1" in text(narrowed) or "Page" not in text(narrowed)
    # Malformed numbers fall back to the first page instead of failing.
    assert admin.get(f"/c/{center.pk}/partners/?page=abc").status_code == 200
    assert admin.get(f"/c/{center.pk}/partners/?page=-3").status_code == 200


def test_the_page_size_choice_offers_25_50_100_and_keeps_the_filters(admin, center, people):
    page = admin.get(f"/c/{center.pk}/partners/", {"q": "a", "size": "25", "sort": "-name"})
    # Six rows fit one page of 25: no page numbers, no size picker.
    assert 'class="page-size"' not in raw(page)
    page = admin.get(f"/c/{center.pk}/partners/", {"q": "e", "size": "2", "sort": "-name"})
    picker = re.search(r'<form method="get" class="page-size">(.*?)</form>', raw(page), re.S)
    assert picker
    options = re.findall(r'<option value="(\d+)"', picker.group(1))
    assert {"25", "50", "100"} <= set(options)
    assert '<input type="hidden" name="q" value="e">' in picker.group(1)
    assert '<input type="hidden" name="sort" value="-name">' in picker.group(1)
    assert 'name="page"' not in picker.group(1)


def test_an_unknown_sort_is_refused_with_the_columns_there_are(admin, center):
    page = admin.get(f"/c/{center.pk}/partners/invitations/?sort=salary")
    assert page.status_code == 400
    assert "Unknown sort 'salary'" in text(page) and "address" in text(page)


@pytest.fixture
def sent(center, as_owner) -> list[str]:
    addresses = [f"p{n:02d}@agency.example" for n in range(1, 8)] + ["+4915123456789"]
    results = invitations.invite(as_owner, center, addresses)
    assert all(r.ok for r in results), [r.message for r in results if not r.ok]
    return addresses


def addresses_in(page) -> list[str]:
    return re.findall(r'name="invitation"[^>]*aria-label="Select ([^"]+)"', raw(page))


def test_invitations_sort_search_and_clamp(admin, center, sent):
    url = f"/c/{center.pk}/partners/invitations/"
    up = admin.get(url, {"sort": "address", "size": "3"})
    assert addresses_in(up) == sorted(sent)[:3]
    assert "Page 1 of 3 · 8 in all" in text(up)
    down = admin.get(url, {"sort": "-address", "size": "3"})
    assert addresses_in(down) == sorted(sent, reverse=True)[:3]
    assert re.search(r'aria-sort="descending"><a class="sort" href="\?[^"]*sort=address[^"]*">'
                     r"Sent to", raw(down))
    last = admin.get(url, {"sort": "address", "size": "3", "page": "40"})
    assert "Page 3 of 3" in text(last) and addresses_in(last) == sorted(sent)[6:]
    assert addresses_in(admin.get(url, {"q": "+4915"})) == ["+4915123456789"]
    assert len(addresses_in(admin.get(url, {"q": "@agency"}))) == 7
    assert addresses_in(admin.get(url, {"q": "P03"})) == ["p03@agency.example"]


def test_access_review_is_paged_searchable_and_sortable(admin, center, people, sent):
    url = f"/c/{center.pk}/review/"
    everyone = table_rows(admin.get(url, {"size": "100"}))
    assert len(everyone) == 6 + 8
    first = admin.get(url, {"sort": "who", "size": "5"})
    assert "Page 1 of 3 · 14 in all" in text(first) and len(table_rows(first)) == 5
    assert 'aria-sort="ascending"><a class="sort"' in raw(first)
    past = admin.get(url, {"sort": "who", "size": "5", "page": "9"})
    assert "Page 3 of 3" in text(past) and len(table_rows(past)) == 4
    down = table_rows(admin.get(url, {"sort": "-who", "size": "100"}))
    up = table_rows(admin.get(url, {"sort": "who", "size": "100"}))
    assert down == list(reversed(up))
    assert [r for r in table_rows(admin.get(url, {"q": "olivia"}))
            if "Olivia" in r] and len(table_rows(admin.get(url, {"q": "olivia"}))) == 1
    assert len(table_rows(admin.get(url, {"q": "+4915"}))) == 2  # Dan, and one invitation
    assert len(table_rows(admin.get(url, {"q": "@agency"}))) == 2 + 7


def test_activity_log_person_filter_takes_part_of_a_name_or_address(admin, center, people):
    url = f"/c/{center.pk}/activity/"
    by_dan = table_rows(admin.get(url, {"person": "+4915"}))
    assert by_dan and all("Dan Dorn" in r or "+4915112345678" in r for r in by_dan)
    by_name = table_rows(admin.get(url, {"person": "olivia"}))
    assert by_name and all("owner@brand.com" in r or "Olivia" in r for r in by_name)
    none = admin.get(url, {"person": "nobody-like-this"})
    assert none.status_code == 200 and "Nothing happened" in text(none)


def test_activity_log_pages_clamp_past_the_end(admin, center, people):
    url = f"/c/{center.pk}/activity/"
    page = admin.get(url, {"size": "2", "page": "500"})
    assert page.status_code == 200 and len(table_rows(page)) >= 1
    numbers = re.search(r"Page (\d+) of (\d+)", text(page))
    assert numbers and numbers.group(1) == numbers.group(2)


def test_a_standard_member_gets_no_bulk_boxes(client, center, people):
    client.force_login(people[0].user)
    page = client.get(f"/c/{center.pk}/partners/")
    if page.status_code == 200:  # a Standard member may or may not see the list
        assert 'name="member"' not in raw(page)
    assert act(people[0].user)


def test_select_all_on_this_page_without_javascript_ticks_only_this_page(admin, center,
                                                                        people):
    page = admin.get(f"/c/{center.pk}/partners/", {"size": "2", "sort": "name",
                                                   "select": "page"})
    boxes = re.findall(r'<input type="checkbox" name="member"[^>]*>', raw(page))
    assert len(boxes) == 2 and all(" checked" in b for b in boxes)
    # Neither the next page, the headers nor the way back after an action keep it.
    assert "select=page" not in re.search(r'rel="next"[^>]*|href="[^"]*"[^>]*rel="next"',
                                          raw(page)).group(0)
    assert "select=page" not in re.search(r'<a class="sort" href="([^"]+)">Name',
                                          raw(page)).group(1)
    assert "select" not in re.search(r'name="next" value="([^"]+)"', raw(page)).group(1)


def test_the_other_paged_lists_clamp_past_the_end_too(admin, center, as_owner):
    from bizcenter.assets.services import create_asset

    for name in ("Alpha ads", "Beta ads"):
        create_asset(as_owner, center, type="ADVERTISER", name=name)
    assets = admin.get(f"/c/{center.pk}/assets/?page=99")
    assert assets.status_code == 200
    assert "Alpha ads" in text(assets) and "Beta ads" in text(assets)
    for path in ("campaigns/", "campaigns/approvals/", "billing/"):
        page = admin.get(f"/c/{center.pk}/{path}?page=99")
        assert page.status_code == 200, path
        assert "Page 99" not in text(page), path
