"""How long a web session lasts: it ends after BIZCENTER_SESSION_IDLE_HOURS without a
request, BIZCENTER_SESSION_MAX_DAYS after its log-in whatever happens, and at once when
its person signs out everywhere (``User.sessions_valid_after``; a password reset may set
it too). API tokens are not sessions and are not affected.

A session remembers when it began (set at log-in, from Django's ``user_logged_in``
signal, so every way of logging in is covered) and when it was last seen. The last-seen
time is written at most once a minute, so an ordinary page costs no write, and the check
reads only the session and the user that the page loads anyway: no query of its own.

Each log-in is also a ``WebSession`` row (who, when, which browser, from where) so the
person can list their sessions and end one (``end_session``) or all the others
(``end_other_sessions``). Ending one deletes it from Django's session store: its very
next request is anonymous. The row's last-seen time is written with the once-a-minute
note, which also catches a session ended while its key was being changed.

A log-in from a browser and address this person never used before sends them an email
(``messages.render_sign_in_alert``); the very first log-in of an account does not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from bizcenter.accounts.addresses import Address, AddressKind
from bizcenter.accounts.models import User, WebSession
from bizcenter.accounts.useragent import describe
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.core.actor import Actor
from bizcenter.core.errors import NotAllowed, NotFound

STARTED = "bizcenter.session_started"  # POSIX seconds of the log-in
SEEN = "bizcenter.session_seen"  # POSIX seconds of the last request noted
ROW = "bizcenter.session_row"  # the WebSession row's id
NOTE_EVERY = 60  # seconds between two notes of the last-seen time
# Doors that never use the session (tokens, health checks, files): not checked, so a
# browser's cookie sent along costs them nothing.
UNCHECKED = ("/api/", "/open_api/", "/static/", "/healthz", "/readyz")


def _hours(hours: int) -> str:
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _days(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''}"


@receiver(user_logged_in)
def session_began(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    now = timezone.now()
    session[STARTED] = now.timestamp()
    session[SEEN] = now.timestamp()
    assert request is not None
    if session.session_key is None:
        session.save()  # a store that keys a session only when saved
    row = _remember(request, user, now)
    session[ROW] = row.pk


def _remember(request: HttpRequest, user: User, now: datetime) -> WebSession:
    """The row for a session that just began, and the sign-in alert if this browser and
    address are new for this person (never for an account's first log-in)."""
    agent = (request.META.get("HTTP_USER_AGENT") or "")[:300]
    device = describe(agent)[:80]
    ip = request.META.get("REMOTE_ADDR") or None
    earlier = WebSession.objects.filter(user=user)
    first = not earlier.exists()
    known = earlier.filter(device=device, ip=ip).exists()
    with transaction.atomic():
        row = WebSession.objects.create(user=user, session_key=request.session.session_key or "",
                                        user_agent=agent, device=device, ip=ip,
                                        started_at=now, last_seen_at=now)
        if not first and not known and user.email and user.verified(AddressKind.EMAIL):
            from bizcenter.outbox.services import build_to, queue

            queue([build_to(Address(AddressKind.EMAIL, user.email), "sign_in_alert",
                            {"session_id": row.pk})])
    return row


def why_ended(session: Any, user: User, now: datetime) -> str | None:
    """Why this session of ``user`` is over, worded for the person; None if it is not."""
    started, seen = session.get(STARTED), session.get(SEEN)
    at = now.timestamp()
    valid_after = user.sessions_valid_after
    if started is None:
        # Began before sessions remembered their start (an upgrade): it counts from its
        # first request since, so upgrading logs nobody out, as promised to accounts from
        # before; a sign-out everywhere since the upgrade ends it.
        if valid_after is None:
            return None
        started = 0.0
    if valid_after is not None and started < valid_after.timestamp():
        return (f"You were signed out: all sessions of your account were ended on "
                f"{valid_after:%Y-%m-%d %H:%M} UTC (“Sign out everywhere”, or a password "
                "reset). Log in again.")
    max_days = int(settings.BIZCENTER_SESSION_MAX_DAYS)
    if at - started > max_days * 86400:
        return (f"You were signed out: a session lasts at most {_days(max_days)} after "
                "logging in. Log in again to go on.")
    idle = int(settings.BIZCENTER_SESSION_IDLE_HOURS)
    if at - (seen or started) > idle * 3600:
        return (f"You were signed out after {_hours(idle)} without activity. Log in again "
                "to go on.")
    return None


class SessionLimits:
    """Ends a session that is idle too long, too old, or from before a sign-out
    everywhere, and sends the person to log in with a message saying why. Placed after
    Django's authentication and message middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(UNCHECKED) and request.user.is_authenticated:
            user: User = request.user  # type: ignore[assignment]
            session = request.session
            now = timezone.now()
            if reason := why_ended(session, user, now):
                logout(request)  # the session's data and key are gone; a new one follows
                messages.info(request, reason)
                return redirect_to_login(request.get_full_path())
            if STARTED not in session:
                session[STARTED] = now.timestamp()  # a session from before: from now
            if now.timestamp() - session.get(SEEN, 0) >= NOTE_EVERY:
                session[SEEN] = now.timestamp()  # saved with the response: once a minute
                if not _noted(request, user, now):
                    logout(request)
                    messages.info(request, ENDED)
                    return redirect_to_login(request.get_full_path())
        return self.get_response(request)


ENDED = "You were logged out: this session was ended from another of your sessions."


def _noted(request: HttpRequest, user: User, now: datetime) -> bool:
    """Note the last-seen time (and the current key) on the session's row; False if the
    row was ended meanwhile. A session from before rows existed gets one now."""
    session = request.session
    row = session.get(ROW)
    if row is None:
        if session.session_key is None:
            session.save()
        session[ROW] = WebSession.objects.create(
            user=user, session_key=session.session_key or "",
            user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:300],
            device=describe(request.META.get("HTTP_USER_AGENT") or "")[:80],
            ip=request.META.get("REMOTE_ADDR") or None,
            started_at=datetime.fromtimestamp(session[STARTED], tz=now.tzinfo),
            last_seen_at=now).pk
        return True
    return bool(WebSession.objects.filter(pk=row, user=user, ended_at__isnull=True)
                .update(last_seen_at=now, session_key=session.session_key or ""))


def follow_key(request: HttpRequest) -> None:
    """After Django changed this session's key (a password change keeps the session
    with a new key): the row follows it, so ending the session still finds it."""
    row = request.session.get(ROW)
    if row is not None and request.session.session_key:
        WebSession.objects.filter(pk=row).update(session_key=request.session.session_key)


def _store(key: str) -> Any:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=key)


def _alive(row: WebSession, user: User, now: datetime) -> bool:
    """The session behind the row still lets its browser in: in the store, for this
    person with their current password, and within the limits above."""
    data = _store(row.session_key).load()
    if not data or str(data.get("_auth_user_id")) != str(user.pk):
        return False
    if data.get(HASH_SESSION_KEY) != user.get_session_auth_hash():
        return False  # the password changed since: Django ends it on its next request
    return why_ended(data, user, now) is None


def _live_rows(user: User) -> QuerySet[WebSession]:
    oldest = timezone.now() - timedelta(days=int(settings.BIZCENTER_SESSION_MAX_DAYS))
    rows = WebSession.objects.filter(user=user, ended_at__isnull=True, started_at__gt=oldest)
    if user.sessions_valid_after is not None:
        rows = rows.filter(started_at__gte=user.sessions_valid_after)
    return rows.order_by("-last_seen_at", "-pk")


def active_sessions(user: User) -> list[WebSession]:
    """The person's web sessions that still work, the latest used first."""
    now = timezone.now()
    return [row for row in _live_rows(user) if _alive(row, user, now)]


