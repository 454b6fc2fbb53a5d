"""What the campaign tests share: an ad account and a Standard OPERATOR on it."""

from __future__ import annotations

import pytest

from bizcenter.assets.services import create_asset
from tests.conftest import join

# A campaign as the form and the services take it.
NEW = {"name": "Spring sale", "objective": "TRAFFIC", "budget_mode": "BUDGET_MODE_DAY",
       "budget": "150.50"}


@pytest.fixture(autouse=True)
def _fast(quick_hashing):
    """Password hashing is not what these tests are about."""


@pytest.fixture
def ads(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Main ads")


@pytest.fixture
def operator(center, as_owner, ads, make_user):
    person = make_user("op@agency.com", name="Opal")
    join(as_owner, center, person, modules=("CAMPAIGNS", "ANALYTICS"),
         assets={ads.pk: ["OPERATOR"]})
    return person
