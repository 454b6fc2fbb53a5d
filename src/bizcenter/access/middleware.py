"""One access scope per request: each Business Center's access version is read
once, at the start of the request's first check, so a change made by any
process is seen by the very next request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from bizcenter.access.snapshot import request_scope


class AccessScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return self.get_response(request)
