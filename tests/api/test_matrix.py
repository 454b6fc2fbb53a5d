"""The authorization matrix: every operation of the OpenAPI document, called by every kind
of caller, answers the status the access engine says it should, and a refused call changes
nothing at all.

The operations come from ``/api/v1/openapi.json`` itself, so an endpoint added without an
entry in ``OPS`` fails here until whoever added it declares the action it needs and a
valid request. The expected status is not written by hand per caller: it is derived from
``bizcenter.access.engine.check`` for that caller on that resource (allowed: the
operation's success status; denied: 403; not a member of the Business Center: 404), after
the token rules (no, expired or revoked token: 401; a read-only token writing: 403; a
token for another Business Center: 404).

One world is built per module; each call runs in a savepoint that is rolled back, so
every caller meets the same data, and after every refused call the whole database (every
row of every table, save the last-use stamps any call moves) and the messages sent are
compared with before.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from bizcenter.access import engine
from tests.support.matrix import (
    DOCUMENTED,
    OPS,
    World,
    _shape,
    call,
    database,
    expected,
    read,
    seeded,
)

pytestmark = pytest.mark.usefixtures("quick_hashing")


# -- the test ---------------------------------------------------------------------------------


def test_every_documented_operation_has_a_rule():
    undeclared = sorted(set(DOCUMENTED) - set(OPS))
    stale = sorted(set(OPS) - set(DOCUMENTED))
    assert not undeclared, ("Declare the Action each new operation needs, and a valid "
                            f"request, in OPS: {undeclared}")
    assert not stale, f"OPS names operations the API no longer has: {stale}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    yield from seeded(django_db_blocker)


@pytest.mark.parametrize("key", sorted(set(DOCUMENTED) | set(OPS)))
def test_authorization_matrix(key, world, db):
    assert key in OPS, f"{key} has no entry in the matrix: declare the Action it needs in OPS"
    assert key in DOCUMENTED, f"{key} is not in the OpenAPI document any more"
    op = OPS[key]
    declared = {int(code) for code in DOCUMENTED[key]}
    client = Client()
    before = database()
    wrong: list[str] = []
    for caller in world.callers:
        engine.reset_caches()
        cache.clear()
        want = expected(key, op, caller)
        assert want in declared, f"{key}: {want} for {caller.name} is not in the document"
        point = transaction.savepoint()
        try:
            response = read(call(client, key, op, caller, world))
            got, why = response.status_code, _shape(response)
            if got != want:
                wrong.append(f"{caller.name}: expected {want}, got {got} {why}".strip())
            if got >= 300 or want >= 300:
                changed = {label: (was, now) for (label, was), now in
                           zip(before.items(), database().values(), strict=True) if was != now}
                if changed:
                    wrong.append(f"{caller.name}: answered {got} (expected {want}) yet "
                                 f"changed {sorted(changed)}")
        finally:
            transaction.savepoint_rollback(point)
    assert not wrong, f"{key}:\n  " + "\n  ".join(wrong)
