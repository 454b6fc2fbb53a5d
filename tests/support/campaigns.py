"""A campaign's settings rebuilt from its activity log."""

from __future__ import annotations

from typing import Any

from bizcenter.audit.models import AuditEvent

ORIGINAL = {"name": "Spring sale", "objective": "TRAFFIC", "budget_mode": "BUDGET_MODE_DAY",
            "budget": "150.50"}


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
