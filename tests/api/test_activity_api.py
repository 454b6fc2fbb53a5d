"""The activity log through the API: filtered pages and streamed CSV / JSON Lines export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from bizcenter.assets.services import create_asset, update_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.audit.services import EXPORT_FIELDS
from tests.conftest import act, join
from tests.support.api import api_for, error_of, stranger

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def sam(center, as_owner, make_user):
    return join(as_owner, center, make_user("sam@agency.com", name="Sam"),
                modules=("ASSETS", "ANALYTICS"))


@pytest.fixture
def history(center, as_owner, make_user):
    """Three changes on known days, the last by a second Admin who signed up by phone."""
    with time_machine.travel(datetime(2026, 1, 10, 12, tzinfo=UTC)):
        ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    with time_machine.travel(datetime(2026, 1, 20, 12, tzinfo=UTC)):
        create_asset(as_owner, center, type="PIXEL", name="Site pixel")
        phoned = join(as_owner, center, make_user(phone="+14155550123", name="Pat"),
                      role="ADMIN")
    with time_machine.travel(datetime(2026, 1, 30, 12, tzinfo=UTC)):
        update_asset(act(phoned.user), center, ads.pk, status="DISABLED")
    return ads


def test_the_log_newest_first_with_string_ids_and_how_each_change_came(center, admin_api):
    made = admin_api.send("post", f"/centers/{center.pk}/assets",
                          {"type": "ADVERTISER", "name": "Main ads"})
    assert made.status_code == 201
    page = admin_api.get(f"/centers/{center.pk}/activity")
    assert page.status_code == 200
    body = page.json()
    newest = body["items"][0]
    assert newest["action"] == "asset.created" and newest["category"] == "ACCOUNT"
    assert newest["via"] == "api" and newest["actor_label"] == "Olivia Owner <owner@brand.com>"
    assert newest["target_id"] == made.json()["id"] and newest["after"]["name"] == "Main ads"
    assert isinstance(newest["id"], str) and newest["created_at"].endswith("Z")
    assert body["page_info"]["total"] == AuditEvent.objects.filter(center=center).count()
    times = [e["created_at"] for e in body["items"]]
    assert times == sorted(times, reverse=True)


def test_filters_by_time_category_person_and_action(center, admin_api, history):
    base = f"/centers/{center.pk}/activity"

    def actions(**filters):
        response = admin_api.get(base, **filters)
        assert response.status_code == 200, response.content
        return [e["action"] for e in response.json()["items"]]

    assert actions(since="2026-01-15", until="2026-01-25", category="asset") == [
        "asset.created"]
    # A time without an offset is UTC; until is excluded.
    assert actions(since="2026-01-10T12:00:00", until="2026-01-20T12:00:00") == [
        "asset.created"]
    assert actions(since="2026-01-10T13:00:00+01:00", until="2026-01-10T12:00:01Z") == [
        "asset.created"]
    assert actions(actor="+1 (415) 555-0123") == ["asset.updated", "invitation.accepted"]
    assert actions(actor="OWNER@brand.com", action="asset.created") == [
        "asset.created", "asset.created"]
    assert actions(category="ACCOUNT", since="2026-01-01", until="2026-02-01") == [
        "asset.updated", "asset.created"]
    paged = admin_api.get(base, since="2026-01-01", until="2026-02-01", page_size=2, page=2)
    assert paged.json()["page_info"]["total"] > 2 and len(paged.json()["items"]) == 2


def test_bad_filters_are_400_with_the_field(center, admin_api, history):
    base = f"/centers/{center.pk}/activity"
    for params, field in (({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
                          ({"since": "last week"}, "since"),
                          ({"category": "MONEY"}, "category"),
                          ({"actor": "not an address"}, "actor"),
                          ({"action": "asset.\x00"}, "action")):
        for path in (base, f"{base}/export"):
            refused = admin_api.get(path, **params)
            assert refused.status_code == 400, (path, params)
            assert field in error_of(refused)["fields"], (path, params)
    for params, field in (({"page": 0}, "page"), ({"page_size": 1000}, "page_size")):
        refused = admin_api.get(base, **params)
        assert refused.status_code == 400 and field in error_of(refused)["fields"], params
    # An address with no account is an empty log, as for someone who did nothing here:
    # the filter never tells whether an address has an account.
    unknown = admin_api.get(base, actor="nobody@nowhere.com")
    assert unknown.status_code == 200 and unknown.json()["items"] == []
    malformed = admin_api.get(base, actor="nobody")
    assert malformed.status_code == 400 and error_of(malformed)["fields"] == {
        "actor": "not an email or phone"}
    category = admin_api.get(base, category="MONEY")
    assert "Use one of: USER, ACCOUNT, ASSET, BUSINESS" in error_of(category)["message"]


def test_export_streams_csv_with_a_file_name_and_formulas_defused(
    center, as_owner, history, make_user
):
    rogue = join(as_owner, center, make_user("rogue@agency.com", name="=HYPERLINK(1)"),
                 role="ADMIN")
    api = api_for(rogue.user, center)
    assert api.send("post", f"/centers/{center.pk}/assets",
                    {"type": "PIXEL", "name": "+pixel"}).status_code == 201
    response = api.get(f"/centers/{center.pk}/activity/export", format="CSV")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="activity-{center.pk}-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert len(rows) - 1 == AuditEvent.objects.filter(center=center).count()
    newest = dict(zip(rows[0], rows[1], strict=True))
    assert newest["action"] == "asset.created" and newest["via"] == "api"
    assert newest["actor_label"] == "'=HYPERLINK(1) <rogue@agency.com>"
    assert json.loads(newest["after"]) == {"name": "+pixel", "status": "ACTIVE", "type": "PIXEL"}
    only = api.get(f"/centers/{center.pk}/activity/export", since="2026-01-15",
                   until="2026-01-25", category="ASSET")
    body = b"".join(only.streaming_content).decode()
    assert body.count("\n") == 2 and "Site pixel" in body


def test_export_as_json_lines(center, admin_api, history):
    response = admin_api.get(f"/centers/{center.pk}/activity/export", format="json",
                             category="ACCOUNT", until="2026-02-01")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert response["Content-Disposition"].endswith('.jsonl"')
    lines = [json.loads(line) for line in
             b"".join(response.streaming_content).decode().splitlines()]
    assert [e["action"] for e in lines] == ["asset.updated", "asset.created"]
    assert lines[0]["before"] == {"status": "ACTIVE"} and lines[0]["after"] == {
        "status": "DISABLED"}
    assert lines[1]["id"] == str(AuditEvent.objects.get(action="asset.created",
                                                        category="ACCOUNT").pk)
    empty = admin_api.get(f"/centers/{center.pk}/activity/export", format="json",
                          until="2000-01-01")
    assert empty.status_code == 200 and b"".join(empty.streaming_content) == b""
    xml = admin_api.get(f"/centers/{center.pk}/activity/export", format="xml")
    assert xml.status_code == 400 and error_of(xml)["fields"] == {"format": "csv or json"}


def test_standard_members_cannot_read_it_nor_probe_addresses(center, sam):
    api = api_for(sam.user, center)
    answers = []
    for path in (f"/centers/{center.pk}/activity", f"/centers/{center.pk}/activity/export"):
        for params in ({}, {"actor": "owner@brand.com"}, {"actor": "nobody@nowhere.com"},
                       {"actor": "not an address"}):
            refused = api.get(path, **params)
            assert refused.status_code == 403, (path, params)
            answers.append(error_of(refused))
    # Whatever the address, the same answer: the log's right comes before any lookup.
    assert all(a == answers[0] for a in answers)
    assert answers[0]["message"] == (
        "Only Admins of Brand Co can read the activity log; you are a Standard member. Ask "
        "an Admin of Brand Co to do it, or to make you an Admin.")


def test_no_token_is_401_and_a_read_only_token_reads(center, owner, history):
    for path in (f"/api/v1/centers/{center.pk}/activity",
                 f"/api/v1/centers/{center.pk}/activity/export"):
        response = Client().get(path)
        assert response.status_code == 401 and error_of(response)["code"] == "token_missing"
    reader = api_for(owner, center, read_only=True)
    assert reader.get(f"/centers/{center.pk}/activity").status_code == 200
    assert reader.get(f"/centers/{center.pk}/activity/export").status_code == 200


def test_another_business_centers_log_is_404(center, admin_api, make_user):
    rival = stranger(make_user)
    for path in (f"/centers/{rival.center.pk}/activity",
                 f"/centers/{rival.center.pk}/activity/export"):
        response = admin_api.get(path)
        assert response.status_code == 404
        assert "visible to this token" in error_of(response)["message"]
    # The rival's people are not in this log, whatever the filter.
    theirs = admin_api.get(f"/centers/{center.pk}/activity", actor="boss@rival.com").json()
    assert theirs["items"] == [] and theirs["page_info"]["total"] == 0
