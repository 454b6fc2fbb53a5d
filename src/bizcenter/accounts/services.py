"""Creating people and their credentials."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bizcenter.accounts.addresses import AddressKind, parse_email, parse_phone
from bizcenter.accounts.models import User
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput
from bizcenter.core.ratelimit import hit


def sign_up(
    actor: Actor,
    *,
    password: str,
    email: str | None = None,
    phone: str | None = None,
    name: str = "",
) -> User:
    """Create an account. Anyone may sign up; Business Centers decide who gets in.

    Attempts are counted per IP address (BIZCENTER_SIGNUP_RATE an hour) whatever the
    outcome: a refused sign-up says that an address has an account, so a flood of them
    would list who uses the product. Callers without an address (the CLI on the server,
    tests) are not counted."""
    if actor.ip:
        hit("signup-ip", actor.ip, settings.BIZCENTER_SIGNUP_RATE, 3600,
            "sign-ups from this network")
    email = (email or "").strip() or None
    phone = (phone or "").strip() or None
    if not email and not phone:
        raise InvalidInput(
            "Give an email address or a phone number to sign up with.",
            fields={"email": "email or phone required"},
        )
    fields: dict[str, str] = {}
    parsed_email = parsed_phone = None
    errors: list[str] = []
    for raw, parse, key in ((email, parse_email, "email"), (phone, parse_phone, "phone")):
        if raw:
            try:
                parsed = parse(raw)
            except InvalidInput as exc:
                fields[key] = exc.message
                errors.append(exc.message)
                continue
            if parsed.kind is AddressKind.EMAIL:
                parsed_email = parsed.value
            else:
                parsed_phone = parsed.value
    name = name.strip()
    if len(name) > 150:
        fields["name"] = "at most 150 characters"
        errors.append("The name is longer than 150 characters.")
    candidate = User(email=parsed_email, phone=parsed_phone, name=name)
    try:
        password_validation.validate_password(password or "", candidate)
    except ValidationError as exc:
        text = " ".join(exc.messages)
        fields["password"] = text
        errors.append(text)
    if errors:
        raise InvalidInput(" ".join(errors), fields=fields)

    with transaction.atomic():
        for field, value in (("email", parsed_email), ("phone", parsed_phone)):
            if value and User.objects.filter(**{field: value}).exists():
                raise Conflict(
                    f"An account with {value} already exists. Log in instead, or reset "
                    "the password if you forgot it.",
                    fields={field: "already registered"},
                    code="account_exists",
                )
        candidate.set_password(password)
        try:
            candidate.save()
        except IntegrityError as exc:  # a concurrent sign-up with the same address
            raise Conflict(
                "An account with that address already exists. Log in instead.",
                code="account_exists",
            ) from exc
        record(
            Actor(user=candidate, ip=actor.ip, via=actor.via),
            center=None,
            category=Category.USER,
            action="user.signed_up",
            target=candidate,
            after={"email": candidate.email, "phone": candidate.phone, "name": candidate.name},
        )
    return candidate


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
