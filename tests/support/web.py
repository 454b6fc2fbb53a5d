"""Reading the web pages as a person does (the words, the errors beside a field, the
menu, the switcher, the flash message, a table's rows), and what the center page
tests start from: an Admin's logged-in client, another company's Business Center and
an ad account. The fixtures are imported by the test modules that use them."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.http import HttpResponse
from django.test import Client

from bizcenter.assets.models import Asset
from bizcenter.assets.services import create_asset
from bizcenter.centers.models import Membership
from bizcenter.centers.services import create_center
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act


def member(as_admin, center, make_user, email, **grant) -> Membership:
    """Invite a new person and accept for them, as they would from the link."""
    [sent] = invitations.invite(as_admin, center, [email], Grant(**grant))
    assert sent.ok, sent.message
    person = make_user(email, name=email.split("@")[0].title())
    return invitations.accept(act(person), sent.link.rstrip("/").rsplit("/", 1)[-1])


def text(page: HttpResponse) -> str:
    """What the person reads, with HTML entities turned back into characters."""
    return htmllib.unescape(page.content.decode())


def raw(page: HttpResponse) -> str:
    return page.content.decode()


def plain(page: HttpResponse) -> str:
    """The words on the page, without markup, as a screen reader would say them."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", raw(page))).split())


def field_error(page: HttpResponse, field: str) -> str:
    """The error lines shown beside one input: the block whose id the input's
    aria-describedby names (web/_field.html)."""
    block = re.search(rf'id="id_{field}_error">(.*?)</div>', raw(page), re.S)
    if block is None:
        return ""
    return htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", block.group(1)).split()))


def nav_labels(page: HttpResponse) -> list[str]:
    """The Business Center's sections in the side menu (not the account's links, which
    the same menu holds for narrow screens)."""
    side = re.search(r'<nav class="side"[^>]*>\s*<ul>(.*?)</ul>', raw(page), re.S)
    return re.findall(r"<a [^>]*>([^<]+)</a>", side.group(1)) if side else []


def current_section(page: HttpResponse) -> str | None:
    side = re.search(r'<nav class="side"[^>]*>(.*?)</nav>', raw(page), re.S)
    found = re.search(r'aria-current="page">([^<]+)<', side.group(1)) if side else None
    return found.group(1) if found else None


def switcher(page: HttpResponse) -> list[str]:
    box = re.search(r'<details class="switcher">(.*?)</details>', raw(page), re.S)
    assert box, "no Business Center switcher"
    return [htmllib.unescape(n).strip() for n in
            re.findall(r'<a href="/c/\d+/"[^>]*>([^<]+)<span', box.group(1))]


def flash(page: HttpResponse) -> str:
    box = re.search(r'<ul class="flash"[^>]*>(.*?)</ul>', raw(page), re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", box.group(1))) if box else ""


def logged_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def admin(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def other_center(make_user):
    """Another company's Business Center, with its own Admin."""
    boss = make_user("boss@agency.com", name="Bo Boss")
    return create_center(act(boss), name="Agency Inc")


@pytest.fixture
def ads(center, as_owner) -> Asset:
    return create_asset(as_owner, center, type="ADVERTISER", name="Main ads")



def table_rows(page: HttpResponse) -> list[str]:
    """The words of each row of the page's table body (the access review, the log)."""
    body = re.search(r"<tbody>(.*?)</tbody>", raw(page), re.S).group(1)
    return [htmllib.unescape(re.sub(r"<[^>]+>", " ", r))
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def answer_box(page: HttpResponse) -> str:
    box = re.search(r'<section class="card answer[^>]*>(.*?)</section>', raw(page), re.S)
    assert box, "no answer on the page"
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", box.group(1))).split())
