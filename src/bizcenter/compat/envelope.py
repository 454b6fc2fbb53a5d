"""TikTok's envelope: HTTP 200 and ``{"code", "message", "request_id", "data"}``, always."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.http import JsonResponse
from django.utils import timezone

OK = 0


@dataclass(frozen=True)
class Reply:
    """What an endpoint answers when ``"OK"`` is not the whole story (e.g. a change
    that became a change request)."""

    data: dict[str, Any] = field(default_factory=dict)
    message: str = "OK"
    code: int = OK  # or 20001, TikTok's "partially OK"


def request_id() -> str:
    """Unique per answer, in TikTok's shape: the UTC time, then 20 hex digits."""
    return f"{timezone.now():%Y%m%d%H%M%S}{secrets.token_hex(10).upper()}"


def respond(rid: str, code: int, message: str, data: dict[str, Any] | None) -> JsonResponse:
    response = JsonResponse({"code": code, "message": message, "request_id": rid,
                             "data": data if data is not None else {}})
    # TikTok's servers carry the request id in this header too; support asks for it.
    response["X-Tt-Logid"] = rid
    return response


def ok(rid: str, answer: dict[str, Any] | Reply) -> JsonResponse:
    if isinstance(answer, Reply):
        return respond(rid, answer.code, answer.message, answer.data)
    return respond(rid, OK, "OK", answer)


def error(rid: str, code: int, message: str) -> JsonResponse:
    return respond(rid, code, message, {})
