"""Number formats of the report pages: thousands separators, two decimals for money,
a dash where a ratio has nothing to divide by (no clicks: no cost per click)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()
NOTHING = "—"


@register.filter
def money(value: Decimal | float | None, currency: str = "") -> str:
    """An amount, followed by its currency when given: a page showing several
    currencies names one beside every amount, a page in one names it once."""
    if value is None:
        return NOTHING
    return f"{value:,.2f} {currency}" if currency else f"{value:,.2f}"


@register.filter
def count(value: int | None) -> str:
    return NOTHING if value is None else f"{value:,}"


@register.filter
def percent(value: Decimal | None) -> str:
    """A fraction as a percentage: 0.012345 -> 1.23 %."""
    return NOTHING if value is None else f"{value * 100:,.2f} %"
