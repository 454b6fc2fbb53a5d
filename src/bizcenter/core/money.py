"""The one reader of amounts of money, for every door and every kind of amount.

Campaign budgets, top-ups, refunds, spends, monthly spending limits and imported
report spend are all read here, so the web, the REST API, the CLI and the
TikTok-compatible door accept the same text and refuse the same text with the
same words.

The rules, and why:

* **A dot is the only decimal separator, and nothing groups thousands.** ``25,50``
  is 25.50 to a German and 2550 to an American; a wrong guess about money is
  worse than asking again, so a comma is refused with the rewrite that was
  probably meant (``'25,50' is not an amount: write 25.50``).
* **ASCII digits only.** ``str.isdigit``, regex ``\\d`` and ``Decimal()`` all read
  ``"٣"`` as 3; a digit the person cannot see in their own keyboard layout is
  more likely a paste accident than an amount.
* **No sign, no exponent, no spaces inside.** No amount read here may be
  negative (a refund is its own use case, not a negative top-up); ``1e11`` is
  how a spreadsheet mangles a long number, not how a person writes a budget.
* **At most the currency's minor units** (``JPY`` has none), and at most an
  explicit maximum per kind of amount, so an extra ``000`` is caught instead of
  recorded. Every kind's maximum is far below what ``DecimalField(14, 2)`` holds.

Numbers that arrive as numbers: a ``Decimal`` or an ``int`` is taken as it is.
A JSON body read by the compatible door keeps its numbers as ``Decimal``
(``parse_float=Decimal``), so ``25.5`` is exactly 25.5 and ``25.505`` is refused
for its third decimal rather than rounded. A Python ``float`` (the REST API's
JSON numbers) is read through its shortest round-trip text, ``repr``: 150.1 is
150.1, never 150.0999…; one that still has more decimals than the currency
allows is refused like the same text would be, never rounded, because rounding
someone's money silently is the wrong kind of helpful.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bizcenter.core.errors import InvalidInput

# ISO 4217 currencies without a minor unit: a fraction of a yen cannot be paid.
WHOLE_UNITS = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split()  # noqa: SIM905
)
# Amounts are stored in DecimalField(…, 2): the three-decimal currencies (BHD, KWD, …)
# are kept to two, which their own prices are almost always written with.
STORED_PLACES = 2

# Strict ASCII: [0-9], not \d (which matches Arabic-Indic and other digits).
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")  # .50 is unambiguous too


@dataclass(frozen=True)
class AmountKind:
    """One kind of amount: what the messages call it and the most one may be."""

    name: str  # in a sentence: "a budget", "a top-up"
    maximum: Decimal
    zero_allowed: bool = False
    hint: str = "Check the number of zeros."


# The maxima, documented in one place. 10 million is far above any real single
# budget, top-up, refund or monthly limit of the businesses this serves, and far
# below the 999,999,999,999.99 the columns hold; spend imported from a report is a
# record of what happened, so it is bounded only by what the column holds.
BUDGET = AmountKind("a budget", Decimal("10000000"))
TOP_UP = AmountKind("a top-up", Decimal("10000000"),
                    hint="Check the number of zeros; larger sums are entered in several parts.")
REFUND = AmountKind("a refund", Decimal("10000000"),
                    hint="Check the number of zeros; larger sums are refunded in several parts.")
SPEND = AmountKind("a spend", Decimal("10000000"))
MONTHLY_LIMIT = AmountKind("a monthly spending limit", Decimal("10000000"))
REPORT_SPEND = AmountKind("a day's spend", Decimal("999999999999.99"), zero_allowed=True,
                          hint="That is more than can be stored.")


def places_of(currency: str) -> int:
    """How many decimals an amount in ``currency`` may have: 0 for JPY, else 2."""
    return 0 if currency.upper() in WHOLE_UNITS else STORED_PLACES


def show(amount: Decimal, currency: str) -> str:
    """An amount for a sentence: grouped, with the currency's places (``10,000,000.00``)."""
    return f"{amount:,.{places_of(currency)}f}"


