"""Read replicas: which database answers a query.

With ``DATABASE_REPLICA_URL`` set (one URL, or several separated by commas), the
settings add the aliases ``replica1``, ``replica2``, ... beside ``default`` (the
primary), and this router sends a read to a replica only when a stale answer
cannot matter. A replica lags the primary by a moment, so a read stays on the
primary when:

(a) it decides who someone is or what they may do: the access engine, API
    tokens, sessions and log-in. A revoke must be refused on the very next
    request, whichever process serves it;
(b) it runs inside a transaction, or the current request has already written:
    the request reads its own writes (the pin lasts until the request ends);
(c) it is not inside an HTTP request at all: the background worker, the CLI and
    migrations read what a request has just committed (an invitation's message);
(d) the test run is on: a replica alias there is a second connection to the test
    database, which cannot see the test's uncommitted rows.

Without a replica configured every answer is ``None``: Django's default routing.
"""

from __future__ import annotations

import random
import sys
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections

# Code whose reads decide identity and access: these modules and those under them,
# but not their middleware and view decorators, which wrap whole requests (and so
# every read of a page).
PRIMARY_CODE = (
    "bizcenter.access",
    "bizcenter.accounts.tokens",
    "bizcenter.accounts.backends",
    "bizcenter.api.auth",
    "django.contrib.auth",
    "django.contrib.sessions",
)
_PREFIXES = tuple(f"{name}." for name in PRIMARY_CODE)
_WRAPPERS = (".middleware", ".decorators", ".mixins")
# How far up the stack a read looks for such code (a check is a few frames below
# the view; Django's ORM adds about twenty).
STACK_DEPTH = 60

_in_request: ContextVar[bool] = ContextVar("bizcenter_in_request", default=False)
_pinned: ContextVar[bool] = ContextVar("bizcenter_primary_pinned", default=False)


def _request_started(**_: Any) -> None:
    _in_request.set(True)
    _pinned.set(False)


def _request_finished(**_: Any) -> None:
    _in_request.set(False)
    _pinned.set(False)


request_started.connect(_request_started, dispatch_uid="bizcenter_dbrouter_started")
request_finished.connect(_request_finished, dispatch_uid="bizcenter_dbrouter_finished")


def replicas() -> list[str]:
    """The replica aliases the settings made from DATABASE_REPLICA_URL."""
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def in_test_run() -> bool:
    """Django's test environment is set up (pytest-django and manage.py test do it)."""
    from django.test import utils

    return hasattr(utils._TestState, "saved_data")


def _access_code_on_stack() -> bool:
    frame = sys._getframe(2)
    for _ in range(STACK_DEPTH):
        if frame is None:
            return False
        name = frame.f_globals.get("__name__", "")
        if ((name in PRIMARY_CODE or name.startswith(_PREFIXES))
                and not name.endswith(_WRAPPERS)):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


class PrimaryReplicaRouter:
    """Reads to a replica when safe (see the module's docstring); writes to the primary."""

    # The test of this router turns rule (d) off to see the decisions themselves.
    honour_test_run = True

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        found = replicas()
        if not found:
            return None
        if (not _in_request.get() or _pinned.get()
                or connections[DEFAULT_DB_ALIAS].in_atomic_block
                or (self.honour_test_run and in_test_run())
                or _access_code_on_stack()):
            return DEFAULT_DB_ALIAS
        return random.choice(found)  # noqa: S311 - spreading load, not a secret

    def db_for_write(self, model: type, **hints: Any) -> str:
        # Everything this request reads from now on comes from where it wrote.
        _pinned.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replicas hold the primary's rows: an object read from one may point
        # at an object read from another.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A replica follows the primary's schema through replication, never by itself.
        return None if db == DEFAULT_DB_ALIAS else False
