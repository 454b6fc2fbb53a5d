"""The database settings the product runs with: Django's own SQLite and PostgreSQL
backends, SQLite's pragmas and PostgreSQL's prepared statements."""

from __future__ import annotations

import time

import pytest
from django.db import close_old_connections, connection, connections

from bizcenter.assets.models import Asset
from bizcenter.assets.services import create_asset, list_assets
from bizcenter.settings import _postgres
from tests.conftest import in_other_connection

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the PostgreSQL backend")


@sqlite_only
@pytest.mark.django_db
def test_sqlite_runs_with_wal_and_foreign_keys():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
    assert connection.settings_dict["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.django_db
def test_a_search_with_a_percent_sign_finds_what_it_should(center, as_owner):
    """A literal % (LIKE's wildcard, escaped by the ORM as %%) finds only itself."""
    create_asset(as_owner, center, type="ADVERTISER", name="Summer 50% off")
    create_asset(as_owner, center, type="ADVERTISER", name="Summer 500 off")
    assert [a.name for a in list_assets(as_owner, center, search="50%").items] == [
        "Summer 50% off"]
    assert Asset.objects.filter(name__contains="0%").count() == 1


def test_postgresql_prepares_statements_unless_told_not_to(monkeypatch):
    monkeypatch.delenv("BIZCENTER_PG_PREPARED_STATEMENTS", raising=False)
    db = _postgres("postgres://app@db.example:5432/bizcenter?sslmode=require")
    assert db["OPTIONS"] == {"sslmode": "require", "server_side_binding": True,
                             "prepare_threshold": 5}
    assert db["CONN_MAX_AGE"] == 60 and db["CONN_HEALTH_CHECKS"] is True
    assert db["ENGINE"] == "django.db.backends.postgresql"

    monkeypatch.setenv("BIZCENTER_PG_PREPARED_STATEMENTS", "0")  # behind old PgBouncer
    assert _postgres("postgres://app@db.example:5432/bizcenter").get("OPTIONS", {}) == {}


def _seen_by_the_server(pid: int) -> str | None:
    """What PostgreSQL shows as that connection's last statement; None once it is gone."""
    seen: list[str | None] = []

    def look() -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            seen.append(row[0] if row else None)
    in_other_connection(look)
    return seen[0]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_closed_is_replaced_before_the_next_request_uses_it():
    """A restart, a failover or an idle timeout closes connections between requests;
    the next request must get a new one, not an error."""
    pid = _backend_pid()
    close_old_connections()  # the request that used it ends

    def terminate() -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    in_other_connection(terminate)
    deadline = time.monotonic() + 10
    while _seen_by_the_server(pid) is not None:  # gone, and its goodbye sent
        assert time.monotonic() < deadline, "the server did not end the connection"
        time.sleep(0.05)

    close_old_connections()  # the next request starts
    assert Asset.objects.count() == 0  # its first query works, on a new connection
    assert _backend_pid() != pid
