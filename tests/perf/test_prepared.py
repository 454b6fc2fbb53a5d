"""Lookups compiled once (core/prepared.py) answer exactly what the ORM would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bizcenter.accounts.models import ApiToken
from bizcenter.accounts.tokens import create_token
from bizcenter.assets.models import Asset
from bizcenter.assets.services import create_asset
from bizcenter.centers.services import create_center
from bizcenter.core.errors import NotFound
from bizcenter.core.lookup import find
from bizcenter.core.prepared import Prepared
from tests.conftest import act, in_other_connection

pytestmark = pytest.mark.django_db

TOKENS = Prepared(ApiToken.objects.select_related("user", "center"), "prefix")
ASSETS = Prepared(Asset.objects.all(), "center_id", "pk")


def fields(obj: object) -> dict:
    return {k: v for k, v in vars(obj).items() if k != "_state"}


def test_a_token_comes_back_as_the_orm_builds_it_with_its_person_and_center(
        center, as_owner, django_assert_num_queries):
    issued = create_token(as_owner, center, "nightly sync", read_only=True,
                          expires_at=timezone.now() + timedelta(days=3))
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=timezone.now())
    expected = ApiToken.objects.select_related("user", "center").get(pk=issued.token.pk)

    with django_assert_num_queries(1):
        found = TOKENS.one(issued.token.prefix)
        assert found is not None
        # The person and the Business Center came with it: no query for either.
        assert fields(found.user) == fields(expected.user)
        assert fields(found.center) == fields(expected.center)
    assert fields(found) == fields(expected)
    assert found.read_only is True and found.expires_at.tzinfo is not None
    assert found._state.adding is False and found._state.db == "default"


def test_each_call_puts_its_own_values_in(center, as_owner, owner):
    first = create_token(as_owner, center, "one").token
    second = create_token(as_owner, center, "two").token

    assert TOKENS.one(first.prefix).pk == first.pk
    assert TOKENS.one(second.prefix).pk == second.pk
    assert TOKENS.one("no-such-prefix") is None


def test_a_lookup_by_two_keys_keeps_them_apart(center, as_owner):
    """The center and the id go where they belong: an asset of another Business
    Center is not found by its id."""
    other = create_center(as_owner, name="Other Co")
    mine = create_asset(as_owner, center, type="ADVERTISER", name="Mine")
    theirs = create_asset(as_owner, other, type="ADVERTISER", name="Theirs")

    assert ASSETS.one(center.pk, mine.pk) == mine
    assert ASSETS.one(center.pk, theirs.pk) is None
    assert ASSETS.one(other.pk, theirs.pk).name == "Theirs"


def test_an_id_no_column_can_hold_is_simply_not_found(center):
    """As the ORM answers it: no row, not a database error (SQLite's integers stop
    at 2**63 - 1)."""
    assert ASSETS.one(center.pk, 2**63) is None
    assert ASSETS.one(center.pk, -(2**70)) is None
    with pytest.raises(NotFound, match="No asset with id 99999999999999999999999 in Brand"):
        find(ASSETS, "99999999999999999999999", "No asset with id {id} in Brand Co.",
             within=(center.pk,))


def test_find_says_what_was_missing_the_same_way_for_both_kinds(center):
    with pytest.raises(NotFound, match=r"^No asset with id 'x1' here\.$"):
        find(ASSETS, "x1", "No asset with id {id} here.", within=(center.pk,))
    with pytest.raises(NotFound, match=r"^No asset with id 'x1' here\.$"):
        find(Asset.objects.filter(center=center), "x1", "No asset with id {id} here.")
    with pytest.raises(NotFound, match=r"^No asset with id 12345 here\.$"):
        find(ASSETS, 12345, "No asset with id {id} here.", within=(center.pk,))


def test_a_lookup_must_name_its_keys():
    with pytest.raises(ValueError, match="name the columns"):
        Prepared(Asset.objects.all())


@pytest.mark.django_db(transaction=True)
def test_a_row_is_read_again_only_after_something_was_committed(owner, make_user):
    """On SQLite the token's row comes from memory while nothing at all was committed
    since it was read; a commit by another process (a revoke) or by this one is seen
    on the very next lookup. On PostgreSQL every lookup reads the row."""
    center = create_center(act(owner), name="Brand Co")
    issued = create_token(act(owner), center, "sync").token
    TOKENS.one(issued.prefix)
    reads = 0 if connection.vendor == "sqlite" else 1

    with CaptureQueriesContext(connection) as queries:
        first = TOKENS.one(issued.prefix)
    assert len(queries) == reads
    # Each answer is the caller's own: changing it changes nothing for the next one.
    first.user.name = "changed in this request only"
    first.center.allowed_email_domains.append("evil.example")
    again = TOKENS.one(issued.prefix)
    assert again.user.name == "Olivia Owner" and again.center.allowed_email_domains == []
    # A copy of what was built, equal to what the ORM builds from the row.
    expected = ApiToken.objects.select_related("user", "center").get(pk=issued.pk)
    assert again is not first and again.user is not first.user
    assert fields(again) == fields(expected) and fields(again.user) == fields(expected.user)
    assert fields(again.center) == fields(expected.center)
    assert again._state.adding is False and again._state.db == "default"
    again.name = "saved from a copy"
    again.save(update_fields=["name"])  # a copy saves like an instance the ORM built
    assert ApiToken.objects.get(pk=issued.pk).name == "saved from a copy"

    in_other_connection(lambda: ApiToken.objects.filter(pk=issued.pk).update(
        revoked_at=timezone.now()))
    assert TOKENS.one(issued.prefix).revoked_at is not None

    ApiToken.objects.filter(pk=issued.pk).update(name="renamed here")  # this connection
    assert TOKENS.one(issued.prefix).name == "renamed here"

    with transaction.atomic():  # inside a transaction: always read, own writes seen
        ApiToken.objects.filter(pk=issued.pk).update(name="in a transaction")
        with CaptureQueriesContext(connection) as queries:
            assert TOKENS.one(issued.prefix).name == "in a transaction"
        assert len(queries) == 1


@pytest.mark.django_db(transaction=True)
def test_a_change_to_the_person_or_the_business_center_is_seen_on_the_next_lookup(owner):
    """The token's row did not change, but the rows that came with it did, each in
    another process: the next lookup answers them as they are now."""
    center = create_center(act(owner), name="Brand Co")
    issued = create_token(act(owner), center, "sync").token
    assert TOKENS.one(issued.prefix).user.is_active is True

    in_other_connection(lambda: type(owner).objects.filter(pk=owner.pk).update(is_active=False))
    assert TOKENS.one(issued.prefix).user.is_active is False

    in_other_connection(lambda: type(center).objects.filter(pk=center.pk).update(
        name="Renamed Co", access_version=center.access_version + 7))
    found = TOKENS.one(issued.prefix)
    assert (found.center.name, found.center.access_version) == (
        "Renamed Co", center.access_version + 7)
    assert found.user.is_active is False

    in_other_connection(lambda: ApiToken.objects.filter(pk=issued.pk).delete())
    assert TOKENS.one(issued.prefix) is None


@pytest.mark.django_db(transaction=True)
def test_a_row_written_twice_in_one_transaction_is_seen_each_time(owner):
    """PostgreSQL marks both writes with the same transaction, so inside it only the
    row itself tells them apart; after the commit the last one is what is read."""
    center = create_center(act(owner), name="Brand Co")
    issued = create_token(act(owner), center, "sync").token
    TOKENS.one(issued.prefix)
    with transaction.atomic():
        ApiToken.objects.filter(pk=issued.pk).update(name="first")
        assert TOKENS.one(issued.prefix).name == "first"
        ApiToken.objects.filter(pk=issued.pk).update(name="second")
        assert TOKENS.one(issued.prefix).name == "second"
    assert TOKENS.one(issued.prefix).name == "second"
    in_other_connection(lambda: ApiToken.objects.filter(pk=issued.pk).update(name="third"))
    assert TOKENS.one(issued.prefix).name == "third"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row versions")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_unchanged_row_costs_only_its_versions(owner):
    """The whole row (34 columns with the person and the Business Center) is read
    once; after that each lookup asks only whether any of its three rows was written
    since, and reads the row again only when one was."""
    center = create_center(act(owner), name="Brand Co")
    issued = create_token(act(owner), center, "sync").token
    with CaptureQueriesContext(connection) as first:
        TOKENS.one(issued.prefix)
    with CaptureQueriesContext(connection) as again:
        TOKENS.one(issued.prefix)
    assert '"accounts_apitoken"."secret_hash"' in first[0]["sql"]
    assert len(again) == 1
    assert again[0]["sql"].startswith('SELECT "accounts_apitoken".xmin, "accounts_user".xmin, '
                                      '"centers_businesscenter".xmin FROM')

    in_other_connection(lambda: ApiToken.objects.filter(pk=issued.pk).update(name="renamed"))
    with CaptureQueriesContext(connection) as changed:
        assert TOKENS.one(issued.prefix).name == "renamed"
    assert len(changed) == 2 and "secret_hash" in changed[1]["sql"]
