"""Addresses as people type them: one stored form each, and a clear answer for each bad form."""

from __future__ import annotations

import pytest

from bizcenter.accounts.addresses import (
    Address,
    AddressKind,
    parse_address,
    parse_email,
    parse_phone,
)
from bizcenter.core.errors import InvalidInput


def refusal(parse, typed: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        parse(typed)
    return refused.value


# -- email -------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("Jane.Doe@Agency.COM", "jane.doe@agency.com"),
    ("  JANE@AGENCY.COM\t", "jane@agency.com"),
    ("jane+ads@agency.co.uk", "jane+ads@agency.co.uk"),
])
def test_email_is_lower_cased_and_trimmed(typed, stored):
    address = parse_email(typed)
    assert address == Address(AddressKind.EMAIL, stored)
    # The general entry point reads it the same way.
    assert parse_address(typed) == address


def test_two_spellings_of_one_email_are_the_same_address():
    assert parse_address("Jane@Agency.com") == parse_address(" jane@AGENCY.com ")


@pytest.mark.parametrize(("typed", "says"), [
    ("jane@", "not a valid email address"),
    ("@agency.com", "not a valid email address"),
    ("jane@@agency.com", "not a valid email address"),
    ("jane@agency", "should have a period"),
    ("jane@agency.com.", "cannot end with a period"),
    ("ja ne@agency.com", "not a valid email address"),
])
def test_bad_emails_are_refused_saying_what_is_wrong(typed, says):
    error = refusal(parse_address, typed)
    assert says in error.message
    assert "not a valid email address" in error.message
    assert typed.strip() in error.message  # the person sees which entry was wrong
    assert "email" in error.fields
    assert error.status == 400 and error.code == "invalid_input"


@pytest.mark.parametrize("typed", [
    "j\u0430ne@agency.com",  # Cyrillic a in the name
    "\uff4aane@agency.com",  # full-width j
    "jane@\u0430gency.com",  # Cyrillic a in the domain
    "jane@agen\u0441y.com",  # Cyrillic es in the domain
])
def test_unicode_look_alike_emails_are_refused(typed):
    """A look-alike of jane@agency.com must never become an address of its own,
    or an invitation could be accepted by someone who is not Jane."""
    error = refusal(parse_address, typed)
    assert "not a valid email address" in error.message
    # The message points at the character that is not what it seems.
    assert next(ch for ch in typed if not ch.isascii()) in error.fields["email"]


# -- phone -------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("+1 (415) 555-0123", "+14155550123"),
    ("+1.415.555.0123", "+14155550123"),
    ("+14155550123", "+14155550123"),
    ("+44 20 7946 0958", "+442079460958"),
    ("+33 6 12 34 56 78", "+33612345678"),
])
def test_phone_is_stored_in_e164(typed, stored):
    assert parse_phone(typed) == Address(AddressKind.PHONE, stored)
    assert parse_address(typed) == Address(AddressKind.PHONE, stored)


@pytest.mark.parametrize("typed", ["(415) 555-0123", "4155550123"])
def test_a_phone_without_country_code_asks_for_it(typed):
    error = refusal(parse_address, typed)
    assert "Start it with + and the country code" in error.message
    assert "+14155550123" in error.message  # an example of the form wanted
    assert "phone" in error.fields


def test_a_local_number_is_read_in_the_configured_region(settings):
    settings.BIZCENTER_PHONE_REGION = "US"
    assert parse_address("(415) 555-0123").value == "+14155550123"


@pytest.mark.parametrize("typed", ["+1 415 555", "+1 000 000 0000", "+999 1234 5678"])
def test_a_number_that_cannot_exist_is_refused(typed):
    error = refusal(parse_address, typed)
    assert "not a valid phone number" in error.message or "not a phone number" in error.message
    assert "phone" in error.fields


# -- neither -----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["call me maybe", "jane", "agency.com", "++--"])
def test_neither_email_nor_phone_is_refused_with_both_forms_explained(typed):
    error = refusal(parse_address, typed)
    assert "neither an email address nor a phone number" in error.message
    assert "name@example.com" in error.message and "+14155550123" in error.message
    assert error.fields == {"address": "not an email or phone"}


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_an_empty_address_is_refused(typed):
    error = refusal(parse_address, typed)
    assert "The address is empty" in error.message
    assert error.fields == {"address": "required"}


def test_an_overlong_address_is_refused_before_parsing():
    error = refusal(parse_address, "x" * 250 + "@agency.com")
    assert "longer than 254 characters" in error.message


# -- masking -----------------------------------------------------------------


def test_email_masking_keeps_the_first_letter_and_the_domain():
    assert parse_address("jane.doe@agency.com").masked() == "j***@agency.com"
    assert parse_address("J@Agency.com").masked() == "j***@agency.com"
    # The rest of the name is gone, however long it was.
    assert "jane" not in parse_address("jane.doe@agency.com").masked()


def test_phone_masking_keeps_country_code_and_last_four_digits():
    masked = parse_address("+1 415 555 0123").masked()
    assert masked == "+14*****0123"
    assert "555" not in masked
    assert len(masked) == len("+14155550123")


def test_address_prints_as_its_stored_form():
    assert str(parse_address("Jane@Agency.com")) == "jane@agency.com"
    assert str(parse_address("+1 415 555 0123")) == "+14155550123"
