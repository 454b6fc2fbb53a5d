"""Requests no part of the product can store: refused at the door, the same for every view."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL_MESSAGE = ("The request contains a NUL character (\\u0000), which no field can hold; "
               "remove it and send again.")


class RejectNulMiddleware:
    """A NUL character in a query or a body reaches PostgreSQL as an error (500) in any
    search or save; no person types one, so it is refused with a 400 before any view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {"code": "invalid_input", "message": NUL_MESSAGE,
                                               "fields": {}}}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("multipart/"):
            return False  # uploads are read by their own parsers (a CSV may be checked there)
        body = request.body
        if b"\x00" in body or b"%00" in body:
            return True
        if content_type.startswith("application/json") and b"\\u0000" in body:
            try:
                json.loads(body)
            except ValueError:
                return False  # not JSON after all: the view says so
            return True
        return False
