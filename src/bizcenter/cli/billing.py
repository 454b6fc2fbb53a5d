"""``bizcenter billing``: the balance and its ledger, top-ups and refunds, monthly
spending limits and invoices.

Admins and Finance Managers change billing, Finance Analysts only read it; the
services (or the API) refuse anyone else with the reason. Amounts are printed as
the API writes them, two decimals, with the Business Center's currency.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from bizcenter.cli.common import (
    AsOption,
    CenterArg,
    JsonOption,
    PageOpt,
    PageSizeOpt,
    YesOpt,
    client,
    confirm,
    emit,
    emit_page,
    fail,
    stamp,
)
from bizcenter.cli.remote import path
from bizcenter.cli.reports import parse_day

app = typer.Typer(help="Balance, transactions, top-ups and refunds, spending limits and "
                  "invoices.", no_args_is_help=True)

AmountArg = Annotated[str, typer.Argument(help="Amount, e.g. 1000 or 1000.50 (at most 2 "
                                          "decimals), in the Business Center's currency.")]
NoteOpt = Annotated[str, typer.Option(help="A note for the ledger, e.g. the wire reference.")]
InvoiceArg = Annotated[str, typer.Argument(help="Invoice id (from billing invoices).")]
KindOpt = Annotated[str | None, typer.Option(help="TOPUP, SPEND, REFUND or ADJUSTMENT.")]
AdvertiserOpt = Annotated[str | None, typer.Option(help="Ad account id.")]
SinceOpt = Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD), included.")]
UntilOpt = Annotated[str | None, typer.Option(help="Until this day (YYYY-MM-DD), included.")]

TX_COLUMNS = ["id", "occurred_on", "kind", "amount", "balance_after", "ad_account", "note",
              "recorded_by"]
INVOICE_COLUMNS = ["id", "number", "period", "amount", "status", "issued_at", "issued_by"]
LIMIT_COLUMNS = ["ad_account_id", "ad_account", "monthly_limit", "spent", "remaining",
                 "reached"]


def cash(amount: str | None, currency: str) -> str:
    return "" if amount is None else f"{amount} {currency}"


def tx_row(t: dict[str, Any]) -> dict[str, Any]:
    """A ledger row as the API writes it (``TransactionOut``), as a row."""
    return {
        "id": t["id"],
        "occurred_on": t["occurred_on"],
        "kind": t["kind"],
        "amount": cash(t["amount"], t["currency"]),
        "balance_after": cash(t["balance_after"], t["currency"]),
        "ad_account": t["advertiser_name"],
        "note": t["note"],
        "recorded_by": t["recorded_by"],
    }


def invoice_row(i: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": i["id"],
        "number": i["number"],
        "period": f"{i['period_start']} to {i['period_end']}",
        "amount": cash(i["amount"], i["currency"]),
        "status": i["status"],
        "issued_at": stamp(i["issued_at"]),
        "issued_by": i["issued_by"],
    }






def _overview(center_id: str, as_: str | None) -> dict[str, Any]:
    server = client(as_)
    return dict(server.get(path("centers", center_id, "billing")))


@app.command("balance")
def balance(center_id: CenterArg, as_: AsOption = None, as_json: JsonOption = False) -> None:
    """The balance, and this month's spend of each ad account against its limit."""
    found = _overview(center_id, as_)
    currency = found["currency"]
    rows = [{"ad_account_id": line["advertiser_id"], "ad_account": line["advertiser_name"],
             "monthly_limit": cash(line["monthly_limit"], currency) or "no limit",
             "spent": cash(line["spent"], currency),
             "remaining": cash(line["remaining"], currency),
             "reached": "yes" if line["reached"] else ""} for line in found["limits"]]
    settings = found["payment_settings"] or {}
    emit(rows, LIMIT_COLUMNS, as_json=as_json, title=f"Spending limits, month of "
         f"{found['month']}", extra={"balance": cash(found["balance"], currency),
                                     "card": settings.get("card") or "none"})


