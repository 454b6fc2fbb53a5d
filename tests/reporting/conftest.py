"""A Business Center with two ad accounts, three campaigns and a few days of numbers
whose sums are easy to check by hand (tests/support/reporting.py, shared with the report
page tests in tests/web)."""

from __future__ import annotations

from tests.support import reporting

# A fixture for every test in this folder, by name.
book = reporting.book
