"""Account self-service (issue 21), the services: a person renames themselves, sees and
ends their web sessions, is told by email of a log-in from a new browser, and deletes
their account unless they are the last Admin of a Business Center."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from bizcenter.accounts import self_service, sessions
from bizcenter.accounts.models import ApiToken, User, WebSession
from bizcenter.accounts.tokens import create_token
from bizcenter.accounts.useragent import describe
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.models import Membership
from bizcenter.centers.services import create_center
from bizcenter.core.errors import Conflict, InvalidInput, NotFound
from bizcenter.outbox.models import OutboxMessage
from tests.conftest import PASSWORD, act, join

pytestmark = pytest.mark.usefixtures("quick_hashing")

CHROME_LINUX = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/131.0.0.0 Safari/537.36")
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def browser(address: str, agent: str = CHROME_LINUX, ip: str = "203.0.113.9") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    assert client.post("/login/", {"username": address, "password": PASSWORD}).status_code == 302
    return client


def test_the_user_agent_reads_as_words():
    assert describe(CHROME_LINUX) == "Chrome on Linux"
    assert describe(SAFARI_IPHONE) == "Safari on iOS"
    assert describe("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 "
                    "Firefox/133.0") == "Firefox on Windows"
    assert describe("") == "an unknown browser"


def test_rename_is_audited_and_refuses_an_empty_or_long_name(owner):
    self_service.rename(act(owner), "  Olivia   Jones ")
    owner.refresh_from_db()
    assert owner.name == "Olivia Jones"
    event = AuditEvent.objects.get(action="account.renamed")
    assert (event.before, event.after) == ({"name": "Olivia Owner"}, {"name": "Olivia Jones"})
    with pytest.raises(InvalidInput, match="Type your name"):
        self_service.rename(act(owner), "   ")
    with pytest.raises(InvalidInput, match="at most 150"):
        self_service.rename(act(owner), "x" * 151)
    owner.refresh_from_db()
    assert owner.name == "Olivia Jones"
    assert AuditEvent.objects.filter(action="account.renamed").count() == 1


def test_each_log_in_is_a_session_the_person_sees_and_can_end(owner):
    laptop = browser("owner@brand.com")
    phone = browser("owner@brand.com", SAFARI_IPHONE, "198.51.100.20")
    listed = sessions.active_sessions(owner)
    assert [s.device for s in listed] == ["Safari on iOS", "Chrome on Linux"]
    assert listed[0].ip == "198.51.100.20"

    ended = sessions.end_session(act(owner), listed[0].pk)
    assert ended.ended_at is not None
    assert phone.get("/account/security/").status_code == 302  # its next request: logged out
    assert laptop.get("/account/security/").status_code == 200
    assert [s.device for s in sessions.active_sessions(owner)] == ["Chrome on Linux"]
    assert AuditEvent.objects.filter(action="account.session_ended").count() == 1
    with pytest.raises(NotFound):
        sessions.end_session(act(owner), listed[0].pk)  # already over


def test_a_session_of_another_person_is_not_found(owner, make_user):
    make_user("bob@example.com")
    browser("bob@example.com")
    bobs = WebSession.objects.get(user__email="bob@example.com")
    with pytest.raises(NotFound, match="no active session"):
        sessions.end_session(act(owner), bobs.pk)
    assert WebSession.objects.get(pk=bobs.pk).ended_at is None
    assert Session.objects.filter(session_key=bobs.session_key).exists()


def test_log_out_everywhere_else_keeps_this_session(owner):
    here = browser("owner@brand.com")
    others = [browser("owner@brand.com", ip=f"198.51.100.{n}") for n in (1, 2)]
    key = here.session.session_key
    assert sessions.end_other_sessions(act(owner), key) == 2
    assert here.get("/account/security/").status_code == 200
    for other in others:
        assert other.get("/account/security/").status_code == 302
    assert [s.session_key for s in sessions.active_sessions(owner)] == [key]


def test_a_log_in_from_a_new_browser_sends_an_alert_but_not_the_first_one(owner, run_worker,
                                                                          mailbox):
    browser("owner@brand.com")  # the account's first log-in: nothing
    browser("owner@brand.com")  # the same browser and address again: nothing
    assert not OutboxMessage.objects.filter(kind="sign_in_alert").exists()
    browser("owner@brand.com", SAFARI_IPHONE, "198.51.100.77")
    run_worker()
    [alert] = [m for m in mailbox if "New sign-in" in m.subject]
    assert alert.to == ["owner@brand.com"]
    assert alert.subject == "New sign-in to your bizcenter account from Safari on iOS"
    assert "198.51.100.77" in alert.body
    assert "change your password" in alert.body.lower()


def test_the_last_admin_cannot_delete_and_is_told_where(owner, make_user):
    create_center(act(owner), name="Demo Brand")
    create_center(act(owner), name="Acme")
    tokens_before = ApiToken.objects.count()
    events_before = AuditEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        self_service.delete_account(act(owner))
    assert refused.value.message == (
        "You are the last Admin of Acme and Demo Brand: make someone else Admin in each "
        "first (Partners → Edit), then delete your account.")
    owner.refresh_from_db()
    assert owner.is_active and owner.name == "Olivia Owner"
    assert AuditEvent.objects.count() == events_before  # nothing written
    assert ApiToken.objects.count() == tokens_before


def test_one_center_is_named_alone(owner):
    create_center(act(owner), name="Demo Brand")
    assert self_service.why_not_delete(owner) == (
        "You are the last Admin of Demo Brand: make someone else Admin there first "
        "(Partners → Edit), then delete your account.")


def test_deleting_ends_memberships_tokens_and_sessions_in_one_go(owner, make_user):
    center = create_center(act(owner), name="Demo Brand")
    bob = make_user("bob@example.com", name="Bob")
    join(act(owner), center, bob, role="ADMIN")
    token = create_token(act(bob), center, "script")
    bobs_browser = browser("bob@example.com")

    self_service.delete_account(act(bob))

    bob = User.objects.get(pk=bob.pk)
    assert not bob.is_active and bob.name == "" and bob.phone is None
    assert "bob@example.com" not in (bob.email or "")
    assert not bob.has_usable_password()
    assert not Membership.objects.active().filter(user=bob).exists()
    assert ApiToken.objects.get(prefix=token.token.prefix).revoked_at is not None
    assert bobs_browser.get("/account/security/").status_code == 302
    assert not WebSession.objects.filter(user=bob, ended_at__isnull=True).exists()
    # Audited in the Business Center it belonged to, and on the account.
    assert AuditEvent.objects.filter(action="account.deleted", center=center).count() == 1
    assert AuditEvent.objects.filter(action="account.deleted", center__isnull=True).count() == 1
    # It can never log in again, with its old address or password.
    assert Client().post("/login/", {"username": "bob@example.com",
                                     "password": PASSWORD}).status_code == 200
    with pytest.raises(Conflict):
        self_service.delete_account(act(bob))


def test_last_seen_is_noted_and_a_row_ended_behind_its_key_still_logs_out(owner):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    laptop = browser("owner@brand.com")
    row = WebSession.objects.get(user=owner)
    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert laptop.get("/account/security/").status_code == 200
    row.refresh_from_db()
    assert row.last_seen_at == later
    # Ended while the row held an old key (the store kept the session): the once-a-minute
    # note finds the row ended and logs the browser out, saying why.
    WebSession.objects.filter(pk=row.pk).update(ended_at=later, session_key="stale")
    with time_machine.travel(later + timedelta(minutes=2), tick=False):
        page = laptop.get("/account/security/")
        assert page.status_code == 302
        assert sessions.ENDED in laptop.get(page["Location"]).content.decode()
