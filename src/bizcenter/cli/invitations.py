"""``bizcenter invite`` and ``bizcenter invitations``."""

from __future__ import annotations

import csv
import hashlib
import json
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
    api_json,
    api_page,
    center,
    confirm,
    emit,
    end_fields,
    end_instant,
    fail,
    page_info,
    parse_end,
    remote,
    stamp,
)
from bizcenter.cli.remote import INVITES_PER_CALL, path

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


def batch_key(center_id: str, body: dict[str, Any], run: str) -> str:
    """The Idempotency-Key of one batch: its content (and the run's own key, if any), so
    running the same command again replays the server's first answer instead of
    inviting anyone twice."""
    content = json.dumps([str(center_id), body, run], sort_keys=True, default=str)
    return f"bizcenter-cli-invite-{hashlib.sha256(content.encode()).hexdigest()[:40]}"


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
        typer.Option(help="Last day of access, YYYY-MM-DD, inclusive, in the Business "
                     "Center's time zone; or the exact time access ends, YYYY-MM-DDTHH:MM "
                     "(UTC unless it has an offset)."),
    ] = None,
    show_links: Annotated[
        bool,
        typer.Option("--links", help="Also print each new invitation's link, to share it "
                     "another way."),
    ] = False,
    idempotency_key: Annotated[
        str,
        typer.Option(
            "--idempotency-key",
            help="With --url: each batch is sent with an Idempotency-Key made of its content "
            "and this, so running the same command again invites nobody twice (the server "
            "replays its first answer). Give a new value to send the same batch again on "
            "purpose.",
        ),
    ] = "",
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invite people by email or phone with the access to give them."""
    server = remote(as_)
    everyone = list(addresses or [])
    if csv_file is not None:
        everyone += read_csv(csv_file)
    if not everyone:
        fail("give at least one address, or --csv FILE.")
    modules = list(module or ("ANALYTICS",))
    ends = parse_end(expires)
    if server:
        name = server.center(center_id)["name"]
        grant = {"role": role, "modules": modules, "finance_role": finance_role, "kind": kind,
                 **end_fields(ends)}
        route = path("centers", center_id, "invitations")

        def send(batch: list[str]) -> list[dict[str, Any]]:
            body = {"addresses": batch, **grant}
            answer = server.post(route, body, key=batch_key(center_id, body, idempotency_key))
            return [r | {"link": server.link(center_id, r["invitation_id"])
                         if show_links and r["invitation_id"] else None}
                    for r in answer["results"]]

        size = INVITES_PER_CALL
    else:
        from django.conf import settings

        from bizcenter.invitations.services import Grant
        from bizcenter.invitations.services import invite as invite_batch

        who = actor(as_)
        target = center(who, center_id)
        name = target.name
        local_grant = Grant(role=role, finance_role=finance_role, kind=kind,
                            modules=tuple(modules), expires_at=end_instant(ends, target))

        def send(batch: list[str]) -> list[dict[str, Any]]:
            return [{"address": r.address, "status": r.status, "message": r.message,
                     "normalized": r.normalized,
                     "invitation_id": str(r.invitation.pk) if r.invitation else None,
                     "link": r.link} for r in invite_batch(who, target, batch, local_grant)]

        size = settings.BIZCENTER_MAX_INVITES_PER_CALL
    batches = [everyone[i : i + size] for i in range(0, len(everyone), size)]
    results: list[dict[str, Any]] = []
    if len(batches) > 1 and not as_json:
        with Progress(transient=True) as progress:
            bar = progress.add_task("Inviting", total=len(everyone))
            for batch in batches:
                results += send(batch)
                progress.advance(bar, len(batch))
    else:
        for batch in batches:
            results += send(batch)
    rows: list[dict[str, Any]] = []
    for r in results:
        row: dict[str, Any] = {
            "address": r["address"],
            "normalized": r["normalized"],
            "status": r["status"],
            "message": r["message"],
            "invitation_id": r["invitation_id"],
        }
        if show_links or as_json:
            row["link"] = r["link"]
        rows.append(row)
    counts = Counter(r["status"] for r in results)
    summary = {k: counts[k] for k in sorted(counts)}
    emit(
        rows,
        RESULT_COLUMNS + (["link"] if show_links else []),
        as_json=as_json,
        title=f"Invitations to {name}",
        extra={"summary": summary} if as_json else None,
    )
    if not as_json:
        typer.echo(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items()))
    if any(r["status"] in FAILED for r in results):
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
    if server := remote(as_):
        result = server.get(path("centers", center_id, "invitations"), status=status,
                            q=search, page=page, page_size=page_size)
    else:
        from bizcenter.api.routers.invitations import InvitationOut
        from bizcenter.invitations.services import list_invitations

        who = actor(as_)
        result = api_page(list_invitations(
            who,
            center(who, center_id),
            status=None if status.lower() == "all" else status,
            search=search,
            page=page,
            page_size=page_size,
        ), InvitationOut)
    rows = [
        {
            "id": i["id"],
            "address": i["address"],
            "role": i["role"],
            "modules": i["modules"],
            "status": i["status"],
            "sent": stamp(i["sent_at"]),
            "expires": stamp(i["expires_at"]),
            "resent": i["resend_count"],
        }
        for i in result["items"]
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
    if server := remote(as_):
        done = server.post(path("centers", center_id, "invitations", invitation_id, "resend"))
        link = server.link(center_id, invitation_id)
    else:
        from bizcenter.api.routers.invitations import InvitationOut
        from bizcenter.invitations.services import resend as again

        who = actor(as_)
        sent = again(who, center(who, center_id), invitation_id)
        done, link = api_json(InvitationOut.of(sent.invitation)), sent.link
    emit(
        [
            {
                "id": done["id"],
                "address": done["address"],
                "expires": stamp(done["expires_at"]),
                "link": link,
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
    if server := remote(as_):
        confirm(yes, f"Cancel invitation {invitation_id} in "
                     f"{server.center(center_id)['name']}?")
        done = server.post(path("centers", center_id, "invitations", invitation_id, "cancel"))
    else:
        from bizcenter.api.routers.invitations import InvitationOut
        from bizcenter.invitations.services import cancel as stop

        who = actor(as_)
        target = center(who, center_id)
        confirm(yes, f"Cancel invitation {invitation_id} in {target.name}?")
        done = api_json(InvitationOut.of(stop(who, target, invitation_id)))
    emit(
        [{"id": done["id"], "address": done["address"], "status": done["status"]}],
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
    if server := remote(as_):
        typer.echo(server.link(center_id, invitation_id))
        return
    from bizcenter.invitations.services import link as link_of

    who = actor(as_)
    typer.echo(link_of(who, center(who, center_id), invitation_id))
