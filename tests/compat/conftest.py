"""Fixtures for the TikTok-compatible API: a live bizcenter server, the official SDK
pointed at it, a raw HTTP client that speaks TikTok's shapes, and the people of a
Business Center (an Admin, a Standard OPERATOR, a Standard ANALYST, a rival)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from business_api_client import ApiClient, Configuration
from django.core.cache import cache

from bizcenter.accounts.tokens import create_token
from bizcenter.assets.services import create_asset
from bizcenter.centers.services import create_center
from tests.conftest import act, join
from tests.support.compat import Tik


@pytest.fixture(autouse=True)
def _fresh_counters(quick_hashing):
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _server_threads_done():
    """Torn down after the clients have closed their connections: wait for the live
    server's threads that served them, so none outlives the test (and the database
    connection it shares with the test)."""
    yield
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=5)
            assert not thread.is_alive(), f"{thread.name} still serves a connection"


@pytest.fixture
def ads(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Main ads")


@pytest.fixture
def admin_token(center, as_owner) -> str:
    return create_token(as_owner, center, "tiktok tools").secret


@pytest.fixture
def tik(live_server) -> Iterator[Callable[[str | None], Tik]]:
    made: list[Tik] = []

    def make(token: str | None) -> Tik:
        made.append(Tik(live_server.url, token))
        return made[-1]

    yield make
    for client in made:  # no kept-alive connection outlives the test
        client.http.clear()


@pytest.fixture
def admin(tik, admin_token) -> Tik:
    return tik(admin_token)


@pytest.fixture
def sdk(live_server) -> Iterator[ApiClient]:
    """The official SDK, unchanged, with its host pointed at bizcenter."""
    configuration = Configuration()
    configuration.host = live_server.url
    client = ApiClient(configuration)
    yield client
    # No kept-alive connection outlives the test: the last response holds its socket open.
    client.last_response = None
    client.rest_client.pool_manager.clear()


@pytest.fixture
def operator(center, as_owner, ads, make_user):
    """A Standard member who is OPERATOR on the ad account: may only propose changes."""
    person = make_user("op@agency.com", name="Opal Operator")
    join(as_owner, center, person, modules=("CAMPAIGNS", "ANALYTICS", "ASSETS"),
         assets={ads.pk: ["OPERATOR"]})
    return person


@pytest.fixture
def operator_token(center, operator) -> str:
    return create_token(act(operator), center, "agency script").secret


@pytest.fixture
def analyst(center, as_owner, ads, make_user):
    """A Standard member who is ANALYST on the ad account, and Finance Analyst."""
    person = make_user("an@agency.com", name="Ana Analyst")
    join(as_owner, center, person, modules=("CAMPAIGNS", "ANALYTICS"), finance_role="ANALYST",
         assets={ads.pk: ["ANALYST"]})
    return person


@pytest.fixture
def analyst_token(center, analyst) -> str:
    return create_token(act(analyst), center, "reporting script").secret


@pytest.fixture
def rival(make_user):
    """Another Business Center, with its owner and an ad account."""
    boss = make_user("boss@rival.com", name="Rita Rival")
    other = create_center(act(boss), name="Rival Inc")
    their_ads = create_asset(act(boss), other, type="ADVERTISER", name="Rival ads")
    return other, their_ads, boss
