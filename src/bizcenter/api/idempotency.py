"""Idempotency-Key on POSTs that create things: a retry gets the first answer again."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from bizcenter.api.auth import token_of
from bizcenter.api.errors import body as error_body
from bizcenter.api.models import IdempotentRequest
from bizcenter.core.errors import Conflict, InvalidInput, ServiceError

Answer = tuple[int, Any]


def once(request: HttpRequest, handler: Callable[[], Answer]) -> Answer:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return handler()
    if len(key) > 200:
        raise InvalidInput("An Idempotency-Key is at most 200 characters.",
                           fields={"Idempotency-Key": "at most 200 characters"})
    fingerprint = hashlib.sha256(b"\n".join(
        [(request.method or "").encode(), request.path.encode(), request.body])).hexdigest()
    token = token_of(request)
    # The key's row, the work and the answer commit together: a crash leaves no
    # half-answered key, and a concurrent retry waits on the row, then replays it.
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(token=token, key=key,
                                                       fingerprint=fingerprint)
        except IntegrityError:
            row = None
        if row is not None:
            try:
                status, answer = handler()
            except ServiceError as exc:
                row.status, row.body = exc.status, error_body(exc.code, exc.message, exc.fields)
                row.save(update_fields=["status", "body"])
                failed: ServiceError | None = exc
            else:
                row.status, row.body = status, answer
                row.save(update_fields=["status", "body"])
                failed = None
    if row is not None:
        if failed is not None:
            raise failed
        return status, answer
    return _replay(token, key, fingerprint)


def _replay(token: Any, key: str, fingerprint: str) -> Answer:
    row = IdempotentRequest.objects.get(token=token, key=key)
    if row.fingerprint != fingerprint:
        raise Conflict("This Idempotency-Key was already used for a different request; "
                       "use a new key for a new request.", code="idempotency_key_reused")
    if row.status is None or row.body is None:
        raise Conflict("A request with this Idempotency-Key is still running; retry in a "
                       "moment.", code="idempotency_in_progress")
    if row.status >= 400:
        error = row.body["error"]
        failure = ServiceError(error["message"], fields=error["fields"], code=error["code"])
        failure.status = row.status
        raise failure
    return row.status, row.body
