"""Logging in (issue 21): a person removed from every Business Center is told which one
removed them and when, instead of "You are not in any Business Center"; a person in
exactly one lands in it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bizcenter.centers.services import create_center, revoke_member, update_member
from tests.conftest import PASSWORD, act, join
from tests.support.web import plain


@pytest.fixture(autouse=True)
def _fast(quick_hashing):
    pass


@pytest.fixture
def maria(make_user):
    return make_user("maria@agency.com", name="Maria")


def log_in(client, address: str):
    answer = client.post("/login/", {"username": address, "password": PASSWORD})
    assert answer.status_code == 302, answer.content
    return client.get(answer.url, follow=True)


def test_a_revoked_person_reads_who_removed_them_and_when(client, center, as_owner, maria):
    member = join(as_owner, center, maria)
    with time_machine.travel("2026-12-07 15:00Z"):
        revoke_member(as_owner, center, member.pk)
    page = plain(log_in(client, "maria@agency.com"))
    assert ("Brand Co removed you on 2026-12-07. Ask its Admin if this is a mistake."
            in page)
    assert "You are not in any Business Center" not in page


def test_the_day_is_the_business_centers_own(client, center, as_owner, maria):
    from bizcenter.centers.services import update_center

    update_center(as_owner, center, timezone="Asia/Tokyo")
    member = join(as_owner, center, maria)
    with time_machine.travel("2026-12-07 20:00Z"):  # already the 8th in Tokyo
        revoke_member(as_owner, center, member.pk)
    assert "Brand Co removed you on 2026-12-08." in plain(log_in(client, "maria@agency.com"))


def test_an_ended_access_says_it_ended(client, center, as_owner, maria):
    member = join(as_owner, center, maria)
    update_member(as_owner, center, member.pk, expires_at=timezone.now() + timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        page = plain(log_in(client, "maria@agency.com"))
    assert "Your access to Brand Co ended on" in page


def test_someone_still_elsewhere_sees_their_centers_not_the_removal(client, center, as_owner,
                                                                    maria):
    member = join(as_owner, center, maria)
    create_center(act(maria), name="Maria Media")
    revoke_member(as_owner, center, member.pk)
    page = plain(log_in(client, "maria@agency.com"))
    assert "Maria Media" in page and "removed you" not in page


def test_a_person_never_in_one_is_invited_to_create_one(client, maria):
    page = plain(log_in(client, "maria@agency.com"))
    assert "You are not in any Business Center yet." in page
    assert "removed you" not in page


def test_back_in_after_a_new_invitation_no_removal_is_shown(client, center, as_owner, maria):
    member = join(as_owner, center, maria)
    revoke_member(as_owner, center, member.pk)
    join(as_owner, center, maria)
    page = plain(log_in(client, "maria@agency.com"))
    assert "removed you" not in page and "Brand Co" in page


def test_with_one_business_center_the_log_in_lands_in_it(client, center, as_owner, maria):
    join(as_owner, center, maria)
    answer = client.post("/login/", {"username": "maria@agency.com", "password": PASSWORD})
    assert answer.status_code == 302 and answer.url == f"/c/{center.pk}/"
    admin = client.__class__()
    answer = admin.post("/login/", {"username": "owner@brand.com", "password": PASSWORD})
    assert answer.url == f"/c/{center.pk}/partners/"  # an Admin: its Partners, as the list


def test_with_two_the_log_in_shows_the_list_and_a_next_is_kept(client, center, as_owner,
                                                               maria):
    join(as_owner, center, maria)
    create_center(act(maria), name="Maria Media")
    answer = client.post("/login/", {"username": "maria@agency.com", "password": PASSWORD})
    assert answer.url == "/"
    client.logout()
    answer = client.post("/login/?next=/account/security/",
                         {"username": "maria@agency.com", "password": PASSWORD})
    assert answer.url == "/account/security/"
