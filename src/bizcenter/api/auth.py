"""Who is calling: a personal API token, as the person it belongs to, now."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.accounts import tokens
from bizcenter.accounts.models import ApiToken
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor

SAFE = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> ApiToken | None:
        # HttpBearer's own reads request.headers, which first copies every header of
        # the request into a new dict: on each API call, for one header.
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None  # no token: ninja answers 401 through the API's handler
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        return tokens.authenticate(token, writes=request.method not in SAFE)


def token_of(request: HttpRequest) -> ApiToken:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def actor(request: HttpRequest) -> Actor:
    token = token_of(request)
    return Actor(token.user, ip=request.META.get("REMOTE_ADDR"), via="api",
                 read_only=token.read_only)


def center(request: HttpRequest, center_id: int) -> BusinessCenter:
    """The Business Center of the path, if this token is for it and its owner sees it.

    The token's row came with its Business Center (one query, from the primary), so
    neither the center nor its access version is read again for the check."""
    token = token_of(request)
    tokens.require_center(token, center_id)
    snapshot.remember_version(token.center)
    require(actor(request), Action.CENTER_VIEW, token.center)
    return token.center
