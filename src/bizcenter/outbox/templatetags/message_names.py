"""Template filters for messages: ``{{ center.name|quoted }}``, ``{{ comment|defused }}``
(see bizcenter.outbox.names)."""

from __future__ import annotations

from django import template

from bizcenter.outbox import names

register = template.Library()


@register.filter
def quoted(value: object, limit: int = names.NAME_LIMIT) -> str:
    return names.quoted(value, int(limit))


@register.filter
def defused(value: object) -> str:
    return names.defused(value)
