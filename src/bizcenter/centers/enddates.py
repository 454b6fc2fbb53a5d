"""End dates of access: the last day a person picked, and the instant access ends.

People think of an end date as a calendar day: "the agency works with us until
2027-06-30" means June 30 is their last day, as the Business Center counts days.
The access engine needs an instant. Every door (web, API, CLI, compatible API,
emails) converts through these two functions and nothing else, because when each
did its own arithmetic the date picked in a form was stored as the next midnight
UTC, read back with ``.date()`` a day late, and moved one more day on every save.

The rules:

- a last day is inclusive and read in the Business Center's time zone, so access
  ends at the first instant of the next day there (which is not always 00:00: on
  a day whose midnight a DST change skips, the day starts at the change);
- an instant's last day is the day, in that zone, of the instant just before it,
  so any instant (one set through the API to the second, or one stored by older
  code at midnight UTC) shows as the last day on which some access remained;
- the two round-trip: ``last_day(ends_at(d)) == d`` for every zone and day.

Instants come back in UTC, as the database returns them, so that a door sending
back an unchanged end date hands the service a value equal to the stored one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bizcenter.core.errors import InvalidInput

# The smallest step a stored time has (microseconds, on SQLite and PostgreSQL alike).
_JUST_BEFORE = timedelta(microseconds=1)


class HasTimezone(Protocol):
    """A Business Center, or anything else that carries an IANA zone name."""

    timezone: str


Where = HasTimezone | tzinfo | str | None


def zone_of(where: Where) -> tzinfo:
    """The time zone days are counted in. A zone name that no longer exists (the
    tz database drops some) counts as UTC rather than failing a page or a reminder:
    the settings only accept valid names, so this is a stale row, not a typo."""
    if isinstance(where, tzinfo):
        return where
    name = where if isinstance(where, str) or where is None else where.timezone
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_name(where: Where) -> str:
    """The zone's name as people read it on a form or in an email (``Europe/Paris``)."""
    return str(zone_of(where))


def ends_at(last_day: date, where: Where, *, field: str = "expires_at") -> datetime:
    """The instant access ends when ``last_day`` is its last day: the start of the next
    day in the zone, in UTC. ``field`` names the input in the refusal of a day whose
    next day the calendar cannot hold (9999-12-31)."""
    zone = zone_of(where)
    try:
        following = last_day + timedelta(days=1)
        # A local midnight that a DST change skips reads (fold=0) with the offset in
        # force before the change, which lands on the instant the change happens: the
        # day's first instant, as wanted.
        return datetime.combine(following, time.min, tzinfo=zone).astimezone(UTC)
    except OverflowError:
        raise InvalidInput(f"{last_day.isoformat()} is too far in the future to be a last "
                           "day of access; pick an earlier date, or no end date.",
                           fields={field: "too far in the future"}) from None


def last_day(ends: datetime | None, where: Where) -> date | None:
    """The last day of access, in the zone, of access that ends at ``ends`` (None: it
    does not end)."""
    if ends is None:
        return None
    try:
        return (ends - _JUST_BEFORE).astimezone(zone_of(where)).date()
    except OverflowError:  # the very first instant of the calendar: nothing came before
        return ends.astimezone(zone_of(where)).date()


def shown(ends: datetime | None, where: Where, *, never: str = "") -> str:
    """The last day as people read it everywhere (ISO, ``2027-06-30``), or ``never``."""
    day = last_day(ends, where)
    return day.isoformat() if day else never
