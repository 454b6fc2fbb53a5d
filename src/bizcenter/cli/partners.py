"""``bizcenter partners``: share assets with partner Business Centers."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bizcenter.cli.access import default_roles
from bizcenter.cli.common import (
    AsOption,
    CenterArg,
    JsonOption,
    YesOpt,
    actor,
    api_json,
    asset_label,
    center,
    confirm,
    emit,
    remote,
)
from bizcenter.cli.remote import path

app = typer.Typer(
    help="Partner Business Centers and the assets shared with them.", no_args_is_help=True
)
PartnerArg = Annotated[str, typer.Argument(help="The partner's Business Center id.")]
AssetArg = Annotated[str, typer.Argument(help="Asset id.")]


@app.command("list")
def list_(center_id: CenterArg, as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Partners of a Business Center and what each was shared."""
    if server := remote(as_):
        found = server.pages(path("centers", center_id, "partners"))
    else:
        from bizcenter.api.routers.partners import PartnerOut
        from bizcenter.assets.partners import partners_of

        who = actor(as_)
        found = [api_json(PartnerOut.of(p)) for p in partners_of(who, center(who, center_id))]
    rows = [
        {
            "partner_id": p["id"],
            "partner": p["name"],
            "shared": [f"{asset_label(s['asset'])} as {', '.join(s['roles'])}"
                       for s in p["shares"]],
        }
        for p in found
    ]
    emit(rows, ["partner_id", "partner", "shared"], as_json=as_json, title="Partners")


@app.command("received")
def received(center_id: CenterArg, as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Assets partners share with this Business Center (owned by partner)."""
    if server := remote(as_):
        found = server.pages(path("centers", center_id, "partner-assets"))
    else:
        from bizcenter.api.routers.partners import ReceivedOut
        from bizcenter.assets.partners import shared_with

        who = actor(as_)
        found = [api_json(ReceivedOut.of(s)) for s in shared_with(who, center(who, center_id))]
    rows = [
        {
            "asset_id": s["asset"]["id"],
            "asset": asset_label(s["asset"]),
            "owner": s["owner_name"],
            "roles": s["roles"],
        }
        for s in found
    ]
    emit(rows, ["asset_id", "asset", "owner", "roles"], as_json=as_json, title="Owned by partner")


@app.command("add")
def add(center_id: CenterArg, partner_id: PartnerArg, as_: AsOption = None) -> None:
    """Add another Business Center as a partner, by its id."""
    link: dict[str, Any]
    if server := remote(as_):
        link = server.post(path("centers", center_id, "partners"), {"partner_id": partner_id})
    else:
        from bizcenter.api.routers.partners import PartnerOut
        from bizcenter.assets.partners import add_partner

        who = actor(as_)
        link = api_json(PartnerOut.of(add_partner(who, center(who, center_id), partner_id)))
    typer.echo(f"{link['name']} is now a partner.")


@app.command("share")
def share(
    center_id: CenterArg,
    partner_id: PartnerArg,
    asset_id: AssetArg,
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            "-r",
            help="Shared role (repeatable for TikTok accounts). Sharing again raises or lowers it.",
        ),
    ] = None,
    as_: AsOption = None,
) -> None:
    """Share an asset with a partner, or change the role it is shared at."""
    done: dict[str, Any]
    if server := remote(as_):
        roles = role if role else default_roles(server, center_id, asset_id)
        done = server.post(path("centers", center_id, "partners", partner_id, "shares"),
                           {"asset_id": asset_id, "roles": roles})
    else:
        from bizcenter.api.routers.partners import ShareOut
        from bizcenter.assets.partners import share as give

        who = actor(as_)
        done = api_json(ShareOut.of(give(who, center(who, center_id), partner_id, asset_id,
                                         role)))
    typer.echo(f"{asset_label(done['asset'])} shared as {', '.join(done['roles'])}.")


@app.command("unshare")
def unshare(
    center_id: CenterArg,
    partner_id: PartnerArg,
    asset_id: AssetArg,
    yes: YesOpt = False,
    as_: AsOption = None,
) -> None:
    """Stop sharing an asset; the partner's members lose it at once."""
    server = remote(as_)
    confirm(yes, f"Stop sharing asset {asset_id} with Business Center {partner_id}?")
    if server:
        server.delete(path("centers", center_id, "partners", partner_id, "shares", asset_id))
    else:
        from bizcenter.assets.partners import unshare as take

        who = actor(as_)
        take(who, center(who, center_id), partner_id, asset_id)
    typer.echo("Unshared.")


@app.command("remove")
def remove(
    center_id: CenterArg, partner_id: PartnerArg, yes: YesOpt = False, as_: AsOption = None
) -> None:
    """Remove a partner and everything shared with it."""
    server = remote(as_)
    confirm(yes, f"Remove Business Center {partner_id} as a partner, with all it was shared?")
    if server:
        server.delete(path("centers", center_id, "partners", partner_id))
    else:
        from bizcenter.assets.partners import remove_partner

        who = actor(as_)
        remove_partner(who, center(who, center_id), partner_id)
    typer.echo("Partner removed.")
