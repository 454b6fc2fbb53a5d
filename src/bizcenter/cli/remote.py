"""The API client every command talks to: :class:`Client` is what commands use;
:class:`Remote` is it over HTTP behind ``--url``, and ``cli/inprocess.py`` is it on
this installation, calling the same API inside this process.

The remote one is standard library only (urllib). It sends the token, reads the API's
error shape (``{"error": {"code", "message", "fields"}}``) into a :class:`RemoteError`
that ends the command, pages through lists, and streams exports. It never imports
Django's settings: with ``--url`` nothing local is touched.
"""

from __future__ import annotations

import codecs
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from http.client import HTTPResponse
from typing import Any

from bizcenter.core.errors import ServiceError

API_PREFIX = "/api/v1"
TIMEOUT = 60.0
MAX_PAGE_SIZE = 200  # the API's largest page
INVITES_PER_CALL = 50  # the API's largest invite batch
CHUNK = 64 * 1024


def _user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"bizcenter-cli/{version('bizcenter')}"
    except PackageNotFoundError:
        return "bizcenter-cli"


class RemoteError(ServiceError):
    """The server refused (``status`` is its HTTP status), or did not answer (0)."""

    def __init__(self, message: str, *, status: int = 0, code: str = "remote",
                 fields: dict[str, str] | None = None) -> None:
        super().__init__(message, fields=fields, code=code)
        self.status = status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is reported, not followed: the token must not travel to another host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def api_base(url: str) -> str:
    """``https://host[/prefix]`` → ``https://host[/prefix]/api/v1`` (either form is accepted)."""
    text = url.strip().rstrip("/")
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise RemoteError(f"--url: '{url}' is not the address of a server; write it like "
                          "https://bizcenter.example.com.", code="invalid_input")
    return text if parts.path.endswith(API_PREFIX) else text + API_PREFIX


def path(*segments: object) -> str:
    """An API path from its segments, each quoted: an id typed by a person stays one segment."""
    return "".join("/" + urllib.parse.quote(str(s), safe="") for s in segments)


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Client:
    """The REST API as commands see it: every method answers the API's JSON or raises
    RemoteError, whether the API is on another server or in this process."""

    base = API_PREFIX
    # Whether the API runs in this process, on this installation's database.
    local = False

    def __init__(self) -> None:
        self._centers: dict[str, dict[str, Any]] = {}

    def call(self, method: str, route: str, *, params: Mapping[str, Any] | None = None,
             body: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        raise NotImplementedError

    def stream(self, route: str, **params: Any) -> Iterator[str]:
        """A streamed text answer (an export), piece by piece as it arrives. The request
        is sent and its status read before this returns: a refusal raises here."""
        raise NotImplementedError

    # The HTTP verbs the commands use.

    def get(self, route: str, **params: Any) -> Any:
        return self.call("GET", route, params=params)

    def post(self, route: str, body: Any = None, *, key: str | None = None) -> Any:
        return self.call("POST", route, body={} if body is None else body,
                         headers={"Idempotency-Key": key} if key else None)

    def patch(self, route: str, body: Any) -> Any:
        return self.call("PATCH", route, body=body)

    def put(self, route: str, body: Any) -> Any:
        return self.call("PUT", route, body=body)

    def delete(self, route: str) -> Any:
        return self.call("DELETE", route)

    def upload(self, route: str, data: bytes, content_type: str) -> Any:
        """A POST whose body is a file as it is (a CSV), not JSON."""
        return self.call("POST", route, body=data, headers={"Content-Type": content_type})

    # What lists and commands need on top.

    def pages(self, route: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paged list, asking for the largest pages."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.get(route, **params, page=page, page_size=MAX_PAGE_SIZE)
            items += answer["items"]
            if page >= answer["page_info"]["pages"]:
                return items
            page += 1

    def center(self, center_id: str) -> dict[str, Any]:
        """The Business Center (a 404 here ends the command before anything else is sent)."""
        key = str(center_id)
        if key not in self._centers:
            self._centers[key] = self.get(path("centers", key))
        return self._centers[key]

    def link(self, center_id: str, invitation_id: str) -> str:
        """The current link of a pending invitation."""
        answer = self.get(path("centers", center_id, "invitations", invitation_id, "link"))
        return str(answer["link"])


class Remote(Client):
    """One server and one token, over HTTP."""

    def __init__(self, url: str, token: str, *, timeout: float = TIMEOUT) -> None:
        super().__init__()
        self.base = api_base(url)
        self.token = token.strip()
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def call(self, method: str, route: str, *, params: Mapping[str, Any] | None = None,
             body: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        url = self._url(route, params)
        response = self._open(method, url, body, headers)
        try:
            with response:
                raw = response.read()
                kind = response.headers.get_content_type()
        except OSError as exc:
            raise RemoteError(f"{self.base} stopped answering: {exc}.") from None
        if not raw:
            return None
        if kind != "application/json":
            raise RemoteError(f"{url} answered {kind}, not JSON: is --url the address of a "
                              "bizcenter server?")
        try:
            return json.loads(raw)
        except ValueError:
            raise RemoteError(f"{url} answered JSON that does not parse.") from None

    def stream(self, route: str, **params: Any) -> Iterator[str]:
        return self._pieces(self._open("GET", self._url(route, params), None, None))

    def _pieces(self, response: HTTPResponse) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            with response:
                while chunk := response.read(CHUNK):
                    yield decoder.decode(chunk)
        except OSError as exc:
            raise RemoteError(f"{self.base} stopped answering during the download: "
                              f"{exc}.") from None
        yield decoder.decode(b"", final=True)

    # Underneath.

    def _url(self, route: str, params: Mapping[str, Any] | None) -> str:
        query = urllib.parse.urlencode(
            [(k, _param(v)) for k, v in (params or {}).items() if v is not None])
        return self.base + route + (f"?{query}" if query else "")

    def _open(self, method: str, url: str, body: Any,
              headers: Mapping[str, str] | None) -> HTTPResponse:
        # bytes are a file sent as it is (the caller names its Content-Type); else JSON
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        request.add_header("User-Agent", _user_agent())
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            response: HTTPResponse = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            try:
                refusal = _refusal(url, exc)
            finally:
                exc.close()
            raise refusal from None
        except OSError as exc:  # URLError, refused connection, timeout, TLS
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise RemoteError(f"cannot reach {self.base}: {reason}.") from None
        return response


def _refusal(url: str, exc: urllib.error.HTTPError) -> RemoteError:
    status = exc.code
    if 300 <= status < 400:
        where = exc.headers.get("Location", "elsewhere")
        return RemoteError(f"{url} redirects to {where}; give that address to --url.",
                           status=status)
    try:
        raw = exc.read()
    except OSError:
        raw = b""
    hint = ": is --url the address of a bizcenter server?" if status in (404, 405) else "."
    return refusal(raw, status, f"{url} answered HTTP {status} {exc.reason}{hint}")


def refusal(raw: bytes, status: int, otherwise: str) -> RemoteError:
    """The API's error shape as the error that ends a command (``otherwise``: the
    message when the answer is not that shape)."""
    try:
        error = json.loads(raw)["error"]
        message, code = str(error["message"]), str(error.get("code") or "error")
        fields = {str(k): str(v) for k, v in (error.get("fields") or {}).items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return RemoteError(otherwise, status=status)
    return RemoteError(message, status=status, code=code, fields=fields)
