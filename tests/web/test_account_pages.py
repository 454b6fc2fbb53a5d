"""Log in with 2-step verification, the security page, and password reset, in the web door."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from bizcenter.accounts import two_factor
from bizcenter.accounts.models import User
from bizcenter.audit.models import AuditEvent
from bizcenter.outbox import sms
from tests.conftest import PASSWORD, act, fresh_code

NEW_PASSWORD = "another long passphrase 77"


@pytest.fixture
def kim(make_user) -> User:
    return make_user("kim@agency.com", phone="+14155550199", name="Kim")


@pytest.fixture
def kim_2fa(kim) -> tuple[User, list[str]]:
    setup = two_factor.start(act(kim))
    codes = two_factor.confirm(act(kim), fresh_code(setup.secret))
    kim.refresh_from_db()
    return kim, codes


def now_code(user: User) -> str:
    return fresh_code(user)


def logged_in_as(client: Client) -> str | None:
    page = client.get("/")
    return None if page.status_code == 302 else page.content.decode()


# -- the 2-step prompt -------------------------------------------------------------


def test_without_two_factor_the_password_logs_in(client, kim):
    page = client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
    assert page.status_code == 302 and page.url == "/"


def test_password_alone_does_not_log_in_when_two_factor_is_on(client, kim_2fa):
    page = client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD,
                                   "next": "/account/security/"})
    assert page.status_code == 302 and page.url.startswith("/login/code/")
    # Nothing is reachable between the two steps, even by typing a URL.
    assert logged_in_as(client) is None
    assert client.get("/account/security/").status_code == 302
    prompt = client.get(page.url)
    assert "authenticator app" in prompt.content.decode()
    done = client.post(page.url, {"code": now_code(kim_2fa[0])})
    assert done.status_code == 302 and done.url == "/account/security/"
    assert "Kim" in logged_in_as(client)


def test_wrong_code_is_refused_and_five_send_you_back_to_the_password(client, kim_2fa):
    client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
    for _ in range(4):
        page = client.post("/login/code/", {"code": "000000"})
        assert page.status_code == 400
        assert "That code is not right" in page.content.decode()
    page = client.post("/login/code/", {"code": "000000"})
    assert page.status_code == 302 and page.url == "/login/"
    assert "Too many wrong codes" in client.get("/login/").content.decode()
    # The right code no longer helps: the password step has to be done again.
    assert client.post("/login/code/", {"code": now_code(kim_2fa[0])}).url == "/login/"
    assert logged_in_as(client) is None


def test_the_code_step_waits_five_minutes(client, kim_2fa):
    client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        page = client.post("/login/code/", {"code": now_code(kim_2fa[0])})
    assert page.status_code == 302 and page.url == "/login/"
    assert logged_in_as(client) is None


def test_code_page_without_the_password_step_goes_to_login(client, db):
    page = client.get("/login/code/")
    assert page.status_code == 302 and page.url == "/login/"


def test_a_recovery_code_logs_in_once(client, kim_2fa):
    _, codes = kim_2fa
    client.post("/login/", {"username": "+1 415 555 0199", "password": PASSWORD})
    assert client.post("/login/code/", {"code": codes[0]}).url == "/"
    client.post("/logout/")
    client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
    assert client.post("/login/code/", {"code": codes[0]}).status_code == 400


# -- the security page -------------------------------------------------------------


def test_turn_two_factor_on_from_the_security_page(client, kim):
    client.force_login(kim)
    page = client.get("/account/security/")
    assert "Set up 2-step verification" in page.content.decode()
    assert client.post("/account/security/", {"step": "start"}).status_code == 302
    page = client.get("/account/security/").content.decode()
    kim.refresh_from_db()
    assert "<svg" in page and kim.totp_secret in page
    # A reload shows the same secret, so the app already scanned keeps working.
    assert kim.totp_secret in client.get("/account/security/").content.decode()

    wrong = client.post("/account/security/", {"step": "confirm", "code": "123456"})
    assert wrong.status_code == 400
    assert "not the one your authenticator shows" in wrong.content.decode()
    kim.refresh_from_db()
    assert not kim.has_two_factor

    done = client.post("/account/security/", {"step": "confirm", "code": now_code(kim)})
    text = done.content.decode()
    assert done.status_code == 200 and "Save these recovery codes now" in text
    assert len(re.findall(r"<code>[0-9a-f]{6}-[0-9a-f]{6}</code>", text)) == 10
    kim.refresh_from_db()
    assert kim.has_two_factor
    # Shown once: the next visit does not list them.
    assert "Save these recovery codes" not in client.get("/account/security/").content.decode()


def test_turn_two_factor_off_needs_a_code(client, kim_2fa):
    kim, _ = kim_2fa
    client.force_login(kim)
    asked = client.post("/account/security/", {"step": "disable", "code": "999999"})
    assert asked.status_code == 200 and "Turn off 2-step verification?" in asked.content.decode()
    refused = client.post("/account/security/", {"step": "disable", "code": "999999",
                                                 "confirmed": "1"})
    assert refused.status_code == 400
    kim.refresh_from_db()
    assert kim.has_two_factor
    client.post("/account/security/", {"step": "disable", "code": now_code(kim),
                                       "confirmed": "1"})
    kim.refresh_from_db()
    assert not kim.has_two_factor
    assert "2-step verification is off" in client.get("/account/security/").content.decode()


def test_change_password_ends_the_other_sessions(kim):
    here, elsewhere = Client(), Client()
    for c in (here, elsewhere):
        c.post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
    wrong = here.post("/account/security/", {"step": "password", "current": "nope",
                                             "new": NEW_PASSWORD})
    assert wrong.status_code == 400 and "current password is not right" in wrong.content.decode()
    weak = here.post("/account/security/", {"step": "password", "current": PASSWORD,
                                            "new": "12345678"})
    assert weak.status_code == 400 and "too common" in weak.content.decode()
    kim.refresh_from_db()
    assert kim.check_password(PASSWORD)

    here.post("/account/security/", {"step": "password", "current": PASSWORD,
                                     "new": NEW_PASSWORD})
    assert logged_in_as(here) is not None
    assert logged_in_as(elsewhere) is None
    assert AuditEvent.objects.filter(action="password.changed", target_id=str(kim.pk)).exists()


# -- password reset ----------------------------------------------------------------


def reset_link_in(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/password/reset/\S+/)", text).group(1)


def test_reset_by_email_sets_a_new_password_and_the_link_works_once(client, kim, mailbox,
                                                                    run_worker):
    page = client.post("/password/reset/", {"address": "Kim@Agency.com"})
    assert page.status_code == 302
    assert "a link to choose a new password is on its way" in client.get(page.url).content.decode()
    run_worker()
    [message] = mailbox
    assert message.to == ["kim@agency.com"]
    link = reset_link_in(message.body)

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]  # Django moves the token out of the URL
    assert "set-password" in set_url
    mismatch = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert mismatch.status_code == 200 and "didn\u2019t match" in mismatch.content.decode()
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == "/login/"
    kim.refresh_from_db()
    assert kim.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="password.reset", target_id=str(kim.pk)).exists()

    again = Client().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_reset_by_phone_goes_by_sms(client, kim, run_worker):
    client.post("/password/reset/", {"address": "+1 (415) 555-0199"})
    run_worker()
    [(to, text)] = [(m["to"], m["body"]) for m in sms.sent]
    assert to == "+14155550199" and "/password/reset/" in text


def test_reset_answers_alike_for_unknown_addresses(client, kim, mailbox, run_worker):
    known = client.post("/password/reset/", {"address": "kim@agency.com"}, follow=True)
    unknown = client.post("/password/reset/", {"address": "nobody@agency.com"}, follow=True)
    strip = lambda page: page.content.decode().replace("kim@agency.com", "X").replace(  # noqa: E731
        "nobody@agency.com", "X")
    assert known.status_code == unknown.status_code == 200
    assert strip(known) == strip(unknown)
    run_worker()
    assert [m.to for m in mailbox] == [["kim@agency.com"]]


def test_a_reset_request_does_the_same_work_whether_or_not_the_address_has_an_account(kim):
    """So its answer takes the same time either way: the same queries, the same rows (a
    message and a log entry); the message is dropped at delivery when there is nobody
    to reset. bench/reset_request.py times both side by side."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bizcenter.accounts.passwords import request_reset
    from bizcenter.audit.models import AuditEvent
    from bizcenter.core.actor import Actor
    from bizcenter.outbox.models import OutboxMessage

    def shape(address: str) -> tuple[list[str], int, int]:
        rows = OutboxMessage.objects.count(), AuditEvent.objects.count()
        with CaptureQueriesContext(connection) as done:
            request_reset(Actor(None, ip="192.0.2.1", via="web"), address)
        sql = [re.sub(r"'[^']*'|\b\d+\b|\"?\bs\w+_x\d+\b\"?", "?", q["sql"])
               for q in done.captured_queries]  # values, ids and savepoint names aside
        return (sql, OutboxMessage.objects.count() - rows[0],
                AuditEvent.objects.count() - rows[1])

    shape("kim@agency.com"), shape("nobody@agency.com")  # warm: a first call may load more
    assert shape("kim@agency.com") == shape("nobody@agency.com")


