"""``bizcenter activity``: read and export the activity log."""

from __future__ import annotations

import itertools
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
    actor,
    api_page,
    center,
    emit,
    iso,
    page_info,
    parse_when,
    remote,
    stamp,
)
from bizcenter.cli.remote import path

app = typer.Typer(help="Read and export the activity log.", no_args_is_help=True)

Since = Annotated[str | None, typer.Option(help="From this date or time (UTC).")]
Until = Annotated[str | None, typer.Option(help="Before this date or time (UTC).")]
CategoryOpt = Annotated[str | None, typer.Option(help="USER, ACCOUNT, ASSET or BUSINESS.")]
ActorOpt = Annotated[str | None, typer.Option("--actor", help="Email or phone of who acted.")]


def _times(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    return parse_when(since, "since", day_end=False), parse_when(until, "until")


def _filters(
    since: str | None, until: str | None, category: str | None, by: str | None
) -> dict[str, Any]:
    start, end = _times(since, until)
    return {"since": start, "until": end, "category": category, "person": by}


def _query(
    since: str | None, until: str | None, category: str | None, by: str | None
) -> dict[str, Any]:
    """The same filters as the API's query parameters."""
    start, end = _times(since, until)
    return {"since": iso(start), "until": iso(end), "category": category, "actor": by}


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
    if server := remote(as_):
        result = server.get(path("centers", center_id, "activity"),
                            **_query(since, until, category, by), page=page,
                            page_size=page_size)
    else:
        from bizcenter.api.routers.activity import EventOut
        from bizcenter.audit.services import activity, page_of

        who = actor(as_)
        target = center(who, center_id)
        activity(who, target)  # the right to read the log first: --actor must not probe
        events = activity(who, target, **_filters(since, until, category, by))
        result = api_page(page_of(events, page, page_size), EventOut)
    rows = [e | {"when": stamp(e["created_at"])} for e in result["items"]]
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
    chunks: Iterator[str]
    if server := remote(as_):
        # The answer's status is read here: a refusal leaves no file behind.
        chunks = server.stream(path("centers", center_id, "activity", "export"), format=fmt,
                               **_query(since, until, category, by))
    else:
        from bizcenter.audit.services import activity
        from bizcenter.audit.services import export as stream

        who = actor(as_)
        target = center(who, center_id)
        activity(who, target)  # the right to read the log first: --actor must not probe
        events = activity(who, target, **_filters(since, until, category, by))
        rest = stream(events.iterator(chunk_size=2000), fmt.lower())
        first = next(rest, "")  # an unknown format fails here, before a file is made
        chunks = itertools.chain([first], rest)
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)
    typer.echo(f"Wrote {output}")
