"""``bizcenter partners``: share assets with partner Business Centers."""

from __future__ import annotations

from typing import Annotated

import typer

from bizcenter.cli.common import (
    AsOption,
    CenterArg,
    JsonOption,
    YesOpt,
    actor,
    center,
    confirm,
    emit,
)

app = typer.Typer(
    help="Partner Business Centers and the assets shared with them.", no_args_is_help=True
)
PartnerArg = Annotated[str, typer.Argument(help="The partner's Business Center id.")]
AssetArg = Annotated[str, typer.Argument(help="Asset id.")]


@app.command("list")
def list_(center_id: CenterArg, as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Partners of a Business Center and what each was shared."""
    from bizcenter.assets.partners import partners_of

    who = actor(as_)
    rows = [
        {
            "partner_id": str(p.partner_id),
            "partner": p.partner.name,
            "shared": [f"{s.asset} as {', '.join(s.roles)}" for s in p.shares.all()],
        }
        for p in partners_of(who, center(who, center_id))
    ]
    emit(rows, ["partner_id", "partner", "shared"], as_json=as_json, title="Partners")


@app.command("received")
def received(center_id: CenterArg, as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Assets partners share with this Business Center (owned by partner)."""
    from bizcenter.assets.partners import shared_with

    who = actor(as_)
    rows = [
        {
            "asset_id": str(s.asset_id),
            "asset": str(s.asset),
            "owner": s.partnership.owner.name,
            "roles": s.roles,
        }
        for s in shared_with(who, center(who, center_id))
    ]
    emit(rows, ["asset_id", "asset", "owner", "roles"], as_json=as_json, title="Owned by partner")


@app.command("add")
def add(center_id: CenterArg, partner_id: PartnerArg, as_: AsOption = None) -> None:
    """Add another Business Center as a partner, by its id."""
    from bizcenter.assets.partners import add_partner

    who = actor(as_)
    link = add_partner(who, center(who, center_id), partner_id)
    typer.echo(f"{link.partner.name} is now a partner.")


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
    from bizcenter.assets.partners import share as give

    who = actor(as_)
    done = give(who, center(who, center_id), partner_id, asset_id, role)
    typer.echo(f"{done.asset} shared as {', '.join(done.roles)}.")


@app.command("unshare")
def unshare(
    center_id: CenterArg,
    partner_id: PartnerArg,
    asset_id: AssetArg,
    yes: YesOpt = False,
    as_: AsOption = None,
) -> None:
    """Stop sharing an asset; the partner's members lose it at once."""
    from bizcenter.assets.partners import unshare as take

    who = actor(as_)
    confirm(yes, f"Stop sharing asset {asset_id} with Business Center {partner_id}?")
    take(who, center(who, center_id), partner_id, asset_id)
    typer.echo("Unshared.")


@app.command("remove")
def remove(
    center_id: CenterArg, partner_id: PartnerArg, yes: YesOpt = False, as_: AsOption = None
) -> None:
    """Remove a partner and everything shared with it."""
    from bizcenter.assets.partners import remove_partner

    who = actor(as_)
    confirm(yes, f"Remove Business Center {partner_id} as a partner, with all it was shared?")
    remove_partner(who, center(who, center_id), partner_id)
    typer.echo("Partner removed.")
