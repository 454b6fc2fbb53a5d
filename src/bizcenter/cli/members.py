"""``bizcenter members``: list, edit and revoke."""

from __future__ import annotations

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
    end_fields,
    fail,
    parse_end,
    person_label,
    stamp,
)
from bizcenter.cli.remote import path

app = typer.Typer(help="List members, change their access, or revoke it.", no_args_is_help=True)

COLUMNS = [
    "id",
    "name",
    "email",
    "phone",
    "role",
    "finance_role",
    "kind",
    "modules",
    "state",
    "joined",
    "last_active",
    "last_day",
]


def row(m: dict[str, Any]) -> dict[str, Any]:
    """A member as the API writes it (``MemberOut``), as a row."""
    return {
        "id": m["id"],
        "name": m["user"]["name"],
        "email": m["user"]["email"],
        "phone": m["user"]["phone"],
        "role": m["role"],
        "finance_role": m["finance_role"],
        "kind": m["kind"],
        "modules": list(m["modules"]),
        "state": m["state"],
        "joined": stamp(m["joined_at"]),
        "last_active": stamp(m["last_active_at"]),
        # The day people picked, in the Business Center's time zone (the API's last_day);
        # the instant is in --json's expires_at.
        "last_day": m["last_day"] or "",
        "expires_at": m["expires_at"],
    }




@app.command("list")
def list_(
    center_id: CenterArg,
    search: Annotated[str, typer.Option(help="Part of a name, email or phone.")] = "",
    role: Annotated[str | None, typer.Option(help="ADMIN or STANDARD.")] = None,
    kind: Annotated[str | None, typer.Option(help="Partner kind, e.g. agency.")] = None,
    state: Annotated[str, typer.Option(
        help="ACTIVE, EXPIRED (past the end time), REVOKED, several with commas, or all.")
    ] = "ACTIVE,EXPIRED",
    sort: Annotated[
        str, typer.Option(help="joined, name, email, role, last_active; prefix - to reverse.")
    ] = "joined",
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Members of a Business Center with their access."""
    every = state.lower() == "all"
    server = client(as_)
    result = server.get(path("centers", center_id, "members"), q=search, role=role,
                        kind=kind, state="" if every else state, sort=sort, page=page,
                        page_size=page_size)
    emit_page(result, [row(m) for m in result["items"]], COLUMNS, as_json=as_json, title="Members")


@app.command("edit")
def edit(
    center_id: CenterArg,
    member_id: Annotated[str, typer.Argument(help="Member id (from members list).")],
    role: Annotated[str | None, typer.Option(help="ADMIN or STANDARD.")] = None,
    module: Annotated[
        list[str] | None,
        typer.Option("--module", "-m", help="Modules to give (repeatable); replaces the list."),
    ] = None,
    no_modules: Annotated[
        bool, typer.Option("--no-modules", help="Take every module away.")
    ] = False,
    finance_role: Annotated[
        str | None, typer.Option(
            help="Billing access: ANALYST (view billing), MANAGER (change it), or '' for "
                 "none; it comes with the BILLING module.")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Partner kind.")] = None,
    expires: Annotated[str | None, typer.Option(
        help="Last day of access, YYYY-MM-DD, inclusive, in the Business Center's time zone; "
             "or the exact time access ends, YYYY-MM-DDTHH:MM (UTC unless it has an offset)."),
    ] = None,
    no_expiry: Annotated[bool, typer.Option("--no-expiry", help="Remove the end date.")] = False,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a member's role, modules, finance role, kind or end date."""
    modules: list[str] | None = [] if no_modules else module
    if no_expiry and expires:
        fail("give --expires or --no-expiry, not both.")
    ends = parse_end(expires)
    server = client(as_)
    changes: dict[str, Any] = {"role": role, "finance_role": finance_role, "kind": kind,
                               "modules": modules, **end_fields(ends),
                               "clear_expiry": no_expiry or None}
    updated = server.patch(path("centers", center_id, "members", member_id),
                           {k: v for k, v in changes.items() if v is not None})
    emit([row(updated)], COLUMNS, as_json=as_json, title="Member updated")


@app.command("revoke")
def revoke(
    center_id: CenterArg,
    member_id: Annotated[str, typer.Argument(help="Member id (from members list).")],
    yes: YesOpt = False,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a member's access at once. They can be invited again later."""
    server = client(as_)
    name = server.center(center_id)["name"]
    route = path("centers", center_id, "members", member_id)
    person = server.get(route)  # a wrong id fails before the question
    ends = server.get(route + "/consequences")
    also = []
    if n := ends["invitations"]:
        also.append(f"the {n} pending invitation{'s' if n != 1 else ''} they sent "
                    f"{'are' if n != 1 else 'is'} cancelled")
    if n := ends["tokens"]:
        also.append(f"their {n} API token{'s' if n != 1 else ''} for it "
                    f"stop{'' if n != 1 else 's'} for good")
    confirm(yes, f"Revoke the access of {person_label(person['user'])} to {name}?"
            + (f" ({'; '.join(also)})" if also else ""))
    done = server.delete(route)
    emit([row(done)], COLUMNS, as_json=as_json, title="Access revoked")
