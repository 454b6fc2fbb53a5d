"""``bizcenter invite`` and ``bizcenter invitations``."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

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
    fail,
    page_info,
    parse_when,
    stamp,
)

app = typer.Typer(help="List, resend and cancel invitations.", no_args_is_help=True)

RESULT_COLUMNS = ["address", "status", "message"]
# Statuses that mean the address did not get an invitation because of a problem
# the caller must fix; "already invited/member" and repeats are not problems.
FAILED = {"invalid", "limit_reached", "domain_not_allowed"}


def register(root: typer.Typer) -> None:
    root.command("invite")(invite)


def read_csv(path: Path) -> list[str]:
    """Addresses from a column named address, email or phone, else the first column."""
    if not path.exists():
        fail(f"{path}: no such file.")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    for name in ("address", "email", "phone"):
        if name in header:
            index = header.index(name)
            return [r[index].strip() for r in rows[1:] if len(r) > index and r[index].strip()]
    return [r[0].strip() for r in rows if r and r[0].strip()]


def invite(
    center_id: CenterArg,
    addresses: Annotated[
        list[str] | None, typer.Argument(help="Email addresses or phone numbers.")
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="CSV file of addresses (column address/email/phone, or "
            "the first column). Sent in batches of 50 with a progress bar.",
        ),
    ] = None,
    role: Annotated[str, typer.Option(help="ADMIN or STANDARD.")] = "STANDARD",
    module: Annotated[
        list[str] | None,
        typer.Option(
            "--module",
            "-m",
            help="Module to give (repeatable): ANALYTICS, CAMPAIGNS, ASSETS, BILLING.",
        ),
    ] = None,
    finance_role: Annotated[str, typer.Option(help="MANAGER, ANALYST or empty.")] = "",
    kind: Annotated[
        str, typer.Option(help="agency, manager, employee, influencer, client or other.")
    ] = "other",
    expires: Annotated[
        str | None,
        typer.Option(help="Access ends at this date (YYYY-MM-DD, end of day UTC) or time."),
    ] = None,
    show_links: Annotated[
        bool, typer.Option("--links", help="Also print each new invitation's link.")
    ] = False,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invite people by email or phone with the access to give them."""
    from django.conf import settings

    from bizcenter.invitations.services import Grant, InviteResult
    from bizcenter.invitations.services import invite as send

    who = actor(as_)
    everyone = list(addresses or [])
    if csv_file is not None:
        everyone += read_csv(csv_file)
    if not everyone:
        fail("give at least one address, or --csv FILE.")
    grant = Grant(
        role=role,
        finance_role=finance_role,
        kind=kind,
        modules=tuple(module or ("ANALYTICS",)),
        expires_at=parse_when(expires, "expires"),
    )
    target = center(who, center_id)
    size = settings.BIZCENTER_MAX_INVITES_PER_CALL
    batches = [everyone[i : i + size] for i in range(0, len(everyone), size)]
    results: list[InviteResult] = []
    if len(batches) > 1 and not as_json:
        with Progress(transient=True) as progress:
            bar = progress.add_task("Inviting", total=len(everyone))
            for batch in batches:
                results += send(who, target, batch, grant)
                progress.advance(bar, len(batch))
    else:
        for batch in batches:
            results += send(who, target, batch, grant)
    rows: list[dict[str, Any]] = []
    for r in results:
        row: dict[str, Any] = {
            "address": r.address,
            "normalized": r.normalized,
            "status": r.status,
            "message": r.message,
            "invitation_id": str(r.invitation.pk) if r.invitation else None,
        }
        if show_links or as_json:
            row["link"] = r.link
        rows.append(row)
    counts = Counter(r.status for r in results)
    summary = {k: counts[k] for k in sorted(counts)}
    emit(
        rows,
        RESULT_COLUMNS + (["link"] if show_links else []),
        as_json=as_json,
        title=f"Invitations to {target.name}",
        extra={"summary": summary} if as_json else None,
    )
    if not as_json:
        typer.echo(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items()))
    if any(r.status in FAILED for r in results):
        raise typer.Exit(1)


@app.command("list")
def list_(
    center_id: CenterArg,
    status: Annotated[
        str, typer.Option(help="pending, expired, accepted, cancelled, or all.")
    ] = "pending",
    search: Annotated[str, typer.Option(help="Part of the address.")] = "",
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invitations of a Business Center, newest first."""
    from bizcenter.invitations.services import list_invitations

    who = actor(as_)
    result = list_invitations(
        who,
        center(who, center_id),
        status=None if status.lower() == "all" else status,
        search=search,
        page=page,
        page_size=page_size,
    )
    rows = [
        {
            "id": str(i.pk),
            "address": i.address,
            "role": i.role,
            "modules": i.modules,
            "status": i.status,
            "sent": stamp(i.sent_at),
            "expires": stamp(i.expires_at),
            "resent": i.resend_count,
        }
        for i in result.items
    ]
    emit(
        rows,
        ["id", "address", "role", "modules", "status", "sent", "expires", "resent"],
        as_json=as_json,
        title="Invitations",
        extra=page_info(result),
    )


@app.command("resend")
def resend(
    center_id: CenterArg,
    invitation_id: Annotated[str, typer.Argument(help="Invitation id.")],
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send a new link with a new expiry; the old link stops working at once."""
    from bizcenter.invitations.services import resend as again

    who = actor(as_)
    done = again(who, center(who, center_id), invitation_id)
    emit(
        [
            {
                "id": str(done.invitation.pk),
                "address": done.invitation.address,
                "expires": stamp(done.invitation.expires_at),
                "link": done.link,
            }
        ],
        ["id", "address", "expires", "link"],
        as_json=as_json,
        title="Invitation resent",
    )


@app.command("cancel")
def cancel(
    center_id: CenterArg,
    invitation_id: Annotated[str, typer.Argument(help="Invitation id.")],
    yes: YesOpt = False,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel a pending invitation; its link stops working."""
    from bizcenter.invitations.services import cancel as stop

    who = actor(as_)
    target = center(who, center_id)
    confirm(yes, f"Cancel invitation {invitation_id} in {target.name}?")
    done = stop(who, target, invitation_id)
    emit(
        [{"id": str(done.pk), "address": done.address, "status": done.status}],
        ["id", "address", "status"],
        as_json=as_json,
        title="Invitation cancelled",
    )


@app.command("link")
def link(
    center_id: CenterArg,
    invitation_id: Annotated[str, typer.Argument(help="Invitation id.")],
    as_: AsOption = None,
) -> None:
    """Print the link of a pending invitation, to share it another way."""
    from bizcenter.invitations.services import link as link_of

    who = actor(as_)
    typer.echo(link_of(who, center(who, center_id), invitation_id))
