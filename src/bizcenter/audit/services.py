"""Writing and reading the activity log.

``record`` is called by every service that changes something, inside its
transaction, so a change and its log entry are committed together or not at all.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from bizcenter.audit.catalogue import AuditAction, checked, describe, wanted
from bizcenter.audit.models import AuditEvent, Category
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput
from bizcenter.core.pagination import Page, paginate

if TYPE_CHECKING:
    from bizcenter.centers.models import BusinessCenter


def _target_fields(target: models.Model | None) -> dict[str, str]:
    if target is None:
        return {}
    return {
        "target_type": target._meta.model_name or "",
        "target_id": str(target.pk),
        "target_label": str(target)[:300],
    }


def owner_of(target: models.Model | None) -> int | None:
    """The id of the Business Center that owns the target, for the things a partner can
    change: an asset, a campaign (its ad account's owner) and a change request (likewise).
    None for everything else, whose log is the actor's alone."""
    if target is None:
        return None
    label = target._meta.label
    if label == "assets.Asset":
        return target.center_id  # type: ignore[attr-defined, no-any-return]
    if label in ("campaigns.Campaign", "campaigns.ChangeRequest"):
        return target.advertiser.center_id  # type: ignore[attr-defined, no-any-return]
    return None


def build(
    actor: Actor,
    *,
    center: BusinessCenter | None,
    category: Category,
    action: AuditAction | str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
    also: BusinessCenter | None = None,
) -> AuditEvent:
    """An unsaved event, for services that write many at once with bulk_create.

    When the target belongs to another Business Center than ``center`` (a partner's
    Admin or member changed the owner's asset or campaign from the partner's Business
    Center), the event carries a twin for the owner's log, naming ``center`` as where
    the person acted from: an owner sees every change made to its things from outside,
    whichever door it came through, because every door ends here. ``also`` names one
    more log that must hold the event (the Business Center a decided request came from).
    ``record`` and ``AuditEvent.objects.bulk_create`` write the twins with the event.

    ``action`` must be in the catalogue (``audit.catalogue.AuditAction``): any other
    string raises ``UnknownAction`` before anything is written.
    """
    action = checked(action).value
    event = AuditEvent(
        center=center,
        actor=actor.user,
        actor_label=actor.label[:300],
        category=category,
        action=action,
        before=before,
        after=after,
        ip=actor.ip,
        via=actor.via,
        created_at=at or timezone.now(),
        **_target_fields(target),
    )
    event.twins = []
    if center is None:
        return event
    elsewhere = [owner_of(target), also.pk if also is not None else None]
    for other in dict.fromkeys(pk for pk in elsewhere if pk and pk != center.pk):
        twin = AuditEvent(**{f.attname: getattr(event, f.attname)
                             for f in AuditEvent._meta.concrete_fields if not f.primary_key})
        twin.center_id, twin.acting_center_id = other, center.pk
        event.twins.append(twin)
    return event


def record(actor: Actor, **kwargs: Any) -> AuditEvent:
    """Write one event, and its twins in other logs (see ``build``), in the caller's
    transaction."""
    event = build(actor, **kwargs)
    event.save()
    if event.twins:
        AuditEvent.objects.bulk_create(event.twins)
    return event


def events_for(
    center: BusinessCenter,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    category: str | None = None,
    actor_id: int | None = None,
    person: str | None = None,
    action: str | None = None,
    who: str | None = None,
) -> models.QuerySet[AuditEvent]:
    """The filtered log of one Business Center, newest first. ``who`` is part of the
    name, email or phone of who acted (the web page's filter). ``person`` is the whole
    email or phone of who acted, as typed (the API's): an address with no account simply
    matches nothing, so the filter never tells a reader whether someone has an account."""
    qs = AuditEvent.objects.filter(center=center).select_related("acting_center")
    if person:
        from bizcenter.accounts.addresses import AddressKind, parse_address

        try:
            address = parse_address(person)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, fields={"person": next(
                iter(exc.fields.values()), "not an email or phone")}) from exc
        field = "actor__email" if address.kind is AddressKind.EMAIL else "actor__phone"
        qs = qs.filter(**{field: address.value})
    if who := (who or "").strip():
        # Part of a name or an address as people type it ("olivia", "@agency", "+4915"):
        # only events of this Business Center are searched, so it tells a reader no
        # more than the log itself shows.
        qs = qs.filter(Q(actor__name__icontains=who) | Q(actor__email__icontains=who)
                       | Q(actor__phone__icontains=who) | Q(actor_label__icontains=who))
    if since and until and since >= until:
        raise InvalidInput(
            "The start of the time range is not before its end; swap them.",
            fields={"since": "after until"},
        )
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    if category:
        if category.upper() not in Category.values:
            raise InvalidInput(
                f"Unknown category '{category}'. Use one of: {', '.join(Category.values)}.",
                fields={"category": "unknown"},
            )
        qs = qs.filter(category=category.upper())
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action=wanted(action).value)
    return qs


def page_of(qs: models.QuerySet[AuditEvent], page: int, page_size: int) -> Page[AuditEvent]:
    return paginate(qs, page, page_size)


EXPORT_FIELDS = (
    "id", "created_at", "category", "action", "actor_id", "actor_label",
    "target_type", "target_id", "target_label", "before", "after", "ip", "via",
    "acting_center", "summary",
)


def acting_center_name(event: AuditEvent) -> str | None:
    """The partner Business Center the person acted from, for an event in the log of the
    Business Center whose thing they changed; None for the log's own people."""
    return event.acting_center.name if event.acting_center_id and event.acting_center else None


def as_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": str(event.pk),
        "created_at": event.created_at.isoformat(),
        "category": event.category,
        "action": event.action,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_label": event.actor_label,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
        "via": event.via,
        # by name only: a Business Center's row id is not for others to learn
        "acting_center": acting_center_name(event),
        # the sentence the web log shows, for people reading the file
        "summary": describe(event),
    }


def _csv_safe(value: Any) -> str:
    """Defuse spreadsheet formulas: a cell starting with = + - @ would run in Excel."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def export(events: Iterable[AuditEvent], fmt: str) -> Iterator[str]:
    """Stream the log as CSV or JSON Lines, a chunk at a time, for any size of log."""
    if fmt == "json":
        for event in events:
            yield json.dumps(as_row(event), sort_keys=True) + "\n"
        return
    if fmt != "csv":
        raise InvalidInput(f"Unknown export format '{fmt}'. Use csv or json.",
                           fields={"format": "csv or json"})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for event in events:
        row = as_row(event)
        writer.writerow([_csv_safe(row[f]) for f in EXPORT_FIELDS])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def activity(
    actor: Actor,
    center: BusinessCenter,
    **filters: Any,
) -> models.QuerySet[AuditEvent]:
    """The activity log as its reader may see it (Admins)."""
    from bizcenter.access.actions import Action
    from bizcenter.access.engine import require

    require(actor, Action.ACTIVITY_VIEW, center)
    return events_for(center, **filters)
