"""Who is calling, and the envelope around every endpoint.

``endpoint("GET")`` turns a function of a ``Call`` into a Django view that
reads the ``Access-Token`` header (a bizcenter API token, the same tokens as
the REST API: same rate limit, read-only tokens only read), runs the function
and answers in TikTok's envelope, translating whatever it raised. A POST runs
in one transaction: an endpoint that calls several services (share three
assets, assign two) changes all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from bizcenter.accounts import tokens
from bizcenter.accounts.models import ApiToken
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import get_center
from bizcenter.compat import envelope
from bizcenter.compat.envelope import Reply
from bizcenter.compat.errors import ROUTE_NOT_FOUND, param, translate
from bizcenter.compat.params import Params
from bizcenter.core.actor import Actor

# How this door signs the activity log, beside "web", "api" and "cli".
VIA = "tiktok-api"
SAFE = ("GET", "HEAD")


def authenticate(request: HttpRequest) -> ApiToken:
    return tokens.authenticate(request.headers.get("Access-Token"),
                               writes=request.method not in SAFE)


@dataclass
class Call:
    request: HttpRequest
    token: ApiToken
    params: Params

    @cached_property
    def actor(self) -> Actor:
        return Actor(self.token.user, ip=self.request.META.get("REMOTE_ADDR"), via=VIA,
                     read_only=self.token.read_only)

    def center(self) -> BusinessCenter:
        """The Business Center of ``bc_id``: a token reaches its own, nothing else."""
        bc_id = self.params.id("bc_id")
        assert bc_id is not None  # required
        tokens.require_center(self.token, bc_id)
        return get_center(self.actor, bc_id)

    def own_center(self) -> BusinessCenter:
        """For endpoints keyed by an ad account (campaigns, reports): the token's Business
        Center, where the ad account must be owned or shared."""
        if (bc_id := self.params.id("bc_id", required=False)) is not None:
            tokens.require_center(self.token, bc_id)
        return get_center(self.actor, self.token.center_id)


Answer = dict[str, Any] | Reply
Handler = Callable[[Call], Answer]


def endpoint(method: str) -> Callable[[Handler], Callable[..., HttpResponse]]:
    def wrap(handler: Handler) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(handler)
        def view(request: HttpRequest) -> HttpResponse:
            rid = envelope.request_id()
            try:
                token = authenticate(request)
                if request.method not in ((method, "HEAD") if method == "GET" else (method,)):
                    raise param(f"Send this request as {method}, not {request.method}.")
                call = Call(request, token, Params.of(request))
                if method == "GET":
                    answer = handler(call)
                else:
                    with transaction.atomic():
                        answer = handler(call)
            except Exception as exc:  # every failure is an envelope, never a stack trace
                return envelope.error(rid, *translate(exc, rid))
            return envelope.ok(rid, answer)

        return view

    return wrap


@csrf_exempt
def unknown(request: HttpRequest, path: str = "") -> HttpResponse:
    """A path under open_api/v1.3/ that bizcenter does not serve (TikTok's paths end with
    a slash: say so when that is all that is missing)."""
    rid = envelope.request_id()
    hint = "see the README for the endpoints it serves"
    if not path.endswith("/"):
        try:
            if resolve(f"{request.path}/").func is not unknown:
                hint = f"the path is /open_api/v1.3/{path}/, with the trailing slash"
        except Resolver404:
            pass
    return envelope.error(rid, ROUTE_NOT_FOUND,
                          f"bizcenter does not serve /open_api/v1.3/{path}; {hint}.")
