"""Reading amounts of money and card details that people type, with answers that say
what to fix. Shared by every billing use case so the web, the API and the CLI
refuse the same input with the same words."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from bizcenter.core.errors import InvalidInput

CENT = Decimal("0.01")
# A sane ceiling per operation: far above any real top-up or monthly limit, far
# below what DecimalField(14, 2) holds, so a slip of the finger (an extra 000)
# is caught instead of recorded.
MAX_AMOUNT = Decimal("10000000.00")
# ISO 4217 currencies without a minor unit: a fraction of a yen cannot be paid.
WHOLE_UNITS = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split()  # noqa: SIM905
)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
# 13 to 19 digits, optionally grouped by spaces or dashes: the shape of a card number.
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def fmt(amount: Decimal) -> str:
    """An amount as stored and logged: two places, no grouping (``1234.50``)."""
    return f"{amount.quantize(CENT)}"


def parse_amount(value: object, currency: str, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimals, at most ``MAX_AMOUNT``.

    Text is read strictly (digits, one dot): "1,000" could mean a thousand or
    one, and a wrong guess about money is worse than asking again.
    """
    shown = str(value).strip() if value is not None else ""
    if isinstance(value, bool):  # bool is an int; True is not an amount
        raise _not_a_number(shown, field)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        if not shown:
            raise InvalidInput(f"Enter an amount in {currency}.", fields={field: "required"})
        if "," in shown:
            raise InvalidInput(
                f"'{shown}' is not an amount: write it with a dot for the decimals and no "
                "thousands separators, e.g. 1250.50.", fields={field: "e.g. 1250.50"})
        if not _NUMBER.fullmatch(shown):
            raise _not_a_number(shown, field)
        try:
            number = Decimal(shown)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already refused it
            raise _not_a_number(shown, field) from exc
    if not number.is_finite():
        raise _not_a_number(shown, field)
    if number <= 0:
        raise InvalidInput(f"The amount must be more than 0 {currency}; {shown} is not.",
                           fields={field: "more than 0"})
    # Too large first: cents of a number past 26 digits overflow Decimal's precision.
    if number > MAX_AMOUNT:
        raise InvalidInput(
            f"{shown} {currency} is more than the {MAX_AMOUNT:,} {currency} allowed at once. "
            "Check the number of zeros; larger sums are entered in several parts.",
            fields={field: f"at most {MAX_AMOUNT:,}"})
    if number != number.quantize(CENT):
        raise InvalidInput(f"{shown} has more than 2 decimals; amounts are in whole cents, "
                           f"e.g. {number.quantize(CENT)}.", fields={field: "at most 2 decimals"})
    if currency in WHOLE_UNITS and number != number.to_integral_value():
        raise InvalidInput(f"{currency} has no smaller unit: enter a whole amount.",
                           fields={field: "a whole amount"})
    return number.quantize(CENT)


def _not_a_number(shown: str, field: str) -> InvalidInput:
    return InvalidInput(f"'{shown}' is not an amount. Enter a number such as 250 or 99.90.",
                        fields={field: "a number"})


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
