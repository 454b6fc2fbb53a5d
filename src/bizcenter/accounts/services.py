"""Creating people and their credentials."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from bizcenter.accounts import verification
from bizcenter.accounts.addresses import Address, parse_email, parse_phone
from bizcenter.accounts.models import User
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput
from bizcenter.core.ratelimit import hit


def _new_account(*, password: str, email: str | None, phone: str | None,
                 name: str) -> tuple[User, list[Address]]:
    """Validate what a person typed into an unsaved account and the addresses it gives."""
    email = (email or "").strip() or None
    phone = (phone or "").strip() or None
    if not email and not phone:
        raise InvalidInput(
            "Give an email address or a phone number to sign up with.",
            fields={"email": "email or phone required"},
        )
    fields: dict[str, str] = {}
    addresses: list[Address] = []
    errors: list[str] = []
    for raw, parse, key in ((email, parse_email, "email"), (phone, parse_phone, "phone")):
        if raw:
            try:
                addresses.append(parse(raw))
            except InvalidInput as exc:
                fields[key] = exc.message
                errors.append(exc.message)
    name = name.strip()
    if len(name) > 150:
        fields["name"] = "at most 150 characters"
        errors.append("The name is longer than 150 characters.")
    candidate = User(name=name, **{a.kind.value: a.value for a in addresses})
    try:
        password_validation.validate_password(password or "", candidate)
    except ValidationError as exc:
        text = " ".join(exc.messages)
        fields["password"] = text
        errors.append(text)
    if errors:
        raise InvalidInput(" ".join(errors), fields=fields)
    candidate.set_password(password)
    return candidate, addresses


def _recorded(actor: Actor, user: User) -> None:
    record(Actor(user=user, ip=actor.ip, via=actor.via), center=None, category=Category.USER,
           action="user.signed_up", target=user,
           after={"email": user.email, "phone": user.phone, "name": user.name})


def sign_up(
    actor: Actor,
    *,
    password: str,
    email: str | None = None,
    phone: str | None = None,
    name: str = "",
) -> User:
    """A person makes their own account. Anyone may; Business Centers decide who gets in.

    The account claims its addresses without owning them yet: a code goes to each,
    and until one is proven the account can join nothing (accounts.verification).
    The answer is the same whether or not an address already has an account, so
    sign-up tells nobody who uses the product; the address's owner is told instead.

    Attempts are counted per IP address (BIZCENTER_SIGNUP_RATE an hour) whatever the
    outcome."""
    if actor.ip:
        hit("signup-ip", actor.ip, settings.BIZCENTER_SIGNUP_RATE, 3600,
            "sign-ups from this network")
    user, addresses = _new_account(password=password, email=email, phone=phone,
                                   name=name)
    with transaction.atomic():
        user.save()
        _recorded(actor, user)
        for address in addresses:
            verification.send_code(actor, user, address)
    return user


def create_user(
    actor: Actor,
    *,
    password: str,
    email: str | None = None,
    phone: str | None = None,
    name: str = "",
) -> User:
    """An account made by the operator of the installation (``bizcenter create-user``,
    the demo): the operator vouches for its addresses, so they count as proven."""
    user, addresses = _new_account(password=password, email=email, phone=phone,
                                   name=name)
    with transaction.atomic():
        for address in addresses:
            if User.objects.owner_of(address) is not None:
                raise Conflict(
                    f"An account with {address.value} already exists. Log in instead, or "
                    "reset the password if you forgot it.",
                    fields={address.kind.value: "already registered"}, code="account_exists")
        user.save()
        _recorded(actor, user)
        for address in addresses:
            verification.give_address(actor, user, address)
    return user


def user_by_address(raw: str) -> User:
    """The account behind an email or phone, as a person would type it."""
    from bizcenter.accounts.addresses import parse_address
    from bizcenter.core.errors import NotFound

    address = parse_address(raw)
    user = User.objects.by_address(address)
    if user is None:
        raise NotFound(f"No account uses {address.value}. Check the {address.kind}, or the "
                       "person has not signed up yet.", fields={"person": "no account"},
                       code="no_account")
    return user
