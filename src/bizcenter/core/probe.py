"""A liveness probe that touches nothing but the request stack."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def ping(request: HttpRequest) -> HttpResponse:
    """Up if the process answers, database or not (``/healthz`` also asks the database).

    It goes through every middleware like any page, so the benchmarks use it as the
    floor: the cost of the server and stack with no work of the product's own.
    """
    return HttpResponse("pong", content_type="text/plain")
