"""Input no part of the product can hold, refused at the door: never a 500.

Three kinds of input used to reach a view (or the database) and fail there with a 500:

- JSON nested thousands of levels deep. ``json.loads`` recurses once per level, so
  50,000 ``[`` end in a RecursionError in whichever door parsed it first (this
  middleware itself, django-ninja, the compatible API's parameter reader).
- A lone surrogate (``"\\ud800"`` in JSON). Python's json decodes the escape into a
  ``str`` that cannot be encoded as UTF-8, so the INSERT fails, on SQLite and on
  PostgreSQL alike.
- NUL (``\\x00``). PostgreSQL refuses it in any text column or search.

One middleware checks what each door will read, the same for all of them: the request's
headers (cookies included), the query string, a form body, and any other body
(django-ninja and the compatible API parse every non-form body as JSON, whatever its
Content-Type). It answers 400 naming the field (or the header), in the shape of the door
that was called (:func:`bizcenter.core.middleware.refusal`). Form and
query values are decoded by Django with ``errors="replace"``, so a surrogate cannot arrive
that way, but they are checked too: the check costs nothing and the promise is kept even
if the decoding changes.

The same middleware makes sure an unexpected error under ``/api/`` or ``/open_api/`` is
still answered in the door's own shape, never with the web's HTML 500 page.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from bizcenter.core.middleware import door_shape, refusal

log = logging.getLogger(__name__)

# Deeper than any object this product reads (its deepest is a list of objects holding a
# list) by far, and shallow enough that no parser, schema or walk comes near Python's
# recursion limit.
MAX_JSON_DEPTH = 64

NUL = "contains a NUL character (\\u0000), which no field can hold"
SURROGATE = ("contains a lone surrogate (\\ud800 to \\udfff), which is not a character and "
             "cannot be stored; send the text as valid UTF-8")
_BAD = re.compile("[\x00\ud800-\udfff]")
# The bytes that matter to JSON nesting: brackets, and the quote and backslash that say
# whether a bracket is inside a string.
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')
_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class TooDeep(ValueError):
    """JSON nested past MAX_JSON_DEPTH levels."""


def _why(text: str) -> str | None:
    """What is wrong with one decoded string, or None."""
    found = _BAD.search(text)
    if found is None:
        return None
    return NUL if found.group() == "\x00" else SURROGATE


def check_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise TooDeep if ``raw``, read as JSON, nests past ``limit``.

    Cheap on purpose, as it runs on every body: a body with at most ``limit`` opening
    brackets cannot be deeper, and that count is two passes in C. Only past it does a
    scan walk the brackets and quotes (not every byte), stopping at the first level too
    deep, so a 50,000-level body costs 65 steps. Brackets inside strings do not count.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return
    depth = 0
    in_string = False
    skip_to = -1  # the byte after a backslash in a string is escaped
    for match in _STRUCTURE.finditer(raw):
        at = match.start()
        if at < skip_to:
            continue
        char = raw[at]
        if in_string:
            if char == 0x5C:  # backslash
                skip_to = at + 2
            elif char == 0x22:  # quote
                in_string = False
        elif char == 0x22:
            in_string = True
        elif char in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                raise TooDeep(f"nested more than {limit} levels deep")
        elif char in (0x5D, 0x7D):  # ] }
            depth -= 1


def loads(raw: bytes | str, limit: int = MAX_JSON_DEPTH, **options: Any) -> Any:
    """``json.loads`` that cannot recurse out of the stack: depth checked first.

    Raises ValueError (TooDeep for nesting) for anything that is not acceptable JSON,
    so a caller handles one exception for every kind of bad body.
    """
    check_depth(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw, limit)
    try:
        return json.loads(raw, **options)
    except RecursionError as exc:  # only if a caller's limit is larger than the stack
        raise TooDeep(f"nested more than {limit} levels deep") from exc


def bad_strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every (field, reason) in a decoded JSON value whose keys or strings cannot be
    stored. A field is named by its path: ``name``, ``addresses.0``, ``filtering.keyword``."""
    if isinstance(value, str):
        if (why := _why(value)) is not None:
            yield where or "body", why
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if (why := _why(str(key))) is not None:
                yield path.encode("ascii", "backslashreplace").decode(), why
            else:
                yield from bad_strings(item, path)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from bad_strings(item, f"{where}.{n}" if where else str(n))


