"""Proving an address: a one-time code (and, by email, a link) sent to it.

An email address or phone number counts only once its owner has proven it. Until
then an account may claim it (a sign-up needs something to log in with) but cannot
accept an invitation to it, create a Business Center or hold API tokens, and the
claim gives way to whoever proves the address: they get it, and an account left
with no address at all is removed, since nothing could ever reach it again.

Sending answers the same whether or not the address already belongs to someone:
what is sent differs (a code, or a note that the address has an account), what the
sender sees does not. So sign-up no longer tells strangers who uses the product.

Codes are six digits, live BIZCENTER_VERIFICATION_MINUTES, work once, and die after
MAX_WRONG wrong tries; sending is limited per address and per account, checking per
account, like 2-step codes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from bizcenter.accounts.addresses import Address, AddressKind, parse_address
from bizcenter.accounts.models import AddressVerification, User
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, Gone, InvalidInput, NotAllowed, NotFound
from bizcenter.core.ratelimit import hit
from bizcenter.outbox import services as outbox

SALT = "bizcenter.accounts.verification"
DIGITS = 6
MAX_WRONG = 5


# -- the secrets, rebuilt from the nonce ---------------------------------------------


def code_for(nonce: str) -> str:
    digest = salted_hmac(f"{SALT}.code", nonce, algorithm="sha256").digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**DIGITS:0{DIGITS}d}"


def link_token_for(nonce: str) -> str:
    digest = salted_hmac(f"{SALT}.link", nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _code_hash(nonce: str, code: str) -> str:
    return salted_hmac(f"{SALT}.check", f"{nonce}:{code}", algorithm="sha256").hexdigest()


def _link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_for(nonce: str) -> str:
    path = reverse("web:verify_link", kwargs={"token": link_token_for(nonce)})
    return f"{settings.BIZCENTER_BASE_URL}{path}"


# -- sending --------------------------------------------------------------------------


def _validity() -> timedelta:
    return timedelta(minutes=settings.BIZCENTER_VERIFICATION_MINUTES)


def live(user: User) -> QuerySet[AddressVerification]:
    """Codes of this account that can still be used, newest first."""
    return (AddressVerification.objects.filter(
        user=user, used_at__isnull=True, replaced_at__isnull=True,
        expires_at__gt=timezone.now(), wrong_codes__lt=MAX_WRONG)
        .order_by("-created_at", "-pk"))


def send_code(actor: Actor, user: User, address: Address) -> AddressVerification:
    """Send a code to prove ``address`` for ``user``; an older code for it dies.

    Counted per address and per account before anything is written (429 past
    BIZCENTER_VERIFICATION_SEND_RATE an hour), so nobody can flood an inbox or a
    phone, whose texts cost the operator money. Whether the address belongs to
    another account is decided when the message is delivered, so this answers and
    writes alike either way."""
    if user.has_verified_address(address) and not user.verify_at_next_login:
        raise Conflict(f"{address.masked()} is already verified on your account.",
                       code="already_verified")
    limit = settings.BIZCENTER_VERIFICATION_SEND_RATE
    hit("verify-send-address", address.value, limit, 3600, "codes sent to this address")
    hit("verify-send-account", str(user.pk), limit * 2, 3600, "codes sent for this account")
    now = timezone.now()
    nonce = secrets.token_hex(16)
    with transaction.atomic():
        AddressVerification.objects.filter(
            user=user, address=address.value, used_at__isnull=True, replaced_at__isnull=True,
        ).update(replaced_at=now)
        verification = AddressVerification.objects.create(
            user=user, address_kind=address.kind, address=address.value, nonce=nonce,
            code_hash=_code_hash(nonce, code_for(nonce)),
            link_hash=_link_hash(link_token_for(nonce)),
            created_at=now, expires_at=now + _validity())
        outbox.queue([outbox.build_to(address, "address_verification",
                                      {"verification_id": verification.pk})])
        record(actor if actor.user else Actor(user, ip=actor.ip, via=actor.via), center=None,
               category=Category.USER, action="address.code_sent", target=user,
               after={"address": address.masked()})
    return verification


def awaiting(user: User) -> list[Address]:
    """The addresses this account is proving: its own not yet proven (all of them for an
    account from before proof), and new ones it asked a code for in the last day. Only
    these can be sent a new code from the code page, so that page cannot be used to
    send codes anywhere else."""
    found = [a for a in user.addresses()
             if user.verify_at_next_login or not user.verified(a.kind)]
    asked = (AddressVerification.objects
             .filter(user=user, created_at__gt=timezone.now() - timedelta(days=1))
             .order_by("-created_at").values_list("address_kind", "address"))
    for kind, value in asked:
        address = Address(AddressKind(kind), value)
        if address not in found and not user.has_verified_address(address):
            found.append(address)
    return sorted(found, key=lambda a: (a.kind, a.value))


def resend(actor: Actor, user: User, which: int | str) -> AddressVerification:
    """A new code to one of the addresses this account is proving, named by its place
    in ``awaiting`` (the page shows those masked, so it does not send them back)."""
    choices = awaiting(user)
    place = str(which)
    if not place.isdigit() or int(place) >= len(choices):
        raise NotFound("There is nothing to confirm at that address for your account.",
                       code="not_awaiting")
    return send_code(actor, user, choices[int(place)])


def add_address(actor: Actor, address: str, password: str) -> AddressVerification:
    """Start adding or changing the email or phone of one's own account. The password
    first, so a session left open does not let someone else move the account to their
    address; the account changes only once the new address is proven."""
    user = actor.user
    if user is None:
        raise NotAllowed("Log in first: addresses belong to an account.")
    hit("password-check", str(user.pk), settings.BIZCENTER_LOGIN_RATE, 900,
        "password checks for this account")
    if not user.check_password(password or ""):
        raise InvalidInput("That is not your current password.", fields={"password": "wrong"})
    parsed = parse_address(address)
    if user.has_verified_address(parsed):
        raise Conflict(f"{parsed.value} is already your verified {parsed.kind}.",
                       fields={parsed.kind.value: "already yours"}, code="already_verified")
    return send_code(actor, user, parsed)


# -- proving --------------------------------------------------------------------------


def confirm_code(actor: Actor, user: User, code: str) -> Address:
    """Prove whichever pending address of this account the code was sent to."""
    hit("verify-check", str(user.pk), settings.BIZCENTER_TWO_FACTOR_RATE, 900,
        "codes tried for this account")
    typed = "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-")
    pending = list(live(user))
    if not pending:
        raise Gone("There is no code waiting for your account: it expired, was used, or "
                   "too many wrong codes were typed. Send a new one.", code="no_code")
    for verification in pending:
        if hmac.compare_digest(verification.code_hash, _code_hash(verification.nonce, typed)):
            return prove(actor, verification).target
    AddressVerification.objects.filter(pk__in=[v.pk for v in pending]).update(
        wrong_codes=F("wrong_codes") + 1)
    raise InvalidInput(f"That is not the code we sent. Type the {DIGITS} digits of the newest "
                       "message, or send a new code.", fields={"code": "wrong"})


def by_link(actor: Actor, token: str) -> AddressVerification:
    """The verification a link stands for, or why it cannot be used.

    Only in a session of the account that asked for it: someone who signed up with
    another person's address sends that person a link too, and its owner, opening it,
    must not hand the address to the stranger's account with one click."""
    found = (AddressVerification.objects.select_related("user")
             .filter(link_hash=_link_hash(token or "")).first())
    if found is None:
        raise NotFound("This confirmation link is not valid. Open the whole link from the "
                       "newest message, or send a new code.", code="invalid_link")
    if found.used_at is not None:
        raise Gone("This address was already confirmed with this link.", code="used")
    if found.replaced_at is not None:
        raise Gone("A newer code was sent since this link; use the newest message.",
                   code="replaced")
    if found.expires_at <= timezone.now() or found.wrong_codes >= MAX_WRONG:
        raise Gone("This link has expired. Log in and send a new code.", code="expired")
    if actor.user is None or actor.user.pk != found.user_id:
        raise NotAllowed(
            "This link confirms the address for a bizcenter account you are not logged in "
            "to. If you asked for it, log in to that account and open the link again; if "
            "you did not, ignore it: nothing changes.", code="other_account")
    return found


