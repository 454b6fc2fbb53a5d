"""API clients as integrators use them, and a second Business Center none of the
tests' people may reach."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from bizcenter.accounts.models import User
from bizcenter.accounts.tokens import create_token
from bizcenter.assets.models import Asset
from bizcenter.assets.services import create_asset
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import create_center
from tests.conftest import act, join


class Api:
    """A client that sends a token the way integrators do."""

    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body=None, **headers):
        return getattr(self.client, method)(f"/api/v1{path}", body, content_type="application/json",
                                            headers={**self.headers, **headers})


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def api_for(user: User, center: BusinessCenter, *, read_only: bool = False) -> Api:
    return Api(create_token(act(user), center, "script", read_only=read_only).secret)


@dataclass
class Stranger:
    """Another owner's Business Center, with an ad account and a member of its own."""

    owner: User
    center: BusinessCenter
    asset: Asset
    member: Membership


def stranger(make_user) -> Stranger:
    boss = make_user("boss@rival.com", name="Rita Rival")
    rival = create_center(act(boss), name="Rival Co")
    asset = create_asset(act(boss), rival, type="ADVERTISER", name="Rival ads")
    member = join(act(boss), rival, make_user("staff@rival.com", name="Ray"))
    return Stranger(boss, rival, asset, member)
