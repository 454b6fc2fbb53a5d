"""Forgotten and changed passwords.

Reset links are Django's own tokens (they die once the password or the last
login changes, and after PASSWORD_RESET_TIMEOUT). Like invitation links they
are made when the message is delivered, so the outbox never holds one. The
request answers the same whether or not the address has an account: the page
must not tell a stranger who uses the product.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from bizcenter.accounts.addresses import AddressKind, parse_address
from bizcenter.accounts.models import User
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput, NotAllowed
from bizcenter.core.ratelimit import hit
from bizcenter.outbox import services as outbox
from bizcenter.outbox.models import Channel


def request_reset(actor: Actor, address: str) -> None:
    """Send a reset link to the address if it belongs to an active account; otherwise
    do nothing, and say nothing about which it was.

    Requests are counted per address and per network before the account is looked up,
    so the limit answers alike for every address, and nobody can flood a person's
    inbox or phone (texts cost money) with reset messages."""
    parsed = parse_address(address)
    limit = settings.BIZCENTER_RESET_RATE
    hit("reset-address", parsed.value, limit, 3600, "reset requests for this address")
    if actor.ip:
        hit("reset-ip", actor.ip, limit * 5, 3600, "reset requests from this network")
    user = User.objects.by_address(parsed)
    if user is None or not user.is_active or not user.has_usable_password():
        return
    channel = Channel.EMAIL if parsed.kind is AddressKind.EMAIL else Channel.SMS
    with transaction.atomic():
        outbox.queue([outbox.build(channel, parsed.value, "password_reset",
                                   {"user_id": user.pk, "channel": channel})])
        record(Actor(user=None, ip=actor.ip, via=actor.via), center=None,
               category=Category.USER, action="password.reset_requested", target=user,
               after={"channel": channel})


def _validated(user: User, password: str) -> str:
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), fields={"password": "too weak"}) from exc
    return password


def set_password(actor: Actor, user: User, password: str, *, reason: str) -> User:
    """Store a new password. Django's session hash changes with it, so every other
    session of this person ends on its next request."""
    _validated(user, password)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(Actor(user=user, ip=actor.ip, via=actor.via), center=None,
               category=Category.USER, action=f"password.{reason}", target=user)
    return user


def change_password(actor: Actor, current: str, new: str) -> User:
    """The logged-in person's own change, which needs the current password."""
    user = actor.user
    if user is None:
        raise NotAllowed("Log in first to change your password.")
    if not user.check_password(current or ""):
        raise InvalidInput("The current password is not right. Type it again, or log out and "
                           "use “Forgot your password?”.", fields={"current": "wrong"})
    return set_password(actor, user, new, reason="changed")
