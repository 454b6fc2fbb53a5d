"""Proving an address: codes and links, squatters, accounts from before, and what an
account that has not proven an address cannot do."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from bizcenter.accounts import verification
from bizcenter.accounts.addresses import parse_address
from bizcenter.accounts.models import AddressVerification, User
from bizcenter.accounts.services import sign_up
from bizcenter.accounts.tokens import create_token
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import create_center
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, Gone, InvalidInput, NotAllowed, NotFound
from bizcenter.core.ratelimit import RateLimited
from tests.conftest import PASSWORD, act, code_sent_to, fresh_code

pytestmark = pytest.mark.django_db

WEB = Actor(None, ip="192.0.2.10", via="web")


@pytest.fixture(autouse=True)
def _plain_hashing(quick_hashing):
    """Not a test of password hashing."""


def signup(**kwargs) -> User:
    kwargs.setdefault("password", PASSWORD)
    return sign_up(WEB, **kwargs)


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


# -- codes --------------------------------------------------------------------------


def test_a_sign_up_proves_nothing_until_the_code_sent_to_it_comes_back(run_worker):
    jo = signup(email="jo@agency.com", phone="+14155550142")
    assert not jo.is_verified and jo.needs_proof
    run_worker()
    by_text = code_sent_to("+14155550142")
    assert by_text != code_sent_to("jo@agency.com")  # one code per address
    proven = verification.confirm_code(act(jo), fresh(jo), by_text)
    assert proven == parse_address("+14155550142")
    jo = fresh(jo)
    assert jo.verified("phone") and not jo.verified("email") and jo.is_verified
    event = AuditEvent.objects.get(action="address.verified", target_id=str(jo.pk))
    assert event.after == {"phone": "+14155550142"}


def test_a_code_works_once():
    jo = signup(email="jo@agency.com")
    code = verification.code_for(AddressVerification.objects.get(user=jo).nonce)
    verification.confirm_code(act(jo), fresh(jo), code)
    with pytest.raises(Gone) as again:
        verification.confirm_code(act(jo), fresh(jo), code)
    assert again.value.code == "no_code"


def test_a_code_expires(settings):
    jo = signup(email="jo@agency.com")
    code = verification.code_for(AddressVerification.objects.get(user=jo).nonce)
    later = timezone.now() + timedelta(minutes=settings.BIZCENTER_VERIFICATION_MINUTES + 1)
    with time_machine.travel(later), pytest.raises(Gone) as late:
        verification.confirm_code(act(jo), fresh(jo), code)
    assert "expired" in late.value.message
    assert not fresh(jo).is_verified


def test_five_wrong_codes_end_the_code_and_the_right_one_no_longer_works():
    jo = signup(email="jo@agency.com")
    code = verification.code_for(AddressVerification.objects.get(user=jo).nonce)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(verification.MAX_WRONG):
        with pytest.raises(InvalidInput) as refused:
            verification.confirm_code(act(jo), fresh(jo), wrong)
        assert refused.value.fields == {"code": "wrong"}
    with pytest.raises(Gone):
        verification.confirm_code(act(jo), fresh(jo), code)
    assert not fresh(jo).is_verified


def test_codes_tried_are_limited_per_account(settings):
    settings.BIZCENTER_TWO_FACTOR_RATE = 3
    jo = signup(email="jo@agency.com")
    for _ in range(3):
        with pytest.raises(InvalidInput):
            verification.confirm_code(act(jo), fresh(jo), "000000")
    with pytest.raises(RateLimited):
        verification.confirm_code(act(jo), fresh(jo), "000000")


def test_a_new_code_replaces_the_old_one():
    jo = signup(email="jo@agency.com")
    old = verification.code_for(AddressVerification.objects.get(user=jo).nonce)
    verification.resend(act(jo), fresh(jo), 0)
    with pytest.raises(InvalidInput):
        verification.confirm_code(act(jo), fresh(jo), old)


def test_codes_sent_to_one_address_are_limited_whoever_asks(settings):
    """Nobody floods an inbox or a phone with codes (texts cost the operator money),
    not even by signing up again and again."""
    settings.BIZCENTER_VERIFICATION_SEND_RATE = 2
    signup(phone="+14155550142")
    signup(phone="+14155550142")
    with pytest.raises(RateLimited):
        signup(phone="+14155550142")
    assert User.objects.filter(phone="+14155550142").count() == 2  # nothing half-made


def test_the_code_page_sends_new_codes_only_to_addresses_the_account_is_proving():
    jo = signup(email="jo@agency.com")
    for elsewhere in ("victim@else.com", "1", "-1", ""):
        with pytest.raises(NotFound):
            verification.resend(act(jo), fresh(jo), elsewhere)
    assert AddressVerification.objects.filter(user=jo).count() == 1


def test_no_code_is_stored_only_a_keyed_hash_of_it():
    jo = signup(email="jo@agency.com")
    row = AddressVerification.objects.get(user=jo)
    code = verification.code_for(row.nonce)
    token = verification.link_token_for(row.nonce)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_addressverification")
        stored = " ".join(str(v) for r in cursor.fetchall() for v in r)
    assert code not in stored and token not in stored


def test_the_link_in_the_email_proves_the_address_with_a_button(client, run_worker, mailbox):
    jo = signup(email="jo@agency.com")
    run_worker()
    [message] = mailbox
    assert message.subject.endswith("is your bizcenter code")
    link = re.search(r"https?://\S+(/account/verify/[^/\s]+/)", message.body).group(1)
    # Opened on another device: log in first, and the log-in comes back to the link.
    to_login = client.get(link)
    assert to_login.status_code == 302 and to_login.url.startswith("/login/")
    back = client.post(to_login.url, {"username": "jo@agency.com", "password": PASSWORD})
    assert back.status_code == 302 and back.url == link
    page = client.get(link)  # opening it (a mail scanner might) changes nothing
    assert page.status_code == 200 and "j***@agency.com" in page.content.decode()
    assert not fresh(jo).is_verified
    done = client.post(link)
    assert done.status_code == 302 and done.url == "/"
    assert fresh(jo).verified("email")
    assert client.post(link).status_code == 410  # once


def test_the_link_does_not_give_the_address_to_an_account_that_did_not_ask(run_worker,
                                                                          mailbox):
    """Someone signs up with Jo's address: Jo receives that account's link too. Jo,
    opening it while logged in to her own account (or any other), gives the address to
    nobody: the link works only in a session of the account that asked for it."""
    stranger = signup(email="jo@agency.com", name="Stranger")
    jo = signup(email="jo@agency.com", name="Jo")
    run_worker()
    first = next(m for m in mailbox)  # the stranger's, sent first
    link = re.search(r"https?://\S+(/account/verify/[^/\s]+/)", first.body).group(1)
    browser = Client()
    browser.force_login(jo)
    assert browser.get(link).status_code == 403
    refused = browser.post(link)
    assert refused.status_code == 403 and "ignore it" in refused.content.decode()
    assert not fresh(stranger).is_verified and not fresh(jo).is_verified
    with pytest.raises(NotAllowed):
        verification.confirm_link(act(jo), link.rstrip("/").rsplit("/", 1)[-1])


# -- squatters ------------------------------------------------------------------------


def test_the_owner_who_proves_an_address_takes_it_from_an_unproven_account(run_worker):
    """Someone registers a victim's address first and turns on 2-step verification.
    The victim signs up too, proves the address, and has it; the squatter's account,
    left with no address, is gone, 2-step set-up and all."""
    squatter = signup(email="victim@brand.com")
    from bizcenter.accounts import two_factor

    two_factor.start(act(squatter))
    two_factor.confirm(act(fresh(squatter)), fresh_code(fresh(squatter)))
    owner = signup(email="victim@brand.com")
    run_worker()
    verification.confirm_code(act(owner), fresh(owner), code_sent_to("victim@brand.com"))
    assert fresh(owner).verified("email")
    assert not User.objects.filter(pk=squatter.pk).exists()
    assert AuditEvent.objects.filter(action="account.removed",
                                     target_id=str(squatter.pk)).exists()


def test_a_squatter_with_another_address_keeps_only_that_one():
    squatter = signup(email="victim@brand.com", phone="+14155550142")
    owner = signup(email="victim@brand.com")
    row = AddressVerification.objects.get(user=owner)
    verification.confirm_code(act(owner), fresh(owner), verification.code_for(row.nonce))
    squatter = fresh(squatter)
    assert (squatter.email, squatter.phone) == (None, "+14155550142")
    event = AuditEvent.objects.get(action="address.lost", target_id=str(squatter.pk))
    assert event.after == {"email": "v***@brand.com"}


def test_a_proven_address_cannot_be_taken_by_proving_it_again():
    owner = signup(email="jo@agency.com")
    row = AddressVerification.objects.get(user=owner)
    verification.confirm_code(act(owner), fresh(owner), verification.code_for(row.nonce))
    other = signup(email="jo@agency.com")  # its message says the address has an account
    row = AddressVerification.objects.get(user=other)
    with pytest.raises(Conflict) as taken:
        verification.confirm_code(act(other), fresh(other), verification.code_for(row.nonce))
    assert taken.value.code == "address_taken"
    assert fresh(owner).verified("email") and not fresh(other).is_verified


def test_a_reset_link_gives_a_squatted_account_to_the_address_owner(client, run_worker, mailbox):
    """The owner who does not sign up but resets the password: the link proves the
    address, so the 2-step set-up nobody proved the address for goes, and so do the
    squatter's sessions."""
    from bizcenter.accounts import two_factor

    squatter = signup(email="victim@brand.com")
    two_factor.start(act(squatter))
    two_factor.confirm(act(fresh(squatter)), fresh_code(fresh(squatter)))
    squatter_session = Client()
    squatter_session.force_login(fresh(squatter))
    client.post("/password/reset/", {"address": "victim@brand.com"})
    run_worker()
    reset = next(m for m in mailbox if "Reset your bizcenter password" in m.subject)
    link = re.search(r"https?://\S+(/password/reset/\S+/)", reset.body).group(1)
    form = client.get(link, follow=True)
    new = "another long passphrase 7"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new,
                                                    "new_password2": new})
    assert done.status_code == 302
    owner = fresh(squatter)
    assert owner.verified("email") and not owner.has_two_factor and not owner.needs_proof
    # The owner logs in with the new password alone; the squatter is out.
    page = client.post("/login/", {"username": "victim@brand.com", "password": new})
    assert page.status_code == 302 and page.url == "/"
    assert squatter_session.get("/").status_code == 302
    assert "/login/" in squatter_session.get("/").url


