"""Who is calling: a personal API token, as the person it belongs to, now; or, for the
command line on the server itself, the person it acts as, handed over in-process.

The in-process path (:data:`IN_PROCESS`) is a key of the WSGI environ that only
``bizcenter.cli.inprocess`` sets, on a request it builds and hands to Django itself.
No HTTP request can carry it: a server puts every header of a request in the environ
as ``HTTP_<NAME>``, never under a name without that prefix, and the value must be an
:class:`Actor` object, which no header is.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.accounts import tokens
from bizcenter.accounts.models import ApiToken
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import get_center
from bizcenter.core.actor import Actor

SAFE = ("GET", "HEAD", "OPTIONS")
IN_PROCESS = "bizcenter.in_process_actor"


def in_process(request: HttpRequest) -> Actor | None:
    """The person the command line acts as, for a request it made in-process; else None."""
    who = request.META.get(IN_PROCESS)
    return who if isinstance(who, Actor) else None


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> ApiToken | Actor | None:
        if (who := in_process(request)) is not None:
            return who
        # HttpBearer's own reads request.headers, which first copies every header of
        # the request into a new dict: on each API call, for one header.
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None  # no token: ninja answers 401 through the API's handler
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        return tokens.authenticate(token, writes=request.method not in SAFE)


def token_of(request: HttpRequest) -> ApiToken | None:
    """The caller's token; None for the command line in-process, which has none."""
    auth = request.auth  # type: ignore[attr-defined]
    return auth if isinstance(auth, ApiToken) else None


def actor(request: HttpRequest) -> Actor:
    if (who := in_process(request)) is not None:
        return who
    token = token_of(request)
    assert token is not None  # TokenAuth let the request in with one
    return Actor(token.user, ip=request.META.get("REMOTE_ADDR"), via="api",
                 read_only=token.read_only)


def center(request: HttpRequest, center_id: int) -> BusinessCenter:
    """The Business Center of the path, if this token is for it and its owner sees it.

    The token's row came with its Business Center (one query, from the primary), so
    neither the center nor its access version is read again for the check. In-process,
    the service finds it for the person acting, as for every other door."""
    if (who := in_process(request)) is not None:
        return get_center(who, center_id)
    token = token_of(request)
    assert token is not None
    tokens.require_center(token, center_id)
    snapshot.remember_version(token.center)
    require(actor(request), Action.CENTER_VIEW, token.center)
    return token.center
