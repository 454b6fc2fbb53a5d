"""The web door as a person meets it: every refusal readable, every form forgiving.

These complement test_pages.py with the paths a person takes when something is
off: each bad sign-up form, unsafe `next` links, the invitation link read from
the delivered email, logging out of the wrong account, a stale form, a crash.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import NoReturn
from urllib.parse import quote

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from bizcenter.accounts.addresses import parse_address
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from bizcenter.invitations.services import Grant
from tests.conftest import PASSWORD, code_sent_to
from tests.support.web import field_error


def path_of(link: str) -> str:
    """The page a browser would open for an absolute link, for the test client."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def text(page: HttpResponse) -> str:
    """What the person reads."""
    return page.content.decode()


# -- log in -----------------------------------------------------------------------


def test_login_page_labels_its_fields(client, db):
    html = text(client.get("/login/"))
    assert '<label for="id_username">Email or phone</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_login_follows_a_safe_next_and_ignores_another_site(client, make_user):
    make_user("kim@agency.com")
    page = client.post("/login/?next=/signup/", {"username": "kim@agency.com",
                                                  "password": PASSWORD, "next": "/signup/"})
    assert page.status_code == 302 and page.url == "/signup/"
    client.post("/logout/")
    page = client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD,
                                   "next": "https://evil.example/steal"})
    assert page.status_code == 302 and page.url == "/"


def test_a_bad_login_keeps_the_typed_address_but_not_the_password(client, make_user):
    make_user("kim@agency.com")
    page = client.post("/login/", {"username": "Kim@Agency.com", "password": "wrong guess 1"})
    html = text(page)
    assert 'value="Kim@Agency.com"' in html and "wrong guess 1" not in html
    not_an_address = client.post("/login/", {"username": "kim", "password": "x"})
    assert "do not match an account" in text(not_an_address)


def test_home_needs_a_login_and_comes_back_after_it(client, make_user):
    make_user("kim@agency.com")
    page = client.get("/")
    assert page.status_code == 302 and page.url.startswith("/login/?next=/")


# -- sign up ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "field", "says"),
    [
        ({"email": "", "phone": ""}, "email", "Give an email address or a phone number"),
        ({"email": "jo@", "phone": ""}, "email", "is not a valid email address"),
        ({"email": "", "phone": "12"}, "phone", "is not a phone number"),
        ({"email": "", "phone": "+1 555 000 0000"}, "phone", "not a valid phone number"),
        ({"email": "jo@agency.com", "phone": "", "password": "123"}, "password", "too short"),
        ({"email": "jo@agency.com", "phone": "", "password": "password"}, "password",
         "too common"),
    ],
)
def test_each_bad_sign_up_shows_the_service_message_beside_its_field(client, db, typed, field,
                                                                     says):
    form = {"name": "Jo Partner", "password": PASSWORD, **typed}
    page = client.post("/signup/", form)
    html = text(page)
    assert page.status_code == 400
    assert says in html
    # the message sits in the field's own error line, tied to its input
    assert says in field_error(page, field)
    for key in ("email", "phone", "name"):
        if form.get(key):
            assert f'value="{form[key]}"' in html  # what was typed stays
    password_input = re.search(r'<input type="password"[^>]*>', html).group(0)
    assert "value=" not in password_input  # a password is never echoed back
    assert client.get("/").status_code == 302  # nobody was logged in


def test_sign_up_answers_alike_whether_or_not_the_address_has_an_account(
        make_user, run_worker, mailbox):
    """Sign-up no longer tells strangers who uses the product: a taken address and a
    free one get the same answer and the same page; only the address's owner learns,
    by a note instead of a code."""
    make_user("jo@agency.com")
    pages = []
    for typed in ("JO@agency.com", "kim@agency.com"):
        client = Client()
        answer = client.post("/signup/", {"email": typed, "name": "Jo", "password": PASSWORD})
        assert answer.status_code == 302 and answer.url == "/account/verify/"
        page = text(client.get(answer.url))
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        pages.append(page.replace(parse_address(typed).masked(), "ADDRESS"))
    assert pages[0] == pages[1]
    run_worker()
    taken = next(m for m in mailbox if m.to == ["jo@agency.com"])
    assert taken.subject == "Your address already has a bizcenter account"
    assert not re.search(r"\d{6}", taken.body)  # no code to claim it with
    assert "/password/reset/" in taken.body
    assert code_sent_to("kim@agency.com")