# -- accounts from before ---------------------------------------------------------------


def test_an_account_from_before_proves_its_address_at_the_next_log_in(client, make_user,
                                                                      run_worker):
    old = make_user("old@agency.com")
    User.objects.filter(pk=old.pk).update(verify_at_next_login=True)  # as the migration does
    kept = Client()
    kept.force_login(fresh(old))
    assert kept.get("/").status_code == 200  # a session from before keeps working

    page = client.post("/login/", {"username": "OLD@agency.com", "password": PASSWORD})
    assert page.status_code == 302 and page.url == "/account/verify/"
    assert client.get("/").url == "/account/verify/"
    run_worker()
    proven = client.post("/account/verify/", {"step": "code",
                                               "code": code_sent_to("old@agency.com")})
    assert proven.url == "/"
    assert not fresh(old).verify_at_next_login
    assert client.get("/").status_code == 200


def test_the_migration_keeps_existing_accounts_working_until_their_next_log_in():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("bizcenter.accounts.migrations.0005_verified_addresses")
    jo = signup(email="jo@agency.com", phone="+14155550142")
    User.objects.filter(pk=jo.pk).update(email_verified_at=None, phone_verified_at=None)
    migration.grandfather_existing_accounts(apps, None)
    jo = fresh(jo)
    assert jo.verified("email") and jo.verified("phone")  # keeps working
    assert jo.verify_at_next_login and jo.needs_proof  # and proves one at next log-in