@app.command("transactions")
def transactions(
    center_id: CenterArg,
    kind: KindOpt = None,
    advertiser: AdvertiserOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """The ledger, newest first."""
    start, end = parse_day(since, "--since"), parse_day(until, "--until")
    server = client(as_)
    result = server.get(path("centers", center_id, "billing", "transactions"), kind=kind,
                        advertiser=advertiser, since=start, until=end, page=page,
                        page_size=page_size)
    emit_page(result, [tx_row(t) for t in result["items"]], TX_COLUMNS,
              as_json=as_json, title="Transactions")


@app.command("export")
def export(
    center_id: CenterArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    kind: KindOpt = None,
    advertiser: AdvertiserOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_: AsOption = None,
) -> None:
    """The ledger as CSV, oldest first (to a file or stdout)."""
    start, end = parse_day(since, "--since"), parse_day(until, "--until")
    chunks: Iterator[str]
    server = client(as_)
    # The answer's status is read here: a refusal leaves no file behind.
    chunks = server.stream(path("centers", center_id, "billing", "transactions", "export"),
                           kind=kind, advertiser=advertiser, since=start, until=end)
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)
    typer.echo(f"Wrote {output}")


@app.command("top-up")
def top_up(center_id: CenterArg, amount: AmountArg, note: NoteOpt = "",
           as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Record money put on the balance (Admins and Finance Managers)."""
    server = client(as_)
    done = server.post(path("centers", center_id, "billing", "top-ups"),
                       {"amount": amount, "note": note})
    emit([tx_row(done)], TX_COLUMNS, as_json=as_json, title="Topped up")


@app.command("refund")
def refund(center_id: CenterArg, amount: AmountArg, note: NoteOpt = "", yes: YesOpt = False,
           as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Pay money back from the balance (Admins and Finance Managers). Asks first.

    Never more than the balance holds."""
    server = client(as_)
    found = server.get(path("centers", center_id, "billing"))
    have = cash(found["balance"], found["currency"])
    confirm(yes, f"Refund {amount} {found['currency']} from the balance of {have}?")
    done = server.post(path("centers", center_id, "billing", "refunds"),
                       {"amount": amount, "note": note})
    emit([tx_row(done)], TX_COLUMNS, as_json=as_json, title="Refunded")


@app.command("limit")
def limit(
    center_id: CenterArg,
    advertiser_id: Annotated[str, typer.Argument(help="Ad account id.")],
    amount: Annotated[str | None, typer.Argument(
        help="The most it may spend in a calendar month.")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="No limit any more.")] = False,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set or remove an ad account's monthly spending limit (Admins, Finance Managers)."""
    if (amount is None) == (not remove):
        fail("give the monthly limit, or --remove to have none.")
    server = client(as_)
    done = server.put(path("centers", center_id, "billing", "spending-limits",
                           advertiser_id), {"monthly_limit": amount})
    emit([{"ad_account_id": done["advertiser_id"],
           "monthly_limit": cash(done["monthly_limit"], done["currency"]) or "no limit"}],
         ["ad_account_id", "monthly_limit"], as_json=as_json, title="Spending limit")


RECONCILE_COLUMNS = ["month", "ad_account", "reported", "billed", "difference", "agrees"]


@app.command("reconcile")
def reconcile(
    center_id: CenterArg,
    repair: Annotated[bool, typer.Option(
        "--repair", help="Write the differences so billing equals the reports.")] = False,
    yes: YesOpt = False,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check that each ad account's spend per month is the same in reports and billing.
    Exits 1 when a month differs; --repair writes the ledger rows that make them agree."""
    if repair:
        confirm(yes, "Write ledger rows so billing's spend equals the reports'?")
    server = client(as_)
    route = path("centers", center_id, "billing", "reconcile")
    found = server.post(route, {}) if repair else server.get(route)
    currency = found["currency"]
    rows = [{"month": m["month"], "ad_account": m["advertiser_name"],
             "reported": cash(m["reported"], currency), "billed": cash(m["billed"], currency),
             "difference": cash(m["difference"], currency), "agrees": "yes" if m["agrees"]
             else "NO"} for m in found["months"]]
    emit(rows, RECONCILE_COLUMNS, as_json=as_json, title="Spend: reports beside billing",
         extra={"agree": "yes" if found["agrees"] else "no", "rows written": found["written"]})
    if not found["agrees"]:
        raise typer.Exit(1)


@app.command("invoices")
def invoices(center_id: CenterArg, page: PageOpt = 1, page_size: PageSizeOpt = 50,
             as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Invoices, newest month first."""
    server = client(as_)
    result = server.get(path("centers", center_id, "billing", "invoices"), page=page,
                        page_size=page_size)
    emit_page(result, [invoice_row(i) for i in result["items"]], INVOICE_COLUMNS,
              as_json=as_json, title="Invoices")


@app.command("invoice")
def invoice(
    center_id: CenterArg,
    month: Annotated[str, typer.Argument(help="A month that has ended: YYYY-MM.")],
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invoice a month that has ended, from its spend.

    Asking again answers the invoice already issued: a month is billed once."""
    year, sep, number = month.strip().partition("-")
    if not (sep and year.isdigit() and number.isdigit()):
        fail(f"'{month}' is not a month; write it as YYYY-MM.")
    server = client(as_)
    done = server.post(path("centers", center_id, "billing", "invoices"),
                       {"year": int(year), "month": int(number)})
    emit([invoice_row(done)], INVOICE_COLUMNS, as_json=as_json, title="Invoice")


def _close(center_id: str, invoice_id: str, status: str, as_: str | None,
           as_json: bool) -> None:
    server = client(as_)
    done = server.patch(path("centers", center_id, "billing", "invoices", invoice_id),
                        {"status": status})
    emit([invoice_row(done)], INVOICE_COLUMNS, as_json=as_json, title="Invoice")


@app.command("paid")
def paid(center_id: CenterArg, invoice_id: InvoiceArg, as_: AsOption = None,
         as_json: JsonOption = False) -> None:
    """Mark an issued invoice paid."""
    _close(center_id, invoice_id, "PAID", as_, as_json)


@app.command("void")
def void(center_id: CenterArg, invoice_id: InvoiceArg, yes: YesOpt = False,
         as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Void an issued invoice (its month can then be invoiced again). Asks first."""
    confirm(yes, f"Void invoice {invoice_id}? This cannot be undone.")
    _close(center_id, invoice_id, "VOID", as_, as_json)


SETTINGS_COLUMNS = ["contact_name", "contact_email", "card"]
CARD_FIELDS = ("card_brand", "card_last4", "card_exp_month", "card_exp_year")


def _card_expiry(value: str) -> tuple[int, int]:
    month, sep, year = value.strip().partition("/")
    if not (sep and month.strip().isdigit() and year.strip().isdigit()):
        fail(f"--card-expires: '{value}' is not MM/YYYY, e.g. 12/2029.")
    return int(month), int(year)


@app.command("settings")
def settings(
    center_id: CenterArg,
    contact_name: Annotated[str | None, typer.Option(help="Billing contact's name.")] = None,
    contact_email: Annotated[str | None, typer.Option(
        help="Where invoices go ('' for none).")] = None,
    card_brand: Annotated[str | None, typer.Option(
        help="VISA, MASTERCARD, AMEX, DISCOVER, JCB, UNIONPAY or OTHER.")] = None,
    card_last4: Annotated[str | None, typer.Option(
        help="The card's last 4 digits only; card numbers are refused.")] = None,
    card_expires: Annotated[str | None, typer.Option(help="MM/YYYY.")] = None,
    no_card: Annotated[bool, typer.Option("--no-card", help="Remove the card.")] = False,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the payment settings, or change the options given (Admins, Finance Managers).

    What is not given stays as it is; a card is its brand, last 4 digits and expiry."""
    wanted: dict[str, Any] = {"contact_name": contact_name, "contact_email": contact_email,
                              "card_brand": card_brand, "card_last4": card_last4}
    if card_expires is not None:
        wanted["card_exp_month"], wanted["card_exp_year"] = _card_expiry(card_expires)
    wanted = {k: v for k, v in wanted.items() if v is not None}
    if no_card:
        if set(wanted) & set(CARD_FIELDS):
            fail("--no-card goes without the other card options.")
        wanted |= {"card_brand": "", "card_last4": "", "card_exp_month": None,
                   "card_exp_year": None}
    current = dict(_overview(center_id, as_)["payment_settings"] or {})
    if wanted:
        merged = {k: current.get(k) for k in ("contact_name", "contact_email", *CARD_FIELDS)}
        body: dict[str, Any] = {k: ("" if v is None and k not in CARD_FIELDS[2:] else v)
                                for k, v in (merged | wanted).items()}
        server = client(as_)
        current = server.put(path("centers", center_id, "billing", "payment-settings"),
                             body)
    emit([{k: current.get(k) or "" for k in SETTINGS_COLUMNS}], SETTINGS_COLUMNS,
         as_json=as_json, title="Payment settings")
