"""``bizcenter activity``: read and export the activity log."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bizcenter.cli.common import (
    AsOption,
    CenterArg,
    JsonOption,
    PageOpt,
    PageSizeOpt,
    client,
    emit_page,
    iso,
    parse_when,
    stamp,
)
from bizcenter.cli.remote import path

app = typer.Typer(help="Read and export the activity log.", no_args_is_help=True)

Since = Annotated[str | None, typer.Option(help="From this date or time (UTC).")]
Until = Annotated[str | None, typer.Option(help="Before this date or time (UTC).")]
CategoryOpt = Annotated[str | None, typer.Option(help="USER, ACCOUNT, ASSET or BUSINESS.")]
ActorOpt = Annotated[str | None, typer.Option("--actor", help="Email or phone of who acted.")]
# Passed through: the API answers an action outside the catalogue with the valid ones.
ActionOpt = Annotated[str | None, typer.Option(
    "--action", help="One kind of event, e.g. member.revoked, asset.assigned.")]


def _times(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    return parse_when(since, "since", day_end=False), parse_when(until, "until")




def _query(
    since: str | None, until: str | None, category: str | None, by: str | None,
    action: str | None = None,
) -> dict[str, Any]:
    """The same filters as the API's query parameters."""
    start, end = _times(since, until)
    return {"since": iso(start), "until": iso(end), "category": category, "actor": by,
            "action": action}


@app.command("list")
def list_(
    center_id: CenterArg,
    since: Since = None,
    until: Until = None,
    category: CategoryOpt = None,
    by: ActorOpt = None,
    action: ActionOpt = None,
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """What happened in a Business Center, newest first."""
    server = client(as_)
    result = server.get(path("centers", center_id, "activity"),
                        **_query(since, until, category, by, action), page=page,
                        page_size=page_size)
    rows = [e | {"when": stamp(e["created_at"])} for e in result["items"]]
    emit_page(result, rows, ["when", "category", "summary", "action", "ip"],
              as_json=as_json, title="Activity")


@app.command("export")
def export(
    center_id: CenterArg,
    fmt: Annotated[str, typer.Option("--format", help="csv or json (JSON Lines).")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    since: Since = None,
    until: Until = None,
    category: CategoryOpt = None,
    by: ActorOpt = None,
    action: ActionOpt = None,
    as_: AsOption = None,
) -> None:
    """Export the activity log as CSV or JSON Lines (to a file or stdout)."""
    chunks: Iterator[str]
    server = client(as_)
    # The answer's status is read here: a refusal leaves no file behind.
    chunks = server.stream(path("centers", center_id, "activity", "export"), format=fmt,
                           **_query(since, until, category, by, action))
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)
    typer.echo(f"Wrote {output}")