def test_reset_with_something_that_is_not_an_address(client, db):
    page = client.post("/password/reset/", {"address": "not an address"})
    assert page.status_code == 400
    assert 'value="not an address"' in page.content.decode()


def test_a_reset_link_dies_after_a_login(client, kim, mailbox, run_worker):
    client.post("/password/reset/", {"address": "kim@agency.com"})
    run_worker()
    link = reset_link_in(mailbox[0].body)
    Client().post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


@pytest.mark.usefixtures("one_rate_window")
def test_log_in_attempts_are_limited_per_address(client, kim, settings):
    from django.core.cache import cache

    cache.clear()
    settings.BIZCENTER_LOGIN_RATE = 3
    for _ in range(3):
        assert client.post("/login/", {"username": "kim@agency.com",
                                       "password": "wrong"}).status_code == 200
    limited = client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
    assert limited.status_code == 429 and "Too many log-in attempts" in limited.content.decode()
    assert int(limited["Retry-After"]) >= 1
    assert 'value="kim@agency.com"' in limited.content.decode()
    assert logged_in_as(client) is None  # even the right password waits
    # Another address from elsewhere is not held up by it.
    assert Client().post("/login/", {"username": "+14155550199",
                                     "password": PASSWORD}).status_code == 302
    cache.clear()


def test_the_security_page_lists_sign_ins_and_failed_attempts(client, make_user):
    kim = make_user("kim@agency.com")
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    stranger.post("/login/", {"username": "KIM@agency.com", "password": "not it at all"})
    stranger.post("/login/", {"username": "ghost@agency.com", "password": "not it at all"})
    assert client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD},
                       REMOTE_ADDR="198.51.100.4").status_code == 302
    html = client.get("/account/security/").content.decode()
    rows = html.split("Recent sign-ins", 1)[1].split("</table>", 1)[0]
    assert "Signed in" in rows and "198.51.100.4" in rows
    assert "Failed attempt" in rows and "k***@agency.com" in rows and "203.0.113.9" in rows
    assert rows.index("Signed in") < rows.index("Failed attempt")  # newest first
    # The attempt on an address without an account is logged for nobody's page.
    events = AuditEvent.objects.filter(action="account.sign_in_failed")
    assert events.count() == 2 and events.filter(target_id=str(kim.pk)).count() == 1
    assert not AuditEvent.objects.filter(action__startswith="account.",
                                         center__isnull=False).exists()
