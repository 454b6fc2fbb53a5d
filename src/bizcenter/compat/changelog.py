"""The activity log: changelog/get/, newest first.

Categories are TikTok's: USER (invite, accept, remove members), ACCOUNT (ad
accounts and their campaigns), ASSET, BUSINESS (settings, partners, billing).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from bizcenter.audit import services as audit
from bizcenter.audit.models import AuditEvent, Category
from bizcenter.centers import services as centers
from bizcenter.compat import shapes
from bizcenter.compat.door import Call, endpoint
from bizcenter.compat.errors import param
from bizcenter.compat.paging import listing, page_of, paging
from bizcenter.compat.params import field_of


def _moment(filtering: dict[str, Any], name: str, *, end: bool) -> datetime | None:
    """``YYYY-MM-DD`` (a whole day, UTC) or ``YYYY-MM-DD HH:MM:SS`` (UTC)."""
    value = field_of(filtering, name)
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.combine(datetime.fromisoformat(text).date(), time(), tzinfo=UTC)
            return day + timedelta(days=1) if end else day
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise param(f"filtering.{name} must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC).") \
            from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def row(e: AuditEvent) -> dict[str, Any]:
    return {"activity_id": str(e.pk), "activity_type": e.category, "action": e.action,
            "operation_time": shapes.when(e.created_at),
            "operator_id": str(e.actor_id) if e.actor_id else None,
            "operator_name": e.actor_label, "object_type": e.target_type,
            "object_id": e.target_id, "object_name": e.target_label,
            "before": e.before, "after": e.after, "source": e.via, "ip": e.ip}


@endpoint("GET")
def changelog_get(call: Call) -> dict[str, Any]:
    """Filter by activity_type (or filtering.activity_type), filtering.start_date /
    end_date (days, both included) or start_time / end_time, filtering.operator_id (a
    member's user_id) and filtering.action (e.g. member.revoked)."""
    center = call.center()
    page = paging(call.params)
    filtering = call.params.obj("filtering")
    category = call.params.enum("activity_type", tuple(Category.values)) or field_of(
        filtering, "activity_type")
    since = _moment(filtering, "start_time", end=False) or _moment(
        filtering, "start_date", end=False)
    until = _moment(filtering, "end_time", end=True) or _moment(filtering, "end_date", end=True)
    operator = field_of(filtering, "operator_id")
    who = call.actor
    actor_id = centers.get_member(who, center, operator).user_id if operator else None
    events = audit.activity(who, center, since=since, until=until, category=category,
                            actor_id=actor_id, action=field_of(filtering, "action"))
    found, total = page_of(lambda n, s: audit.page_of(events, n, s), page)
    return listing([row(e) for e in found], page, total)
