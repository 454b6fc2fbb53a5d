"""GET /api/v1/me/notifications and POST /api/v1/me/notifications/read (issue 21): the
caller's own notifications, paged, newest first; through a token, those about its
Business Center; another person's id is a 404 and marks nothing."""

from __future__ import annotations

import pytest

from bizcenter.centers.services import create_center
from bizcenter.notifications.models import Kind, Notification
from bizcenter.notifications.services import notify
from tests.conftest import join
from tests.support.api import api_for, error_of


@pytest.fixture(autouse=True)
def _fast(quick_hashing):
    pass


@pytest.fixture
def maria(make_user):
    return make_user("maria@agency.com", name="Maria")


def test_the_list_is_paged_newest_first_with_the_unread_count(center, as_owner, owner, maria):
    join(as_owner, center, maria)
    for n in range(3):
        notify(owner, Kind.PARTNER, sentence=f"Note {n}.", center=center)
    api = api_for(owner, center)
    body = api.get("/me/notifications", page_size=2).json()
    assert [i["sentence"] for i in body["items"]] == ["Note 2.", "Note 1."]
    assert body["page_info"] == {"page": 1, "page_size": 2, "total": 4, "pages": 2}
    assert body["unread"] == 4
    last = api.get("/me/notifications", page=2, page_size=2).json()["items"]
    assert last[-1]["kind"] == "invitation_accepted"
    assert last[-1]["sentence"] == '"Maria" accepted your invitation to "Brand Co" as Standard.'
    assert last[-1]["link"].startswith(f"/c/{center.pk}/partners/")
    assert last[-1]["center_id"] == str(center.pk) and last[-1]["read_at"] is None


def test_marking_some_then_all_read(center, as_owner, owner):
    notes = [notify(owner, Kind.PARTNER, sentence=f"Note {n}.", center=center)
             for n in range(3)]
    api = api_for(owner, center)
    done = api.send("post", "/me/notifications/read", {"ids": [str(notes[0].pk)]})
    assert done.status_code == 200 and done.json() == {"marked": 1, "unread": 2}
    assert api.get("/me/notifications", unread=True).json()["page_info"]["total"] == 2
    done = api.send("post", "/me/notifications/read", {})
    assert done.json() == {"marked": 2, "unread": 0}


def test_another_persons_notification_is_a_404_and_nothing_is_marked(center, as_owner, owner,
                                                                   maria):
    join(as_owner, center, maria)
    [theirs] = Notification.objects.filter(user=owner)
    mine = notify(maria, Kind.PARTNER, sentence="Mine.", center=center)
    api = api_for(maria, center)
    answer = api.send("post", "/me/notifications/read", {"ids": [str(mine.pk), str(theirs.pk)]})
    assert answer.status_code == 404
    assert error_of(answer)["message"] == f"No notification with id {theirs.pk}."
    assert Notification.objects.filter(read_at__isnull=False).count() == 0
    assert [i["sentence"] for i in api.get("/me/notifications").json()["items"]] == ["Mine."]


def test_a_token_reads_the_notifications_of_its_business_center(center, as_owner, owner):
    other = create_center(as_owner, name="Other Co")
    notify(owner, Kind.PARTNER, sentence="About Brand Co.", center=center)
    notify(owner, Kind.PARTNER, sentence="About Other Co.", center=other)
    notify(owner, Kind.ACCESS_CHANGED, sentence="About no center.")
    items = api_for(owner, center).get("/me/notifications").json()["items"]
    assert sorted(i["sentence"] for i in items) == ["About Brand Co.", "About no center."]


def test_a_read_only_token_reads_but_does_not_mark(center, owner):
    notify(owner, Kind.PARTNER, sentence="Hi.", center=center)
    api = api_for(owner, center, read_only=True)
    assert api.get("/me/notifications").status_code == 200
    assert api.send("post", "/me/notifications/read", {}).status_code == 403
    assert Notification.objects.get().read_at is None


def test_a_page_size_out_of_range_is_a_400_that_says_so(center, owner):
    answer = api_for(owner, center).get("/me/notifications", page_size=1000)
    assert answer.status_code == 400
    assert "Page size must be between 1 and" in error_of(answer)["message"]


def test_without_a_token_401(client):
    assert client.get("/api/v1/me/notifications").status_code == 401


