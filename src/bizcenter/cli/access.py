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
    center,
    confirm,
    emit,
    page_info,
    parse_when,
)

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
    from dataclasses import asdict

    from bizcenter.access.review import access_review

    who = actor(as_)
    rows = [asdict(r) | {"idle": "IDLE" if r.idle and not as_json else r.idle}
            for r in access_review(who, center(who, center_id), idle_days=idle_days)]
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
    from bizcenter.access.engine import why as explain
    from bizcenter.accounts.services import user_by_address

    who = actor(as_)
    answer = explain(who, user_by_address(person), action, resource,
                     center(who, within) if within else None)
    if as_json:
        emit(
            [
                {
                    "allowed": answer.allowed,
                    "code": answer.code,
                    "reasons": list(answer.reasons),
                    "fix": answer.fix,
                }
            ],
            [],
            as_json=True,
        )
        return
    typer.echo(answer.as_text())


def _row(a: Any) -> dict[str, Any]:
    return {"id": str(a.pk), "type": a.type, "name": a.name, "status": a.status}


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
    from bizcenter.assets.services import list_assets

    who = actor(as_)
    result = list_assets(
        who, center(who, center_id), type=type, search=search, page=page, page_size=page_size
    )
    emit(
        [_row(a) for a in result.items],
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
    from bizcenter.assets.services import create_asset

    who = actor(as_)
    made = create_asset(who, center(who, center_id), type=type, name=name)
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
    from bizcenter.assets.services import update_asset

    who = actor(as_)
    changed = update_asset(who, center(who, center_id), asset_id, name=name, status=status)
    emit([_row(changed)], COLUMNS, as_json=as_json, title="Asset")


@app.command("delete")
def delete(
    center_id: CenterArg,
    asset_id: Annotated[str, typer.Argument(help="Asset id.")],
    yes: YesOpt = False,
    as_: AsOption = None,
) -> None:
    """Delete an asset; everyone assigned to it loses it at once."""
    from bizcenter.assets.services import delete_asset, get_asset

    who = actor(as_)
    target = center(who, center_id)
    asset = get_asset(who, target, asset_id)
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
    expires: Annotated[str | None, typer.Option(help="Access ends (YYYY-MM-DD or time).")] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give a member roles on an asset."""
    from bizcenter.assets.services import assign as give

    who = actor(as_)
    grant = give(
        who,
        center(who, center_id),
        member_id,
        asset_id,
        role,
        expires_at=parse_when(expires, "expires"),
    )
    emit(
        [{"member": grant.membership.user.label, "asset": str(grant.asset), "roles": grant.roles}],
        ["member", "asset", "roles"],
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
    from bizcenter.assets.services import unassign as take

    who = actor(as_)
    take(who, center(who, center_id), member_id, asset_id)
    typer.echo("Unassigned.")
