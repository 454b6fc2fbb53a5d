"""Abuse has a ceiling per person, not only per Business Center: one account makes at
most BIZCENTER_CENTERS_PER_DAY Business Centers a day, and the hourly rate and the
daily cap of invitations count what one account sends from all its Business Centers
together, in every door. (The attack: one new account made 30 Business Centers, each
with its own invitation caps, and relayed spam through the operator's SMTP and SMS.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from bizcenter.accounts.tokens import create_token
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import create_center
from bizcenter.core.ratelimit import RateLimited
from bizcenter.invitations import imports
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InviteImport
from bizcenter.invitations.services import Grant
from tests.conftest import act, join

pytestmark = pytest.mark.usefixtures("quick_hashing", "one_rate_window")


def _made_by(user) -> int:
    return AuditEvent.objects.filter(actor=user, action="center.created").count()


# -- Business Centers a day ---------------------------------------------------------------


def test_the_sixth_business_center_of_the_day_is_refused_naming_the_limit(owner, make_user):
    me = act(owner)
    for n in range(5):
        create_center(me, name=f"Brand {n}")
    with pytest.raises(RateLimited) as refused:
        create_center(me, name="URGENT: account locked, call +1 555 0100")
    error = refused.value
    assert (error.status, error.code) == (429, "centers_per_day")
    first = AuditEvent.objects.filter(actor=owner, action="center.created").earliest(
        "created_at").created_at
    assert "created 5 Business Centers in the last 24 hours" in error.message
    assert "(5, BIZCENTER_CENTERS_PER_DAY)" in error.message
    assert f"next at {first + timedelta(hours=24):%Y-%m-%d %H:%M} UTC" in error.message
    assert 23 * 3600 < error.retry_after <= 24 * 3600 + 1
    assert _made_by(owner) == 5
    assert not BusinessCenter.objects.filter(name__startswith="URGENT").exists()
    # Someone else is not held back; and a day later the owner may go on.
    assert create_center(act(make_user("kim@agency.com")), name="Kim Co")
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert create_center(me, name="Brand 6")


def test_the_limit_is_a_setting(owner, settings):
    settings.BIZCENTER_CENTERS_PER_DAY = 1
    create_center(act(owner), name="One")
    with pytest.raises(RateLimited, match=r"\(1, BIZCENTER_CENTERS_PER_DAY\)"):
        create_center(act(owner), name="Two")


def test_the_web_page_says_so(client, owner, settings):
    settings.BIZCENTER_CENTERS_PER_DAY = 2
    client.force_login(owner)
    form = {"timezone": "UTC", "currency": "USD", "company": ""}
    for name in ("One", "Two"):
        assert client.post("/centers/new/", {**form, "name": name}).status_code == 302
    page = client.post("/centers/new/", {**form, "name": "Three"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "You have created 2 Business Centers in the last 24 hours" in text
    assert "BIZCENTER_CENTERS_PER_DAY" in text and "You can create the next at" in text
    assert _made_by(owner) == 2


def test_the_cli_says_so(owner, settings, capsys):
    from bizcenter.cli import main

    settings.BIZCENTER_CENTERS_PER_DAY = 1
    for name, expected in (("One", 0), ("Two", 1)):
        with pytest.raises(SystemExit) as done:
            main(["create-center", name, "--owner", owner.email])
        assert (done.value.code or 0) == expected
    err = capsys.readouterr().err
    assert "You have created 1 Business Centers in the last 24 hours" in err
    assert "BIZCENTER_CENTERS_PER_DAY" in err
    assert _made_by(owner) == 1


# -- invitations: the hourly rate per inviting account ------------------------------------------


@pytest.fixture
def two(owner, center, as_owner) -> tuple[BusinessCenter, BusinessCenter]:
    """Two Business Centers of one account."""
    return center, create_center(as_owner, name="Second Co")


def test_the_hourly_rate_counts_one_account_across_its_business_centers(two, as_owner,
                                                                        make_user, settings):
    settings.BIZCENTER_INVITE_RATE = 3
    first, second = two
    kim = make_user("kim@agency.com")
    join(as_owner, second, kim, role="ADMIN")  # the owner's first invitation this hour
    assert all(r.ok for r in invitations.invite(as_owner, first, ["a@x.com", "b@x.com"]))
    with pytest.raises(RateLimited, match="invitations sent by your account from all its "
                                          "Business Centers: at most 3 per 3600"):
        invitations.invite(as_owner, second, ["c@x.com"])
    assert not Invitation.objects.filter(address="c@x.com").exists()
    # Another Admin of the second one has a rate of their own.
    assert invitations.invite(act(kim), second, ["d@x.com"])[0].ok


def test_the_hourly_rate_per_account_holds_in_the_api(two, as_owner, settings):
    settings.BIZCENTER_INVITE_RATE = 3
    first, second = two
    apis = [Client(headers={"Authorization": f"Bearer {create_token(as_owner, c, 's').secret}"})
            for c in two]
    ok = apis[0].post(f"/api/v1/centers/{first.pk}/invitations",
                      {"addresses": ["a@x.com", "b@x.com"]}, content_type="application/json")
    assert ok.status_code == 201
    refused = apis[1].post(f"/api/v1/centers/{second.pk}/invitations",
                           {"addresses": ["c@x.com", "d@x.com"]},
                           content_type="application/json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "sent by your account" in refused.json()["error"]["message"]


def test_the_hourly_rate_per_account_holds_in_the_web_door(client, owner, two, settings):
    settings.BIZCENTER_INVITE_RATE = 3
    first, second = two
    client.force_login(owner)
    form = {"role": "STANDARD", "modules": ["ANALYTICS"], "kind": "other"}
    client.post(f"/c/{first.pk}/partners/add/", {**form, "addresses": "a@x.com\nb@x.com"})
    page = client.post(f"/c/{second.pk}/partners/add/", {**form,
                                                          "addresses": "c@x.com\nd@x.com"})
    assert "Too many invitations sent by your account" in page.content.decode()
    assert not Invitation.objects.filter(center=second).exists()


# -- invitations: the daily cap per inviting account ----------------------------------------


def test_the_daily_cap_counts_one_account_across_its_business_centers(two, as_owner,
                                                                      make_user, settings):
    settings.BIZCENTER_INVITE_DAILY_CAP = 4
    first, second = two
    kim = make_user("kim@agency.com")
    join(as_owner, second, kim, role="ADMIN")  # the owner's first invitation today
    assert all(r.ok for r in invitations.invite(as_owner, first, ["a@x.com", "b@x.com"]))
    partly = invitations.invite(as_owner, second, ["c@x.com", "d@x.com"])
    assert [r.status for r in partly] == ["invited", "limit_reached"]
    assert "Your account has sent its 4 invitations for the last 24 hours" in partly[1].message
    with pytest.raises(RateLimited) as refused:
        invitations.invite(as_owner, first, ["e@x.com"])
    error = refused.value
    assert (error.status, error.code) == (429, "daily_cap_reached")
    assert "from all its Business Centers together" in error.message
    assert "BIZCENTER_INVITE_DAILY_CAP" in error.message
    oldest = Invitation.objects.filter(sent_by=as_owner.user).earliest("sent_at").sent_at
    assert f"{oldest + timedelta(hours=24):%Y-%m-%d %H:%M} UTC" in error.message
    assert 23 * 3600 < error.retry_after <= 24 * 3600 + 1
    assert Invitation.objects.filter(sent_by=as_owner.user).count() == 4
    # Neither Business Center is at its own cap (2 of 4 each): another Admin goes on.
    assert invitations.invite(act(kim), second, ["f@x.com"])[0].ok
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert invitations.invite(as_owner, first, ["e@x.com"])[0].ok


def test_a_resend_counts_for_whoever_resends(two, as_owner, owner, make_user, settings):
    settings.BIZCENTER_INVITE_DAILY_CAP = 3
    first, second = two
    kim = make_user("kim@agency.com")
    join(as_owner, second, kim, role="ADMIN")  # the owner's first
    [sent] = invitations.invite(act(kim), second, ["a@x.com"])
    assert sent.invitation is not None and sent.invitation.sent_by == kim
    invitations.resend(as_owner, second, sent.invitation.pk)  # now the owner's second
    assert Invitation.objects.get(pk=sent.invitation.pk).sent_by == owner
    now = timezone.now()
    assert invitations.sender_daily_room(owner, now) == 1
    assert invitations.sender_daily_room(kim, now) == 3
    assert invitations.invite(as_owner, first, ["b@x.com"])[0].ok
    with pytest.raises(RateLimited, match="Your account has sent its 3 invitations"):
        invitations.invite(as_owner, first, ["c@x.com"])


def test_the_daily_cap_per_account_holds_in_the_api(two, as_owner, settings):
    settings.BIZCENTER_INVITE_DAILY_CAP = 1
    first, second = two
    invitations.invite(as_owner, first, ["a@x.com"])
    token = create_token(as_owner, second, "script").secret
    refused = Client(headers={"Authorization": f"Bearer {token}"}).post(
        f"/api/v1/centers/{second.pk}/invitations", {"addresses": ["b@x.com"]},
        content_type="application/json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 3600
    error = refused.json()["error"]
    assert error["code"] == "daily_cap_reached" and "Your account has sent" in error["message"]


def test_the_daily_cap_per_account_holds_in_the_web_door_and_at_csv_upload(client, owner,
                                                                          two, as_owner,
                                                                          settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.BIZCENTER_INVITE_DAILY_CAP = 1
    first, second = two
    invitations.invite(as_owner, first, ["a@x.com"])
    client.force_login(owner)
    form = {"role": "STANDARD", "modules": ["ANALYTICS"], "kind": "other"}
    page = client.post(f"/c/{second.pk}/partners/add/", {**form, "addresses": "b@x.com"})
    assert "Your account has sent its 1 invitations" in page.content.decode()
    upload = client.post(f"/c/{second.pk}/partners/add/", {
        **form, "addresses": "", "file": SimpleUploadedFile("people.csv", b"b@x.com\n")})
    assert "Your account has sent its 1 invitations" in upload.content.decode()
    assert not InviteImport.objects.filter(center=second).exists()
    with pytest.raises(RateLimited, match="Your account has sent"):
        imports.start_import(as_owner, second, b"c@x.com\n", Grant())
    assert not Invitation.objects.filter(center=second).exists()


# -- racing requests of one person (PostgreSQL) ----------------------------------------------

def _racing(test):
    from tests.support.races import RACING

    for mark in reversed(RACING):
        test = mark(test)
    return test


@_racing
def test_parallel_requests_never_make_more_business_centers_than_the_limit(make_user):
    from tests.support.races import race

    owner = make_user("racer@brand.com")
    for n in range(4):
        create_center(act(owner), name=f"Brand {n}")
    outcomes = race([lambda n=n: create_center(act(owner), name=f"Race {n}")
                     for n in range(6)])
    made = [o for o in outcomes if isinstance(o, BusinessCenter)]
    assert len(made) == 1
    assert all(isinstance(o, RateLimited) for o in outcomes if o not in made)
    assert _made_by(owner) == 5


@_racing
def test_parallel_invitations_from_two_business_centers_stop_at_the_persons_cap(make_user,
                                                                               settings):
    from tests.support.races import race

    settings.BIZCENTER_INVITE_DAILY_CAP = 5
    owner = make_user("racer@brand.com")
    centers = [create_center(act(owner), name=f"Brand {n}") for n in range(2)]
    outcomes = race([lambda i=i: invitations.invite(act(owner), centers[i % 2],
                                                    [f"p{i}@agency.com"])[0]
                     for i in range(12)])
    sent = [o for o in outcomes if not isinstance(o, BaseException) and o.ok]
    assert len(sent) == 5
    assert Invitation.objects.filter(sent_by=owner).count() == 5
