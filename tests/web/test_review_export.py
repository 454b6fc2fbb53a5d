"""The access review's CSV export (issue 21): every row the current filters keep (not
only the page shown), in the current order, with the same counts as the page, and
spreadsheet formulas defused."""

from __future__ import annotations

import csv
import io
import re

import pytest

from bizcenter.access.review import CSV_FIELDS
from bizcenter.invitations import services as invitations
from tests.conftest import join
from tests.support import web
from tests.support.web import raw

admin = web.admin

pytestmark = pytest.mark.usefixtures("quick_hashing")


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def listed(center, as_owner, make_user):
    for name in ("Ann", "Bob", "Cat"):
        join(as_owner, center, make_user(f"{name.lower()}@agency.example", name=name))
    join(as_owner, center, make_user("=cmd@evil.example", name="=HYPERLINK(\"x\")"))
    invitations.invite(as_owner, center, ["later@agency.example", "+4915123456789"])


def test_the_export_link_carries_the_filters_and_drops_the_page(admin, center, listed):
    page = admin.get(f"/c/{center.pk}/review/", {"q": "agency", "sort": "-who", "page": "1",
                                                  "size": "2"})
    link = re.search(r'<a class="button" href="(\?[^"]+)" download>Export CSV', raw(page))
    assert link
    href = link.group(1).replace("&amp;", "&")
    assert "q=agency" in href and "sort=-who" in href and "format=csv" in href
    assert "page=" not in href


def test_the_export_has_every_filtered_row_in_the_current_order(admin, center, listed):
    found = rows_of(admin.get(f"/c/{center.pk}/review/", {"q": "agency", "sort": "-who",
                                                          "size": "2", "format": "csv"}))
    assert list(found[0]) == list(CSV_FIELDS)
    # Three members and one invitation at @agency, beyond the page of two.
    assert [r["who"] for r in found] == sorted((r["who"] for r in found), key=str.lower,
                                               reverse=True)
    assert len(found) == 4
    assert {r["kind"] for r in found} == {"member", "invitation"}


def test_the_export_without_filters_is_everyone_with_their_counts(admin, center, listed,
                                                                   as_owner):
    found = rows_of(admin.get(f"/c/{center.pk}/review/?format=csv"))
    assert len(found) == 1 + 4 + 2  # the owner, four members, two invitations
    owner = next(r for r in found if "owner@brand.com" in r["who"])
    assert owner["role"] == "ADMIN" and owner["assets"] == "0" and owner["idle"] == "no"
    phone = next(r for r in found if "4915123456789" in r["who"])
    assert phone["who"].startswith("'+")  # a cell starting with + is defused


def test_formulas_in_names_are_defused(admin, center, listed):
    found = rows_of(admin.get(f"/c/{center.pk}/review/?format=csv&q=evil"))
    assert [r["who"][:2] for r in found] == ["'="]


def test_only_idle_applies_to_the_export(admin, center, listed):
    found = rows_of(admin.get(f"/c/{center.pk}/review/?format=csv&only=idle"))
    assert found == []  # everyone here joined today


def test_a_standard_member_cannot_export(client, center, as_owner, make_user):
    std = join(as_owner, center, make_user("std@agency.example", name="Std"))
    client.force_login(std.user)
    response = client.get(f"/c/{center.pk}/review/?format=csv")
    assert response.status_code == 403
    assert not response["Content-Type"].startswith("text/csv")
