"""The activity log's Action filter is a picker of the catalogue's labels, grouped,
whose values are the stored actions; anything else is refused beside the field."""

from __future__ import annotations

import re

import pytest

from bizcenter.assets.services import create_asset
from tests.support import web
from tests.support.web import field_error, raw, table_rows

admin = web.admin
pytestmark = pytest.mark.usefixtures("quick_hashing")


def test_the_action_filter_is_a_grouped_picker_of_labels(admin, center, as_owner):
    create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    page = admin.get(f"/c/{center.pk}/activity/")
    picker = re.search(r'<select name="action"[^>]*>(.*?)</select>', raw(page), re.S)
    assert picker, "the action filter is not a select"
    options = picker.group(1)
    assert '<option value="" selected>Any</option>' in options
    assert '<optgroup label="Business Center and people">' in options
    assert '<option value="member.revoked">Access revoked</option>' in options
    assert re.search(r'<optgroup label="Assets and partners">\s*<option value="asset.created">'
                     r"Asset created</option>", options)
    chosen = admin.get(f"/c/{center.pk}/activity/", {"action": "asset.created"})
    assert chosen.status_code == 200
    assert '<option value="asset.created" selected>Asset created</option>' in raw(chosen)
    rows = table_rows(chosen)
    assert len(rows) == 1 and "Main ads" in rows[0]


def test_an_action_outside_the_catalogue_is_refused_beside_the_picker(admin, center):
    for fmt in ("", "csv"):
        page = admin.get(f"/c/{center.pk}/activity/", {"action": "member.gone", "format": fmt})
        assert page.status_code == 400
        assert "member.gone is not one of the available choices" in field_error(
            page, "action")
