"""The activity log of web/activity.py: its filters, their errors, and the export.

Every test drives the real pages with Django's test client over the real
database; state is built with the services, as the product itself builds it.
Each page is tried on its good path and on the ways a person gets it wrong:
the error must be readable, beside the field it is about, with what was typed
kept, and at a 4xx status; a Standard member gets a helpful 403, an outsider 404.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.utils import timezone

from bizcenter.assets.services import create_asset
from bizcenter.audit.services import EXPORT_FIELDS
from tests.conftest import act
from tests.support import web
from tests.support.web import (
    field_error,
    member,
    raw,
    table_rows,
    text,
)

# The center page tests' fixtures, shared through tests/support/web.py.
admin = web.admin

# These tests are about pages, not passwords: sign-up need not run Argon2.
pytestmark = pytest.mark.usefixtures("quick_hashing")


# -- activity log --------------------------------------------------------------------------


@pytest.fixture
def busy_log(center, as_owner, make_user):
    """Some history: the owner makes an ad account and a pixel; a second Admin a catalog."""
    second = member(as_owner, center, make_user, "second@brand.com", role="ADMIN")
    create_asset(as_owner, center, type="ADVERTISER", name="Ads one")
    create_asset(as_owner, center, type="PIXEL", name="Pixel one")
    create_asset(act(second.user), center, type="CATALOG", name="Catalog two")
    return second


def log_rows(page: HttpResponse) -> list[str]:
    return table_rows(page)


def test_activity_log_filters_by_category_and_person(admin, center, busy_log):
    page = admin.get(f"/c/{center.pk}/activity/")
    assert page.status_code == 200
    everything = log_rows(page)
    assert any("center.created" in r for r in everything)
    assert any("asset.created" in r and "Catalog two" in r for r in everything)

    ads_only = log_rows(admin.get(f"/c/{center.pk}/activity/?category=ACCOUNT"))
    assert len(ads_only) == 1 and "Ads one" in ads_only[0]

    by_second = admin.get(f"/c/{center.pk}/activity/", {"person": "Second@Brand.com"})
    rows = log_rows(by_second)
    assert rows and all("second@brand.com" in r for r in rows)
    assert any("Catalog two" in r for r in rows)
    assert not any("Ads one" in r for r in rows)
    assert 'value="Second@Brand.com"' in raw(by_second)

    both = log_rows(admin.get(f"/c/{center.pk}/activity/",
                              {"person": "owner@brand.com", "category": "ASSET"}))
    assert len(both) == 1 and "Pixel one" in both[0]
    by_action = log_rows(admin.get(f"/c/{center.pk}/activity/?action=center.created"))
    assert len(by_action) == 1


def test_activity_log_date_range_in_whole_days(admin, center, busy_log):
    today = timezone.now().date()
    shown = log_rows(admin.get(f"/c/{center.pk}/activity/",
                               {"since": today.isoformat(), "until": today.isoformat()}))
    assert any("Ads one" in r for r in shown)
    none = admin.get(f"/c/{center.pk}/activity/",
                     {"until": (today - timedelta(days=1)).isoformat()})
    assert none.status_code == 200 and "Nothing happened in this range" in text(none)


@pytest.mark.parametrize("days_apart", [1, 30])
def test_activity_log_since_after_until_is_refused(admin, center, days_apart):
    until = timezone.now().date() - timedelta(days=40)
    since = until + timedelta(days=days_apart)
    page = admin.get(f"/c/{center.pk}/activity/", {"since": since.isoformat(),
                                                    "until": until.isoformat()})
    assert page.status_code == 400
    assert "not before its end" in field_error(page, "since")
    assert f'value="{since.isoformat()}"' in raw(page)
    assert f'value="{until.isoformat()}"' in raw(page)


def test_activity_log_unknown_person_or_part_of_one_is_an_empty_log(admin, center):
    page = admin.get(f"/c/{center.pk}/activity/", {"person": "ghost@nowhere.com",
                                                    "category": "USER"})
    # Nobody by that address acted here: whether they have an account is not said.
    assert page.status_code == 200 and "No account" not in raw(page)
    assert 'value="ghost@nowhere.com"' in raw(page)
    assert re.search(r'value="USER" selected', raw(page))
    # Part of a name or an address is a search (issue 21), not an error.
    partial = admin.get(f"/c/{center.pk}/activity/", {"person": "ghost"})
    assert partial.status_code == 200 and "Nothing happened" in text(partial)


def test_activity_log_bad_date_keeps_it(admin, center):
    page = admin.get(f"/c/{center.pk}/activity/", {"since": "last tuesday"})
    assert page.status_code == 400
    assert "Enter a valid date" in field_error(page, "since")
    assert 'value="last tuesday"' in raw(page)


def streamed(page) -> str:
    return b"".join(page.streaming_content).decode()


def test_activity_export_csv_has_the_header_and_only_the_filtered_events(admin, center,
                                                                         busy_log):
    page = admin.get(f"/c/{center.pk}/activity/?category=ASSET&format=csv")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/csv")
    assert re.fullmatch(rf'attachment; filename="activity-{center.pk}-\d{{8}}-\d{{4}}\.csv"',
                        page["Content-Disposition"])
    rows = list(csv.reader(io.StringIO(streamed(page))))
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert len(rows) == 3
    assert {r[EXPORT_FIELDS.index("category")] for r in rows[1:]} == {"ASSET"}
    assert {r[EXPORT_FIELDS.index("target_label")] for r in rows[1:]} == {
        "Pixel Pixel one", "Catalog Catalog two"}
    # The page's own export links carry the filters.
    html = raw(admin.get(f"/c/{center.pk}/activity/?category=ASSET&page=2"))
    assert 'href="?category=ASSET&amp;format=csv"' in html


def test_activity_export_json_lines_parse(admin, center, busy_log):
    page = admin.get(f"/c/{center.pk}/activity/",
                     {"format": "json", "person": "second@brand.com", "category": "ASSET"})
    assert page.status_code == 200
    assert page["Content-Type"].startswith("application/x-ndjson")
    assert page["Content-Disposition"].startswith("attachment;")
    assert page["Content-Disposition"].endswith('.jsonl"')
    events = [json.loads(line) for line in streamed(page).splitlines()]
    assert [e["target_label"] for e in events] == ["Catalog Catalog two"]
    assert events[0]["actor_id"] == str(busy_log.user_id)
    assert set(events[0]) == set(EXPORT_FIELDS)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_activity_export_of_an_empty_range_is_an_empty_file(admin, center, fmt):
    # A catalogued action that never happened here: nothing matches.
    page = admin.get(f"/c/{center.pk}/activity/",
                     {"format": fmt, "action": "billing.invoice_voided"})
    assert page.status_code == 200
    body = streamed(page)
    assert body.strip() == ("" if fmt == "json" else ",".join(EXPORT_FIELDS))


def test_activity_export_of_an_unknown_action_is_refused(admin, center):
    page = admin.get(f"/c/{center.pk}/activity/", {"format": "csv", "action": "no.such"})
    assert page.status_code == 400
    assert "is not one of the available choices" in text(page)


def test_activity_export_unknown_format_is_refused(admin, center):
    page = admin.get(f"/c/{center.pk}/activity/?format=xml")
    assert page.status_code == 400
    assert "Unknown export format 'xml'. Use csv or json." in text(page)
