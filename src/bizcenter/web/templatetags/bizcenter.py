"""Template filters of the web door."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def words(code: str) -> str:
    """A machine status as words for people: already_member -> Already member."""
    return str(code).replace("_", " ").capitalize()
