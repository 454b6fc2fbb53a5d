"""Account self-service pages (issue 21): the account page (name, delete), the sessions
page (log out one, log out everywhere else), each destructive step asking first, and a
phone number added from the Security page counting only once its code is typed."""

from __future__ import annotations

import pytest
from django.test import Client

from bizcenter.accounts.models import User, WebSession
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import create_center
from tests.conftest import PASSWORD, act, code_sent_to, join

pytestmark = pytest.mark.usefixtures("quick_hashing")

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def browser(address: str, agent: str = "", ip: str = "203.0.113.9") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    assert client.post("/login/", {"username": address, "password": PASSWORD}).status_code == 302
    return client


def test_the_account_page_changes_the_name(owner):
    me = browser("owner@brand.com")
    page = me.get("/account/")
    assert page.status_code == 200 and 'value="Olivia Owner"' in page.content.decode()
    done = me.post("/account/", {"name": "Olivia Jones"}, follow=True)
    assert "Your name is now Olivia Jones." in done.content.decode()
    assert User.objects.get(pk=owner.pk).name == "Olivia Jones"
    empty = me.post("/account/", {"name": "   "})
    assert empty.status_code == 400
    assert "Type your name" in empty.content.decode() or "required" in empty.content.decode()


def test_the_header_links_the_account_page(owner):
    page = browser("owner@brand.com").get("/account/security/").content.decode()
    assert 'href="/account/"' in page


def test_the_sessions_page_marks_this_one_and_logs_out_another_after_asking(owner):
    me = browser("owner@brand.com")
    other = browser("owner@brand.com", FIREFOX, "198.51.100.5")
    page = me.get("/account/sessions/").content.decode()
    assert "(this session)" in page and "Firefox on Windows" in page and "198.51.100.5" in page
    theirs = WebSession.objects.get(device="Firefox on Windows")
    asked = me.post("/account/sessions/", {"step": "end", "session": theirs.pk})
    assert asked.status_code == 200
    question = "Log out the session on Firefox on Windows, IP 198.51.100.5?"
    assert question in asked.content.decode()
    assert other.get("/account/security/").status_code == 200  # nothing happened yet
    done = me.post("/account/sessions/",
                   {"step": "end", "session": theirs.pk, "confirmed": "1"})
    assert done.status_code == 302
    assert other.get("/account/security/").status_code == 302  # logged out on its next click
    listed = me.get("/account/sessions/").content.decode()
    assert "Logged out the session on Firefox on Windows." in listed
    assert "Firefox on Windows" not in me.get("/account/sessions/").content.decode()


def test_log_out_everywhere_else_asks_then_keeps_this_session(owner):
    me = browser("owner@brand.com")
    others = [browser("owner@brand.com", FIREFOX, f"198.51.100.{n}") for n in (1, 2)]
    asked = me.post("/account/sessions/", {"step": "others"})
    assert asked.status_code == 200 and "Log out everywhere else?" in asked.content.decode()
    done = me.post("/account/sessions/", {"step": "others", "confirmed": "1"}, follow=True)
    assert "Logged out 2 other sessions." in done.content.decode()
    assert all(o.get("/account/security/").status_code == 302 for o in others)
    assert me.get("/account/sessions/").status_code == 200


def test_another_persons_session_id_is_not_found(owner, make_user):
    make_user("bob@example.com")
    bob = browser("bob@example.com")
    bobs = WebSession.objects.get(user__email="bob@example.com")
    me = browser("owner@brand.com")
    for data in ({"step": "end", "session": bobs.pk},
                 {"step": "end", "session": bobs.pk, "confirmed": "1"},
                 {"step": "end", "session": "99999", "confirmed": "1"}):
        assert me.post("/account/sessions/", data).status_code == 404
    assert bob.get("/account/security/").status_code == 200


def test_deleting_the_last_admin_is_refused_naming_the_center(owner):
    create_center(act(owner), name="Demo Brand")
    me = browser("owner@brand.com")
    page = me.get("/account/").content.decode()
    assert "You are the last Admin of Demo Brand" in page
    refused = me.post("/account/delete/", {"confirmed": "1"})
    assert refused.status_code == 409
    assert ("You are the last Admin of Demo Brand: make someone else Admin there first "
            "(Partners → Edit), then delete your account.") in refused.content.decode()
    assert User.objects.get(pk=owner.pk).is_active


def test_deleting_asks_first_then_logs_out(owner, make_user):
    center = create_center(act(owner), name="Demo Brand")
    bob = make_user("bob@example.com", name="Bob")
    join(act(owner), center, bob)
    me = browser("bob@example.com")
    asked = me.post("/account/delete/")
    assert asked.status_code == 200 and "Delete your account?" in asked.content.decode()
    assert User.objects.get(pk=bob.pk).is_active
    done = me.post("/account/delete/", {"confirmed": "1"}, follow=True)
    assert "Your account is deleted." in done.content.decode()
    assert not User.objects.get(pk=bob.pk).is_active
    assert me.get("/account/").status_code == 302
    assert AuditEvent.objects.filter(center=center, action="account.deleted").exists()


def test_the_pages_need_a_log_in(db):
    for url in ("/account/", "/account/sessions/"):
        assert Client().get(url).status_code == 302
    assert Client().post("/account/delete/", {"confirmed": "1"}).status_code == 302


def test_a_phone_number_counts_only_once_its_code_is_typed(owner, run_worker):
    me = browser("owner@brand.com")
    sent = me.post("/account/security/", {"step": "address", "address": "+49 151 23456789",
                                          "current": PASSWORD})
    assert sent.status_code == 302 and sent.url.startswith("/account/verify/")
    assert User.objects.get(pk=owner.pk).phone_verified_at is None
    run_worker()
    proven = me.post(sent.url, {"step": "code", "code": code_sent_to("+4915123456789")})
    assert proven.status_code == 302
    owner = User.objects.get(pk=owner.pk)
    assert owner.phone == "+4915123456789" and owner.verified("phone")
    assert owner.email == "owner@brand.com" and owner.verified("email")


def test_after_a_password_change_only_this_session_is_listed(owner):
    me = browser("owner@brand.com")
    browser("owner@brand.com", FIREFOX, "198.51.100.5")
    changed = me.post("/account/security/", {"step": "password", "current": PASSWORD,
                                             "new": "a brand new passphrase 2026"})
    assert changed.status_code == 302
    page = me.get("/account/sessions/").content.decode()
    assert "(this session)" in page and "Firefox on Windows" not in page