# -- what an unproven account cannot do ----------------------------------------------------


def test_an_unproven_account_can_create_no_business_center_and_no_token(center, as_owner):
    jo = signup(email="jo@agency.com")
    with pytest.raises(NotAllowed) as refused:
        create_center(act(jo), name="Jo Agency")
    assert refused.value.code == "address_unverified"
    assert "Confirm your email address or phone number" in refused.value.message
    from bizcenter.centers.models import BusinessCenter

    assert not BusinessCenter.objects.filter(name="Jo Agency").exists()
    User.objects.filter(pk=jo.pk).update(email_verified_at=timezone.now())
    mine = create_center(act(fresh(jo)), name="Jo Agency")
    User.objects.filter(pk=jo.pk).update(email_verified_at=None)
    with pytest.raises(NotAllowed) as no_token:
        create_token(act(fresh(jo)), mine, "script")
    assert no_token.value.code == "address_unverified"


def test_accounts_that_never_prove_an_address_are_removed_after_a_while(settings, make_user):
    settings.BIZCENTER_UNVERIFIED_ACCOUNT_DAYS = 7
    idle = signup(email="idle@agency.com")
    recent = signup(email="recent@agency.com")
    User.objects.filter(pk=idle.pk).update(date_joined=timezone.now() - timedelta(days=8))
    kept = make_user("kept@agency.com")
    User.objects.filter(pk=kept.pk).update(date_joined=timezone.now() - timedelta(days=80))
    assert verification.remove_unclaimed() == 1
    assert set(User.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}


