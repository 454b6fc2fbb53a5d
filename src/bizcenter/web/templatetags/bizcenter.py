"""Template filters of the web door."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

from bizcenter.centers import enddates

register = template.Library()


@register.filter
def words(code: str) -> str:
    """A machine status as words for people: already_member -> Already member."""
    return str(code).replace("_", " ").capitalize()


@register.filter
def last_day(ends: datetime | None, where: Any) -> str:
    """An end instant as the last day of access people picked, in the time zone of
    ``where`` (the Business Center): Django's ``date`` filter would show it in the
    server's zone, a day late for every center east of it."""
    return enddates.shown(ends, where)
