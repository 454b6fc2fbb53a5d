"""``bizcenter activity``: read and export the activity log."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bizcenter.cli.common import (
    AsOption,
    CenterArg,
    JsonOption,
    PageOpt,
    PageSizeOpt,
    actor,
    center,
    emit,
    page_info,
    parse_when,
    stamp,
)

app = typer.Typer(help="Read and export the activity log.", no_args_is_help=True)

Since = Annotated[str | None, typer.Option(help="From this date or time (UTC).")]
Until = Annotated[str | None, typer.Option(help="Before this date or time (UTC).")]
CategoryOpt = Annotated[str | None, typer.Option(help="USER, ACCOUNT, ASSET or BUSINESS.")]
ActorOpt = Annotated[str | None, typer.Option("--actor", help="Email or phone of who acted.")]


def _filters(
    since: str | None, until: str | None, category: str | None, by: str | None
) -> dict[str, Any]:
    from bizcenter.accounts.services import user_by_address

    return {
        "since": parse_when(since, "since", day_end=False),
        "until": parse_when(until, "until"),
        "category": category,
        "actor_id": user_by_address(by).pk if by else None,
    }


@app.command("list")
def list_(
    center_id: CenterArg,
    since: Since = None,
    until: Until = None,
    category: CategoryOpt = None,
    by: ActorOpt = None,
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """What happened in a Business Center, newest first."""
    from bizcenter.audit.services import activity, as_row, page_of

    who = actor(as_)
    target = center(who, center_id)
    activity(who, target)  # the right to read the log first: --actor must not probe accounts
    events = activity(who, target, **_filters(since, until, category, by))
    result = page_of(events, page, page_size)
    rows = [as_row(e) | {"when": stamp(e.created_at)} for e in result.items]
    emit(
        rows,
        ["when", "category", "action", "actor_label", "target_label", "ip"],
        as_json=as_json,
        title="Activity",
        extra=page_info(result),
    )


@app.command("export")
def export(
    center_id: CenterArg,
    fmt: Annotated[str, typer.Option("--format", help="csv or json (JSON Lines).")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    since: Since = None,
    until: Until = None,
    category: CategoryOpt = None,
    by: ActorOpt = None,
    as_: AsOption = None,
) -> None:
    """Export the activity log as CSV or JSON Lines (to a file or stdout)."""
    from bizcenter.audit.services import activity
    from bizcenter.audit.services import export as stream

    who = actor(as_)
    target = center(who, center_id)
    activity(who, target)  # the right to read the log first: --actor must not probe accounts
    events = activity(who, target, **_filters(since, until, category, by))
    chunks = stream(events.iterator(chunk_size=2000), fmt.lower())
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)
    typer.echo(f"Wrote {output}")