def test_the_worker_removes_them_once_an_hour(settings):
    from django_tasks_db.models import DBTaskResult

    from bizcenter.accounts.tasks import remove_unclaimed_accounts, schedule

    idle = signup(email="idle@agency.com")
    User.objects.filter(pk=idle.pk).update(date_joined=timezone.now() - timedelta(days=30))
    waiting = DBTaskResult.objects.filter(task_path=remove_unclaimed_accounts.module_path,
                                          status="READY")
    schedule()
    schedule()  # a second worker starting does not add another
    assert waiting.count() == 1
    assert remove_unclaimed_accounts.call() == 1
    assert not User.objects.filter(pk=idle.pk).exists()
    later = waiting.order_by("-enqueued_at").first()
    assert later is not None and later.run_after > timezone.now() + timedelta(minutes=59)


# -- adding or changing an address ------------------------------------------------------------


def test_changing_the_email_needs_the_password_and_a_code_sent_to_the_new_one(
        client, make_user, run_worker):
    jo = make_user("jo@agency.com")
    client.force_login(jo)
    wrong = client.post("/account/security/", {"step": "address", "address": "jo@new.com",
                                                "current": "not my password 1"})
    assert wrong.status_code == 400 and "not your current password" in wrong.content.decode()
    sent = client.post("/account/security/", {"step": "address", "address": "Jo@New.com",
                                               "current": PASSWORD})
    assert sent.status_code == 302 and sent.url.startswith("/account/verify/")
    assert fresh(jo).email == "jo@agency.com"  # nothing changes before the code
    run_worker()
    proven = client.post(sent.url, {"step": "code", "code": code_sent_to("jo@new.com")})
    assert proven.url == "/account/security/"
    jo = fresh(jo)
    assert jo.email == "jo@new.com" and jo.verified("email")
    assert "jo@new.com" in client.get("/account/security/").content.decode()
    # The old address is free for whoever proves it.
    assert User.objects.owner_of(parse_address("jo@agency.com")) is None
    assert mail.outbox[-1].to == ["jo@new.com"]