class HostileInputMiddleware:
    """Refuse, before any view runs, input that would otherwise fail with a 500: JSON
    nested too deep (400 ``too_deep``), NUL and lone surrogates in any field (400
    ``invalid_input``, naming it). Runs after BodySizeMiddleware, so the body it reads is
    already known to be within DATA_UPLOAD_MAX_MEMORY_SIZE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            fields = self.fields_refused(request)
        except TooDeep:
            return refusal(request, 400, "too_deep",
                           f"The request holds JSON nested more than {MAX_JSON_DEPTH} levels "
                           "deep; no field takes that. Send a flatter document.",
                           {"body": f"at most {MAX_JSON_DEPTH} levels of nesting"})
        if fields:
            listed = "; ".join(f"{name}: {why}" for name, why in sorted(fields.items()))
            return refusal(request, 400, "invalid_input",
                           f"{listed}. Remove it and send again.", fields)
        return in_door_shape(request, self.get_response(request))

    @staticmethod
    def fields_refused(request: HttpRequest) -> dict[str, str]:
        """Field -> reason for every field that cannot be stored; raises TooDeep."""
        found: dict[str, str] = {}
        if (why := _why(request.path)) is not None:
            found["path"] = why
        found.update(_headers_refused(request))
        for key, values in request.GET.lists():
            found.update(_form_field(key, values))
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method not in _BODY_METHODS or content_type.startswith("multipart/"):
            # Uploads are read by their own parsers; their text fields by the forms,
            # whose CharFields refuse NUL themselves.
            return found
        if content_type.startswith("application/x-www-form-urlencoded"):
            for key, values in request.POST.lists():
                found.update(_form_field(key, values))
            return found
        raw = request.body
        if not raw.strip():
            return found
        if b"\x00" in raw:
            found["body"] = NUL
        # Every other body is JSON to the doors that read it (django-ninja and the
        # compatible API parse it whatever the Content-Type says).
        try:
            data = loads(raw)
        except TooDeep:
            raise
        except ValueError:
            return found  # not JSON: the door that reads it says so, in its own words
        found.update(bad_strings(data, ""))
        return found


def _headers_refused(request: HttpRequest) -> dict[str, str]:
    """{header name: reason} for every header that cannot be read or stored.

    Headers reach the database (a session cookie and an API token are looked up by their
    text, an Idempotency-Key is stored) and parsers (X-Forwarded-For, Referer, Cookie),
    so all of them are held to the same rule, whichever one a door happens to read; HTTP
    itself forbids NUL in a header. The Cookie header covers every cookie."""
    found: dict[str, str] = {}
    for key, value in request.META.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key
        else:
            continue  # the server's own variables (PATH_INFO, QUERY_STRING...)
        if not isinstance(value, str):
            continue
        why = _why(name) or _why(value)
        if why is not None:
            header = "-".join(part.capitalize() for part in name.split("_"))
            found[header.encode("ascii", "backslashreplace").decode()] = why
    if "Cookie" not in found:
        # A quoted cookie is unquoted when parsed: "\\000" in the header is a NUL here.
        for name, value in request.COOKIES.items():
            if (why := _why(name) or _why(value)) is not None:
                found["Cookie"] = why
                break
    return found


def _form_field(key: str, values: list[str]) -> dict[str, str]:
    """The reason a query or form field is refused, as {key: reason}, or {}.

    The compatible API reads a value starting with ``[`` or ``{`` as JSON (``filtering``,
    ``advertiser_ids``), so such a value is held to the same depth and characters."""
    if (why := _why(key)) is not None:
        return {key.encode("ascii", "backslashreplace").decode(): why}
    for value in values:
        if (why := _why(value)) is not None:
            return {key: why}
        if value.lstrip()[:1] in ("[", "{"):
            try:
                decoded = loads(value)
            except TooDeep:
                raise
            except ValueError:
                continue
            for name, why in bad_strings(decoded, key):
                return {name: why}
    return {}


def in_door_shape(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An unexpected error (Django's handler500, an HTML page) under the REST API is its
    JSON error, and under the compatible API TikTok's envelope: an integration parses
    every answer, and an HTML page would be a second, confusing failure. The error itself
    was already logged where it happened."""
    if response.status_code != 500 or "json" in response.get("Content-Type", ""):
        return response
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {
            "code": "server_error",
            "message": "An unexpected error on the server. Try again; if it keeps "
                       "failing, tell the operator.",
            "fields": {}}}, status=response.status_code)
    if (door := door_shape(request)) is not None:
        return door.server_error(request, response)  # type: ignore[no-any-return]
    return response