def test_sign_up_by_phone_proves_it_by_text_and_follows_a_safe_next_only(client, db,
                                                                         run_worker):
    page = client.post("/signup/", {"phone": "+1 (415) 555-0142", "password": PASSWORD,
                                    "next": "https://evil.example/"})
    assert page.status_code == 302 and page.url == "/account/verify/"
    # Until the number is proven, every page leads back to the code.
    assert client.get("/").url == "/account/verify/"
    assert client.get("/centers/new/").url == "/account/verify/?next=%2Fcenters%2Fnew%2F"
    html = text(client.get(page.url))
    # Until proven, the address is shown masked, in the header too: an account made
    # from a forwarded invitation link claims an address its holder need not know.
    assert "+14*****0142" in html and "+14155550142" not in html
    assert "We sent a 6-digit code to" in html
    run_worker()
    proven = client.post(page.url, {"step": "code", "code": code_sent_to("+14155550142")})
    assert proven.status_code == 302 and proven.url == "/"
    html = text(client.get("/"))
    assert "You are not in any Business Center yet" in html
    assert "+14155550142" in html  # proven: the header names it


def test_sign_up_page_carries_next_into_the_form(client, db):
    html = text(client.get("/signup/?next=/invite/abc/"))
    assert 'name="next" value="/invite/abc/"' in html
    assert 'href="/login/?next=/invite/abc/"' in html


# -- home ---------------------------------------------------------------------------


def test_home_without_centers_explains_the_invitation(client, make_user):
    client.force_login(make_user("solo@agency.com", name="Solo"))
    html = text(client.get("/"))
    assert "You are not in any Business Center yet" in html
    assert "invitation link" in html
    assert "Solo" in html and "Log out" in html


def test_home_shows_each_center_with_my_role_there(client, owner, center, as_owner,
                                                   make_user):
    from bizcenter.centers.services import create_center
    from tests.conftest import act

    partner = make_user("pat@agency.com")
    create_center(act(partner), name="Pat Agency")
    [sent] = invitations.invite(as_owner, center, ["pat@agency.com"],
                                Grant(role="STANDARD", modules=["ANALYTICS"]))
    invitations.accept(act(partner), path_of(sent.link).strip("/").rsplit("/", 1)[-1])
    client.force_login(partner)
    html = text(client.get("/"))
    brand = html.index("Brand Co")
    agency = html.index("Pat Agency")
    assert "Standard" in html[brand:brand + 300]
    assert "Admin" in html[agency:agency + 300]


# -- accept an invitation -----------------------------------------------------------


def test_accept_from_the_delivered_email_end_to_end(client, center, as_owner, run_worker,
                                                    mailbox):
    invitations.invite(as_owner, center, ["Mia@Agency.com"],
                       Grant(role="STANDARD", modules=["ANALYTICS", "CAMPAIGNS"]))
    run_worker()
    [email] = mailbox
    link = path_of(re.search(r"https?://\S+/invite/[^/\s]+/", email.body).group(0))

    preview = client.get(link)
    html = text(preview)
    assert preview.status_code == 200
    assert "Join Brand Co" in html and "m***@agency.com" in html
    assert "mia@agency.com" not in html.lower()
    assert "Standard" in html and "Analytics, Campaigns" in html and "works until" in html
    assert "ANALYTICS" not in html  # the modules by their names, never their codes
    assert "Accept Invite" not in html  # nobody logged in yet
    assert f'href="{link}signup/"' in html and f'href="/login/?next={link}"' in html

    # The account is made with the invited address itself, shown masked, not typed.
    signup_page = text(client.get(f"{link}signup/"))
    assert "m***@agency.com" in signup_page and 'name="email"' not in signup_page
    signed_up = client.post(f"{link}signup/", {"name": "Mia", "password": PASSWORD})
    assert signed_up.status_code == 302
    assert signed_up.url == f"/account/verify/?next={quote(link, safe='')}"
    assert client.post(link).url.startswith("/account/verify/")  # no accepting yet
    run_worker()
    proven = client.post(signed_up.url, {"step": "code",
                                         "code": code_sent_to("mia@agency.com")})
    assert proven.status_code == 302 and proven.url == link

    ready = text(client.get(link))
    assert "Accept Invite" in ready and "logged in as mia@agency.com" in ready
    accepted = client.post(link)
    # The partner lands in the Business Center, on what they were given.
    assert accepted.status_code == 302 and accepted.url == f"/c/{center.pk}/"
    mine = text(client.get(accepted.url))
    assert "You joined Brand Co." in mine and "Your access to Brand Co" in mine
    assert "Standard" in mine
    assert "Brand Co" in text(client.get("/"))

    again = client.get(link)
    assert again.status_code == 410 and "already used" in text(again)


