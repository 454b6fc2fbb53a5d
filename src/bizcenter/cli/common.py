"""What every command shares: Django start-up, the acting person, and output."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from bizcenter.centers.models import BusinessCenter
    from bizcenter.core.actor import Actor

AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="BIZCENTER_AS",
        help="Email or phone of the person acting (their rights apply). Without it the "
        "command runs as the operator of this installation.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
CenterArg = Annotated[str, typer.Argument(help="Business Center id.", envvar="BIZCENTER_CENTER")]
PageOpt = Annotated[int, typer.Option(help="Page number.")]
PageSizeOpt = Annotated[int, typer.Option(help="Rows per page (at most 200).")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def confirm(yes: bool, question: str) -> None:
    """Ask before a destructive step, unless --yes said not to."""
    if not yes:
        typer.confirm(question, abort=True)


def page_info(page: Any) -> dict[str, int]:
    return {"page": page.page, "pages": page.pages, "total": page.total}


def setup() -> None:
    import django

    django.setup()


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def actor(as_: str | None) -> Actor:
    setup()
    from bizcenter.accounts.services import user_by_address
    from bizcenter.core.actor import Actor

    if not as_:
        return Actor.system("cli")
    return Actor(user_by_address(as_), via="cli")


def center(who: Actor, center_id: str) -> BusinessCenter:
    from bizcenter.centers.services import get_center

    return get_center(who, center_id)


def parse_when(value: str | None, field: str, *, day_end: bool = True) -> datetime | None:
    """ISO date or date-time in UTC; a bare date means the end of that day, or with
    ``day_end=False`` its start (for the beginning of a time range)."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if day_end else 0)
            return datetime.combine(day, time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{field}: '{value}' is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM.")
        raise  # unreachable; keeps type checkers calm
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def emit(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    *,
    as_json: bool,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """A table for people, JSON for scripts, from the same rows."""
    if as_json:
        payload: dict[str, Any] | list[dict[str, Any]] = (
            {**extra, "items": list(rows)} if extra else list(rows)
        )
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in columns])
    console = Console()
    if not console.is_terminal:  # piped: do not squeeze columns into 80 characters
        console = Console(width=200)
    console.print(table)
    if extra:
        typer.echo(" ".join(f"{k}: {v}" for k, v in extra.items()))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
