"""The activity API speaks the catalogue: each event carries its sentence (``summary``,
the web log's own), the export too, and an action filter outside the catalogue is a 400
naming the valid ones instead of an empty log."""

from __future__ import annotations

import csv
import html
import io
import json

from bizcenter.assets.services import create_asset
from bizcenter.audit.catalogue import describe
from bizcenter.audit.models import AuditEvent
from bizcenter.invitations.services import invite
from tests.support.api import error_of


def test_events_carry_the_sentence_the_web_log_shows(admin_api, center, as_owner, client,
                                                    owner):
    create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    invite(as_owner, center, ["ana@agency.com"])
    items = admin_api.get(f"/centers/{center.pk}/activity").json()["items"]
    by_id = {str(e.pk): e for e in AuditEvent.objects.filter(center=center)}
    assert items and all(i["summary"] == describe(by_id[i["id"]]) for i in items)
    client.force_login(owner)
    page = client.get(f"/c/{center.pk}/activity/").content.decode()
    for item in items:
        assert html.escape(item["summary"]) in page


def test_the_export_carries_it_too(admin_api, center, as_owner):
    create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    base = f"/centers/{center.pk}/activity/export"
    lines = b"".join(admin_api.get(base, format="json").streaming_content).decode()
    rows = [json.loads(x) for x in lines.splitlines()]
    assert all(r["summary"] for r in rows)
    text = b"".join(admin_api.get(base, format="csv").streaming_content).decode()
    table = list(csv.DictReader(io.StringIO(text)))
    assert [r["summary"] for r in table] == [r["summary"] for r in rows]


def test_an_action_outside_the_catalogue_is_a_400_naming_the_valid_ones(admin_api, center):
    base = f"/centers/{center.pk}/activity"
    for path in (base, f"{base}/export"):
        refused = admin_api.get(path, action="member.deleted")
        assert refused.status_code == 400, path
        error = error_of(refused)
        assert error["fields"] == {"action": "unknown"}
        assert error["message"].startswith("Unknown action 'member.deleted'. Use one of: ")
        assert "member.revoked" in error["message"]
    found = admin_api.get(base, action="center.created").json()["items"]
    assert [e["action"] for e in found] == ["center.created"]
