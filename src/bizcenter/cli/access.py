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
    actor,
    api_json,
    api_page,
    asset_label,
    center,
    confirm,
    emit,
    end_fields,
    end_instant,
    fail,
    page_info,
    parse_end,
    person_label,
    remote,
    stamp,
)
from bizcenter.cli.remote import Remote, RemoteError, path

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
    if server := remote(as_):
        found = server.pages(path("centers", center_id, "access", "review"),
                             idle_days=idle_days)
    else:
        from bizcenter.access.review import access_review
        from bizcenter.api.routers.access import ReviewRowOut

        who = actor(as_)
        found = [api_json(ReviewRowOut.of(r))
                 for r in access_review(who, center(who, center_id), idle_days=idle_days)]
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
    if server := remote(as_):
        answer = _why_remote(server, person, action, resource, within)
    else:
        from bizcenter.access.engine import why as explain
        from bizcenter.api.routers.access import ExplainOut

        who = actor(as_)
        # The address as typed, not its account: whether one exists is not for the
        # asker to learn (the troubleshooter answers strangers alike).
        answer = api_json(ExplainOut.of(explain(who, person, action, resource,
                                                center(who, within) if within else None)))
    if as_json:
        emit(
            [
                {
                    "allowed": answer["allowed"],
                    "code": answer["code"],
                    "reasons": list(answer["reasons"]),
                    "fix": answer["fix"],
                }
            ],
            [],
            as_json=True,
        )
        return
    typer.echo(answer["text"])


def _why_remote(server: Remote, person: str, action: str, resource: str,
                within: str | None) -> dict[str, Any]:
    """The API's explain, asked in the Business Center the resource is in: center:ID's own,
    or for an asset --within or else the token's."""
    kind, _, raw_id = resource.partition(":")
    if kind not in ("center", "asset") or not raw_id.isdigit():
        fail(f"'{resource}' is not a resource: write center:ID or asset:ID.")
    if within:
        center_id = within
    elif kind == "center":
        center_id = raw_id
    else:
        center_id = server.get(path("centers"))[0]["id"]
    route = path("centers", center_id, "access", "explain")
    try:
        return server.get(route, action=action, resource=resource, address=person)
    except RemoteError as refused:
        # Asking about someone needs the member view; anyone may ask about themself.
        if refused.status != 403:
            raise
        me = server.get(path("centers", center_id, "access", "me"))["member"]["user"]
        wanted = person.strip().lower()
        if wanted not in {(me.get("email") or "").lower(), me.get("phone") or ""}:
            raise
        return server.get(route, action=action, resource=resource)


def _row(a: dict[str, Any]) -> dict[str, Any]:
    return {"id": a["id"], "type": a["type"], "name": a["name"], "status": a["status"]}


def _out(a: Any, here: Any) -> dict[str, Any]:
    from bizcenter.api.schemas import AssetOut

    return api_json(AssetOut.of(a, here.pk))


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
    if server := remote(as_):
        result = server.get(path("centers", center_id, "assets"), type=type, q=search,
                            page=page, page_size=page_size)
    else:
        from bizcenter.api.schemas import AssetOut
        from bizcenter.assets.services import list_assets

        who = actor(as_)
        target = center(who, center_id)
        result = api_page(list_assets(who, target, type=type, search=search, page=page,
                                      page_size=page_size), AssetOut, target.pk)
    emit(
        [_row(a) for a in result["items"]],
        COLUMNS,
        as_json=as_json,
        title="Assets",
        extra=page_info(result),
    )


@app.command("create")
def create(
    center_id: CenterArg,
    type: Annotated[str, typer.Argument(help="ADVERTISER, TT_ACCOUNT, CATALOG or PIXEL.")],
    name: Annotated[str, typer.Argument(help="Name of the asset.")],
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add an asset owned by the Business Center (Admins)."""
    if server := remote(as_):
        made = server.post(path("centers", center_id, "assets"), {"type": type, "name": name})
    else:
        from bizcenter.assets.services import create_asset

        who = actor(as_)
        target = center(who, center_id)
        made = _out(create_asset(who, target, type=type, name=name), target)
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
    if server := remote(as_):
        changes = {k: v for k, v in {"name": name, "status": status}.items() if v is not None}
        changed = server.patch(path("centers", center_id, "assets", asset_id), changes)
    else:
        from bizcenter.assets.services import update_asset

        who = actor(as_)
        target = center(who, center_id)
        changed = _out(update_asset(who, target, asset_id, name=name, status=status), target)
    emit([_row(changed)], COLUMNS, as_json=as_json, title="Asset")


@app.command("delete")
def delete(
    center_id: CenterArg,
    asset_id: Annotated[str, typer.Argument(help="Asset id.")],
    yes: YesOpt = False,
    as_: AsOption = None,
) -> None:
    """Delete an asset; everyone assigned to it loses it at once."""
    if server := remote(as_):
        name = server.center(center_id)["name"]
        route = path("centers", center_id, "assets", asset_id)
        asset = asset_label(server.get(route))
        confirm(yes, f"Delete {asset} from {name}? Everyone assigned to it loses it.")
        server.delete(route)
    else:
        from bizcenter.assets.services import delete_asset, get_asset

        who = actor(as_)
        target = center(who, center_id)
        asset = asset_label(_out(get_asset(who, target, asset_id), target))
        confirm(yes, f"Delete {asset} from {target.name}? Everyone assigned to it loses it.")
        delete_asset(who, target, asset_id)
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
    if server := remote(as_):
        roles = role if role else default_roles(server, center_id, asset_id)
        grant = server.put(path("centers", center_id, "assets", asset_id, "grants", member_id),
                           {"roles": roles, **end_fields(ends)})
        member = server.get(path("centers", center_id, "members", member_id))
    else:
        from bizcenter.api.routers.assets import GrantOut
        from bizcenter.assets.services import assign as give
        from bizcenter.cli.members import out

        who = actor(as_)
        target = center(who, center_id)
        given = give(who, target, member_id, asset_id, role,
                     expires_at=end_instant(ends, target))
        grant, member = api_json(GrantOut.of(given, target)), out(given.membership, target)
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
    if server := remote(as_):
        server.delete(path("centers", center_id, "assets", asset_id, "grants", member_id))
    else:
        from bizcenter.assets.services import unassign as take

        who = actor(as_)
        take(who, center(who, center_id), member_id, asset_id)
    typer.echo("Unassigned.")


def default_roles(server: Remote, center_id: str, asset_id: str) -> list[str]:
    """With no --role, the role the service gives by default (the lowest for the asset's
    type); the API wants roles named, so they are named here the service's way."""
    from bizcenter.assets.kinds import clean_roles

    return clean_roles(server.get(path("centers", center_id, "assets", asset_id))["type"], None)
