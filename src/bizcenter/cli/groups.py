"""``bizcenter groups``: asset groups, a set of assets given to a set of members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from bizcenter.cli.common import (
    AsOption,
    CenterArg,
    JsonOption,
    PageOpt,
    PageSizeOpt,
    YesOpt,
    asset_label,
    client,
    confirm,
    emit,
    emit_page,
    fail,
)
from bizcenter.cli.remote import path

if TYPE_CHECKING:
    pass

app = typer.Typer(help="Asset groups: give a set of assets to a set of members in one place "
                  "(Admins).", no_args_is_help=True)

GroupArg = Annotated[str, typer.Argument(help="Asset group id (from groups list).")]
AssetArg = Annotated[str, typer.Argument(help="Asset id (from assets list).")]
MemberArg = Annotated[str, typer.Argument(help="Member id (from members list).")]
COLUMNS = ["id", "name", "assets", "members"]


def seat_label(seat: dict[str, Any]) -> str:
    """``Sam <sam@agency.com> (ADVERTISER: OPERATOR)`` from the API's seat."""
    roles = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in seat["roles"].items())
    return f"{seat['name']} ({roles})" if roles else str(seat["name"])


def row(g: dict[str, Any]) -> dict[str, Any]:
    """A group as the API writes it (``GroupOut``), as a row."""
    return {
        "id": g["id"],
        "name": g["name"],
        "assets": [f"{asset_label(a)} ({a['id']})" for a in g["assets"]],
        "members": [f"{seat_label(s)} [{s['member_id']}]" for s in g["members"]],
    }






def roles_by_type(values: list[str] | None) -> dict[str, list[str]]:
    """``--role ADVERTISER=OPERATOR --role TT_ACCOUNT=POST,ADS`` as the API's roles."""
    roles: dict[str, list[str]] = {}
    for value in values or []:
        kind, sep, names = value.partition("=")
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        if not sep or not kind.strip() or not wanted:
            fail(f"--role: '{value}' is not TYPE=ROLE; write it like ADVERTISER=OPERATOR "
                 "or TT_ACCOUNT=POST,ADS.")
        roles.setdefault(kind.strip().upper(), []).extend(w.upper() for w in wanted)
    return roles


def _show(found: dict[str, Any], as_json: bool, title: str) -> None:
    emit([row(found)], COLUMNS, as_json=as_json, title=title)


