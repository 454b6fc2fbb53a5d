"""The activity log page and its export, over the audit service."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render

from bizcenter.audit.services import activity, export, page_of
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.errors import ServiceError
from bizcenter.core.pagination import PAGE_SIZES, clamped, page_number_of, page_size_of
from bizcenter.web.forms import ActivityFilterForm, status_of
from bizcenter.web.scope import center_page
from bizcenter.web.views import actor


def _filters(data: dict[str, Any]) -> dict[str, Any]:
    """Dates in the form are whole days in UTC: from the start of one to the end of the other."""
    since, until = data.get("since"), data.get("until")
    end = until + timedelta(days=1) if until else None
    if since and until and since > until:
        # The end of the day before the start day is the start itself, an empty range the
        # service would take; the start of the end day is before it, which it refuses.
        end = until
    return {
        "since": datetime.combine(since, time.min, tzinfo=UTC) if since else None,
        "until": datetime.combine(end, time.min, tzinfo=UTC) if end else None,
        "category": data.get("category") or None,
        # The page's person filter takes part of a name or an address (the API's takes
        # a whole address, as ``person``).
        "who": data.get("person") or None,
        "action": data.get("action") or None,
    }


@center_page
def log(request: HttpRequest, center: BusinessCenter) -> HttpResponseBase:
    me = actor(request)
    # The right to read the log comes first, before any filter is even read.
    activity(me, center)
    form = ActivityFilterForm(request.GET)
    page = None
    if form.is_valid():
        try:
            events = activity(me, center, **_filters(form.cleaned_data))
            fmt = request.GET.get("format")
            if fmt:
                return _download(center, events, fmt)
            listed = events.select_related("actor")
            size = page_size_of(request.GET.get("size"))
            page = clamped(lambda n: page_of(listed, n, size),
                           page_number_of(request.GET.get("page")))
        except ServiceError as error:
            if error.status == 403:
                raise
            form.add_service_error(error)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "web/activity/activity.html",
                  {"center": center, "form": form, "page": page, "q": request.GET,
                   "page_sizes": PAGE_SIZES,
                   "query": query.urlencode()},
                  status=status_of(form))


def _download(center: BusinessCenter, events: Any, fmt: str) -> StreamingHttpResponse:
    chunks = export(events.iterator(chunk_size=2000), fmt)
    # An unknown format fails here, before any header is sent; JSON of no events is empty.
    first = next(chunks, "")
    kind = "text/csv" if fmt == "csv" else "application/x-ndjson"
    ext = "csv" if fmt == "csv" else "jsonl"

    def body() -> Any:
        yield first
        yield from chunks

    response = StreamingHttpResponse(body(), content_type=f"{kind}; charset=utf-8")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (f'attachment; filename="activity-{center.pk}-{stamp}.'
                                       f'{ext}"')
    return response
