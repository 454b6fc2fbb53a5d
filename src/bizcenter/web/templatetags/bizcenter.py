"""Template filters of the web door."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import template
from django.utils import timezone

from bizcenter.access.profile import role_words
from bizcenter.centers import enddates
from bizcenter.centers.choices import Module

register = template.Library()


@register.filter
def words(code: str) -> str:
    """A machine status as words for people: already_member -> Already member."""
    return str(code).replace("_", " ").capitalize()


@register.filter
def role_names(roles: Any) -> str:
    """Asset roles as people say them: ["OPERATOR", "AD_PROMOTE"] is "Operator, Ad promote"."""
    return ", ".join(role_words(r) for r in roles or ())


@register.filter
def module_names(modules: Any) -> str:
    """Modules by their names ("Analytics, Campaigns"), as the invitation email says them."""
    return ", ".join(str(Module(m).label) for m in modules or ())


@register.filter
def last_day(ends: datetime | None, where: Any) -> str:
    """An end instant as the last day of access people picked, in the time zone of
    ``where`` (the Business Center): Django's ``date`` filter would show it in the
    server's zone, a day late for every center east of it."""
    return enddates.shown(ends, where)


@register.filter
def when(moment: datetime | None, precision: str = "minutes") -> str:
    """An instant as people read it, with its time zone always named:
    "2026-12-07 14:03 UTC" ("seconds" adds them). Every time on a page goes through
    this one filter, so showing the viewer's own zone later is a change here only.
    Nothing (None) reads as an empty string, for ``|default:"never"``."""
    if moment is None or moment == "":
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    shown = moment.astimezone(UTC)
    pattern = "%Y-%m-%d %H:%M:%S" if precision == "seconds" else "%Y-%m-%d %H:%M"
    return f"{shown.strftime(pattern)} UTC"
