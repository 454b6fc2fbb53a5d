"""Fixtures shared by every test: people, a Business Center, and the outbox."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pyotp
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from bizcenter.access import engine
from bizcenter.accounts.models import User
from bizcenter.accounts.services import create_user
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import create_center
from bizcenter.core.actor import Actor
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from bizcenter.outbox import sms

PASSWORD = "a long passphrase 42"
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _fresh_access_caches():
    """Each test starts with no compiled access, as a new process would."""
    engine.reset_caches()
    yield
    engine.reset_caches()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts from zero, as if alone."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def one_rate_window() -> Iterator[None]:
    """Rate limits count in fixed windows that turn on the minute, the quarter hour and
    the hour (core/ratelimit.py). A test that counts up to a limit starts just after an
    hour turns, so all its calls fall in one window, as a quick person's would; one that
    straddled a turn would see its count start again from zero and fail at random."""
    turn = (int(time.time()) // 3600 + 1) * 3600
    with time_machine.travel(turn + 0.5, tick=True):
        yield


@pytest.fixture(autouse=True)
def _messages(settings):
    """Email and SMS go to memory, as Django's test runner does for email."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BIZCENTER_SMS_BACKEND = "bizcenter.outbox.sms.LocmemSmsBackend"
    sms.sent.clear()
    yield
    sms.sent.clear()


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(email: str | None = None, phone: str | None = None, name: str = "") -> User:
        return create_user(Actor.system("test"), email=email, phone=phone, name=name,
                       password=PASSWORD)

    return make


@pytest.fixture
def owner(make_user) -> User:
    return make_user("owner@brand.com", name="Olivia Owner")


@pytest.fixture
def center(owner) -> BusinessCenter:
    return create_center(Actor(owner, ip="203.0.113.7", via="test"), name="Brand Co")


@pytest.fixture
def as_owner(owner) -> Actor:
    return Actor(owner, ip="203.0.113.7", via="test")


def fresh_code(who: User | str) -> str:
    """A 2-step code that has not been used: each is accepted once, so a test that
    sends several codes within one 30-second step takes the next step's (the window
    accepts one step either side of now). Takes the person or their secret."""
    # Secrets are encrypted at rest, each time differently, so a person is found by
    # their secret in Python, not by the column.
    if isinstance(who, str):
        secret = who
        person = next((u for u in User.objects.exclude(totp_secret="")
                       if u.totp_secret == secret), None)
    else:
        person = User.objects.get(pk=who.pk)
        secret = person.totp_secret
    last = person.totp_last_step if person is not None else None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(timezone.now())
    return totp.generate_otp(max(now - 1, (last or 0) + 1))


def local_redis(db: int) -> str | None:
    """Database ``db`` of a Redis on its usual local port, if one answers there."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return f"redis://127.0.0.1:6379/{db}"
    except OSError:
        return None


def in_other_connection(job) -> None:
    """Run a change on a second database connection, as another app process would."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            job()
        except BaseException as exc:  # re-raised in the test thread below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if errors:
        raise errors[0]


def code_sent_to(address: str) -> str:
    """The newest code that proves ``address``, from what was delivered to it (run the
    worker first): the email's or the text message's ``code is 123456``."""
    import re

    bodies = [m.body for m in mail.outbox if address in m.to]
    bodies += [text["body"] for text in sms.sent if text["to"] == address]
    for body in reversed(bodies):
        if found := re.search(r"code is:?\s*(\d{6})", body):
            return found.group(1)
    raise AssertionError(f"no code was delivered to {address}")


def built_once(django_db_blocker, build: Callable[[], T], **settings: object) -> Iterator[T]:
    """What ``build`` makes, once for a module-scoped fixture: inside a transaction rolled
    back when the module is done, so each test runs in a savepoint of it, as
    pytest-django nests them. ``settings`` apply while it is built."""
    from django.db import transaction
    from django.test import override_settings

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(**settings):
                engine.reset_caches()
                built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        engine.reset_caches()


def act(user: User) -> Actor:
    return Actor(user, ip="198.51.100.1", via="test")


def partner_up(as_owner: Actor, owner: Any, partner: Any) -> Any:
    """An active partnership: the owner's Admin asks, and an Admin of the partner accepts."""
    from bizcenter.assets import partners
    from bizcenter.centers.models import Membership

    link = partners.request_partner(as_owner, owner, partner.public_id)
    admin = (Membership.objects.active().filter(center=partner, role="ADMIN")
             .select_related("user").order_by("pk").first())
    assert admin is not None, f"{partner} has no Admin to accept the partner request"
    return partners.accept(act(admin.user), partner, link.pk)


def token_of(link: str) -> str:
    """The token at the end of an invitation link."""
    return link.rstrip("/").rsplit("/", 1)[-1]


def join(as_admin: Actor, center: BusinessCenter, person: User, **grant) -> Membership:
    """Invite this person into the center and accept for them, as they would."""
    [result] = invitations.invite(as_admin, center, [person.email or person.phone],
                                  Grant(**grant))
    assert result.ok, result.message
    return invitations.accept(act(person), token_of(result.link))


@pytest.fixture
def quick_hashing(settings):
    """For tests that are not about passwords; Argon2 is tested with sign-up."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def run_worker(db, monkeypatch) -> Callable[[], None]:
    """Run the real background worker until the task queue is empty.

    The worker closes stale connections between tasks, which would end the
    test's own transaction; inside a test that step is skipped.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)

    return run


@pytest.fixture
def mailbox() -> list:
    return mail.outbox


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def spend(center: BusinessCenter, account: Any, amount: str, day: Any) -> None:
    """An ad account spent ``amount`` on ``day``, as the ad platform reports it: one more
    (disabled) campaign's daily metrics, loaded as an import loads them. Billing's spend
    follows from the metrics, the only way it is written (billing/spend.py)."""
    from bizcenter.assets.models import Asset
    from bizcenter.campaigns.models import Campaign
    from bizcenter.reporting.services import load_metrics

    asset = account if isinstance(account, Asset) else Asset.objects.get(pk=account)
    campaign = Campaign.objects.create(
        advertiser=asset, name=f"Spend {Campaign.objects.count() + 1}", objective="TRAFFIC",
        status="DISABLE")
    load_metrics(Actor.system("reporting"), center, [(1, {
        "campaign_id": str(campaign.pk), "date": str(day), "spend": str(amount),
        "impressions": "1000", "clicks": "10", "conversions": "1"})])
