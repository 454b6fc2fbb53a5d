"""Shapes shared by every endpoint: the error envelope and paged lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict

T = TypeVar("T")


def _in_utc(moment: datetime) -> datetime:
    """A time sent with an offset is kept in UTC: PostgreSQL refuses offsets past ±15:59
    (ISO 8601 allows up to ±23:59), and one at the very edge of the calendar that cannot
    be moved to UTC is out of range, not a server error. A time without an offset is
    left to the service, which reads it as UTC."""
    if moment.utcoffset() is None:
        return moment
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is out of range once moved to UTC") from exc


class Schema(BaseModel):
    """Every body the API reads or writes. Pydantic's own model, reading the attributes
    of objects as django-ninja's Schema does, but without that Schema's wrapper, which
    sends every field of every object through a Python call (DjangoGetter, for
    ``resolve_`` methods and dotted names, which no schema here uses): on the access
    check, the call integrations make before every action, that wrapper cost 20 us,
    a sixth of the endpoint's own time."""

    model_config = ConfigDict(from_attributes=True)


Moment = Annotated[datetime, AfterValidator(_in_utc)]
"""A time the API is sent (ISO 8601): read in UTC whatever offset it carries."""


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class Error(Schema):
    """Every refusal, at its HTTP status: 400 bad input, 401 no or bad token, 403 not
    allowed (the message is the access engine's reason and fix), 404 not found or not
    visible, 409 conflict (a limit, a stale change), 429 rate limited."""

    error: ErrorBody


class PageInfo(Schema):
    page: int
    page_size: int
    total: int
    pages: int


class Paged(Schema, Generic[T]):
    items: list[T]
    page_info: PageInfo