def confirm_link(actor: Actor, token: str) -> AddressVerification:
    """Prove the address with the link (see ``by_link`` for whose session it takes)."""
    return prove(actor, by_link(actor, token))


def prove(actor: Actor, verification: AddressVerification) -> AddressVerification:
    """The code or link was right: the address is this account's, and no other's."""
    with transaction.atomic():
        used = AddressVerification.objects.filter(
            pk=verification.pk, used_at__isnull=True, replaced_at__isnull=True,
        ).update(used_at=timezone.now())
        if not used:
            raise Gone("This code was just used or replaced; send a new one if you still "
                       "need to confirm the address.", code="used")
        user = User.objects.select_for_update().get(pk=verification.user_id)
        give_address(Actor(user, ip=actor.ip, via=actor.via), user, verification.target)
    verification.user = user
    return verification


def give_address(actor: Actor, user: User, address: Address) -> User:
    """Make a proven address this account's, in the caller's transaction.

    Accounts that claim it without proof lose it; one left with no address is
    removed. If another account had proven it, nothing changes: only someone who
    controls the address ever gets this far, so saying so reveals nothing."""
    field = address.kind.value
    others = list(User.objects.select_for_update().filter(**{field: address.value})
                  .exclude(pk=user.pk))
    if any(o.verified(address.kind) for o in others):
        raise Conflict(
            f"{address.value} already belongs to another bizcenter account. Log in to that "
            "account instead (reset its password if you forgot it), or remove the address "
            "from it first.", fields={field: "taken"}, code="address_taken")
    now = timezone.now()
    for other in others:
        _lose(actor, other, address)
    before = {field: getattr(user, field)}
    setattr(user, field, address.value)
    setattr(user, f"{field}_verified_at", now)
    user.verify_at_next_login = False
    user.save(update_fields=[field, f"{field}_verified_at", "verify_at_next_login"])
    record(actor, center=None, category=Category.USER, action="address.verified", target=user,
           before=before if before[field] not in (None, address.value) else None,
           after={field: address.value})
    return user


