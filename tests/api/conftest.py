"""What every API test shares: fresh rate-limit counters, fast hashing, an Admin's client."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from bizcenter.assets.services import create_asset
from tests.support.api import Api, api_for


@pytest.fixture(autouse=True)
def _fresh_counters(quick_hashing):
    """Rate-limit counters live in the cache; each test starts from zero. Password
    hashing is not what API tests are about, so it is the fast one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_api(owner, center) -> Api:
    return api_for(owner, center)


@pytest.fixture
def ads(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