@app.command("list")
def list_(
    center_id: CenterArg,
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """The asset groups by name, each with its assets and members."""
    server = client(as_)
    result = server.get(path("centers", center_id, "asset-groups"), page=page,
                        page_size=page_size)
    emit_page(result, [row(g) for g in result["items"]], COLUMNS,
              as_json=as_json, title="Asset groups")


@app.command("show")
def show(center_id: CenterArg, group_id: GroupArg, as_: AsOption = None,
         as_json: JsonOption = False) -> None:
    """One asset group with its assets and members (with their roles per asset type)."""
    server = client(as_)
    found = server.get(path("centers", center_id, "asset-groups", group_id))
    _show(found, as_json, "Asset group")


@app.command("create")
def create(
    center_id: CenterArg,
    name: Annotated[str, typer.Argument(help="Name, unique in the Business Center.")],
    asset: Annotated[
        list[str] | None,
        typer.Option("--asset", "-a", help="Asset id to put in it (repeatable); only assets "
                     "this Business Center owns."),
    ] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an asset group, optionally with assets."""
    assets = list(asset or [])
    server = client(as_)
    made = server.post(path("centers", center_id, "asset-groups"),
                       {"name": name, "asset_ids": assets})
    _show(made, as_json, "Asset group created")


@app.command("rename")
def rename(
    center_id: CenterArg,
    group_id: GroupArg,
    name: Annotated[str, typer.Argument(help="The new name, unique in the Business Center.")],
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rename an asset group; nobody's access changes."""
    server = client(as_)
    group = server.patch(path("centers", center_id, "asset-groups", group_id),
                         {"name": name})
    _show(group, as_json, "Asset group renamed")


def _change_assets(center_id: str, group_id: str, as_: str | None, as_json: bool,
                   asset_id: str, add: bool, yes: bool) -> None:
    """Put an asset in the group or take it out: the group's assets, replaced."""
    def wanted(group: dict[str, Any]) -> list[str] | None:
        ids = [a["id"] for a in group["assets"]]
        inside = asset_id.strip() in ids
        if add:
            return None if inside else [*ids, asset_id.strip()]
        if not inside:
            fail(f"Asset {asset_id} is not in the group '{group['name']}'.")
        label = next(asset_label(a) for a in group["assets"] if a["id"] == asset_id.strip())
        confirm(yes, f"Take {label} out of the group '{group['name']}'? Its members lose "
                "what only the group gave them.")
        return [i for i in ids if i != asset_id.strip()]

    server = client(as_)
    route = path("centers", center_id, "asset-groups", group_id)
    group = server.get(route)
    ids = wanted(group)
    if ids is not None:
        group = server.patch(route, {"asset_ids": ids})
    if ids is None:
        typer.echo(f"Asset {asset_id} is already in the group '{group['name']}'.", err=True)
    _show(group, as_json, "Asset group")


@app.command("add-asset")
def add_asset(center_id: CenterArg, group_id: GroupArg, asset_id: AssetArg,
              as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Put an asset (owned by this Business Center) in the group: its members get it."""
    _change_assets(center_id, group_id, as_, as_json, asset_id, True, True)


@app.command("remove-asset")
def remove_asset(center_id: CenterArg, group_id: GroupArg, asset_id: AssetArg,
                 yes: YesOpt = False, as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Take an asset out of the group: its members lose it unless given it otherwise."""
    _change_assets(center_id, group_id, as_, as_json, asset_id, False, yes)


@app.command("set-member")
def set_member(
    center_id: CenterArg,
    group_id: GroupArg,
    member_id: MemberArg,
    role: Annotated[
        list[str] | None,
        typer.Option("--role", "-r", help="TYPE=ROLE[,ROLE] (repeatable), e.g. "
                     "ADVERTISER=OPERATOR or TT_ACCOUNT=POST,ADS. None: ANALYST on ad "
                     "accounts."),
    ] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Put a member in the group, or change their roles in it.

    A higher role the member holds directly stays."""
    roles = roles_by_type(role)
    server = client(as_)
    group = server.put(path("centers", center_id, "asset-groups", group_id, "members",
                            member_id), {"roles": roles})
    _show(group, as_json, "Asset group")


@app.command("remove-member")
def remove_member(center_id: CenterArg, group_id: GroupArg, member_id: MemberArg,
                  yes: YesOpt = False, as_: AsOption = None) -> None:
    """Take a member out of the group: they lose what only the group gave them."""
    def ask(group: dict[str, Any]) -> None:
        seat = next((s for s in group["members"] if s["member_id"] == member_id.strip()), None)
        who = seat["name"] if seat else f"member {member_id}"
        confirm(yes, f"Take {who} out of the group '{group['name']}'? They lose what only "
                "the group gave them.")

    server = client(as_)
    route = path("centers", center_id, "asset-groups", group_id)
    ask(server.get(route))
    server.delete(route + path("members", member_id))
    typer.echo("Removed from the group.")


@app.command("delete")
def delete(center_id: CenterArg, group_id: GroupArg, yes: YesOpt = False,
           as_: AsOption = None) -> None:
    """Delete an asset group; its members keep what they were given directly. Asks first."""
    def ask(group: dict[str, Any]) -> str:
        name = str(group["name"])
        confirm(yes, f"Delete the asset group '{name}'? Its {len(group['members'])} "
                "member(s) lose what only the group gave them.")
        return name

    server = client(as_)
    route = path("centers", center_id, "asset-groups", group_id)
    name = ask(server.get(route))
    server.delete(route)
    typer.echo(f"Deleted the asset group '{name}'.")
