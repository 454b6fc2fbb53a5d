"""2-step verification with time-based codes (TOTP, any authenticator app).

Set-up is two steps, so a typo in the secret cannot lock anyone out: start
gives the secret and its otpauth:// link, confirm checks a first code and
returns ten recovery codes, shown once and stored only hashed. Turning it on
or off changes what the person may reach in Business Centers that require it,
so it bumps their access versions like any other change to access.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bizcenter.accounts.models import RecoveryCode, User
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed
from bizcenter.core.ratelimit import hit

ISSUER = "bizcenter"
RECOVERY_CODES = 10


@dataclass(frozen=True)
class Setup:
    secret: str
    uri: str


def _me(actor: Actor) -> User:
    if actor.user is None:
        raise NotAllowed("Log in first: 2-step verification belongs to a person.")
    return actor.user


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().replace("-", "").lower().encode()).hexdigest()


def _bump_my_centers(user: User) -> None:
    from bizcenter.centers.services import bump_access_version, memberships_of

    for membership in memberships_of(user):
        bump_access_version(membership.center)


def _count_try(user: User) -> None:
    """Count one code tried for this account, whatever the form (log-in prompt, confirm,
    turn off) and whichever session or address it comes from: the per-session limit of
    the log-in prompt alone restarts with every new password step. Raises RateLimited."""
    hit("two-factor", str(user.pk), settings.BIZCENTER_TWO_FACTOR_RATE, 900,
        "2-step codes tried for this account")


def _use_code(user: User, code: str) -> bool:
    """True for a code of the previous, current or next 30-second step that is newer
    than the last one accepted, which it then becomes. The update is conditional, so
    two requests racing with one code cannot both pass."""
    totp = pyotp.TOTP(user.totp_secret)
    typed = (code or "").strip()
    now = totp.timecode(timezone.now())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), typed):
            fresh = (User.objects.filter(pk=user.pk)
                     .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
                     .update(totp_last_step=step))
            return bool(fresh)
    return False


def _setup(user: User) -> Setup:
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(
        name=user.email or user.phone or str(user.pk), issuer_name=ISSUER)
    return Setup(user.totp_secret, uri)


def start(actor: Actor) -> Setup:
    user = _me(actor)
    if user.has_two_factor:
        raise Conflict("2-step verification is already on. Turn it off first to use another "
                       "authenticator.", code="already_on")
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    return _setup(user)


def pending_setup(user: User) -> Setup | None:
    """A set-up started but not confirmed yet, so a page reload shows the same code
    instead of a new secret the person's app does not know."""
    if user.totp_secret and not user.has_two_factor:
        return _setup(user)
    return None


def confirm(actor: Actor, code: str) -> list[str]:
    """Turn 2-step verification on with a first code; returns the recovery codes."""
    user = _me(actor)
    if not user.totp_secret:
        raise Conflict("Start the set-up first: scan the code, then enter what it shows.",
                       code="not_started")
    _count_try(user)
    if not _use_code(user, code):
        raise InvalidInput("That code is not the one your authenticator shows now. Check the "
                           "phone's clock and try the newest code.", fields={"code": "wrong"})
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_confirmed_at"])
        user.recovery_codes.all().delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(c))
                                         for c in codes)
        _bump_my_centers(user)
        record(actor, center=None, category=Category.USER, action="two_factor.enabled",
               target=user)
    return codes


def verify(user: User, code: str) -> bool:
    """A current code, or an unused recovery code (which is then used up). Raises
    RateLimited past BIZCENTER_TWO_FACTOR_RATE codes per account in 15 minutes."""
    if not user.has_two_factor:
        return False
    _count_try(user)
    if _use_code(user, code):
        return True
    with transaction.atomic():
        used = (RecoveryCode.objects.select_for_update()
                .filter(user=user, code_hash=_hash(code or ""), used_at__isnull=True)
                .update(used_at=timezone.now()))
    return bool(used)


def disable(actor: Actor, code: str) -> None:
    user = _me(actor)
    if not verify(user, code):
        raise InvalidInput("Enter a current code (or a recovery code) to turn 2-step "
                           "verification off.", fields={"code": "wrong"})
    with transaction.atomic():
        _turn_off(actor, user, "two_factor.disabled")


def _turn_off(actor: Actor, user: User, action: str,
              after: dict[str, str] | None = None) -> None:
    """2-step verification off: secret and recovery codes gone, and what the person may
    reach in Business Centers that require it changes at once. In the caller's
    transaction."""
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    user.recovery_codes.all().delete()
    _bump_my_centers(user)
    record(actor, center=None, category=Category.USER, action=action, target=user,
           after=after)


def remove_unproven(actor: Actor, user: User) -> None:
    """End a 2-step set-up made before anyone proved the account's address: the person
    who just proved it owns the account now, and must not be locked out by a stranger's
    authenticator. In the caller's transaction."""
    _turn_off(actor, user, "two_factor.removed",
              {"reason": "set up before the address was proven"})
