"""The billing tests' people and ad account (defined in tests/support/billing.py, so
the billing page tests in tests/web share them), and quick password hashing."""

from __future__ import annotations

import pytest

from tests.support import billing

# Fixtures for every test in this folder, by name.
manager, analyst, standard = billing.manager, billing.analyst, billing.standard
other_center, outsider = billing.other_center, billing.outsider
account, system, last_month = billing.account, billing.system, billing.last_month


@pytest.fixture(autouse=True)
def _quick(settings):
    """Not about passwords: Argon2 is tested with sign-up."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
