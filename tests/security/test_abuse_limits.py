"""Brute force and abuse: 2-step codes per account, invitations per Business Center in
every door (hourly rate) and per day (a cap counted in the database, which the CSV
import stops at cleanly), sign-ups per network, and a troubleshooter that does not tell
an Admin which strangers have accounts."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from bizcenter.access.troubleshoot import troubleshoot
from bizcenter.accounts import two_factor
from bizcenter.accounts.models import User
from bizcenter.accounts.tokens import create_token
from bizcenter.audit.models import AuditEvent
from bizcenter.core.ratelimit import RateLimited
from bizcenter.invitations import imports
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import ImportState, Invitation, InviteImport
from bizcenter.invitations.services import Grant
from tests.conftest import PASSWORD, act, fresh_code, local_redis

pytestmark = pytest.mark.usefixtures("quick_hashing", "one_rate_window")


# -- 2-step codes ---------------------------------------------------------------------------


@pytest.fixture
def kim(make_user) -> tuple[User, str]:
    user = make_user("kim@agency.com", name="Kim")
    setup = two_factor.start(act(user))
    two_factor.confirm(act(user), fresh_code(setup.secret))
    cache.clear()  # confirming used one try
    user.refresh_from_db()
    return user, setup.secret


def _password_step(address: str = "kim@agency.com") -> Client:
    client = Client()
    assert client.post("/login/", {"username": address,
                                   "password": PASSWORD}).status_code == 302
    return client


def test_two_step_codes_are_limited_per_account_across_sessions(kim, settings):
    """The log-in prompt allows five wrong codes per password step; the account-wide
    count stops a guesser who simply logs in with the password again and again."""
    _, secret = kim
    settings.BIZCENTER_TWO_FACTOR_RATE = 4
    for _ in range(2):  # two sessions, two wrong codes each: under each session's limit
        client = _password_step()
        for _ in range(2):
            assert client.post("/login/code/", {"code": "000000"}).status_code == 400
    late = _password_step("KIM@agency.com")  # another spelling, another session
    refused = late.post("/login/code/", {"code": fresh_code(secret)})
    assert refused.status_code == 429
    assert "Too many 2-step codes tried for this account" in refused.content.decode()
    assert int(refused["Retry-After"]) >= 1
    assert late.get("/").status_code == 302  # even the right code waits: nobody logged in
    cache.clear()  # the window passes
    assert late.post("/login/code/", {"code": fresh_code(secret)}).status_code == 302


def test_turning_two_step_off_counts_against_the_same_limit(kim, settings, client):
    user, secret = kim
    settings.BIZCENTER_TWO_FACTOR_RATE = 2
    client.force_login(user)
    for _ in range(2):
        page = client.post("/account/security/", {"step": "disable", "code": "000000",
                                                  "confirmed": "1"})
        assert page.status_code == 400
    page = client.post("/account/security/", {"step": "disable", "confirmed": "1",
                                              "code": fresh_code(secret)})
    assert page.status_code == 429 and int(page["Retry-After"]) >= 1
    assert "Too many 2-step codes" in page.content.decode()
    user.refresh_from_db()
    assert user.has_two_factor


def test_confirming_a_new_authenticator_is_limited_too(make_user, settings):
    user = make_user("lee@agency.com")
    settings.BIZCENTER_TWO_FACTOR_RATE = 2
    setup = two_factor.start(act(user))
    for _ in range(2):
        with pytest.raises(Exception, match="not the one your authenticator shows"):
            two_factor.confirm(act(user), "000000")
    with pytest.raises(RateLimited):
        two_factor.confirm(act(user), fresh_code(setup.secret))


# -- invitations: the hourly rate, in every door ---------------------------------------------


def _count(center) -> int:
    return Invitation.objects.filter(center=center).count()


def test_the_hourly_invitation_rate_holds_in_the_web_door(client, owner, center, settings):
    settings.BIZCENTER_INVITE_RATE = 3
    client.force_login(owner)
    url = f"/c/{center.pk}/partners/add/"
    form = {"role": "STANDARD", "modules": ["ANALYTICS"], "kind": "other"}
    assert client.post(url, {**form, "addresses": "a@x.com\nb@x.com"}).status_code == 200
    page = client.post(url, {**form, "addresses": "c@x.com\nd@x.com"})
    assert "Too many invitations sent from Brand Co" in page.content.decode()
    assert _count(center) == 2


def test_the_hourly_invitation_rate_holds_in_the_api(owner, center, as_owner, settings):
    settings.BIZCENTER_INVITE_RATE = 3
    token = create_token(as_owner, center, "script").secret
    client = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/v1/centers/{center.pk}/invitations"
    ok = client.post(url, {"addresses": ["a@x.com", "b@x.com", "c@x.com"]},
                     content_type="application/json")
    assert ok.status_code == 201
    refused = client.post(url, {"addresses": ["d@x.com"]}, content_type="application/json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "rate_limited"
    assert _count(center) == 3


def test_the_hourly_invitation_rate_holds_in_the_compatible_api(owner, center, as_owner,
                                                                 settings):
    settings.BIZCENTER_INVITE_RATE = 1
    token = create_token(as_owner, center, "sdk").secret
    client = Client(headers={"Access-Token": token})

    def invite(email: str) -> dict:
        response = client.post("/open_api/v1.3/bc/member/invite/",
                               json.dumps({"bc_id": str(center.pk), "emails": [email]}),
                               content_type="application/json")
        return response.json()

    assert invite("a@x.com")["code"] == 0
    refused = invite("b@x.com")
    assert refused["code"] == 40100 and "Too many invitations" in refused["message"]
    assert _count(center) == 1


def test_the_hourly_invitation_rate_holds_in_the_cli(owner, center, settings, capsys):
    from bizcenter.cli import main

    settings.BIZCENTER_INVITE_RATE = 1
    for address, expected in (("a@x.com", 0), ("b@x.com", 1)):
        with pytest.raises(SystemExit) as done:
            main(["invite", str(center.pk), address, "--as", owner.email])
        assert (done.value.code or 0) == expected
    assert "Too many invitations sent from Brand Co" in capsys.readouterr().err
    assert _count(center) == 1


def test_resending_counts_against_the_rate(center, as_owner, settings):
    settings.BIZCENTER_INVITE_RATE = 2
    [sent] = invitations.invite(as_owner, center, ["a@x.com"])
    assert sent.invitation is not None
    invitations.resend(as_owner, center, sent.invitation.pk)
    with pytest.raises(RateLimited):
        invitations.resend(as_owner, center, sent.invitation.pk)


def test_a_stranger_does_not_use_up_a_centers_rate(center, as_owner, make_user, settings):
    settings.BIZCENTER_INVITE_RATE = 2
    intruder = make_user("intruder@evil.com")
    for _ in range(3):
        with pytest.raises(Exception, match=r"not a member|does not exist|No Business"):
            invitations.invite(act(intruder), center, ["a@x.com", "b@x.com"])
    assert len(invitations.invite(as_owner, center, ["a@x.com", "b@x.com"])) == 2


# -- invitations: the daily cap, from the database -------------------------------------------


def test_the_daily_cap_invites_what_fits_then_refuses_saying_until_when(center, as_owner,
                                                                        settings):
    settings.BIZCENTER_INVITE_DAILY_CAP = 3
    first = invitations.invite(as_owner, center, ["a@x.com", "b@x.com"])
    assert all(r.ok for r in first)
    second = invitations.invite(as_owner, center, ["c@x.com", "d@x.com"])
    assert [r.status for r in second] == ["invited", "limit_reached"]
    assert "BIZCENTER_INVITE_DAILY_CAP" in second[1].message
    with pytest.raises(RateLimited) as refused:
        invitations.invite(as_owner, center, ["e@x.com"])
    message = refused.value.message
    assert refused.value.code == "daily_cap_reached" and refused.value.status == 429
    assert "sent its 3 invitations for the last 24 hours" in message
    frees = (Invitation.objects.filter(center=center).earliest("sent_at").sent_at
             + timedelta(hours=24))
    assert f"{frees:%Y-%m-%d %H:%M} UTC" in message
    assert 23 * 3600 < refused.value.retry_after <= 24 * 3600 + 1
    # Counted in the database: another process, with its own empty cache, agrees.
    cache.clear()
    with pytest.raises(RateLimited):
        invitations.invite(as_owner, center, ["e@x.com"])
    assert _count(center) == 3
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        [later] = invitations.invite(as_owner, center, ["e@x.com"])
        assert later.ok


def test_the_daily_cap_is_per_business_center(center, as_owner, make_user, settings):
    """Another Business Center's Admin is not held back by Brand Co's cap (the same
    Admin is: the cap counts per inviting account too, see test_person_limits.py)."""
    from bizcenter.centers.services import create_center

    settings.BIZCENTER_INVITE_DAILY_CAP = 1
    invitations.invite(as_owner, center, ["a@x.com"])
    boss = make_user("boss@other.com")
    other = create_center(act(boss), name="Other Co")
    assert invitations.invite(act(boss), other, ["a@x.com"])[0].ok


def test_resend_is_refused_at_the_daily_cap(center, as_owner, settings):
    settings.BIZCENTER_INVITE_DAILY_CAP = 1
    [sent] = invitations.invite(as_owner, center, ["a@x.com"])
    assert sent.invitation is not None
    with pytest.raises(RateLimited, match="BIZCENTER_INVITE_DAILY_CAP"):
        invitations.resend(as_owner, center, sent.invitation.pk)


def test_the_api_answers_the_daily_cap_with_429_and_retry_after(center, as_owner, settings):
    settings.BIZCENTER_INVITE_DAILY_CAP = 1
    invitations.invite(as_owner, center, ["a@x.com"])
    token = create_token(as_owner, center, "script").secret
    refused = Client(headers={"Authorization": f"Bearer {token}"}).post(
        f"/api/v1/centers/{center.pk}/invitations", {"addresses": ["b@x.com"]},
        content_type="application/json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 3600
    assert refused.json()["error"]["code"] == "daily_cap_reached"


def test_a_csv_import_stops_cleanly_at_the_daily_cap(center, as_owner, settings, run_worker):
    settings.BIZCENTER_INVITE_DAILY_CAP = 120
    rows = "email\n" + "".join(f"p{i}@agency.com\n" for i in range(200))
    job = imports.start_import(as_owner, center, rows.encode(), Grant())
    run_worker()
    job = InviteImport.objects.get(pk=job.pk)
    assert job.state == ImportState.FAILED and job.finished
    # Batches of 50: two whole ones, the third fills the cap (20 invited, 30 not), and
    # the fourth is refused before anything of it is written: its rows and the rest are
    # reported as not reached, so the counts still add up to the file.
    assert job.processed == 150
    assert job.counts == {"invited": 120, "limit_reached": 30, "stopped": 50}
    assert job.error.startswith("after 150 of 200 rows.")
    assert "BIZCENTER_INVITE_DAILY_CAP" in job.error
    assert _count(center) == 120
    stopped = AuditEvent.objects.get(center=center, action="invitation.import_stopped")
    assert stopped.after["processed"] == 150 and stopped.after["reason"] == "daily_cap_reached"


def test_an_import_is_refused_at_upload_when_the_cap_is_already_reached(client, owner,
                                                                        center, as_owner,
                                                                        settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.BIZCENTER_INVITE_DAILY_CAP = 1
    invitations.invite(as_owner, center, ["a@x.com"])
    client.force_login(owner)
    page = client.post(f"/c/{center.pk}/partners/add/", {
        "role": "STANDARD", "modules": ["ANALYTICS"], "kind": "other", "addresses": "",
        "file": SimpleUploadedFile("people.csv", b"b@x.com\nc@x.com\n")})
    assert "BIZCENTER_INVITE_DAILY_CAP" in page.content.decode()
    assert not InviteImport.objects.filter(center=center).exists()


# -- sign-up ---------------------------------------------------------------------------------


def test_sign_ups_are_limited_per_network(settings, db):
    settings.BIZCENTER_SIGNUP_RATE = 2
    here = Client(REMOTE_ADDR="203.0.113.50")
    for n in range(2):
        page = here.post("/signup/", {"email": f"new{n}@x.com", "password": PASSWORD})
        assert page.status_code == 302
        here.post("/logout/")
    refused = here.post("/signup/", {"email": "new2@x.com", "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many sign-ups from this network" in refused.content.decode()
    assert not User.objects.filter(email="new2@x.com").exists()
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    assert elsewhere.post("/signup/", {"email": "new2@x.com",
                                       "password": PASSWORD}).status_code == 302


# -- the troubleshooter does not enumerate accounts ------------------------------------------


def test_the_troubleshooter_answers_strangers_alike_account_or_not(center, as_owner,
                                                                    make_user):
    make_user("has.account@else.com")
    with_account = troubleshoot(as_owner, center, "has.account@else.com", "center.view")
    without = troubleshoot(as_owner, center, "no.account@else.com", "center.view")
    assert with_account.code == without.code == "not_in_center"
    assert with_account.as_text() == without.as_text().replace("no.account", "has.account")
    # Once Brand Co invites the address, the Admin learns what became of the invitation,
    # in the same words account or not (tests/security/test_troubleshooter_disclosure.py).
    invitations.invite(as_owner, center, ["has.account@else.com", "no.account@else.com"])
    with_account = troubleshoot(as_owner, center, "has.account@else.com", "center.view")
    without = troubleshoot(as_owner, center, "no.account@else.com", "center.view")
    assert with_account.code == without.code == "invitation_pending"
    assert with_account.as_text() == without.as_text().replace("no.account", "has.account")


# -- password reset ----------------------------------------------------------------------------


def test_reset_requests_are_limited_per_address_alike_for_every_address(make_user, settings,
                                                                        mailbox, run_worker):
    """Nobody can flood a person with reset messages, and the limit says nothing about
    whether the address has an account: it answers the same for one that does not."""
    make_user("kim@agency.com")
    settings.BIZCENTER_RESET_RATE = 2
    answers = {}
    for address in ("kim@agency.com", "ghost@agency.com"):
        client = Client()
        for _ in range(2):
            assert client.post("/password/reset/", {"address": address}).status_code == 302
        refused = client.post("/password/reset/", {"address": address.upper()})
        assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
        page = refused.content.decode().replace(address.upper(), "ADDRESS")
        answers[address] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    assert answers["kim@agency.com"] == answers["ghost@agency.com"]
    assert "Too many reset requests for this address" in answers["ghost@agency.com"]
    run_worker()
    assert len(mailbox) == 2  # two for Kim, none for the address without an account


# -- counting in Redis, as several app processes do ------------------------------------------


@pytest.fixture
def in_redis(settings) -> str:
    """Redis as the cache, as several app processes use it; its URL."""
    url = local_redis(13)
    if url is None:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "bizcenter.core.cache.Redis", "LOCATION": url}}
    return url


def test_limits_counted_in_redis_hold_across_processes_and_expire(in_redis):
    """With Redis as the cache, every process adds to one counter per window (one round
    trip, a script), the limit refuses past it, and counters do not outlive it."""
    import uuid

    import redis
    from django.core.cache import caches

    from bizcenter.core.ratelimit import hit

    key = f"script-{uuid.uuid4().hex}"
    hit("test", key, 3, 60)
    caches["default"].close()  # the next calls come as from another process
    hit("test", key, 3, 60, cost=2)
    with pytest.raises(RateLimited, match="at most 3 per 60 seconds") as refused:
        hit("test", key, 3, 60)
    assert 1 <= refused.value.retry_after <= 60

    server = redis.Redis.from_url(in_redis)
    [counter] = server.keys("*rl:test:*")
    assert int(server.get(counter)) == 4  # read back by Django's cache as the integer
    assert caches["default"].get(counter.decode().split(":", 2)[2]) == 4
    assert 0 < server.ttl(counter) <= 61
    server.delete(counter)


def test_a_process_tells_redis_its_api_calls_a_few_at_a_time_and_is_never_wrong_to_refuse(
        in_redis):
    """A count may run behind by a fiftieth of its limit across processes, so the
    API's calls mostly cost no round trip to Redis; within one process the limit is
    exact, and each process's view includes everyone's calls as of its last visit."""
    import threading
    import uuid

    import redis
    from django.core.cache import caches

    from bizcenter.core.cache import Redis
    from bizcenter.core.ratelimit import hit

    key = f"token-{uuid.uuid4().hex}"
    for _ in range(100):  # a limit of 100: 2 calls may wait in each process
        hit("slack", key, 100, 3600)
    with pytest.raises(RateLimited, match="at most 100 per 3600 seconds"):
        hit("slack", key, 100, 3600)

    one = caches["default"]
    other = Redis(in_redis, {})  # another process: its own unsent counts
    other._unsent, other._sending = {}, threading.Lock()
    server = redis.Redis.from_url(in_redis)
    name = f"slack-{uuid.uuid4().hex}"
    stored = lambda: int(server.get(one.make_and_validate_key(name)) or 0)  # noqa: E731
    assert one.count(name, 1, 60, slack=5) == 1 and stored() == 1  # the first is sent
    assert [one.count(name, 1, 60, slack=5) for _ in range(5)] == [2, 3, 4, 5, 6]
    assert stored() == 1  # five wait here, at most the slack
    assert other.count(name, 1, 60, slack=5) == 2  # it does not see them yet
    assert one.count(name, 1, 60, slack=5) == 8  # the sixth sends all six: 7 + other's 1
    assert stored() == 8
    assert other.count(name, 4, 60, slack=5) == 6  # its own view, still as of its visit
    assert other.count(name, 2, 60, slack=5) == 14 and stored() == 14
    assert 0 < server.ttl(one.make_and_validate_key(name)) <= 60
    server.delete(one.make_and_validate_key(name))


def test_counters_in_local_memory_count_per_window_and_stay_bounded(monkeypatch):
    """One process alone counts in its own memory: a window's counter grows with each
    call, whichever thread makes it, a new window starts from zero, clearing the cache
    clears the counters, and a flood of keys drops the counters whose window is over
    before any live one."""
    import uuid

    from bizcenter.core.cache import LocalMemory

    name = f"counters-{uuid.uuid4().hex}"
    local = LocalMemory(name, {})
    clock = [1000.0]
    monkeypatch.setattr("bizcenter.core.cache.time.monotonic", lambda: clock[0])
    assert [local.count("a", 1, 60), local.count("a", 2, 60), local.count("b", 1, 60)] == [
        1, 3, 1]
    # Django gives each thread a backend object of its own; they count together.
    assert LocalMemory(name, {}).count("a", 1, 60) == 4 and local.count("a", 0, 60) == 4
    clock[0] += 61  # a's window is over
    assert local.count("a", 1, 60) == 1
    local.clear()
    assert local.count("a", 1, 60) == 1

    monkeypatch.setattr(LocalMemory, "COUNTERS", 3)
    local.count("live", 1, 600)
    local.count("old-1", 1, 10)
    clock[0] += 61  # old-1 and a are over; live is not
    local.count("new-1", 1, 60)  # the full table drops what is over, not "live"
    local.count("new-2", 1, 60)
    assert local.count("live", 1, 600) == 2
