"""Filters of the shared form layout (web/_form.html)."""

from __future__ import annotations

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def with_errors(fields: list[BoundField]) -> list[BoundField]:
    """The fields that have errors, in the form's order: the error summary links to
    each, so a screen reader hears them all before the form."""
    return [field for field in fields if field.errors]
