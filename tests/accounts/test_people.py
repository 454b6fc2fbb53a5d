"""People: the one form of each address, signing up, and logging in with either."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from bizcenter.accounts.addresses import AddressKind, parse_address
from bizcenter.accounts.services import sign_up, user_by_address
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, NotFound
from tests.conftest import PASSWORD


@pytest.mark.parametrize(("typed", "kind", "stored"), [
    ("  Jane.Doe@Agency.COM ", AddressKind.EMAIL, "jane.doe@agency.com"),
    ("+1 (415) 555-0123", AddressKind.PHONE, "+14155550123"),
    ("+44 20 7946 0958", AddressKind.PHONE, "+442079460958"),
    ("+33 6 12 34 56 78", AddressKind.PHONE, "+33612345678"),
])
def test_addresses_are_stored_in_one_form(typed, kind, stored):
    address = parse_address(typed)
    assert (address.kind, address.value) == (kind, stored)


@pytest.mark.parametrize(("typed", "says"), [
    ("", "The address is empty"),
    ("jane@", "not a valid email address"),
    ("jane@@agency.com", "not a valid email address"),
    ("jane@agency", "not a valid email address"),
    ("j\u0430ne@agency.com", "not a valid email address"),  # Cyrillic a: a look-alike
    ("4155550123", "Start it with + and the country code"),
    ("+1 415 555", "not a valid phone number"),
    ("call me maybe", "neither an email address nor a phone number"),
    ("x" * 300 + "@agency.com", "longer than 254 characters"),
])
def test_bad_addresses_say_what_is_wrong(typed, says):
    with pytest.raises(InvalidInput) as refused:
        parse_address(typed)
    assert says in refused.value.message


def test_region_setting_lets_local_numbers_in(settings):
    settings.BIZCENTER_PHONE_REGION = "US"
    assert parse_address("(415) 555-0123").value == "+14155550123"


def test_masking_shows_enough_to_recognise_and_no_more():
    assert parse_address("jane.doe@agency.com").masked() == "j***@agency.com"
    masked = parse_address("+14155550123").masked()
    assert masked.startswith("+14") and masked.endswith("0123") and "555" not in masked


def test_sign_up_by_email_phone_or_both(db):
    by_email = sign_up(Actor.system(), email="Ann@Agency.com", password=PASSWORD)
    by_phone = sign_up(Actor.system(), phone="+1 415 555 0100", password=PASSWORD)
    both = sign_up(Actor.system(), email="bo@agency.com", phone="+442079460958",
                   password=PASSWORD, name="Bo")
    assert by_email.email == "ann@agency.com" and by_email.phone is None
    assert by_phone.phone == "+14155550100" and by_phone.email is None
    assert (both.email, both.phone, both.name) == ("bo@agency.com", "+442079460958", "Bo")
    assert by_email.password.startswith("argon2")


def test_sign_up_refusals_name_each_field_and_write_nothing(db):
    with pytest.raises(InvalidInput) as nothing:
        sign_up(Actor.system(), password=PASSWORD)
    assert "email address or a phone number" in nothing.value.message
    with pytest.raises(InvalidInput) as bad:
        sign_up(Actor.system(), email="nope", phone="123", password="short")
    assert set(bad.value.fields) == {"email", "phone", "password"}
    assert "too short" in bad.value.fields["password"]
    sign_up(Actor.system(), email="taken@agency.com", password=PASSWORD)
    with pytest.raises(Conflict) as taken:
        sign_up(Actor.system(), email="TAKEN@agency.com", password=PASSWORD)
    assert "already exists" in taken.value.message and "Log in instead" in taken.value.message
    from bizcenter.accounts.models import User

    assert User.objects.count() == 1


def test_log_in_with_email_in_any_case_or_phone_in_any_format(db):
    sign_up(Actor.system(), email="kim@agency.com", phone="+14155550199", password=PASSWORD)
    assert authenticate(username="KIM@Agency.com", password=PASSWORD) is not None
    assert authenticate(username="+1 (415) 555-0199", password=PASSWORD) is not None
    assert authenticate(username="kim@agency.com", password="wrong password") is None
    assert authenticate(username="nobody@agency.com", password=PASSWORD) is None
    assert authenticate(username="garbage", password=PASSWORD) is None


def test_user_by_address_explains_a_missing_account(db):
    with pytest.raises(NotFound) as missing:
        user_by_address("ghost@agency.com")
    assert "No account with email ghost@agency.com" in missing.value.message
