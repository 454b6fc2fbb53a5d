"""``bizcenter notifications``: the person's notifications through the REST API, as
every command (issue 21)."""

from __future__ import annotations

import pytest

from bizcenter.notifications.models import Kind, Notification
from bizcenter.notifications.services import notify
from tests.support.cli import as_json, run


@pytest.fixture(autouse=True)
def _fast(quick_hashing):
    pass


def test_list_and_mark_read_as_the_person(capsys, owner, center):
    first = notify(owner, Kind.PARTNER, sentence="First.", center=center)
    notify(owner, Kind.PARTNER, sentence="Second.", center=center)
    listed = as_json(capsys, "notifications", "list", "--as", "owner@brand.com")
    assert [i["sentence"] for i in listed["items"]] == ["Second.", "First."]
    code, out, _ = run(capsys, "notifications", "list", "--as", "owner@brand.com")
    assert code == 0 and "2 unread" in out and "Second." in out
    done = as_json(capsys, "notifications", "read", str(first.pk), "--as", "owner@brand.com")
    assert done == [{"marked": 1, "unread": 1}]
    done = as_json(capsys, "notifications", "read", "--as", "owner@brand.com")
    assert done == [{"marked": 1, "unread": 0}]


def test_another_persons_id_is_not_found(capsys, owner, center, make_user):
    make_user("maria@agency.com", name="Maria")
    theirs = notify(owner, Kind.PARTNER, sentence="Private.", center=center)
    code, _, err = run(capsys, "notifications", "read", str(theirs.pk), "--as",
                       "maria@agency.com")
    assert code != 0 and f"No notification with id {theirs.pk}" in err
    assert Notification.objects.get().read_at is None
