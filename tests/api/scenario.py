"""What the API tests of assets, groups, partners, access and the log share: a token
client for any person, and a second Business Center that none of them may reach."""

from __future__ import annotations

from dataclasses import dataclass

from bizcenter.accounts.models import User
from bizcenter.accounts.tokens import create_token
from bizcenter.assets.models import Asset
from bizcenter.assets.services import create_asset
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import create_center
from tests.api.test_api import Api
from tests.conftest import act, join

__all__ = ["Api", "Stranger", "api_for", "stranger"]


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
