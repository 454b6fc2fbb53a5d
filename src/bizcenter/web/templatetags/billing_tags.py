"""How the billing pages write money: grouped thousands, two places, the currency after."""

from __future__ import annotations

from decimal import Decimal

from django import template

from bizcenter.billing.money import WHOLE_UNITS

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str = "") -> str:
    """``1234.5`` and ``GBP`` -> ``1,234.50 GBP``; yen and the like without decimals."""
    if value is None:
        return "—"
    places = 0 if currency in WHOLE_UNITS else 2
    text = f"{Decimal(value):,.{places}f}"
    return f"{text} {currency}".strip()
