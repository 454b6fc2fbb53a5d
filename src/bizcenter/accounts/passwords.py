"""Forgotten and changed passwords.

Reset links are Django's own tokens (they die once the password or the last
login changes, and after PASSWORD_RESET_TIMEOUT). Like invitation links they
are made when the message is delivered, so the outbox never holds one. The
request answers the same whether or not the address has an account: the page
must not tell a stranger who uses the product.
"""

from __future__ import annotations

from contextlib import suppress

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bizcenter.accounts import two_factor, verification
from bizcenter.accounts.addresses import Address, AddressKind, parse_address
from bizcenter.accounts.models import User
from bizcenter.accounts.tokens import revoke_tokens_of
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, Gone, InvalidInput, NotAllowed
from bizcenter.core.ratelimit import hit
from bizcenter.outbox import services as outbox


class ResetTokens(PasswordResetTokenGenerator):
    """Django's reset tokens, one kind per channel: a link that works also says which
    address it was sent to, so using it proves that address. A token also dies when
    that address changes."""

    def __init__(self, kind: AddressKind) -> None:
        super().__init__()
        self.kind = kind
        self.key_salt = f"bizcenter.accounts.passwords.ResetTokens.{kind.value}"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        address = getattr(user, self.kind.value, "") or ""
        return f"{super()._make_hash_value(user, timestamp)}{self.kind.value}{address}"


RESET_TOKENS = {kind: ResetTokens(kind) for kind in AddressKind}


def channel_of(user: User, token: str) -> AddressKind | None:
    """Which address a reset token was sent to, if it is valid for this account."""
    for kind, generator in RESET_TOKENS.items():
        if generator.check_token(user, token):
            return kind
    return None


class AnyResetToken:
    """What Django's reset view checks a link with: valid for either channel."""

    def check_token(self, user: AbstractBaseUser | None, token: str | None) -> bool:
        return isinstance(user, User) and token is not None and channel_of(user, token) is not None


def request_reset(actor: Actor, address: str) -> None:
    """Send a reset link to the address if it belongs to an active account; otherwise
    do nothing visible, and say nothing about which it was.

    Both cases do the same work, in the same time: the account is looked up, a message
    is queued and the request is logged either way; the message is dropped when it is
    delivered, in the background, if there is no account to reset. Requests are counted
    per address and per network before the account is looked up, so the limit answers
    alike for every address, and nobody can flood a person's inbox or phone (texts cost
    money) with reset messages."""
    parsed = parse_address(address)
    limit = settings.BIZCENTER_RESET_RATE
    hit("reset-address", parsed.value, limit, 3600, "reset requests for this address")
    if actor.ip:
        hit("reset-ip", actor.ip, limit * 5, 3600, "reset requests from this network")
    user = User.objects.by_address(parsed)
    channel = outbox.channel_for(parsed)
    with transaction.atomic():
        outbox.queue([outbox.build(channel, parsed.value, "password_reset",
                                   {"user_id": user.pk if user else None, "channel": channel})])
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


def reset_password(actor: Actor, user: User, password: str, token: str) -> User:
    """A new password from a reset link, which proves the address it was sent to.

    The link is a key to the account, so everything a thief may hold ends with it:
    every session (the password changes, and sessions_valid_after) and every API
    token. An account that never proved an address is taken over by whoever proves
    it: a 2-step set-up made without that proof goes too, so a squatter who claimed
    someone's address and turned on 2-step verification cannot lock its owner out."""
    kind = channel_of(user, token)
    if kind is None:
        raise Gone("This reset link is no longer valid; ask for a new one.", code="expired")
    _validated(user, password)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        unproven = user.needs_proof
        now = timezone.now()
        user.set_password(password)
        user.sessions_valid_after = now
        user.save(update_fields=["password", "sessions_valid_after"])
        me = Actor(user=user, ip=actor.ip, via=actor.via)
        record(me, center=None, category=Category.USER, action="password.reset", target=user)
        revoke_tokens_of(me, user, "password reset")
        address = Address(kind, getattr(user, kind.value))
        with suppress(Conflict):  # proven by another account meanwhile: leave it theirs
            verification.give_address(me, user, address)
        if unproven and user.totp_secret:  # a set-up started or confirmed
            two_factor.remove_unproven(me, user)
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
