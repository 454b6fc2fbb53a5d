"""Read replicas: which database serves each query (core/replicas.py): only what a service
reads inside ``from_replica()``, its list, goes to a replica.

The "replica" here is a TEST MIRROR: a second connection (alias ``replica1``) to
the very same test database, so nothing is replicated and nothing can lag; what
is asserted is the routing decision, read from each connection's own query log.
The tests commit (transactional), so the second connection sees the rows.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from django.db import connections, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext

from bizcenter.access import snapshot
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core import replicas
from bizcenter.core.replicas import ReplicaRouter, from_replica
from tests.conftest import act, join
from tests.support.api import api_for

REPLICA = "replica1"
# The access engine's read of a Business Center's access version.
VERSION_READ = '"access_version" AS "access_version"'


@pytest.fixture
def replica(transactional_db, monkeypatch) -> Iterator[str]:
    """``replica1``: a TEST MIRROR of the primary, as DATABASE_REPLICA_URL would add it: a
    connection of its own to the primary's test database."""
    mirror = copy.deepcopy(connections["default"].settings_dict)
    mirror["TEST"] = {**mirror.get("TEST", {}), "MIRROR": "default"}
    connections[REPLICA] = load_backend(mirror["ENGINE"]).DatabaseWrapper(mirror, REPLICA)
    monkeypatch.setattr(replicas, "replicas", lambda: [REPLICA])
    try:
        yield REPLICA
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]


class Logs:
    """The SQL each database served while the block ran."""

    def __enter__(self) -> Logs:
        self.primary = CaptureQueriesContext(connections["default"])
        self.replica = CaptureQueriesContext(connections[REPLICA])
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    def on_primary(self, table: str) -> bool:
        return any(table in q["sql"] for q in self.primary.captured_queries)

    def on_replica(self, table: str) -> bool:
        return any(table in q["sql"] for q in self.replica.captured_queries)



def test_without_a_replica_django_routes_as_usual(db):
    assert replicas.replicas() == []
    assert ReplicaRouter().db_for_read(Membership) is None
    with from_replica():
        assert ReplicaRouter().db_for_read(Membership) in (None, "default")


def test_a_read_outside_the_block_goes_to_the_primary(replica, center):
    """The access engine, tokens, sessions, the worker and the CLI: everything not
    opened explicitly for a replica."""
    with Logs() as logs:
        BusinessCenter.objects.get(pk=center.pk)
    assert logs.on_primary("centers_businesscenter")
    assert logs.replica.captured_queries == []


def test_a_read_in_the_block_goes_to_the_replica(replica, center):
    with Logs() as logs, from_replica():
        assert BusinessCenter.objects.get(pk=center.pk).name == "Brand Co"
    assert logs.on_replica("centers_businesscenter")
    assert not logs.on_primary("centers_businesscenter")


def test_after_a_write_the_block_reads_the_primary(replica, center):
    router = ReplicaRouter()
    with from_replica():
        assert router.db_for_read(BusinessCenter) == REPLICA
        BusinessCenter.objects.filter(pk=center.pk).update(company="Brand Holdings")
        with Logs() as logs:
            assert BusinessCenter.objects.get(pk=center.pk).company == "Brand Holdings"
    assert logs.on_primary("centers_businesscenter")
    assert logs.replica.captured_queries == []
    with from_replica():  # a new block reads the replica again
        assert router.db_for_read(BusinessCenter) == REPLICA


def test_inside_a_transaction_reads_the_primary(replica, center):
    with from_replica(), transaction.atomic(), Logs() as logs:
        BusinessCenter.objects.get(pk=center.pk)
    assert logs.on_primary("centers_businesscenter")
    assert logs.replica.captured_queries == []


def test_access_engine_reads_the_primary(replica, center, owner):
    snapshot.clear()
    with Logs() as logs:
        assert snapshot.current_version(center.pk) is not None
        from bizcenter.access import engine
        from bizcenter.access.actions import Action

        assert engine.check(owner, Action.MEMBER_VIEW, center).allowed
    assert logs.on_primary(VERSION_READ)
    assert logs.on_primary("centers_membership")
    assert logs.replica.captured_queries == []


def test_api_call_token_and_check_on_primary_list_on_replica(replica, owner, center,
                                                             make_user, quick_hashing):
    join(act(owner), center, make_user("ana@agency.com", name="Ana"))
    api = api_for(owner, center)
    # The first call notes when the token and the member were last active (writes, so
    # that request stays on the primary after them); those notes are throttled.
    assert api.get(f"/centers/{center.pk}/members").status_code == 200
    with Logs() as logs:
        response = api.get(f"/centers/{center.pk}/members")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 2
    assert logs.on_primary("accounts_apitoken")  # who is calling
    assert not logs.on_replica("accounts_apitoken")
    assert not logs.on_replica(VERSION_READ)
    assert logs.on_replica("centers_membership")  # the list itself


def test_revoked_member_is_refused_on_the_next_request_with_a_replica(
        replica, owner, center, make_user, quick_hashing):
    ana = make_user("ana@agency.com", name="Ana")
    member = join(act(owner), center, ana)
    theirs = api_for(ana, center)
    assert theirs.get(f"/centers/{center.pk}").status_code == 200
    admin = api_for(owner, center)
    assert admin.send("delete", f"/centers/{center.pk}/members/{member.pk}").status_code == 200
    assert theirs.get(f"/centers/{center.pk}").status_code in (401, 404)


def test_migrations_never_run_on_a_replica():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "centers") is False
    assert router.allow_migrate("default", "centers") is None


def test_web_page_session_and_check_on_primary_list_on_replica(replica, owner, center,
                                                               client):
    client.force_login(owner)
    url = f"/c/{center.pk}/partners/"
    assert client.get(url).status_code == 200  # notes the member's activity: a write
    with Logs() as logs:
        response = client.get(url)
    assert response.status_code == 200
    assert b"Olivia Owner" in response.content
    assert logs.on_primary("django_session") and logs.on_primary("accounts_user")
    assert not logs.on_replica("django_session") and not logs.on_replica(VERSION_READ)
    assert logs.on_replica("centers_membership")
