"""``bizcenter report``: spend and results over a range of days, as a table, JSON or CSV.

A report sums only the ad accounts the person acting may see, as the web page and
the API do: the same service locally, the same API route remotely.

Every amount is printed with its currency, the one of the Business Center owning
the ad account (read from each row of the API's answer): a partner's account
shared in EUR shows EUR beside an agency's own GBP. There is a total line per
currency, never one sum of two.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from bizcenter.cli.common import (
    AsOption,
    CenterArg,
    JsonOption,
    client,
    emit,
    fail,
)
from bizcenter.cli.remote import path

METRICS = ["spend", "impressions", "clicks", "conversions", "ctr", "cpc", "cpm", "cpa"]
BY = ("period", "campaign", "account")


def register(root: typer.Typer) -> None:
    root.command("report")(report)


def parse_day(value: str | None, option: str) -> date | None:
    """A day as people type it; a wrong one is refused here, the same with or without
    --url (the API would answer in its own words)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"{option}: '{value}' is not a date; write it as YYYY-MM-DD.")
        raise  # unreachable; keeps type checkers calm


def _figures(f: dict[str, Any], currency: str) -> dict[str, Any]:
    """The API's figures for people: money with its currency, CTR in percent."""
    def cash(value: str | None) -> str:
        return "" if value is None else f"{value} {currency}"

    return {"spend": cash(f["spend"]), "impressions": f["impressions"], "clicks": f["clicks"],
            "conversions": f["conversions"],
            "ctr": "" if f["ctr"] is None else f"{Decimal(f['ctr']) * 100:.2f} %",
            "cpc": cash(f["cpc"]), "cpm": cash(f["cpm"]), "cpa": cash(f["cpa"])}


def _currency(row: dict[str, Any], found: dict[str, Any]) -> str:
    """The row's currency; the report's for a server answering without one per row."""
    return str(row.get("currency") or found.get("currency") or "")


def _rows(found: dict[str, Any], by: str) -> tuple[list[dict[str, Any]], list[str]]:
    if by == "campaign":
        return ([{"campaign_id": c["campaign_id"], "campaign": c["name"],
                  "status": c["status"], "ad_account": c["advertiser_name"],
                  **_figures(c, _currency(c, found))} for c in found["campaigns"]],
                ["campaign_id", "campaign", "status", "ad_account", *METRICS])
    if by == "account":
        return ([{"ad_account_id": a["advertiser_id"], "ad_account": a["name"],
                  "campaigns": a["campaigns"], **_figures(a, _currency(a, found))}
                 for a in found["accounts"]],
                ["ad_account_id", "ad_account", "campaigns", *METRICS])
    return ([{"period": p["start"] if p["start"] == p["end"] else
              f"{p['start']} to {p['end']}" + ("" if p["whole"] else " (part)"),
              **_figures(p, _currency(p, found))} for p in found["periods"]],
            ["period", *METRICS])


def _total_lines(found: dict[str, Any]) -> list[str]:
    """A line of totals per currency, the Business Center's own first."""
    totals = found.get("totals_by_currency") or [found["totals"]]
    lines = []
    for total in totals:
        shown = _figures(total, _currency(total, found))
        lines.append(f"total spend: {shown['spend']} impressions: {shown['impressions']} "
                     f"clicks: {shown['clicks']} conversions: {shown['conversions']} "
                     f"CTR: {shown['ctr'] or '-'}")
    return lines


def report(
    center_id: CenterArg,
    since: Annotated[str | None, typer.Option(
        "--from", help="First day (YYYY-MM-DD, in the Business Center's time zone).")] = None,
    until: Annotated[str | None, typer.Option(
        "--to", help="Last day, included (at most 731 days after --from).")] = None,
    advertiser: Annotated[str | None, typer.Option(
        "--advertiser", help="Only this ad account (its id).")] = None,
    campaign: Annotated[str | None, typer.Option(
        "--campaign", help="Only this campaign (its id).")] = None,
    group: Annotated[str, typer.Option(help="A row per day, week or month.")] = "day",
    by: Annotated[str, typer.Option(
        help="Rows by period (day/week/month), by campaign, or by account (ad accounts; "
        "table only).")] = "period",
    csv_file: Annotated[Path | None, typer.Option(
        "--csv", help="Write the report as CSV to this file ('-' for the screen) instead "
        "of a table: by period or by campaign.")] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Spend, impressions, clicks, conversions, CTR, CPC, CPM and CPA over a range of days,
    for the Business Center, one ad account or one campaign. Only the ad accounts you may
    see are counted. Amounts are in each ad account's own currency, with a total per
    currency."""
    if advertiser and campaign:
        fail("give --advertiser or --campaign, not both.")
    if by not in BY:
        fail(f"--by: '{by}' is not one of {', '.join(BY)}.")
    scope, id_ = ("campaign", campaign) if campaign else (
        ("advertiser", advertiser) if advertiser else ("center", None))
    start, end = parse_day(since, "--from"), parse_day(until, "--to")
    if csv_file is not None:
        _export(center_id, as_, csv_file, scope=scope, id=id_, by=by, since=start, until=end,
                group=group)
        return
    server = client(as_)
    route = {"center": path("centers", center_id, "reports"),
             "advertiser": path("centers", center_id, "reports", "advertisers", id_),
             "campaign": path("centers", center_id, "reports", "campaigns", id_)}[scope]
    found = server.get(route, since=start, until=end, group=group)
    if as_json:
        sys.stdout.write(json.dumps(found, indent=2) + "\n")
        return
    rows, columns = _rows(found, by)
    emit(rows, columns, as_json=False,
         title=f"{found['title']}, {found['since']} to {found['until']}")
    for line in _total_lines(found):
        typer.echo(line)


def _export(center_id: str, as_: str | None, output: Path, **query: Any) -> None:
    """The API's CSV export, to a file or the screen; a refusal leaves no file behind."""
    chunks: Iterator[str]
    server = client(as_)
    # The answer's status is read here, before the file is made.
    chunks = server.stream(path("centers", center_id, "reports", "export"), **query)
    if str(output) == "-":
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)
    typer.echo(f"Wrote {output}")


metrics_app = typer.Typer(help="Load the daily numbers reports are made of.",
                          no_args_is_help=True)
IMPORT_COLUMNS = ["rows", "created", "updated", "campaigns", "first_day", "last_day"]


@metrics_app.command("import")
def import_(
    center_id: CenterArg,
    csv_file: Annotated[Path, typer.Argument(
        help="CSV with a header row naming campaign_id, date, spend, impressions, clicks, "
        "conversions (other columns are ignored).")],
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load daily metrics from a CSV file (Admins), all or nothing.

    Every row is checked first: one bad row refuses the whole file, naming rows and
    problems, and nothing is written. A campaign's day loaded again is replaced."""
    if not csv_file.is_file():
        fail(f"{csv_file}: no such file.")
    data = csv_file.read_bytes()
    server = client(as_)
    done = server.upload(path("centers", center_id, "metrics"), data,
                         "text/csv; charset=utf-8")
    emit([done], IMPORT_COLUMNS, as_json=as_json, title="Metrics imported")
