"""Requests no part of the product can store: refused at the door, the same for every view."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL_FIELD = "contains a NUL character (\\u0000), which no field can hold"


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class RejectNulMiddleware:
    """A NUL character in a query or a body reaches PostgreSQL as an error (500) in any
    search or save; no person types one, so it is refused with a 400, naming the field,
    before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = self._fields_with_nul(request)
        if not fields:
            return self.get_response(request)
        message = (f"{', '.join(sorted(fields))}: {NUL_FIELD}. Remove it and send again.")
        if request.path.startswith("/open_api/"):  # TikTok's envelope: HTTP 200, code 40002
            from bizcenter.compat import envelope

            return envelope.error(envelope.request_id(), 40002, message)
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": "invalid_input", "message": message,
                                           "fields": fields}}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _fields_with_nul(request: HttpRequest) -> dict[str, str]:
        found = {k: NUL_FIELD for k, values in request.GET.lists() if _holds_nul(values)}
        if "\x00" in request.path:
            found["path"] = NUL_FIELD
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method not in ("POST", "PUT", "PATCH") or content_type.startswith(
                "multipart/"):
            return found  # uploads are read by their own parsers
        if content_type.startswith("application/json"):
            try:
                data = json.loads(request.body or b"null")
            except ValueError:
                return found  # not JSON after all: the view says so
            if isinstance(data, dict):
                found.update({str(k): NUL_FIELD for k, v in data.items()
                              if _holds_nul(k) or _holds_nul(v)})
            elif _holds_nul(data):
                found["body"] = NUL_FIELD
        elif content_type.startswith("application/x-www-form-urlencoded"):
            found.update({k: NUL_FIELD for k, values in request.POST.lists()
                          if _holds_nul(values)})
        return found
