"""The bell and the notifications page (issue 21): the unread count in the header on
every page, the list newest first with a link to each thing, marking read by POST with
the CSRF token, and another person's notification answering 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from bizcenter.notifications.models import Kind, Notification
from bizcenter.notifications.services import notify
from tests.conftest import join
from tests.support.web import flash, logged_in, plain, raw


@pytest.fixture(autouse=True)
def _fast(quick_hashing):
    pass


def bell(page) -> str:
    found = re.search(r'<a class="bell"[^>]*>(.*?)</a>', raw(page), re.S)
    assert found, "no bell in the header"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


@pytest.fixture
def maria(make_user):
    return make_user("maria@agency.com", name="Maria")


def test_the_bell_counts_what_is_unread_on_every_page(center, as_owner, owner, maria):
    browser = logged_in(owner)
    assert bell(browser.get("/")) == "Notifications"
    join(as_owner, center, maria)
    for path in ("/", f"/c/{center.pk}/partners/", "/account/security/", "/notifications/"):
        assert bell(browser.get(path)) == "Notifications 1 unread", path


def test_the_list_is_newest_first_with_links_and_unread_marked(center, as_owner, owner, maria):
    join(as_owner, center, maria)
    notify(owner, Kind.ACCESS_ENDING, sentence="Later one.", link="/somewhere/")
    page = logged_in(owner).get("/notifications/")
    assert page.status_code == 200
    words = plain(page)
    assert words.index("Later one.") < words.index('"Maria" accepted your invitation')
    assert f'href="/c/{center.pk}/partners/' in raw(page)
    assert words.count("New") == 2 and "2 unread." in words


def test_the_list_is_paged_and_a_page_past_the_end_shows_the_last(owner):
    for n in range(25):
        notify(owner, Kind.PARTNER, sentence=f"Note {n}.")
    browser = logged_in(owner)
    first = plain(browser.get("/notifications/"))
    assert "Note 24." in first and "Note 4." not in first and "Page 1 of 2" in first
    past = plain(browser.get("/notifications/?page=99"))
    assert "Page 2 of 2" in past and "Note 0." in past


def test_marking_one_and_all_read(center, as_owner, owner, maria):
    join(as_owner, center, maria)
    notify(owner, Kind.PARTNER, sentence="Second.")
    first, second = Notification.objects.filter(user=owner).order_by("pk")
    browser = logged_in(owner)
    done = browser.post(f"/notifications/{first.pk}/read/", follow=True)
    assert done.status_code == 200 and bell(done) == "Notifications 1 unread"
    first.refresh_from_db()
    assert first.read_at is not None
    done = browser.post("/notifications/read/", follow=True)
    assert "every notification is read" in flash(done)
    assert bell(done) == "Notifications"
    assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()
    second.refresh_from_db()
    assert second.read_at is not None


def test_marking_read_needs_post_and_the_csrf_token(owner):
    note = notify(owner, Kind.PARTNER, sentence="Hi.")
    browser = logged_in(owner)
    assert browser.get(f"/notifications/{note.pk}/read/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert strict.post(f"/notifications/{note.pk}/read/").status_code == 403
    assert strict.post("/notifications/read/").status_code == 403
    note.refresh_from_db()
    assert note.read_at is None


def test_another_persons_notification_is_a_404(center, as_owner, owner, maria):
    join(as_owner, center, maria)
    [theirs] = Notification.objects.filter(user=owner)
    attacker = logged_in(maria)
    assert attacker.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert attacker.post("/notifications/987654/read/").status_code == 404
    assert "accepted your invitation" not in plain(attacker.get("/notifications/"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_not_logged_in_goes_to_the_login_page(client):
    answer = client.get("/notifications/")
    assert answer.status_code == 302 and answer.url.startswith("/login/")


def test_email_choices_on_the_account_page(center, as_owner, owner, maria, mailbox,
                                           run_worker):
    browser = logged_in(owner)
    page = plain(browser.get("/account/security/"))
    assert "Email me when" in page and "Someone accepts an invitation you sent" in page
    assert "invitation_accepted" not in page.replace('value="invitation_accepted"', "")
    ticked = [k.value for k in Kind if k != Kind.INVITATION_ACCEPTED]
    done = browser.post("/account/notifications/", {"email": ticked}, follow=True)
    assert "Your email choices are saved." in flash(done)
    join(as_owner, center, maria)
    run_worker()
    assert [m for m in mailbox if m.to == ["owner@brand.com"]] == []
    assert bell(browser.get("/")) == "Notifications 1 unread"  # still told in the app
