"""Idempotency-Key on POSTs that create things: a retry gets the first answer again.

What is kept, and for how long, decides whether a retry can ever finish a job:

* Only final answers are kept: successes (2xx), and refusals of what was sent
  (400 invalid input, 410 gone, 413 too large, 422 unreadable), which re-running
  the same request would answer the same way. Refusals that depend on the moment
  are not kept, so re-running with the same key does the work once they pass:
  429 (a rate limit or daily cap, which resets), 409 (a conflict with the current
  state, such as a limit reached or a request still running), 401/403/404 (access,
  which an Admin may grant), and 5xx (our failure; its transaction is rolled back
  with the key). A refusal changes nothing, so there is nothing a replay of it
  protects. A CSV import that hit the daily cap finishes when re-run after it resets.
* A key belongs to one token and one path, and is forgotten after KEEP (a day, as
  Stripe does): older rows are ignored at once and deleted by the hourly purge
  (api/tasks.py, scheduled by ``bizcenter worker``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from bizcenter.api.auth import token_of
from bizcenter.api.errors import body as error_body
from bizcenter.api.models import IdempotentRequest
from bizcenter.core.errors import Conflict, InvalidInput, ServiceError

Answer = tuple[int, Any]

KEEP = timedelta(hours=24)
# Refusals of the request itself: the same request is refused the same way later.
FINAL_REFUSALS = frozenset({400, 410, 413, 422})


def is_final(status: int) -> bool:
    """Whether an answer may be replayed: a success, or a refusal that cannot change."""
    return 200 <= status < 300 or status in FINAL_REFUSALS


def once(request: HttpRequest, handler: Callable[[], Answer]) -> Answer:
    key = request.headers.get("Idempotency-Key", "").strip()
    token = token_of(request)
    if not key or token is None:  # no key, or the command line in-process: no retries
        return handler()
    if len(key) > 200:
        raise InvalidInput("An Idempotency-Key is at most 200 characters.",
                           fields={"Idempotency-Key": "at most 200 characters"})
    path = request.path
    if len(path) > 1000:
        return handler()  # no endpoint has such a path; nothing to keep it under
    fingerprint = hashlib.sha256(b"\n".join(
        [(request.method or "").encode(), path.encode(), request.body])).hexdigest()
    mine = IdempotentRequest.objects.filter(token=token, path=path, key=key)
    # The key's row, the work and the answer commit together: a crash leaves no
    # half-answered key, and a concurrent retry waits on the row, then replays it.
    with transaction.atomic():
        mine.filter(created_at__lt=timezone.now() - KEEP).delete()  # a day old: forgotten
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(token=token, path=path, key=key,
                                                       fingerprint=fingerprint)
        except IntegrityError:
            row = None
        if row is not None:
            try:
                status, answer = handler()
            except ServiceError as exc:
                if is_final(exc.status):
                    row.status = exc.status
                    row.body = error_body(exc.code, exc.message, exc.fields)
                    row.save(update_fields=["status", "body"])
                else:
                    row.delete()  # may pass later: the same key may try again then
                failed: ServiceError | None = exc
            else:
                row.status, row.body = status, answer
                if is_final(status):
                    row.save(update_fields=["status", "body"])
                else:
                    row.delete()
                failed = None
    if row is not None:
        if failed is not None:
            raise failed
        return status, answer
    return _replay(mine, fingerprint)


def _replay(mine: Any, fingerprint: str) -> Answer:
    row = mine.filter(created_at__gte=timezone.now() - KEEP).first()
    if row is not None and row.fingerprint != fingerprint:
        raise Conflict("This Idempotency-Key was already used for a different request; "
                       "use a new key for a new request.", code="idempotency_key_reused")
    if row is None or row.status is None or row.body is None:
        # Still running, or it just ended in an answer that is not kept: either way
        # the key is not free in this instant, and a moment later it is.
        raise Conflict("A request with this Idempotency-Key is still running; retry in a "
                       "moment.", code="idempotency_in_progress")
    if row.status >= 400:
        error = row.body["error"]
        failure = ServiceError(error["message"], fields=error["fields"], code=error["code"])
        failure.status = row.status
        raise failure
    return row.status, row.body


def purge(now: Any = None) -> int:
    """Delete the answers older than KEEP; returns how many."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
