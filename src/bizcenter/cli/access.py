"""``bizcenter why`` and ``bizcenter assets``: who can reach what, and why."""

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
    asset_label,
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
from bizcenter.cli.remote import Client, RemoteError, path

app = typer.Typer(
    help="Assets (ad accounts, TikTok accounts, catalogs, pixels) and who has them.",
    no_args_is_help=True,
)
COLUMNS = ["id", "type", "name", "status"]


def register(root: typer.Typer) -> None:
    root.command("why")(why)
    root.command("review")(review)


def review(
    center_id: CenterArg,
    idle_days: Annotated[int, typer.Option(help="Flag members idle this many days.")] = 90,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Everyone with access, idle members flagged; revoke with `members revoke`."""
    server = client(as_)
    found = server.pages(path("centers", center_id, "access", "review"),
                         idle_days=idle_days)
    if as_json:
        rows = found
    else:
        rows = [r | {"idle": "IDLE" if r["idle"] else "", "last_active": stamp(r["last_active"]),
                     "ends": stamp(r["ends"])} for r in found]
    emit(rows, ["kind", "id", "who", "role", "finance_role", "modules", "assets",
                "last_active", "ends", "idle", "note"], as_json=as_json, title="Access review")


def why(
    person: Annotated[str, typer.Argument(help="Email or phone of the person.")],
    action: Annotated[str, typer.Argument(help="An action, e.g. campaign.edit.")],
    resource: Annotated[str, typer.Argument(help="center:ID or asset:ID.")],
    within: Annotated[
        str | None,
        typer.Option(help="Business Center id to ask in, for an asset a partner shared."),
    ] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Whether a person may do something, the reasons, and the fix when they may not."""
    server = client(as_)
    answer = _explain(server, person, action, resource, within)
    if as_json:
        emit(
            [
                {
                    "allowed": answer["allowed"],
                    "code": answer["code"],
                    "reasons": list(answer["reasons"]),
                    "fix": answer["fix"],
                    "needs": answer["needs"],
                }
            ],
            [],
            as_json=True,
        )
        return
    typer.echo(answer["text"])
    if answer["needs"]:
        typer.echo(f"Needs: {answer['needs']}")


def _explain(server: Client, person: str, action: str, resource: str,
             within: str | None) -> dict[str, Any]:
    """The API's explain, asked in the Business Center the resource is in: center:ID's own,
    or for an asset --within, else the first of the caller's that has it (with a token,
    its one Business Center)."""
    kind, _, raw_id = resource.partition(":")
    if kind not in ("center", "asset") or not raw_id.isdigit():
        fail(f"'{resource}' is not a resource: write center:ID or asset:ID.")
    if within or kind == "center":
        return _explain_in(server, within or raw_id, person, action, resource)
    centers = [c["id"] for c in server.get(path("centers"))]
    for center_id in centers[:-1]:
        try:
            return _explain_in(server, center_id, person, action, resource)
        except RemoteError as refused:
            if refused.status != 404:
                raise
    return _explain_in(server, centers[-1] if centers else "0", person, action, resource)


def _explain_in(server: Client, center_id: str, person: str, action: str, resource: str
                ) -> dict[str, Any]:
    route = path("centers", center_id, "access", "explain")
    try:
        return dict(server.get(route, action=action, resource=resource, address=person))
    except RemoteError as refused:
        # Asking about someone needs the member view; anyone may ask about themself.
        if refused.status != 403:
            raise
        me = server.get(path("centers", center_id, "access", "me"))["member"]["user"]
        wanted = person.strip().lower()
        if wanted not in {(me.get("email") or "").lower(), me.get("phone") or ""}:
            raise
        return dict(server.get(route, action=action, resource=resource))


def _row(a: dict[str, Any]) -> dict[str, Any]:
    return {"id": a["id"], "type": a["type"], "name": a["name"], "status": a["status"]}




@app.command("list")
def list_(
    center_id: CenterArg,
    type: Annotated[
        str | None, typer.Option(help="ADVERTISER, TT_ACCOUNT, CATALOG, PIXEL.")
    ] = None,
    search: Annotated[str, typer.Option(help="Part of the name.")] = "",
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """The assets you may see (all of them for Admins)."""
    server = client(as_)
    result = server.get(path("centers", center_id, "assets"), type=type, q=search,
                        page=page, page_size=page_size)
    emit_page(result, [_row(a) for a in result["items"]], COLUMNS, as_json=as_json, title="Assets")


@app.command("create")
def create(
    center_id: CenterArg,
    type: Annotated[str, typer.Argument(help="ADVERTISER, TT_ACCOUNT, CATALOG or PIXEL.")],
    name: Annotated[str, typer.Argument(help="Name of the asset.")],
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add an asset owned by the Business Center (Admins)."""
    server = client(as_)
    made = server.post(path("centers", center_id, "assets"), {"type": type, "name": name})
    emit([_row(made)], COLUMNS, as_json=as_json, title="Asset created")


@app.command("update")
def update(
    center_id: CenterArg,
    asset_id: Annotated[str, typer.Argument(help="Asset id.")],
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    status: Annotated[
        str | None, typer.Option(help="ACTIVE, DISABLED or CLOSED (ad accounts).")
    ] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rename an asset, or disable / close / reactivate an ad account."""
    server = client(as_)
    changes = {k: v for k, v in {"name": name, "status": status}.items() if v is not None}
    changed = server.patch(path("centers", center_id, "assets", asset_id), changes)
    emit([_row(changed)], COLUMNS, as_json=as_json, title="Asset")


@app.command("delete")
def delete(
    center_id: CenterArg,
    asset_id: Annotated[str, typer.Argument(help="Asset id.")],
    yes: YesOpt = False,
    as_: AsOption = None,
) -> None:
    """Delete an asset; everyone assigned to it loses it at once."""
    server = client(as_)
    name = server.center(center_id)["name"]
    route = path("centers", center_id, "assets", asset_id)
    asset = asset_label(server.get(route))
    confirm(yes, f"Delete {asset} from {name}? Everyone assigned to it loses it.")
    server.delete(route)
    typer.echo(f"Deleted {asset}.")


@app.command("assign")
def assign(
    center_id: CenterArg,
    member_id: Annotated[str, typer.Argument(help="Member id (from members list).")],
    asset_id: Annotated[str, typer.Argument(help="Asset id.")],
    role: Annotated[
        list[str] | None,
        typer.Option("--role", "-r", help="Role on the asset (repeatable for TikTok accounts)."),
    ] = None,
    expires: Annotated[str | None, typer.Option(
        help="Last day of access to the asset, YYYY-MM-DD, inclusive, in the Business "
             "Center's time zone; or the exact time it ends, YYYY-MM-DDTHH:MM (UTC unless it "
             "has an offset)."),
    ] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give a member roles on an asset."""
    ends = parse_end(expires)
    server = client(as_)
    roles = role if role else default_roles(server, center_id, asset_id)
    grant = server.put(path("centers", center_id, "assets", asset_id, "grants", member_id),
                       {"roles": roles, **end_fields(ends)})
    member = server.get(path("centers", center_id, "members", member_id))
    emit(
        [{"member": person_label(member["user"]), "asset": asset_label(grant["asset"]),
          "roles": grant["roles"], "last_day": grant["last_day"] or ""}],
        ["member", "asset", "roles", "last_day"],
        as_json=as_json,
        title="Assigned",
    )


@app.command("unassign")
def unassign(
    center_id: CenterArg,
    member_id: Annotated[str, typer.Argument(help="Member id.")],
    asset_id: Annotated[str, typer.Argument(help="Asset id.")],
    as_: AsOption = None,
) -> None:
    """Take an asset away from a member."""
    server = client(as_)
    server.delete(path("centers", center_id, "assets", asset_id, "grants", member_id))
    typer.echo("Unassigned.")


def default_roles(server: Client, center_id: str, asset_id: str) -> list[str]:
    """With no --role, the role the service gives by default (the lowest for the asset's
    type); the API wants roles named, so they are named here the service's way."""
    from bizcenter.assets.kinds import clean_roles

    return clean_roles(server.get(path("centers", center_id, "assets", asset_id))["type"], None)
