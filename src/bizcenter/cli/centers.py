"""``bizcenter centers``: list and change Business Centers."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bizcenter.cli.common import AsOption, CenterArg, JsonOption, actor, center, emit

app = typer.Typer(help="List Business Centers and change their settings.", no_args_is_help=True)

COLUMNS = ["id", "name", "company", "timezone", "currency", "members"]


def _row(c: Any) -> dict[str, Any]:
    return {
        "id": str(c.pk),
        "name": c.name,
        "company": c.company,
        "timezone": c.timezone,
        "currency": c.currency,
        "members": getattr(c, "member_count", None),
    }


@app.command("list")
def list_(as_: AsOption = None, as_json: JsonOption = False) -> None:
    """The Business Centers you can work in (all of them for the operator)."""
    from bizcenter.centers.services import visible_centers

    rows = [_row(c) for c in visible_centers(actor(as_))]
    emit(rows, COLUMNS, as_json=as_json, title="Business Centers")


@app.command("update")
def update(
    center_id: CenterArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    company: Annotated[str | None, typer.Option(help="Legal name.")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone.")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO 4217 code.")] = None,
    allowed_domains: Annotated[
        str | None,
        typer.Option(help="Only invite email addresses at these domains (comma-separated); "
                     "'' lifts the restriction."),
    ] = None,
    two_factor: Annotated[
        str | None,
        typer.Option(help="Who must use 2-step verification: nobody, admins or everyone."),
    ] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rename a Business Center or change its settings (Admins)."""
    from bizcenter.centers.services import update_center

    who = actor(as_)
    updated = update_center(
        who,
        center(who, center_id),
        name=name,
        company=company,
        timezone=timezone,
        currency=currency,
        allowed_email_domains=allowed_domains,
        two_factor_policy=two_factor,
    )
    emit([_row(updated) | {"allowed_domains": ", ".join(updated.allowed_email_domains),
                           "two_factor": updated.two_factor_policy}],
         [*COLUMNS[:-1], "allowed_domains", "two_factor"], as_json=as_json,
         title="Business Center")
