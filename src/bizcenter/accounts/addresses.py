"""Email addresses and phone numbers, parsed to the one form we store and compare.

Invitations are matched to people by exact equality of these forms, so every
door must go through here: lower-cased ASCII email, E.164 phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from django.conf import settings
from email_validator import EmailNotValidError, validate_email

from bizcenter.core.errors import InvalidInput


class AddressKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True)
class Address:
    kind: AddressKind
    value: str

    def masked(self) -> str:
        """Enough to recognise an address without disclosing it (``j***@agency.com``)."""
        if self.kind is AddressKind.EMAIL:
            local, _, domain = self.value.partition("@")
            return f"{local[:1]}***@{domain}"
        return f"{self.value[:3]}{'*' * max(0, len(self.value) - 7)}{self.value[-4:]}"

    def __str__(self) -> str:
        return self.value


HOW_TO = (
    "Enter an email address (name@example.com) or a phone number with its "
    "country code (+14155550123)."
)


def parse_email(raw: str) -> Address:
    text = raw.strip()
    try:
        # ASCII only: look-alike unicode addresses are a classic way to get an
        # invitation accepted by the wrong person.
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidInput(
            f"'{text}' is not a valid email address: {exc}", fields={"email": str(exc)}
        ) from exc
    if not text.isascii():  # the validator turns a unicode domain into punycode instead
        odd = sorted({f"'{ch}'" for ch in text if not ch.isascii()})
        reason = (f"only plain ASCII characters are accepted; {', '.join(odd)} "
                  f"{'is' if len(odd) == 1 else 'are'} not, even if it looks like an ordinary "
                  "letter.")
        raise InvalidInput(f"'{text}' is not a valid email address: {reason}",
                           fields={"email": reason})
    return Address(AddressKind.EMAIL, (result.ascii_email or result.normalized).lower())


def parse_phone(raw: str) -> Address:
    text = raw.strip()
    region = settings.BIZCENTER_PHONE_REGION
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        hint = (
            "Start it with + and the country code, e.g. +14155550123."
            if not text.startswith("+") and region is None
            else "Check the digits."
        )
        raise InvalidInput(
            f"'{text}' is not a phone number. {hint}", fields={"phone": hint}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            f"'{text}' is not a valid phone number for its country. Check the digits "
            "and the country code.",
            fields={"phone": "not a valid number"},
        )
    return Address(
        AddressKind.PHONE, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    )


def parse_address(raw: str) -> Address:
    """Read what a person typed as either kind of address."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput(f"The address is empty. {HOW_TO}", fields={"address": "required"})
    if len(text) > 254:
        raise InvalidInput(
            "That address is longer than 254 characters; no email address or phone number is.",
            fields={"address": "too long"},
        )
    if "@" in text:
        return parse_email(text)
    if any(ch.isdigit() for ch in text) and all(ch.isdigit() or ch in "+-(). " for ch in text):
        return parse_phone(text)
    raise InvalidInput(f"'{text}' is neither an email address nor a phone number. {HOW_TO}",
                       fields={"address": "not an email or phone"})