def parse_amount(value: object, currency: str, *, field: str = "amount",
                 kind: AmountKind = TOP_UP) -> Decimal:
    """``value`` as an amount of ``currency`` of the given kind, quantized to cents.

    Raises ``InvalidInput`` naming ``field``, with a message that says how to write
    it; nothing is rounded. ``currency`` may be "" where it is not known yet (a report
    row, checked against its ad account later): two decimals then.
    """
    places = places_of(currency)
    unit = f" {currency}" if currency else ""
    if isinstance(value, bool):  # bool is an int; True is not an amount
        raise _not_an_amount(str(value), field, None)
    if isinstance(value, Decimal | int):
        number = Decimal(value)
        shown = str(value)
    elif isinstance(value, float):
        shown = repr(value)
        number = Decimal(shown) if value == value and abs(value) != float("inf") \
            else Decimal("NaN")
    else:
        shown = "" if value is None else str(value).strip()
        if not shown:
            raise InvalidInput(f"Enter an amount{f' in {currency}' if currency else ''}.",
                               fields={field: "required"})
        if not _PLAIN.fullmatch(shown):
            if shown.startswith("-") and _PLAIN.fullmatch(shown[1:]):
                number = -Decimal(shown[1:])  # a clear negative: say it must be positive
            else:
                raise _not_an_amount(shown, field, _rewrite(shown, places, kind))
        else:
            number = Decimal(shown)
    if not number.is_finite():
        raise _not_an_amount(shown, field, None)
    if number < 0 or (number == 0 and not kind.zero_allowed):
        least = "0 or more" if kind.zero_allowed else "more than 0"
        raise InvalidInput(f"'{shown}' must be {least}{unit}.",
                           fields={field: least})
    # Too large first: the cents of a number past 28 digits overflow Decimal's precision.
    if number > kind.maximum:
        most = show(kind.maximum, currency)
        raise InvalidInput(
            f"{shown}{unit} is more than the {most}{unit} allowed at once for "
            f"{kind.name}. {kind.hint}", fields={field: f"at most {most}"})
    if number != number.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            raise InvalidInput(f"{currency} has no smaller unit: enter a whole amount, "
                               f"e.g. {number.quantize(Decimal(1))}.",
                               fields={field: "a whole amount"})
        example = number.quantize(Decimal(1).scaleb(-places))
        have = f"{currency} amounts have at most {places}, " if currency else ""
        raise InvalidInput(f"'{shown}' has more than {places} decimals; {have}e.g. {example}.",
                           fields={field: f"at most {places} decimals"})
    return number.quantize(Decimal("0.01"))


def _not_an_amount(shown: str, field: str, rewrite: str | None) -> InvalidInput:
    if rewrite is not None:
        return InvalidInput(f"'{shown}' is not an amount: write {rewrite}",
                            fields={field: f"write {rewrite}"})
    return InvalidInput(f"'{shown}' is not an amount: write digits with a dot for the "
                        "decimals, e.g. 25.50", fields={field: "e.g. 25.50"})


def _rewrite(text: str, places: int, kind: AmountKind) -> str | None:
    """What ``text`` was probably meant as, written the way it is read, or None when
    there is no safe guess. Only a guess for the message: never used as the amount."""
    # Other scripts' digits, as their ASCII twins: "٣" -> "3".
    ascii_text = "".join(str(unicodedata.decimal(c)) if not c.isascii()
                         and unicodedata.decimal(c, None) is not None else c for c in text)
    squeezed = re.sub(r"[\s'_\u00a0\u202f]", "", ascii_text).lstrip("+")
    note = ""
    if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", squeezed):
        guess = squeezed.replace(",", "")  # 999,999.99: commas group thousands
        note = " (no thousands separators)"
    elif re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+,[0-9]+", squeezed):
        guess = squeezed.replace(".", "").replace(",", ".")  # 1.234,56: the European way
        note = " (a dot for the decimals, no thousands separators)"
    elif re.fullmatch(r"[0-9]+,[0-9]+", squeezed):
        guess = squeezed.replace(",", ".")  # 25,50: a decimal comma
    elif re.fullmatch(r"[0-9]*\.?[0-9]*[eE][+-]?[0-9]+", squeezed):
        try:
            number = Decimal(squeezed)
        except InvalidOperation:
            return None
        if not number.is_finite() or number > kind.maximum:
            return None
        guess = f"{number:f}"
    elif re.fullmatch(r"[0-9]*\.[0-9]*", squeezed) and squeezed != ".":
        guess = f"{Decimal(squeezed):f}"  # .5 -> 0.5, 5. -> 5
    else:
        guess = squeezed
    if not _PLAIN.fullmatch(guess) or guess == text:
        return None
    if places == 0 and guess.endswith(".0"):
        guess = guess[:-2]
    return guess + note
