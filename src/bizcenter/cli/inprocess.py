"""The REST API inside this process: how commands work on this installation.

A command talks to the API the same way with or without ``--url``. Here, without
it, each call is a request built as a WSGI environ and answered by Django's own
request handler (every middleware, the API's routing, validation, error shape and
encoder), with no socket and no token: the person acting (``--as``, or the
operator) is handed over under the environ key ``api.auth.IN_PROCESS``, which no
HTTP request can set (see ``api/auth.py``).
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import sys
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import got_request_exception
from django.http import HttpResponseBase

from bizcenter.api.auth import IN_PROCESS
from bizcenter.cli.remote import API_PREFIX, Client, RemoteError, _param, refusal
from bizcenter.core.actor import Actor

_handler: list[WSGIHandler] = []


def _django() -> WSGIHandler:
    """One request handler per process (it loads the middleware once)."""
    if not _handler:
        _handler.append(WSGIHandler())
    return _handler[0]


class _Quiet(logging.Filter):
    """Django logs every 4xx answer as a warning; a command prints the refusal itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        return not (request is not None and IN_PROCESS in getattr(request, "META", {}))


def _quiet() -> None:
    """Set on each client, not once on import: starting Django configures logging afresh."""
    log = logging.getLogger("django.request")
    if not any(isinstance(f, _Quiet) for f in log.filters):
        log.addFilter(_Quiet())


def _host() -> str:
    """A host this installation answers to (the first of ALLOWED_HOSTS)."""
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*":
            return host.lstrip(".")
    return "localhost"


class Local(Client):
    """This installation's API, called in-process as ``who``."""

    local = True

    def __init__(self, who: Actor) -> None:
        super().__init__()
        self.who = who
        _quiet()

    def call(self, method: str, route: str, *, params: Mapping[str, Any] | None = None,
             body: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        response = self._respond(method, route, params, body, headers)
        raw = (b"".join(response.streaming_content)  # type: ignore[attr-defined]
               if response.streaming else response.content)  # type: ignore[attr-defined]
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise RemoteError(f"{route} answered something that is not JSON.") from None

    def stream(self, route: str, **params: Any) -> Iterator[str]:
        response = self._respond("GET", route, params, None, None)
        return self._pieces(response)

    @staticmethod
    def _pieces(response: HttpResponseBase) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunks = (response.streaming_content if response.streaming  # type: ignore[attr-defined]
                  else [response.content])  # type: ignore[attr-defined]
        for chunk in chunks:
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)

    def _respond(self, method: str, route: str, params: Mapping[str, Any] | None,
                 body: Any, headers: Mapping[str, str] | None) -> HttpResponseBase:
        data = b"" if body is None else body if isinstance(body, bytes) else \
            json.dumps(body).encode()
        extra = dict(headers or {})
        query = urllib.parse.urlencode(
            [(k, _param(v)) for k, v in (params or {}).items() if v is not None])
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": API_PREFIX + route,
            "QUERY_STRING": query,
            "SERVER_NAME": _host(),
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": _host(),
            "HTTP_ACCEPT": "application/json",
            "HTTP_USER_AGENT": "bizcenter-cli (in-process)",
            "CONTENT_TYPE": extra.pop("Content-Type", "application/json"),
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "https",
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": True,
            "wsgi.version": (1, 0),
            IN_PROCESS: self.who,
        }
        if settings.SECURE_PROXY_SSL_HEADER:  # behind a proxy, https is its header's word
            name, value = settings.SECURE_PROXY_SSL_HEADER
            environ[name] = value
        for name, value in extra.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        # The handler's get_response, not its __call__: no request_started or
        # request_finished signal, which would close this command's database
        # connection (and, inside a test's transaction, break it) after each call.
        request = WSGIRequest(environ)
        failed: list[BaseException] = []

        def caught(sender: Any, request: Any = None, **kwargs: Any) -> None:
            if request is not None and request.META.get(IN_PROCESS) is self.who:
                failed.append(sys.exc_info()[1] or RuntimeError("unknown"))

        got_request_exception.connect(caught, weak=False)
        try:
            response = _django().get_response(request)
        finally:
            got_request_exception.disconnect(caught)
        if failed and response.status_code >= 500:
            # The failure itself, as a command on the database always ended with it
            # ("error: database: ...", or the traceback with BIZCENTER_DEBUG).
            raise failed[0]
        if response.status_code >= 400:
            raw = b"" if response.streaming else response.content  # type: ignore[attr-defined]
            raise refusal(raw, response.status_code,
                          f"{method} {route} answered HTTP {response.status_code}.")
        return response
