"""What the campaign tests share: a campaign as the form and the services take it, an
ad account with a Standard OPERATOR on it (fixtures, bound by name in
tests/campaigns/conftest.py and the campaign page tests in tests/web), and a
campaign's settings rebuilt from its activity log."""

from __future__ import annotations

from typing import Any

import pytest

from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from tests.conftest import join

# A campaign as the form and the services take it.
NEW = {"name": "Spring sale", "objective": "TRAFFIC", "budget_mode": "BUDGET_MODE_DAY",
       "budget": "150.50"}

ORIGINAL = {"name": "Spring sale", "objective": "TRAFFIC", "budget_mode": "BUDGET_MODE_DAY",
            "budget": "150.50"}


@pytest.fixture
def ads(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Main ads")


@pytest.fixture
def operator(center, as_owner, ads, make_user):
    person = make_user("op@agency.com", name="Opal")
    join(as_owner, center, person, modules=("CAMPAIGNS", "ANALYTICS"),
         assets={ads.pk: ["OPERATOR"]})
    return person


def replay(start: dict[str, Any], events: list[AuditEvent]) -> dict[str, Any]:
    """Apply the log's changes in order, checking each starts where the last ended."""
    state = dict(start)
    for event in events:
        if event.action != "campaign.updated":
            continue
        for field, was in (event.before or {}).items():
            assert state[field] == was, (
                f"{event.action} by {event.actor_label} says {field} was {was!r}, "
                f"but the log before it left {state[field]!r}")
        state.update(event.after or {})
    return state
