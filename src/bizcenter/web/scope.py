"""What every Business Center page shares: resolve the center for the viewer, turn a
service's refusal into a page, and read the query string forgivingly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase

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


def end_of(day: Any) -> datetime | None:
    """A date picked in a form means access until the end of that day (UTC)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) if day else None
