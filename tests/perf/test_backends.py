"""The database settings the product runs with: our SQLite backend and PostgreSQL's
prepared statements."""

from __future__ import annotations

import pytest
from django.db import connection

from bizcenter.assets.models import Asset
from bizcenter.assets.services import create_asset, list_assets
from bizcenter.settings import _postgres

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend")


@sqlite_only
@pytest.mark.django_db
def test_sqlite_placeholders_are_rewritten_as_django_does():
    cursor = connection.cursor().cursor
    assert cursor.convert_query("SELECT %s, '%%', name FROM t WHERE a = %s") == (
        "SELECT ?, '%', name FROM t WHERE a = ?")
    # The same text again comes from memory, with the same answer.
    assert cursor.convert_query("SELECT %s, '%%', name FROM t WHERE a = %s") == (
        "SELECT ?, '%', name FROM t WHERE a = ?")
    assert cursor.convert_query("SELECT %(a)s", param_names=["a"]) == "SELECT :a"


@pytest.mark.django_db
def test_a_search_with_a_percent_sign_finds_what_it_should(center, as_owner):
    """A literal % (LIKE's wildcard, escaped by the ORM as %%) survives the rewrite."""
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

    monkeypatch.setenv("BIZCENTER_PG_PREPARED_STATEMENTS", "0")  # behind old PgBouncer
    assert _postgres("postgres://app@db.example:5432/bizcenter").get("OPTIONS", {}) == {}
