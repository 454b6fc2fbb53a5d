"""The web door: log in, sign up, and accept an invitation as a person would."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from bizcenter.accounts.models import User
from bizcenter.centers.models import Membership
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from tests.conftest import PASSWORD, code_sent_to


def path_of(link: str) -> str:
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def invited(center, as_owner):
    [result] = invitations.invite(as_owner, center, ["jane@agency.com"])
    return result


def test_health_and_static(client, db):
    assert client.get("/healthz").json()["status"] == "ok"
    css = client.get("/static/web/app.css")
    assert css.status_code == 200
    assert b"--accent" in b"".join(css.streaming_content)


def test_log_in_with_email_any_case_or_phone_any_format(client, make_user):
    make_user("kim@agency.com", phone="+14155550199", name="Kim")
    page = client.post("/login/", {"username": "KIM@agency.com", "password": PASSWORD})
    assert page.status_code == 302 and page.url == "/"
    assert "Kim" in client.get("/").content.decode()
    client.post("/logout/")
    page = client.post("/login/", {"username": "+1 (415) 555-0199", "password": PASSWORD})
    assert page.status_code == 302


def test_bad_login_does_not_say_whether_the_account_exists(client, make_user):
    make_user("kim@agency.com")
    wrong_password = client.post("/login/", {"username": "kim@agency.com", "password": "nope"})
    no_account = client.post("/login/", {"username": "ghost@agency.com", "password": "nope"})
    assert wrong_password.status_code == no_account.status_code == 200
    for page in (wrong_password, no_account):
        assert "do not match an account" in page.content.decode()


def test_logout_needs_post_and_ends_the_session(client, make_user):
    user = make_user("kim@agency.com")
    client.force_login(user)
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert client.get("/").status_code == 302  # back to the login page


def test_sign_up_keeps_what_was_typed_and_shows_each_error(client, db):
    page = client.post("/signup/", {"email": "not-an-email", "phone": "",
                                    "name": "Jo", "password": "short"})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'value="not-an-email"' in html and 'value="Jo"' in html
    assert "not a valid email address" in html and "too short" in html
    page = client.post("/signup/", {"email": "jo@agency.com", "name": "Jo",
                                    "password": PASSWORD})
    assert page.status_code == 302
    assert "We sent a 6-digit code to" in client.get(page.url).content.decode()


def test_home_lists_my_centers_with_my_role(client, owner, center):
    client.force_login(owner)
    html = client.get("/").content.decode()
    assert "Brand Co" in html and "Admin" in html


def test_accept_from_the_link_through_sign_up(client, center, invited, run_worker):
    link = path_of(invited.link)
    page = client.get(link)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Join Brand Co" in html and "j***@agency.com" in html
    assert "jane@agency.com" not in html
    signup = client.post(f"/signup/?next={link}", {"email": "jane@agency.com",
                                                    "password": PASSWORD, "next": link})
    assert signup.status_code == 302 and signup.url.startswith("/account/verify/?next=")
    # Typing the invited address is not enough: whoever saw the link could. Not even a
    # session that skips the code page (one from before the gate) can accept.
    jane = User.objects.get(email="jane@agency.com")
    elsewhere = Client()
    elsewhere.force_login(jane)
    refused = elsewhere.post(link)
    assert refused.status_code == 403
    assert "Confirm that j***@agency.com is yours first" in refused.content.decode()
    assert not Membership.objects.filter(center=center, user=jane).exists()
    run_worker()
    proven = client.post(signup.url, {"step": "code", "code": code_sent_to("jane@agency.com")})
    assert proven.url == link
    done = client.post(link, follow=True)
    assert "You joined Brand Co." in done.content.decode()
    assert Membership.objects.filter(center=center, user=jane).exists()


def test_wrong_address_is_refused_and_the_link_still_works(client, make_user, invited):
    link = path_of(invited.link)
    client.force_login(make_user("other@else.com"))
    page = client.post(link)
    html = page.content.decode()
    assert page.status_code == 403
    assert "j***@agency.com" in html and "Log out" in html
    assert Invitation.objects.get(pk=invited.invitation.pk).state == InvitationState.PENDING


def test_expired_cancelled_used_and_unknown_links(client, center, as_owner, make_user, invited):
    link = path_of(invited.link)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        page = client.get(link)
        assert page.status_code == 410 and "resend" in page.content.decode()
    invitations.cancel(as_owner, center, invited.invitation.pk)
    page = client.get(link)
    assert page.status_code == 410 and "cancelled" in page.content.decode()

    [used] = invitations.invite(as_owner, center, ["used@agency.com"])
    person = make_user("used@agency.com")
    client.force_login(person)
    assert client.post(path_of(used.link)).status_code == 302
    page = client.post(path_of(used.link))
    assert page.status_code == 410 and "already used" in page.content.decode()

    page = client.get("/invite/not-a-token/")
    assert page.status_code == 404 and "not valid" in page.content.decode()


def test_csrf_is_enforced(db, invited):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/", {"username": "a@b.com", "password": "x"}).status_code == 403
    assert strict.post(path_of(invited.link)).status_code == 403


def test_unknown_page_is_a_friendly_404(client, db):
    page = client.get("/no/such/page/")
    assert page.status_code == 404 and "Page not found" in page.content.decode()


def test_a_stale_form_gets_a_page_saying_how_to_recover(db):
    page = Client(enforce_csrf_checks=True).post("/login/", {"username": "a@b.com",
                                                            "password": "x"})
    assert page.status_code == 403
    assert "Please try again" in page.content.decode()
    assert "CSRF verification failed" not in page.content.decode()
