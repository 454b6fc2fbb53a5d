"""The API token look-up (accounts/tokens.py): one hand-written SQL statement, rows
built with Model.from_db. It must give what the ORM gives, and read the row on every
call, so a revoked token fails on the very next one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bizcenter.accounts.models import ApiToken, User
from bizcenter.accounts.tokens import (
    Unauthenticated,
    authenticate,
    create_token,
    revoke_token,
    token_by_prefix,
)
from bizcenter.centers.models import BusinessCenter
from tests.conftest import in_other_connection


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _same(got, want) -> None:
    assert type(got) is type(want)
    assert got.pk == want.pk
    assert got._state.db == want._state.db
    assert got._state.adding is False
    assert _values(got) == _values(want)


@pytest.mark.django_db(transaction=True)
def test_the_lookup_builds_what_the_orm_builds(owner, center, as_owner):
    User.objects.filter(pk=owner.pk).update(totp_secret="JBSWY3DPEHPK3PXP",
                                            last_login=timezone.now())
    BusinessCenter.objects.filter(pk=center.pk).update(
        allowed_email_domains=["brand.com", "example.org"])
    issued = create_token(as_owner, center, "script", read_only=True,
                          expires_at=timezone.now() + timedelta(days=3))
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=timezone.now())

    with CaptureQueriesContext(connection) as queries:
        got = token_by_prefix(issued.token.prefix)
    assert len(queries) == 1
    want = ApiToken.objects.select_related("user", "center").get(prefix=issued.token.prefix)
    assert got is not None
    _same(got, want)
    with CaptureQueriesContext(connection) as queries:  # already there, as select_related
        _same(got.user, want.user)
        _same(got.center, want.center)
    assert len(queries) == 0
    assert got.user.totp_secret == "JBSWY3DPEHPK3PXP"  # unsealed, as the ORM does
    assert got.center.allowed_email_domains == ["brand.com", "example.org"]
    assert got.expires_at is not None and got.expires_at.tzinfo is not None
    assert got.read_only is True
    assert token_by_prefix("000000000000") is None


@pytest.mark.django_db(transaction=True)
def test_a_revoked_token_fails_on_the_very_next_call(owner, center, as_owner):
    issued = create_token(as_owner, center, "script")
    assert authenticate(issued.secret, writes=False).pk == issued.token.pk
    in_other_connection(lambda: revoke_token(as_owner, issued.token.pk))
    with pytest.raises(Unauthenticated) as refused:
        authenticate(issued.secret, writes=False)
    assert refused.value.code == "token_revoked"


@pytest.mark.django_db(transaction=True)
def test_a_deactivated_owner_fails_on_the_very_next_call(owner, center, as_owner):
    issued = create_token(as_owner, center, "script")
    authenticate(issued.secret, writes=False)
    in_other_connection(lambda: User.objects.filter(pk=owner.pk).update(is_active=False))
    with pytest.raises(Unauthenticated) as refused:
        authenticate(issued.secret, writes=False)
    assert refused.value.code == "token_invalid"


@pytest.mark.django_db(transaction=True)
def test_an_unchanged_row_gives_new_instances_each_call(owner, center, as_owner):
    """The second call finds the same row and hands out copies of what the first built:
    what one request changes on its token, person or Business Center is its own."""
    BusinessCenter.objects.filter(pk=center.pk).update(allowed_email_domains=["brand.com"])
    issued = create_token(as_owner, center, "script")
    first = token_by_prefix(issued.token.prefix)
    assert first is not None
    first.name = "changed by a request"
    first.user.name = "changed by a request"
    first.center.allowed_email_domains.append("evil.example")

    with CaptureQueriesContext(connection) as queries:
        second = token_by_prefix(issued.token.prefix)
    assert len(queries) == 1  # the row is still read
    assert second is not None and second is not first
    assert second.user is not first.user and second.center is not first.center
    want = ApiToken.objects.select_related("user", "center").get(prefix=issued.token.prefix)
    _same(second, want)
    _same(second.user, want.user)
    _same(second.center, want.center)
    second.center.allowed_email_domains.append("other.example")
    third = token_by_prefix(issued.token.prefix)
    assert third is not None and third.center.allowed_email_domains == ["brand.com"]


@pytest.mark.django_db(transaction=True)
def test_a_changed_row_is_built_again(owner, center, as_owner):
    """Any column that changes (a new name, the Business Center's access version) is
    what the next call sees."""
    issued = create_token(as_owner, center, "script")
    assert token_by_prefix(issued.token.prefix) is not None
    in_other_connection(lambda: (
        User.objects.filter(pk=owner.pk).update(name="Renamed Owner"),
        BusinessCenter.objects.filter(pk=center.pk).update(access_version=991)))
    got = token_by_prefix(issued.token.prefix)
    assert got is not None
    assert got.user.name == "Renamed Owner"
    assert got.center.access_version == 991
