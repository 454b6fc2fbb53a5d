"""Web sessions end: after BIZCENTER_SESSION_IDLE_HOURS without a request, at most
BIZCENTER_SESSION_MAX_DAYS after logging in, and everywhere at once from the Security
page; the person lands on the log-in page told why. API tokens are not sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bizcenter.accounts import sessions
from bizcenter.accounts.models import User
from bizcenter.audit.models import AuditEvent
from bizcenter.core.errors import NotAllowed
from tests.conftest import PASSWORD, act
from tests.support.api import api_for

pytestmark = pytest.mark.usefixtures("quick_hashing")


def logged_in(address: str = "owner@brand.com") -> Client:
    client = Client()
    assert client.post("/login/", {"username": address, "password": PASSWORD}).status_code == 302
    return client


def ended_with(client: Client, url: str, words: str) -> None:
    """The page sends the person to log in, and the log-in page says why."""
    response = client.get(url)
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith("/login/?next=")
    login_page = client.get(response["Location"])
    assert login_page.status_code == 200
    assert words in login_page.content.decode()
    assert client.get(url).status_code == 302  # still logged out: the session is gone


@pytest.fixture
def start() -> time_machine.travel:
    """A fixed moment to travel from (no ticking: the test moves time itself)."""
    return timezone.now().replace(microsecond=0)


def test_a_session_ends_after_twelve_hours_without_activity(center, start):
    with time_machine.travel(start, tick=False) as clock:
        client = logged_in()
        assert client.get("/").status_code == 200
        clock.shift(timedelta(hours=11, minutes=59))
        assert client.get("/").status_code == 200  # activity keeps it going...
        clock.shift(timedelta(hours=11, minutes=59))
        assert client.get(f"/c/{center.pk}/").status_code == 200
        clock.shift(timedelta(hours=12, minutes=1))  # ...until 12 hours pass without any
        ended_with(client, f"/c/{center.pk}/", "signed out after 12 hours without activity")


def test_the_idle_time_is_a_setting(owner, settings, start):
    settings.BIZCENTER_SESSION_IDLE_HOURS = 1
    with time_machine.travel(start, tick=False) as clock:
        client = logged_in()
        clock.shift(timedelta(minutes=61))
        ended_with(client, "/", "signed out after 1 hour without activity")


def test_a_session_lasts_at_most_fourteen_days_however_active(owner, start):
    with time_machine.travel(start, tick=False) as clock:
        client = logged_in()
        for _ in range(31):  # a page every 11 hours: never idle for 12
            assert client.get("/").status_code == 200
            clock.shift(timedelta(hours=11))
        # 14 days and 5 hours after logging in, 11 hours after the last page.
        ended_with(client, "/", "a session lasts at most 14 days after logging in")


def test_sign_out_everywhere_ends_every_session_of_the_person_but_not_their_tokens(
        owner, center, make_user):
    laptop, phone = logged_in(), logged_in()
    someone_else = make_user("kim@agency.com")
    theirs = Client()
    theirs.force_login(someone_else)
    api = api_for(owner, center)
    assert phone.get("/account/security/").status_code == 200

    page = laptop.post("/account/security/", {"step": "everywhere", "confirmed": "1"})
    assert page.status_code == 302 and page["Location"] == "/login/"
    assert "You are signed out everywhere" in laptop.get("/login/").content.decode()
    assert laptop.get("/").status_code == 302

    ended_with(phone, "/account/security/", "all sessions of your account were ended")
    assert theirs.get("/").status_code == 200  # another person's session goes on
    assert api.get(f"/centers/{center.pk}").status_code == 200  # a token is not a session
    event = AuditEvent.objects.get(action="account.signed_out_everywhere")
    assert (event.actor, event.target_id, event.center) == (owner, str(owner.pk), None)
    # Logging in again starts a session that counts.
    assert logged_in().get("/").status_code == 200


def test_sign_out_everywhere_needs_a_person():
    with pytest.raises(NotAllowed):
        sessions.sign_out_everywhere(act(None))  # type: ignore[arg-type]


def test_the_security_page_offers_it_with_the_limits(owner, settings):
    settings.BIZCENTER_SESSION_IDLE_HOURS = 8
    client = Client()
    client.force_login(owner)
    page = client.get("/account/security/").content.decode()
    assert 'name="step" value="everywhere"' in page and "Sign out everywhere" in page
    assert "8 hours pass without activity" in page and "at most 14 days" in page


def _from_before(client: Client) -> None:
    """Make the client's session look like one from before sessions noted their start."""
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    row = Session.objects.get(session_key=key)
    data = row.get_decoded()
    for name in (sessions.STARTED, sessions.SEEN):
        data.pop(name)
    row.session_data = Session.objects.encode(data)
    row.save()


def test_a_session_from_before_session_limits_keeps_working_counted_from_then(owner, start):
    """Upgrading logs nobody out (accounts from before keep working until their next
    log-in); the limits count from the session's first request since."""
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        client.force_login(owner)
        _from_before(client)
        assert client.get("/").status_code == 200
        clock.shift(timedelta(hours=11))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(hours=12, minutes=1))
        ended_with(client, "/", "signed out after 12 hours without activity")


def test_a_session_from_before_ends_with_a_sign_out_everywhere(owner):
    client = Client()
    client.force_login(owner)
    _from_before(client)
    sessions.sign_out_everywhere(act(owner))
    ended_with(client, "/", "all sessions of your account were ended")


def test_the_check_adds_no_query_and_writes_at_most_once_a_minute(owner, center, settings,
                                                                  start):
    """An ordinary page costs the same queries with and without the session limits; the
    last-seen time is written with the response once a minute, not on every page."""
    url = f"/c/{center.pk}/partners/"
    limits = "bizcenter.accounts.sessions.SessionLimits"

    def queries(client: Client) -> list[str]:
        client.get(url)  # warm: a first view may note activity
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    def writes(sql: list[str]) -> int:
        return sum(1 for q in sql if q.startswith("UPDATE") and "django_session" in q)

    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        client.force_login(owner)
        with_limits = queries(client)
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != limits]
        plain = Client()  # a client loads the middleware once: a new one for the change
        plain.cookies = client.cookies
        without = queries(plain)
        assert len(with_limits) == len(without) and writes(with_limits) == 0
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, limits]
        clock.shift(timedelta(seconds=61))
        later = Client()
        later.cookies = client.cookies
        with CaptureQueriesContext(connection) as captured:
            assert later.get(url).status_code == 200
        assert writes([q["sql"] for q in captured.captured_queries]) == 1
        assert writes(queries(later)) == 0  # the minute starts again


def test_a_password_reset_style_cut_off_ends_older_sessions(owner):
    """Whatever sets the account's cut-off (a reset, sign out everywhere), sessions begun
    before it end, and one begun after it goes on."""
    before = logged_in()
    User.objects.filter(pk=owner.pk).update(sessions_valid_after=timezone.now())
    after = logged_in()
    ended_with(before, "/", "all sessions of your account were ended")
    assert after.get("/").status_code == 200
