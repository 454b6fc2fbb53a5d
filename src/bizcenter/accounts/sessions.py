"""How long a web session lasts: it ends after BIZCENTER_SESSION_IDLE_HOURS without a
request, BIZCENTER_SESSION_MAX_DAYS after its log-in whatever happens, and at once when
its person signs out everywhere (``User.sessions_valid_after``; a password reset may set
it too). API tokens are not sessions and are not affected.

A session remembers when it began (set at log-in, from Django's ``user_logged_in``
signal, so every way of logging in is covered) and when it was last seen. The last-seen
time is written at most once a minute, so an ordinary page costs no write, and the check
reads only the session and the user that the page loads anyway: no query of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from bizcenter.accounts.models import User
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.core.actor import Actor
from bizcenter.core.errors import NotAllowed

STARTED = "bizcenter.session_started"  # POSIX seconds of the log-in
SEEN = "bizcenter.session_seen"  # POSIX seconds of the last request noted
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
    now = timezone.now().timestamp()
    session[STARTED] = now
    session[SEEN] = now


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
        return self.get_response(request)


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
        record(actor, center=None, category=Category.USER,
               action="account.signed_out_everywhere", target=user,
               after={"sessions_valid_after": now.isoformat()})
    return user