def _end(rows: list[WebSession], now: datetime) -> None:
    WebSession.objects.filter(pk__in=[r.pk for r in rows]).update(ended_at=now)
    for row in rows:
        row.ended_at = now
        _store(row.session_key).delete()


def end_session(actor: Actor, session_id: int | str) -> WebSession:
    """End one of the acting person's own web sessions: its next request is logged out.
    Another person's session, or one already over, is not found, whatever its id."""
    user = actor.user
    if user is None:
        raise NotAllowed("Log in first to end a session.")
    with transaction.atomic():
        row = (_live_rows(user).select_for_update().filter(pk=int(session_id)).first()
               if str(session_id).isdigit() else None)
        if row is None:
            raise NotFound(f"You have no active session with id {session_id}. It may have "
                           "ended already: reload the list.", code="no_session")
        now = timezone.now()
        _end([row], now)
        record(actor, center=None, category=Category.USER, action="account.session_ended",
               target=user, after={"device": row.device, "ip": row.ip or "unknown"})
    return row


def end_other_sessions(actor: Actor, keep_key: str | None) -> int:
    """End every web session of the acting person but the one with ``keep_key`` (the
    one they act from); how many ended. API tokens keep working."""
    user = actor.user
    if user is None:
        raise NotAllowed("Log in first to end your other sessions.")
    with transaction.atomic():
        rows = list(_live_rows(user).select_for_update().exclude(session_key=keep_key or ""))
        now = timezone.now()
        _end(rows, now)
        record(actor, center=None, category=Category.USER,
               action="account.other_sessions_ended", target=user,
               after={"sessions": len(rows)})
    return len(rows)


def end_all_sessions(user: User) -> None:
    """Every session of the person ends now (their account is deleted). In the
    caller's transaction."""
    now = timezone.now()
    _end(list(WebSession.objects.filter(user=user, ended_at__isnull=True)), now)
    User.objects.filter(pk=user.pk).update(sessions_valid_after=now)
    user.sessions_valid_after = now


def sign_out_everywhere(actor: Actor) -> User:
    """End every web session of the acting person, this one included: each is refused
    on its next request. API tokens keep working (revoke them on their own page)."""
    user = actor.user
    if user is None:
        raise NotAllowed("Log in first to sign out everywhere.")
    with transaction.atomic():
        now = timezone.now()
        User.objects.filter(pk=user.pk).update(sessions_valid_after=now)
        user.sessions_valid_after = now
        WebSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=now)
        record(actor, center=None, category=Category.USER,
               action="account.signed_out_everywhere", target=user,
               after={"sessions_valid_after": now.isoformat()})
    return user
