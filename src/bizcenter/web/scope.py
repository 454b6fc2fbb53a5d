"""What every Business Center page shares: resolve the center for the viewer, turn a
service's refusal into a page, and read the query string forgivingly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase

from bizcenter.centers import enddates
from bizcenter.centers.services import get_center
from bizcenter.core.errors import ServiceError
from bizcenter.web.views import actor, failure

Page = Callable[..., HttpResponseBase]


def center_page(view: Callable[..., HttpResponseBase]) -> Page:
    """Resolve the Business Center for the actor; show any refusal as a page.

    The center is also left on the request, so the layout can build the
    navigation the viewer may use (see ``web.context``).
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, center_id: int, *args: Any,
                **kwargs: Any) -> HttpResponseBase:
        try:
            center = get_center(actor(request), center_id)
            request.bizcenter_center = center  # type: ignore[attr-defined]
            return view(request, center, *args, **kwargs)
        except ServiceError as error:
            return failure(request, error)

    return wrapper


def int_param(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def ask_last_day(form: Any, center: Any, *, field: str = "expires",
                 label: str = "Last day of access (optional)") -> None:
    """Word a form's end date as what it means: people read "Access ends 2027-06-30"
    as either that day or the one before, and the product keeps the day they pick,
    inclusive, in the Business Center's time zone (see ``centers.enddates``). With no
    center (a form that picks one, as the API token's does), the picked one's zone."""
    zone = (f"{enddates.zone_name(center)} time (the Business Center's time zone)"
            if center is not None else "the time zone of the Business Center you pick")
    picker = form.fields[field]
    picker.label = label
    picker.help_text = f"Inclusive, in {zone}: it ends when that day ends there."


def picked_end(day: date | None, center: Any) -> datetime | None:
    """The instant access ends for the last day picked in a form's ``expires`` field
    (None: no end date)."""
    return enddates.ends_at(day, center, field="expires") if day else None
