"""Reading card details that people type, with answers that say what to fix, and the
billing names of the one money parser (``bizcenter.core.money``). Shared by every
billing use case so the web, the API and the CLI refuse the same input with the same
words."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from bizcenter.core.errors import InvalidInput

# Amounts are read by the one parser of every door (core/money.py); re-exported here for
# the billing code that already imports them from billing.
from bizcenter.core.money import (
    MONTHLY_LIMIT,
    REFUND,
    SPEND,
    TOP_UP,
    WHOLE_UNITS,
    parse_amount,
)

__all__ = ["CENT", "MAX_AMOUNT", "MONTHLY_LIMIT", "REFUND", "SPEND", "TOP_UP", "WHOLE_UNITS",
           "expiry", "fmt", "last4", "parse_amount", "refuse_card_number"]

CENT = Decimal("0.01")
# The one ceiling of a single top-up or refund, kept here for the billing pages' words.
MAX_AMOUNT = TOP_UP.maximum
# 13 to 19 digits, optionally grouped by spaces or dashes: the shape of a card number.
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def fmt(amount: Decimal) -> str:
    """An amount as stored and logged: two places, no grouping (``1234.50``)."""
    return f"{amount.quantize(CENT)}"


def refuse_card_number(text: str, field: str) -> None:
    """Card numbers are never stored: not in a payment field, not in a note.

    Any run of 13 to 19 digits is refused, valid card or not: a mistyped card
    number is still most of a card number.
    """
    if _CARD.search(text or ""):
        raise InvalidInput(
            "That looks like a card number. bizcenter never stores card numbers: for the "
            "payment method enter only the brand, the last 4 digits and the expiry date.",
            fields={field: "no card numbers"})


def last4(value: str) -> str:
    text = (value or "").strip()
    refuse_card_number(text, "card_last4")
    digits = re.sub(r"[\s-]", "", text)
    if len(digits) > 4 and digits.isdigit():
        raise InvalidInput(
            f"Enter only the last 4 digits of the card, not {len(digits)}: bizcenter never "
            "stores card numbers.", fields={"card_last4": "only the last 4 digits"})
    if not (len(digits) == 4 and digits.isdigit()):
        raise InvalidInput("The last 4 digits of the card are 4 digits, e.g. 4242.",
                           fields={"card_last4": "exactly 4 digits"})
    return digits


def expiry(month: object, year: object, today: date) -> tuple[int, int]:
    """A card's expiry month and year; two-digit years are this century's."""
    try:
        m = int(str(month).strip())
    except ValueError:
        m = 0
    if not 1 <= m <= 12:
        raise InvalidInput("The expiry month is a number from 1 to 12.",
                           fields={"card_exp_month": "1 to 12"})
    try:
        y = int(str(year).strip())
    except ValueError:
        y = 0
    if 0 <= y < 100 and str(year).strip():
        y += 2000
    if not 2000 <= y <= today.year + 20:
        raise InvalidInput(f"The expiry year is a year such as {today.year + 3}.",
                           fields={"card_exp_year": f"e.g. {today.year + 3}"})
    if (y, m) < (today.year, today.month):
        raise InvalidInput(f"That card expired in {m:02d}/{y}; enter a card that is still valid.",
                           fields={"card_exp_year": "expired"})
    return m, y
