"""Sign-ins and failed sign-ins, kept in the activity log as account events (no
Business Center) and shown to the person on their Security page, so they can spot a
log-in that was not theirs. Django's own auth signals feed it, so every way of
logging in is covered without a door doing the writing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import QuerySet
from django.dispatch import receiver
from django.http import HttpRequest

from bizcenter.accounts.addresses import parse_address
from bizcenter.accounts.models import User
from bizcenter.audit.models import AuditEvent, Category
from bizcenter.audit.services import record
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput

SIGNED_IN = "account.signed_in"
FAILED = "account.sign_in_failed"


def _ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record(Actor(user, ip=_ip(request), via="web"), center=None, category=Category.USER,
           action=SIGNED_IN, target=user)


@receiver(user_login_failed)
def sign_in_failed(sender: Any, credentials: dict[str, Any],
                   request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Logged against the account the address belongs to, if any, with the address
    masked; nobody but that account's owner (and the operator) ever reads it."""
    typed = str(credentials.get("username") or credentials.get("email") or "")
    try:
        address = parse_address(typed)
    except InvalidInput:
        return  # not an address: no account to warn
    account = User.objects.by_address(address)
    record(Actor(None, ip=_ip(request), via="web"), center=None, category=Category.USER,
           action=FAILED, target=account, after={"address": address.masked()})


def recent(user: User, limit: int = 10) -> QuerySet[AuditEvent]:
    """The person's latest sign-ins and failed attempts on their account, newest first."""
    return (AuditEvent.objects.filter(center__isnull=True, action__in=(SIGNED_IN, FAILED),
                                      target_type="user", target_id=str(user.pk))
            .order_by("-created_at", "-id")[:limit])
