"""Who is calling: a personal API token, as the person it belongs to, now."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.accounts import tokens
from bizcenter.accounts.models import ApiToken
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import NotAllowed
from bizcenter.core.ratelimit import hit

SAFE = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = tokens.authenticate(token)
        hit("token", found.prefix, settings.BIZCENTER_API_RATE, 60, "API calls with this token")
        if found.read_only and request.method not in SAFE:
            raise NotAllowed(f"The token '{found.name}' is read-only; use a token that may "
                             "write.", code="read_only_token")
        return found


def token_of(request: HttpRequest) -> ApiToken:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def actor(request: HttpRequest) -> Actor:
    return Actor(token_of(request).user, ip=request.META.get("REMOTE_ADDR"), via="api")


def center(request: HttpRequest, center_id: int) -> BusinessCenter:
    """The Business Center of the path, if this token is for it and its owner sees it.

    The token's row came with its Business Center (one query, from the primary), so
    neither the center nor its access version is read again for the check."""
    token = token_of(request)
    tokens.require_center(token, center_id)
    snapshot.remember_version(token.center)
    require(actor(request), Action.CENTER_VIEW, token.center)
    return token.center
