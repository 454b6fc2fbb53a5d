"""The activity log: filtered reading and export."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bizcenter.audit.services import activity, export
from bizcenter.centers.services import update_center
from bizcenter.core.errors import InvalidInput, NotAllowed
from bizcenter.invitations import services as invitations
from tests.conftest import act


def test_filters_by_time_category_and_actor(center, as_owner, make_user):
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=2)):
        invitations.invite(as_owner, center, ["a@agency.com"])
    with time_machine.travel(start + timedelta(days=5)):
        update_center(as_owner, center, name="Renamed")
    every = activity(as_owner, center)
    assert [e.action for e in every][:2] == ["center.updated", "invitation.sent"]
    window = activity(as_owner, center, since=start + timedelta(days=1),
                      until=start + timedelta(days=3))
    assert [e.action for e in window] == ["invitation.sent"]
    assert {e.category for e in activity(as_owner, center, category="business")} == {
        "BUSINESS"}
    assert activity(as_owner, center, actor_id=as_owner.user.pk).count() == every.count()
    with pytest.raises(InvalidInput) as backwards:
        activity(as_owner, center, since=start + timedelta(days=3), until=start)
    assert "swap them" in backwards.value.message
    with pytest.raises(InvalidInput) as unknown:
        activity(as_owner, center, category="GOSSIP")
    assert "USER, ACCOUNT, ASSET, BUSINESS" in unknown.value.message


def test_only_admins_read_the_log(center, as_owner, make_user):
    [result] = invitations.invite(as_owner, center, ["std@agency.com"])
    person = make_user("std@agency.com")
    invitations.accept(act(person), result.link.rstrip("/").rsplit("/", 1)[-1])
    with pytest.raises(NotAllowed):
        activity(act(person), center)


def test_export_csv_defuses_formulas_and_json_round_trips(center, as_owner):
    update_center(as_owner, center, name="=HYPERLINK(\"http://evil\")")
    events = activity(as_owner, center)
    rows = list(csv.DictReader(io.StringIO("".join(export(events, "csv")))))
    renamed = next(r for r in rows if r["action"] == "center.updated")
    assert renamed["target_label"].startswith("'=HYPERLINK")
    assert renamed["ip"] == "203.0.113.7"
    lines = [json.loads(line) for line in "".join(export(events, "json")).splitlines()]
    assert lines[0]["after"] == {"name": "=HYPERLINK(\"http://evil\")"}
    assert len(lines) == len(rows) == events.count()
    with pytest.raises(InvalidInput):
        list(export(events, "xlsx"))
