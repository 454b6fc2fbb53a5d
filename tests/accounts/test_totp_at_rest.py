"""2-step secrets are encrypted at rest under a key from SECRET_KEY, and SECRET_KEY can
be rotated without locking anyone out (SECRET_KEY_FALLBACKS, then reseal_secrets)."""

from __future__ import annotations

import pyotp
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from bizcenter.accounts import two_factor
from bizcenter.accounts.models import User
from bizcenter.accounts.sealed import is_sealed
from tests.conftest import PASSWORD, act, fresh_code

pytestmark = pytest.mark.usefixtures("quick_hashing")


def stored(user: User) -> str:
    """The column as the database holds it, past the model field."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [user.pk])
        return str(cursor.fetchone()[0])


def with_two_step(user: User) -> str:
    setup = two_factor.start(act(user))
    two_factor.confirm(act(user), fresh_code(setup.secret))
    return setup.secret


def test_the_stored_secret_is_not_the_secret_and_two_step_log_in_still_works(make_user):
    kim = make_user("kim@agency.com")
    secret = with_two_step(kim)
    column = stored(kim)
    assert column != secret and secret not in column and is_sealed(column)
    assert User.objects.get(pk=kim.pk).totp_secret == secret  # transparent to the code
    client = Client()
    assert client.post("/login/", {"username": "kim@agency.com",
                                   "password": PASSWORD}).status_code == 302
    done = client.post("/login/code/", {"code": fresh_code(kim)})
    assert done.status_code == 302
    assert client.get("/account/security/").status_code == 200


def test_a_secret_sealed_under_an_old_key_verifies_while_it_is_a_fallback(make_user,
                                                                           settings):
    settings.SECRET_KEY = "the-old-key-" + "x" * 40
    kim = make_user("kim@agency.com")
    with_two_step(kim)
    sealed_under_old = stored(kim)

    settings.SECRET_KEY = "the-new-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = ["the-old-key-" + "x" * 40]
    kim = User.objects.get(pk=kim.pk)
    assert two_factor.verify(kim, fresh_code(kim))

    call_command("reseal_secrets", verbosity=0)  # now under the new key alone
    assert stored(kim) != sealed_under_old
    settings.SECRET_KEY_FALLBACKS = []
    kim = User.objects.get(pk=kim.pk)
    assert two_factor.verify(kim, fresh_code(kim))


def test_without_the_old_key_the_error_says_to_add_it_as_a_fallback(make_user, settings):
    settings.SECRET_KEY = "the-old-key-" + "x" * 40
    kim = make_user("kim@agency.com")
    with_two_step(kim)
    settings.SECRET_KEY = "the-new-key-" + "y" * 40
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FALLBACKS"):
        User.objects.get(pk=kim.pk)


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_secrets_and_reverses(django_user_model):
    """A plain secret written by the schema before 0006 is sealed by it; reversing
    gives the plain secret back."""
    secret = pyotp.random_base32()
    executor = MigrationExecutor(connection)
    before = [("accounts", "0005_verified_addresses")]
    after = [("accounts", "0006_totp_secret_sealed")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("accounts", "User")
    person = old.objects.create(email="old@agency.com", totp_secret=secret)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    column = stored(person)
    assert is_sealed(column) and secret not in column
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(before)
    assert stored(person) == secret
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert User.objects.get(pk=person.pk).totp_secret == secret
