"""Requests refused at the door, the same for every view, in each door's own shape.

NUL, lone surrogates and JSON nested too deep are refused by core/hostile.py."""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


def door_shape(request: HttpRequest) -> Any | None:
    """The module that shapes refusals for the door under this path, named in
    settings.BIZCENTER_DOOR_REFUSALS (a door registers its own; core/ imports none):
    it has ``refusal(request, status, code, message, fields)`` and
    ``server_error(request, response)``."""
    for prefix, path in settings.BIZCENTER_DOOR_REFUSALS.items():
        if request.path.startswith(prefix):
            return import_module(path)
    return None


def refusal(request: HttpRequest, status: int, code: str, message: str,
            fields: dict[str, str] | None = None) -> HttpResponse:
    """A refusal made before any view runs, in the shape of the door that was called."""
    if (door := door_shape(request)) is not None:
        return door.refusal(request, status, code, message, fields)  # type: ignore[no-any-return]
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message,
                                       "fields": fields or {}}}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class ProxyAddressMiddleware:
    """Behind a reverse proxy (BIZCENTER_BEHIND_PROXY) the connection comes from the
    proxy, so the client's address is the last one in X-Forwarded-For: the entry the
    proxy itself wrote. Entries before it came from the client and prove nothing, so
    they are never used. Everything that reads REMOTE_ADDR (the activity log, the
    log-in and sign-up limits per network) then sees the client, not the proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.BIZCENTER_BEHIND_PROXY:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            last = forwarded.rsplit(",", 1)[-1].strip()
            # No header, or not an address: the connection's address stays.
            with contextlib.suppress(ValueError):
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(last))
        return self.get_response(request)


class BodySizeMiddleware:
    """Refuse a body that is too large from its Content-Length, before a byte of it is
    read: forms and JSON up to DATA_UPLOAD_MAX_MEMORY_SIZE, file uploads (multipart) up
    to BIZCENTER_MAX_UPLOAD_BYTES. Django alone would raise deep inside a view (a 400
    page, or a 500 where a door reads the body itself); here it is a 413 that names the
    limit, in the door's own format."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refusal(request, 400, "invalid_input",
                           "The Content-Length header is not a number.")
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = (settings.BIZCENTER_MAX_UPLOAD_BYTES if multipart
                 else settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if limit is not None and length > limit:
            what = "An upload" if multipart else "A request body"
            return refusal(request, 413, "too_large",
                           f"{what} may be at most {_megabytes(limit)}; this one is "
                           f"{_megabytes(length)}. Send less at once (split a file into "
                           "several).", {"body": f"at most {limit} bytes"})
        return self.get_response(request)
