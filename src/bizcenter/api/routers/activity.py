"""The activity log: who changed what, when and from where; read in pages or exported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router

from bizcenter.api.auth import actor, center
from bizcenter.api.schemas import (
    ERRORS,
    CenterName,
    Moment,
    PageInfo,
    Printable,
    Schema,
    page_info,
)
from bizcenter.audit.catalogue import describe
from bizcenter.audit.models import AuditEvent
from bizcenter.audit.services import acting_center_name, page_of
from bizcenter.audit.services import activity as activity_log
from bizcenter.audit.services import export as export_log
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput

router = Router(tags=["Activity log"])


class EventOut(Schema):
    id: str
    created_at: datetime
    category: str  # USER, ACCOUNT, ASSET or BUSINESS
    action: str  # e.g. member.updated, asset.assigned, invitation.sent
    actor_id: str | None
    actor_label: str
    target_type: str
    target_id: str
    target_label: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None
    via: str  # web, api, cli, system, ...
    # Set when the person acted from another Business Center: a partner's Admin or member
    # changing this Business Center's asset or campaign, shown as "from partner <name>".
    acting_center: CenterName | None = None
    summary: str = Field(description="The event as a sentence for people, the one the web "
                                     "log shows: \"Olivia changed Bob's role from Standard "
                                     "to Admin\".")

    @staticmethod
    def of(e: AuditEvent) -> EventOut:
        partner = acting_center_name(e)
        return EventOut(id=str(e.pk), created_at=e.created_at, category=e.category,
                        action=e.action, actor_id=str(e.actor_id) if e.actor_id else None,
                        actor_label=e.actor_label, target_type=e.target_type,
                        target_id=e.target_id, target_label=e.target_label, before=e.before,
                        after=e.after, ip=e.ip, via=e.via,
                        acting_center=CenterName(name=partner) if partner else None,
                        summary=describe(e))


class EventPage(Schema):
    items: list[EventOut]
    page_info: PageInfo


class LogFilters(Schema):
    since: Moment | None = Field(None, description="From this time (ISO 8601; UTC when no "
                                                   "offset is given), included.")
    until: Moment | None = Field(None, description="Before this time, excluded.")
    category: str | None = Field(None, description="USER, ACCOUNT, ASSET or BUSINESS.")
    actor: str | None = Field(None, description="Email or phone of the person who acted.")
    action: Printable | None = Field(None, description="One kind of event of the catalogue, "
                                                     "e.g. asset.assigned; any other is a 400 "
                                                     "naming them all.")


class LogPage(LogFilters):
    page: int = 1
    page_size: int = 50


class ExportFilters(LogFilters):
    format: str = Field("csv", description="csv, or json for JSON Lines (one event a line).")


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _events(who: Actor, target: BusinessCenter, filters: LogFilters) -> Any:
    try:
        return activity_log(who, target, since=_utc(filters.since), until=_utc(filters.until),
                            category=filters.category or None, person=filters.actor or None,
                            action=filters.action or None)
    except InvalidInput as exc:  # the query parameter is called actor here
        if "person" not in exc.fields:
            raise
        raise InvalidInput(exc.message, fields={"actor": exc.fields["person"]}) from exc


@router.get("/{center_id}/activity", response={200: EventPage, **ERRORS})
def activity(request: HttpRequest, center_id: int, filters: Query[LogPage]) -> EventPage:
    """The activity log, newest first (Admins): every change with who made it, through
    which door and from which address, and the values before and after. A change made
    to this Business Center's assets or campaigns from a partner Business Center is here
    too, with acting_center naming the partner. Filter by time range, category, the
    person who acted (email or phone) and action."""
    events = _events(actor(request), center(request, center_id), filters)
    found = page_of(events, filters.page, filters.page_size)
    return EventPage(items=[EventOut.of(e) for e in found.items], page_info=page_info(found))


# The 200 is declared in openapi_extra alone: also listing it in response= wrote a second
# "200" key into the document's JSON.
@router.get("/{center_id}/activity/export", response=ERRORS,
            openapi_extra={"responses": {"200": {
                "description": "The whole filtered log, streamed as a file download.",
                "content": {"text/csv": {"schema": {"type": "string"}},
                            "application/x-ndjson": {"schema": {"type": "string"}}}}}})
def export(request: HttpRequest, center_id: int,
           filters: Query[ExportFilters]) -> StreamingHttpResponse:
    """The filtered log as a file (Admins), streamed so any size works: CSV with a header
    row (cells that a spreadsheet would run as a formula are escaped), or JSON Lines with
    format=json. Same filters as the log."""
    target = center(request, center_id)
    events = _events(actor(request), target, filters)
    fmt = filters.format.lower()
    chunks = export_log(events.iterator(chunk_size=2000), fmt)
    # An unknown format fails here, before any header is sent.
    first = next(chunks, "")

    def body() -> Iterator[str]:
        yield first
        yield from chunks

    kind, ext = ("text/csv", "csv") if fmt == "csv" else ("application/x-ndjson", "jsonl")
    response = StreamingHttpResponse(body(), content_type=f"{kind}; charset=utf-8")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="activity-{target.pk}-{stamp}.{ext}"')
    return response
