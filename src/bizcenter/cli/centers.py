"""``bizcenter centers``: list and change Business Centers."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bizcenter.cli.common import (
    AsOption,
    CenterArg,
    JsonOption,
    client,
    emit,
)
from bizcenter.cli.remote import RemoteError, path

app = typer.Typer(help="List Business Centers and change their settings.", no_args_is_help=True)

COLUMNS = ["id", "name", "company", "timezone", "currency", "members"]
SETTINGS = [*COLUMNS[:-1], "allowed_domains", "refuses_phones", "two_factor"]


def _row(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": c["id"],
        "name": c["name"],
        "company": c["company"],
        "timezone": c["timezone"],
        "currency": c["currency"],
        "members": c.get("members"),
    }


def _settings(c: dict[str, Any]) -> list[dict[str, Any]]:
    return [_row(c) | {"allowed_domains": ", ".join(c["allowed_email_domains"]),
                       "refuses_phones": c.get("allowlist_refuses_phones", False),
                       "two_factor": c["two_factor_policy"]}]


@app.command("list")
def list_(as_: AsOption = None, as_json: JsonOption = False) -> None:
    """The Business Centers you can work in (all of them for the operator; with --url,
    the one the token is for)."""
    server = client(as_)
    found = server.get(path("centers"))
    for c in found:
        try:  # the API has no member count on a center: the members list's total
            c["members"] = server.get(path("centers", c["id"], "members"), state="ACTIVE",
                                      page_size=1)["page_info"]["total"]
        except RemoteError as exc:
            if exc.status != 403:  # a Standard member may not list members
                raise
            c["members"] = None
    emit([_row(c) for c in found], COLUMNS, as_json=as_json, title="Business Centers")


@app.command("show")
def show(center_id: CenterArg, as_: AsOption = None, as_json: JsonOption = False) -> None:
    """A Business Center and its settings."""
    server = client(as_)
    found = server.center(center_id)
    emit(_settings(found), SETTINGS, as_json=as_json, title="Business Center")


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
    refuse_phones: Annotated[
        bool | None,
        typer.Option("--refuse-phones/--allow-phones",
                     help="With an allowlist, also refuse phone invitations (phone numbers "
                     "have no domain to check; they are invited as usual by default)."),
    ] = None,
    two_factor: Annotated[
        str | None,
        typer.Option(help="Who must use 2-step verification: nobody, admins or everyone."),
    ] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rename a Business Center or change its settings (Admins)."""
    server = client(as_)
    changes: dict[str, Any] = {
        "name": name, "company": company, "timezone": timezone, "currency": currency,
        "two_factor_policy": two_factor, "allowlist_refuses_phones": refuse_phones,
        "allowed_email_domains": None if allowed_domains is None
        else [d for d in allowed_domains.split(",") if d.strip()],
    }
    updated = server.patch(path("centers", center_id),
                           {k: v for k, v in changes.items() if v is not None})
    emit(_settings(updated), SETTINGS, as_json=as_json, title="Business Center")
