"""``bizcenter notifications``: read your notifications and mark them read, through
``/api/v1/me/notifications`` like every other command."""

from __future__ import annotations

from typing import Annotated

import typer

from bizcenter.cli.common import (
    AsOption,
    JsonOption,
    PageOpt,
    PageSizeOpt,
    client,
    emit,
    emit_page,
    stamp,
)

app = typer.Typer(help="Your notifications: what happened to you.", no_args_is_help=True)


@app.command("list")
def list_(
    unread: Annotated[bool, typer.Option("--unread", help="Only the unread ones.")] = False,
    page: PageOpt = 1,
    page_size: PageSizeOpt = 20,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Your notifications, newest first."""
    result = client(as_).get("/me/notifications", page=page, page_size=page_size,
                             unread=unread)
    rows = [n | {"when": stamp(n["created_at"]), "new": "" if n["read_at"] else "new"}
            for n in result["items"]]
    emit_page(result, rows, ["id", "when", "new", "sentence"], as_json=as_json,
              title=f"Notifications ({result['unread']} unread)")


@app.command("read")
def read(
    ids: Annotated[list[str] | None, typer.Argument(
        help="The notifications to mark read; none: every one.")] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark notifications read."""
    done = client(as_).post("/me/notifications/read", {"ids": ids} if ids else {})
    emit([done], ["marked", "unread"], as_json=as_json, title="Marked read")