def _lose(actor: Actor, other: User, address: Address) -> None:
    """An unproven claim gives way to the address's proven owner."""
    field = address.kind.value
    setattr(other, field, None)
    if other.email is None and other.phone is None:
        _remove(actor, other, "its only address was proven by its owner")
        return
    other.save(update_fields=[field])
    record(actor, center=None, category=Category.USER, action="address.lost", target=other,
           after={field: address.masked()})


def require_verified(user: User | None, what: str) -> None:
    """Refuse ``what`` to an account that has not proven an address yet."""
    if user is not None and not user.is_verified:
        raise NotAllowed(f"Confirm your email address or phone number before you {what}: "
                         "enter the code we sent to it (Account → Verify your address).",
                         code="address_unverified")


def remove_unclaimed(now: datetime | None = None) -> int:
    """Remove accounts that never proved an address within
    BIZCENTER_UNVERIFIED_ACCOUNT_DAYS; they cannot have joined anything."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BIZCENTER_UNVERIFIED_ACCOUNT_DAYS)
    stale = User.objects.filter(email_verified_at__isnull=True, phone_verified_at__isnull=True,
                                date_joined__lt=cutoff, memberships__isnull=True)
    removed = 0
    for user in stale.iterator():
        with transaction.atomic():
            _remove(Actor.system("cleanup"), user, "no address proven within "
                    f"{settings.BIZCENTER_UNVERIFIED_ACCOUNT_DAYS} days")
        removed += 1
    return removed


def _remove(actor: Actor, user: User, reason: str) -> None:
    """Delete an account that never proved an address, logged first (the log keeps its
    label after the row is gone)."""
    record(actor, center=None, category=Category.USER, action="account.removed",
           target=user, after={"reason": reason})
    user.delete()
