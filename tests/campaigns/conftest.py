"""What the campaign tests share: an ad account and a Standard OPERATOR on it (defined
in tests/support/campaigns.py, so the campaign page tests in tests/web share them)."""

from __future__ import annotations

import pytest

from tests.support import campaigns

# Fixtures for every test in this folder, by name.
ads, operator = campaigns.ads, campaigns.operator


@pytest.fixture(autouse=True)
def _fast(quick_hashing):
    """Password hashing is not what these tests are about."""