def test_accept_after_logging_in_by_phone(client, center, as_owner, make_user):
    [sent] = invitations.invite(as_owner, center, ["+44 20 7946 0958"])
    link = path_of(sent.link)
    html = text(client.get(link))
    assert "+44" in html and "0958" in html and "7946" not in html  # masked
    make_user(phone="+442079460958")
    logged_in = client.post(f"/login/?next={link}", {"username": "+44 (20) 7946-0958",
                                                        "password": PASSWORD, "next": link})
    assert logged_in.status_code == 302 and logged_in.url == link
    assert client.post(link, follow=True).redirect_chain[-1] == (f"/c/{center.pk}/", 302)


def test_wrong_account_is_told_the_masked_address_and_can_log_out_back_here(
        client, center, as_owner, make_user):
    [sent] = invitations.invite(as_owner, center, ["jane@agency.com"])
    link = path_of(sent.link)
    client.force_login(make_user("other@else.com"))
    page = client.post(link)
    html = text(page)
    assert page.status_code == 403
    assert "sent to j***@agency.com" in html
    assert "Log out, then log in or sign up with j***@agency.com" in html
    assert "jane@agency.com" not in html
    # the page's own Log out button comes back to this invitation
    assert f'<input type="hidden" name="next" value="{link}">' in html
    assert "Accept Invite" not in html
    out = client.post("/logout/", {"next": link})
    assert out.status_code == 302 and out.url == link
    back = text(client.get(link))
    assert "Create an account" in back
    invitation = Invitation.objects.get(pk=sent.invitation.pk)
    assert invitation.state == InvitationState.PENDING and invitation.membership is None


def test_accept_without_logging_in_is_refused_politely(client, center, as_owner):
    [sent] = invitations.invite(as_owner, center, ["jane@agency.com"])
    page = client.post(path_of(sent.link))
    assert page.status_code == 403 and "Log in or sign up first" in text(page)


def test_expired_link_says_when_and_to_ask_for_a_resend(client, center, as_owner, make_user):
    [sent] = invitations.invite(as_owner, center, ["jane@agency.com"])
    link = path_of(sent.link)
    jane = make_user("jane@agency.com")
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        client.force_login(jane)  # a fresh session: the first would have expired by now
        seen = client.get(link)
        tried = client.post(link)
    for page in (seen, tried):
        html = text(page)
        assert page.status_code == 410
        assert "expired on" in html and "Ask an Admin of Brand Co to resend it" in html
        assert "Accept Invite" not in html
    assert Invitation.objects.get(pk=sent.invitation.pk).membership is None


def test_resent_link_kills_the_old_one(client, center, as_owner):
    [sent] = invitations.invite(as_owner, center, ["jane@agency.com"])
    fresh = invitations.resend(as_owner, center, sent.invitation.pk)
    old = client.get(path_of(sent.link))
    assert old.status_code == 410 and "replaced by a newer invitation" in text(old)
    assert client.get(path_of(fresh.link)).status_code == 200


def test_cancelled_link_says_so(client, center, as_owner, make_user):
    [sent] = invitations.invite(as_owner, center, ["jane@agency.com"])
    invitations.cancel(as_owner, center, sent.invitation.pk)
    client.force_login(make_user("jane@agency.com"))
    for page in (client.get(path_of(sent.link)), client.post(path_of(sent.link))):
        assert page.status_code == 410
        assert "was cancelled by an Admin" in text(page)


