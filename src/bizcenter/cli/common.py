"""What every command shares: the API client, the acting person, and output.

Every command is a client of the REST API, like ``gh`` of GitHub's: it asks
:func:`client` for the API and gets one object whatever the backend, this
installation's API called in-process as ``--as`` (or the operator), or a remote
server's over HTTP with ``--url`` and a token. It prints the API's JSON one way, so
both print the same. Server-only commands (serve, worker, migrate, backup, restore,
create-user, create-center) work on this installation directly.
"""

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
    from bizcenter.cli.remote import Client, Remote
    from bizcenter.core.actor import Actor

AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="BIZCENTER_AS",
        help="Email or phone of the person acting (their rights apply). Without it the "
        "command runs as the operator of this installation. Not with --url: there the "
        "token decides who acts.",
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


def page_info(answer: dict[str, Any]) -> dict[str, int]:
    """What a list prints under its table, from the API's ``page_info``."""
    info = answer["page_info"]
    return {"page": info["page"], "pages": info["pages"], "total": info["total"]}


def setup() -> None:
    import django

    django.setup()


# The backend, chosen by the root command's --url and --token (or BIZCENTER_URL
# and BIZCENTER_TOKEN) for the whole invocation.
_server: dict[str, str | None] = {"url": None, "token": None}


def use_server(url: str | None, token: str | None) -> None:
    """Called by the root command on every invocation: remote when a URL is given."""
    _server["url"] = (url or "").strip() or None
    _server["token"] = (token or "").strip() or None
    if _server["url"]:
        from bizcenter.cli.remote import api_base

        api_base(_server["url"])  # a malformed address fails before any command runs


def is_remote() -> bool:
    return _server["url"] is not None


def remote(as_: str | None = None) -> Remote | None:
    """The API client when --url was given, else None (work on this installation).

    ``--as`` has no meaning remotely, where the token decides who acts: refused."""
    url, token = _server["url"], _server["token"]
    if url is None:
        return None
    if as_:
        fail("--as (or BIZCENTER_AS) does not apply with --url: on a remote server the API "
             "token decides who acts. Drop it, or use a token of that person.")
    if not token:
        fail("--url needs an API token: give --token bzc_... or set BIZCENTER_TOKEN (create "
             "one under API tokens on that server).")
    from bizcenter.cli.remote import Remote

    assert url is not None and token is not None
    return Remote(url, token)


def client(as_: str | None = None) -> Client:
    """The REST API every command talks to: the remote server's with --url (as its
    token's person), else this installation's, called in-process as ``--as`` (or as
    the operator without it). The command code is the same for both."""
    server = remote(as_)
    if server is not None:
        return server
    from bizcenter.cli.inprocess import Local

    return Local(actor(as_))


def local_only(command: str, why: str) -> None:
    """Refuse a command the API cannot do when --url was given, saying where it runs."""
    if is_remote():
        fail(f"'bizcenter {command}' runs on the server itself, not through --url: {why} "
             "Run it there without --url (and without BIZCENTER_URL).")


def person_label(user: dict[str, Any]) -> str:
    """``Name <email or phone>``, as ``User.label`` writes it, from the API's person."""
    contact = user.get("email") or user.get("phone") or f"user {user['id']}"
    return f"{user['name']} <{contact}>" if user.get("name") else str(contact)


def asset_label(asset: dict[str, Any]) -> str:
    """``Ad account Spring``, as ``str(Asset)`` writes it, from the API's asset."""
    from bizcenter.assets.kinds import AssetType

    try:
        kind = str(AssetType(asset["type"]).label)
    except ValueError:
        kind = str(asset["type"])
    return f"{kind} {asset['name']}"


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def actor(as_: str | None) -> Actor:
    """The person acting on this installation (never called with --url)."""
    setup()
    from bizcenter.accounts.services import user_by_address
    from bizcenter.core.actor import Actor

    if not as_:
        return Actor.system("cli")
    return Actor(user_by_address(as_), via="cli")




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


def parse_end(value: str | None, field: str = "expires") -> date | datetime | None:
    """An end given on the command line. A bare date is the last day of access,
    inclusive, in the Business Center's time zone, as on the web form; a date and time
    is the exact instant it ends (UTC unless it carries an offset)."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{field}: '{value}' is not a date; use YYYY-MM-DD (the last day, inclusive) or "
             "YYYY-MM-DDTHH:MM (the exact time).")
        raise  # unreachable; keeps type checkers calm
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def end_fields(end: date | datetime | None) -> dict[str, str]:
    """The API's field for an end from :func:`parse_end`: ``last_day`` for a date, which
    the server reads in the Business Center's time zone, ``expires_at`` for a time."""
    if end is None:
        return {}
    if isinstance(end, datetime):
        return {"expires_at": end.isoformat()}
    return {"last_day": end.isoformat()}




def iso(value: datetime | None) -> str | None:
    """A time for an API request."""
    return value.isoformat() if value else None


def moment(value: str | datetime | None) -> datetime | None:
    """A time from the API's JSON (ISO 8601)."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value) if value else None


def stamp(value: str | datetime | None) -> str:
    when = moment(value)
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


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


def emit_page(result: dict[str, Any], rows: Sequence[dict[str, Any]],
              columns: Sequence[str], *, as_json: bool, title: str) -> None:
    """One page of an API list (``{items, page_info}``) as ``rows``, with where it is."""
    emit(rows, columns, as_json=as_json, title=title, extra=page_info(result))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
