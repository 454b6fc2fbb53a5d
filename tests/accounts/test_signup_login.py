"""Signing up with an email, a phone or both, and logging in with either as typed."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password

from bizcenter.accounts.addresses import parse_address
from bizcenter.accounts.models import User
from bizcenter.accounts.services import create_user, sign_up, user_by_address
from bizcenter.audit.models import AuditEvent, Category
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, NotFound
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WEB = Actor(None, ip="192.0.2.10", via="web")
SHELL = Actor.system("cli")


def signup(**kwargs) -> User:
    kwargs.setdefault("password", PASSWORD)
    return sign_up(WEB, **kwargs)


# -- signing up ----------------------------------------------------------------


def test_sign_up_by_email_stores_it_lower_cased():
    user = signup(email="  Ann.Lee@Agency.COM ", name=" Ann Lee ")
    stored = User.objects.get(pk=user.pk)
    assert (stored.email, stored.phone, stored.name) == ("ann.lee@agency.com", None, "Ann Lee")
    assert stored.is_active


def test_sign_up_by_phone_stores_it_in_e164():
    user = signup(phone="+1 (415) 555-0199")
    stored = User.objects.get(pk=user.pk)
    assert (stored.email, stored.phone) == (None, "+14155550199")


def test_sign_up_with_both_addresses():
    user = signup(email="Bo@Agency.com", phone="+44 20 7946 0958", name="Bo")
    stored = User.objects.get(pk=user.pk)
    assert (stored.email, stored.phone) == ("bo@agency.com", "+442079460958")
    assert stored.label == "Bo <bo@agency.com>"


def test_sign_up_is_recorded_in_the_activity_log_without_the_password():
    user = signup(email="log@agency.com")
    event = AuditEvent.objects.get(action="user.signed_up", target_id=str(user.pk))
    assert event.category == Category.USER
    assert event.actor == user
    assert (event.ip, event.via) == ("192.0.2.10", "web")
    assert event.after == {"email": "log@agency.com", "phone": None, "name": ""}
    assert PASSWORD not in str(event.before) + str(event.after)


def test_the_password_is_hashed_with_argon2():
    user = signup(email="hash@agency.com")
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2")
    assert PASSWORD not in stored
    assert check_password(PASSWORD, stored)


def test_no_address_at_all_is_refused():
    with pytest.raises(InvalidInput) as refused:
        signup(email="  ", phone="")
    assert "email address or a phone number" in refused.value.message
    assert not User.objects.exists()


@pytest.mark.parametrize(("existing", "again", "field"), [
    ({"email": "dup@agency.com"}, {"email": "DUP@Agency.com"}, "email"),
    ({"phone": "+14155550111"}, {"phone": "+1 (415) 555-0111"}, "phone"),
    # A new email does not make a known phone number free to take.
    ({"email": "a@agency.com", "phone": "+14155550111"},
     {"email": "b@agency.com", "phone": "+1 415 555 0111"}, "phone"),
])
def test_the_operator_is_told_an_address_already_has_an_account(existing, again, field):
    """`bizcenter create-user` vouches for the address, so it must not take one that
    another account proved; the operator may know who has an account."""
    create_user(SHELL, password=PASSWORD, **existing)
    with pytest.raises(Conflict) as refused:
        create_user(SHELL, password=PASSWORD, **again)
    assert refused.value.code == "account_exists"
    assert "already exists" in refused.value.message
    assert "Log in instead" in refused.value.message
    assert refused.value.fields == {field: "already registered"}
    assert User.objects.count() == 1


def test_a_sign_up_with_a_proven_address_makes_an_account_that_can_never_prove_it():
    """A stranger's sign-up is answered as any other (no error to tell them the address
    is taken), and the account it makes cannot take the address from its owner."""
    owner = create_user(SHELL, password=PASSWORD, email="dup@agency.com")
    claim = signup(email="DUP@agency.com")
    assert claim.pk != owner.pk and not claim.is_verified
    assert User.objects.by_address(parse_address("dup@agency.com")) == owner
    assert authenticate(username="dup@agency.com", password=PASSWORD) == owner


def test_accounts_the_operator_makes_count_as_verified():
    made = create_user(SHELL, password=PASSWORD, email="op@agency.com", phone="+14155550177")
    assert made.verified("email") and made.verified("phone") and not made.needs_proof
    assert not AuditEvent.objects.filter(action="address.code_sent").exists()


@pytest.mark.parametrize(("password", "says"), [
    ("short", "too short"),
    ("4-words-pwd", "at least 12 characters"),
    ("password123", "too common"),
    ("84736251907", "entirely numeric"),
    ("", "too short"),
])
def test_a_weak_password_is_refused_naming_the_field(password, says):
    with pytest.raises(InvalidInput) as refused:
        signup(email="weak@agency.com", password=password)
    assert says in refused.value.message
    assert set(refused.value.fields) == {"password"}
    assert says in refused.value.fields["password"]
    assert not User.objects.exists()


def test_a_password_like_the_address_is_refused():
    with pytest.raises(InvalidInput) as refused:
        signup(email="jane.doe@agency.com", password="jane.doe@agency.com")
    assert "too similar to the email" in refused.value.fields["password"]
    assert not User.objects.exists()


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(InvalidInput) as refused:
        signup(email="bad@", phone="4155550123", password="short", name="x" * 151)
    fields = refused.value.fields
    assert set(fields) == {"email", "phone", "password", "name"}
    assert "not a valid email address" in fields["email"]
    assert "country code" in fields["phone"]
    assert "too short" in fields["password"]
    assert fields["name"] == "at most 150 characters"
    assert not User.objects.exists()


# -- logging in ----------------------------------------------------------------


@pytest.fixture
def ann() -> User:
    return signup(email="ann@agency.com", phone="+14155550123", name="Ann")


@pytest.mark.parametrize("typed", [
    "ann@agency.com", "ANN@AGENCY.COM", "Ann@Agency.Com", "  ann@agency.com  ",
])
def test_log_in_with_the_email_in_any_case(ann, typed):
    assert authenticate(username=typed, password=PASSWORD) == ann


@pytest.mark.parametrize("typed", [
    "+14155550123", "+1 (415) 555-0123", "+1 415 555 0123", "+1.415.555.0123",
])
def test_log_in_with_the_phone_in_any_format(ann, typed):
    assert authenticate(username=typed, password=PASSWORD) == ann


def test_log_in_by_phone_only_account():
    user = signup(phone="+33 6 12 34 56 78")
    assert authenticate(username="+33612345678", password=PASSWORD) == user


@pytest.mark.parametrize(("username", "password"), [
    ("ann@agency.com", "a long passphrase 43"),  # wrong password
    ("ann@agency.com", PASSWORD.upper()),  # passwords are case-sensitive
    ("+1 (415) 555-0123", "wrong"),
    ("nobody@agency.com", PASSWORD),  # no such account
    ("+14155550100", PASSWORD),
    ("ann", PASSWORD),  # neither an email nor a phone
    ("", PASSWORD),
])
def test_wrong_credentials_log_nobody_in(ann, username, password):
    assert authenticate(username=username, password=password) is None


def test_a_deactivated_account_cannot_log_in(ann):
    User.objects.filter(pk=ann.pk).update(is_active=False)
    assert authenticate(username="ann@agency.com", password=PASSWORD) is None


def test_user_by_address_explains_a_missing_account():
    with pytest.raises(NotFound) as missing:
        user_by_address("ghost@agency.com")
    assert missing.value.code == "no_account"
    assert "No account uses ghost@agency.com. Check the email" in missing.value.message