def test_unknown_token_is_a_404_that_says_what_to_do(client, db):
    page = client.get("/invite/" + "x" * 43 + "/")
    html = text(page)
    assert page.status_code == 404
    assert "This invitation link is not valid" in html and "whole link" in html


# -- forms, errors, static ----------------------------------------------------------


def test_every_post_needs_its_csrf_token(db, make_user, center, as_owner):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/signup/", {"email": "x@agency.com",
                                    "password": PASSWORD}).status_code == 403
    [sent] = invitations.invite(as_owner, center, ["jane@agency.com"])
    strict.force_login(make_user("jane@agency.com"))
    assert strict.post(path_of(sent.link)).status_code == 403
    assert strict.post("/logout/").status_code == 403
    assert Invitation.objects.get(pk=sent.invitation.pk).state == InvitationState.PENDING
    # with the token the page itself rendered, the same POST goes through
    page = text(strict.get(path_of(sent.link)))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    done = strict.post(path_of(sent.link), {"csrfmiddlewaretoken": token})
    assert done.status_code == 302


def test_a_stale_form_gets_a_page_that_says_how_to_recover(db, settings):
    settings.CSRF_FAILURE_VIEW = "bizcenter.web.views.csrf_failure"
    page = Client(enforce_csrf_checks=True).post("/login/", {"username": "a@b.com"})
    assert page.status_code == 403
    assert "reload the page" in text(page) and "CSRF" not in text(page)


def test_a_crash_shows_a_friendly_page_without_internals(db, make_user, monkeypatch):
    from bizcenter.web import views

    def broken(user: object) -> NoReturn:
        raise RuntimeError("secret internals: connection to db-7 failed")

    monkeypatch.setattr(views, "memberships_of", broken)
    browser = Client(raise_request_exception=False)
    browser.force_login(make_user("kim@agency.com"))
    page = browser.get("/")
    html = text(page)
    assert page.status_code == 500
    assert "Something went wrong" in html and 'href="/static/web/app.css"' in html
    assert "secret internals" not in html and "Traceback" not in html


def test_forbidden_and_missing_pages_keep_the_layout(client, make_user, monkeypatch):
    from bizcenter.web import views

    def refuse(user: object) -> NoReturn:
        raise PermissionDenied("internal reason")

    client.force_login(make_user("kim@agency.com"))
    missing = client.get("/c/999999/nowhere/")
    assert missing.status_code == 404 and "Page not found" in text(missing)
    monkeypatch.setattr(views, "memberships_of", refuse)
    page = client.get("/")
    assert page.status_code == 403
    assert "ask an Admin" in text(page) and "internal reason" not in text(page)
    assert "Log out" in text(page)


def test_stylesheet_is_served_and_linked_from_every_page(client, db):
    css = client.get("/static/web/app.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    for url in ("/login/", "/signup/"):
        html = text(client.get(url))
        assert 'href="/static/web/app.css"' in html
        assert '<meta name="viewport"' in html
        # No inline script or style: only files of our own static (htmx), so a
        # Content-Security-Policy without 'unsafe-inline' can hold.
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts and all(re.search(r'src="/static/web/', s) for s in scripts)
        assert "</script>" in html and not re.search(r"<script[^>]*>[^<]", html)
        assert "style=" not in html
    assert client.get("/static/../settings.py").status_code == 404


def test_a_nul_character_in_a_search_or_a_form_is_a_400(client, owner, center):
    client.force_login(owner)
    search = client.get(f"/c/{center.pk}/partners/", {"q": "ann\x00"})
    assert search.status_code == 400 and b"NUL character" in search.content
    form = client.post(f"/c/{center.pk}/settings/", {"name": "Brand\x00Co", "timezone": "UTC",
                                                     "currency": "USD",
                                                     "two_factor_policy": "NOBODY"})
    assert form.status_code == 400
    center.refresh_from_db()
    assert center.name == "Brand Co"
