"""Shapes shared by every endpoint: the error envelope and paged lists."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from bizcenter.centers import enddates

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

_A_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _just_a_day(value: Any) -> Any:
    """A last day is a calendar date and nothing else: Pydantic would also take a time
    at midnight, or a number of seconds, and quietly drop what made it an instant."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _A_DAY.fullmatch(value):
        raise ValueError("must be a date, YYYY-MM-DD (the last day of access, inclusive, in "
                         "the Business Center's time zone)")
    return value


def _not_a_bare_day(value: Any) -> Any:
    """A bare date sent as an end time would be read as that day's first instant: access
    would end the day before the one named. Say where a date belongs instead."""
    if isinstance(value, str) and _A_DAY.fullmatch(value.strip()):
        raise ValueError("is a date without a time; send the last day of access as "
                         f"last_day ({value.strip()}), or the exact time access ends")
    return value


LastDay = Annotated[date, BeforeValidator(_just_a_day)]
"""The last day of access, inclusive, in the Business Center's time zone (YYYY-MM-DD)."""

def _end_in_utc(moment: datetime) -> datetime:
    """An end time without an offset is UTC, as documented, and made so here: the
    service compares it with stored (aware) times to tell whether it changed."""
    return _in_utc(moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC))


EndMoment = Annotated[datetime, BeforeValidator(_not_a_bare_day), AfterValidator(_end_in_utc)]
"""The exact instant access ends (ISO 8601 with a time): a Moment that is not a date."""

LAST_DAY_IN = ("The last day of access, inclusive, in the Business Center's time zone "
               "(YYYY-MM-DD): access ends when that day ends there. Send this or "
               "expires_at, not both.")
EXPIRES_AT_IN = ("The exact time access ends (ISO 8601 with a time; UTC when no offset). "
                 "To give a date, send last_day instead.")
LAST_DAY_OUT = ("The last day of access, inclusive, in the Business Center's time zone: "
                "the day expires_at falls in, or the day before when expires_at is that "
                "day's first instant. Null: access does not end.")
EXPIRES_AT_OUT = "The instant access ends (UTC). Null: access does not end."


def last_day_in(description: str = LAST_DAY_IN) -> Any:
    """The input field ``last_day`` (a Pydantic Field; typed Any as Field is)."""
    return Field(None, description=description, examples=["2027-06-30"])


def end_sent(last_day: date | None, expires_at: datetime | None, where: Any
             ) -> datetime | None:
    """The instant access ends, from whichever of the two a request sent."""
    if last_day is None:
        return expires_at
    return enddates.ends_at(last_day, where, field="last_day")


def one_end(expires_at: datetime | None, last_day: date | None) -> None:
    """An end date is sent one way: two that disagree would leave the server to guess."""
    if expires_at is not None and last_day is not None:
        raise ValueError("send last_day or expires_at, not both")


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
