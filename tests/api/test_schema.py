"""Schemathesis against the OpenAPI document: for every operation, requests generated from
the document itself (valid ones and invalid ones) never get a 5xx, and every answer is
one the document declares, in status, content type and body shape.

The requests go through the whole Django application (WSGI, every middleware) as the
Admin of a seeded Business Center, with path parameters pointing at its real objects so
that they reach the services; each request runs in a transaction rolled back afterwards,
so every one of them meets the same data. A bounded number of examples per operation,
derandomized, keeps the run short and the same every time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bizcenter.access import engine
from bizcenter.wsgi import application
from tests.support.api import error_of
from tests.support.matrix import OPS, World, seeded

pytestmark = pytest.mark.usefixtures("quick_hashing")

# Per operation: bounded so CI stays quick; SCHEMATHESIS_EXAMPLES=200 for a deeper run.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
CONFIG = schemathesis.Config.from_dict({
    "seed": int(os.environ.get("SCHEMATHESIS_SEED", "6")),
    "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True,
                   "database": "none"},
    "phases": {"examples": {"enabled": True}, "fuzzing": {"enabled": True},
               "coverage": {"enabled": False}, "stateful": {"enabled": False}},
})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]

# The seeded world's ids and the Admin's token; set by `world`. Cases are built partly at
# collection (the documented examples), before any database exists, so they get them
# just before they are sent rather than from generation hooks.
SEEDED: dict[str, Any] = {}


def as_the_admin_on_real_objects(case: Any) -> None:
    """The Admin's token, and every id in the path naming an object of the seeded
    Business Center, so requests get past the lookups into the services (ids that match
    nothing are the matrix's and each router's tests' business). Path parameters made
    invalid on purpose stay so, but for the Business Center's own id."""
    ids = SEEDED["ids"]
    invalid = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
    case.path_parameters = {
        name: value if invalid and name != "center_id" else str(ids.get(name, value))
        for name, value in (case.path_parameters or {}).items()}
    case.headers = {**(case.headers or {}), **SEEDED["headers"]}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    for built in seeded(django_db_blocker):
        admin = next(c for c in built.callers if c.name == "Admin")
        SEEDED.update(ids=built.ids, headers=admin.headers)
        yield built
    SEEDED.clear()


@pytest.fixture
def _in_process(world, db) -> Iterator[None]:
    """Django's WSGI handler closes the database connection around each request, as a
    server must; here that connection holds the test's transaction, so, like Django's
    own test client, keep it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@pytest.mark.usefixtures("_in_process")
def test_every_answer_matches_the_document(case):
    engine.reset_caches()
    cache.clear()  # rate limits: hundreds of calls a minute with one token
    as_the_admin_on_real_objects(case)
    with transaction.atomic():
        response = case.call()
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)


# -- what schemathesis found, kept as plain tests -------------------------------------------


def _admin(world: World) -> dict[str, str]:
    return next(c for c in world.callers if c.name == "Admin").headers


def test_the_document_declares_each_status_once(db):
    # activity/export declared its 200 twice: the JSON had two "200" keys.
    def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicate keys: {sorted(keys)}"
        return dict(pairs)

    raw = Client().get("/api/v1/openapi.json").content
    json.loads(raw, object_pairs_hook=refuse_duplicates)


def test_an_invoice_month_past_the_calendar_is_a_400_not_a_500(world, db):
    # date(57001654728, 260, 1) overflows a C int: it was an OverflowError, a 500.
    response = Client().post(f"/api/v1/centers/{world.center.pk}/billing/invoices",
                             {"year": 57001654728, "month": 260},
                             content_type="application/json", headers=_admin(world))
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"month": "YYYY-MM"}


def test_metrics_that_are_not_even_utf8_are_a_400_not_a_500(world, db):
    # The refusal echoed the body, which could not be written back as JSON: a 500.
    response = Client().post(f"/api/v1/centers/{world.center.pk}/metrics", b"\xbc,\x14\x1c\xe0",
                             content_type="application/json", headers=_admin(world))
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_input"


FAR_OFFSET = "2030-01-01T12:00:00-18:03"  # valid ISO 8601; PostgreSQL refused to store it
CALENDAR_EDGE = "0001-01-01T00:00:00+05:00"  # no UTC time: it was a 500 on SQLite


def _with_time(world: World, moment: str) -> list[tuple[str, str, Any]]:
    ids = world.ids
    return [
        ("patch", f"/campaigns/{ids['campaign_id']}", {"end_at": moment}),
        ("post", "/campaigns", {"advertiser_id": str(world.ads.pk), "name": "Timed",
                                "objective": "TRAFFIC", "budget": "50", "start_at": moment}),
        ("put", f"/assets/{ids['asset_id']}/grants/{ids['member_id']}",
         {"roles": ["OPERATOR"], "expires_at": moment}),
        ("patch", f"/members/{ids['member_id']}", {"expires_at": moment}),
        ("post", "/invitations", {"addresses": ["timed@agency.com"], "expires_at": moment}),
        ("get", "/activity", {"since": moment}),
    ]


@pytest.mark.parametrize(("moment", "status"), [(FAR_OFFSET, "2xx"), (CALENDAR_EDGE, "400")])
def test_times_with_any_offset_are_read_in_utc_or_refused_never_a_500(world, db, moment,
                                                                       status):
    client, headers = Client(), _admin(world)
    for method, rest, payload in _with_time(world, moment):
        url = f"/api/v1/centers/{world.center.pk}{rest}"
        with transaction.atomic():
            if method == "get":
                response = client.get(url, payload, headers=headers)
            else:
                response = getattr(client, method)(url, payload,
                                                   content_type="application/json",
                                                   headers=headers)
            transaction.set_rollback(True)
        got = f"{response.status_code // 100}xx" if response.status_code < 300 else str(
            response.status_code)
        assert got == status, (method, rest, response.status_code, response.content[:300])


@pytest.mark.parametrize("body", [
    "campaign_id,date,spend\rimpressions,clicks,conversions\n",  # a lone carriage return
    "campaign_id,date,spend,impressions,clicks,conversions\n" + "1" * 200_000 + "\n",
], ids=["carriage return", "cell past csv's limit"])
def test_metrics_csv_that_csv_cannot_read_is_a_400_not_a_500(world, db, body):
    # Both were a _csv.Error, a 500.
    response = Client().post(f"/api/v1/centers/{world.center.pk}/metrics", body,
                             content_type="text/csv", headers=_admin(world))
    assert response.status_code == 400, response.content[:300]
    assert "file" in error_of(response)["fields"]


HUGE = "1" + "0" * 40  # cents of it overflow Decimal's 28 digits: InvalidOperation, a 500


@pytest.mark.parametrize(("rest", "payload"), [
    ("/billing/top-ups", {"amount": HUGE}),
    ("/billing/refunds", {"amount": HUGE}),
    ("/metrics", {"rows": [{"campaign_id": "1", "date": "2026-01-01", "spend": "2e102",
                            "impressions": 1, "clicks": 0, "conversions": 0}]}),
], ids=["top-up", "refund", "metrics spend"])
def test_an_amount_past_decimal_precision_is_a_400_not_a_500(world, db, rest, payload):
    response = Client().post(f"/api/v1/centers/{world.center.pk}{rest}", payload,
                             content_type="application/json", headers=_admin(world))
    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize("huge", [str(2**63), "9" * 23])
def test_ids_past_the_database_range_are_not_found_never_a_500(world, db, huge):
    # On SQLite, a foreign key compared with an id past 2**63 - 1 raised OverflowError.
    client, headers, broken = Client(), _admin(world), []
    for key, op in OPS.items():
        method, path = key.split(" ", 1)
        if path.count("{") < 2:
            continue  # the center's own id: a token is for one, others are a 404 at once
        ids = {**dict.fromkeys(world.ids, huge), "center_id": world.center.pk}
        url = "/api/v1" + path.format(**ids)
        with transaction.atomic():
            if method == "GET":
                response = client.get(url, op.query(world, ids) if op.query else {},
                                      headers=headers)
            else:
                response = getattr(client, method.lower())(
                    url, op.body(world, ids) if op.body else None,
                    content_type="application/json", headers=headers)
            transaction.set_rollback(True)
        if response.status_code not in (400, 404):
            broken.append(f"{key}: {response.status_code}")
    assert not broken
