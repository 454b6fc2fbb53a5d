"""``bizcenter invite`` and ``bizcenter invitations``."""

from __future__ import annotations

import hashlib
import json
import time
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
    client,
    confirm,
    emit,
    emit_page,
    end_fields,
    fail,
    parse_end,
    stamp,
)
from bizcenter.cli.remote import INVITES_PER_CALL, path

app = typer.Typer(help="List, resend and cancel invitations.", no_args_is_help=True)

RESULT_COLUMNS = ["address", "status", "message"]
# Statuses that mean the address did not get an invitation because of a problem
# the caller must fix; "already invited/member" and repeats are not problems.
# Seconds a waiting `invite --csv --url` gives the server's worker to start the import.
QUEUE_PATIENCE = 60
FAILED = {"invalid", "limit_reached", "domain_not_allowed", "stopped"}


def register(root: typer.Typer) -> None:
    root.command("invite")(invite)


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
            help="CSV file of addresses: columns headed Email and/or Phone (every one "
            "is read; other columns are ignored), or one address per row. Invited as one "
            "import with the addresses given as arguments, every row reported; it is "
            "refused before anyone is invited when it needs more seats than are left.",
        ),
    ] = None,
    role: Annotated[str, typer.Option(help="ADMIN or STANDARD.")] = "STANDARD",
    module: Annotated[
        list[str] | None,
        typer.Option(
            "--module",
            "-m",
            help="Module to give (repeatable): ANALYTICS, CAMPAIGNS, ASSETS, BILLING "
                 "(Billing access: Finance Analyst unless --finance-role says more).",
        ),
    ] = None,
    finance_role: Annotated[str, typer.Option(
        help="Billing access: ANALYST (view billing), MANAGER (change it) or empty.")] = "",
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
    prefer_phone: Annotated[
        bool,
        typer.Option("--prefer-phone", help="With --csv: a row with both an email and a "
                     "phone is invited at the phone, by SMS (by default, at the email)."),
    ] = False,
    wait: Annotated[
        bool,
        typer.Option("--wait/--no-wait", help="With --csv and --url: wait for the server's "
                     "worker to finish the import and print every row (default), or print "
                     "the import's id at once (see `bizcenter invitations import`)."),
    ] = True,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invite people by email or phone with the access to give them."""
    server = client(as_)
    everyone = list(addresses or [])
    if csv_file is None and not everyone:
        fail("give at least one address, or --csv FILE.")
    modules = list(module or ("ANALYTICS",))
    ends = parse_end(expires)
    if csv_file is not None:
        if show_links:
            fail("--links does not go with --csv: list the new invitations with `bizcenter "
                 "invitations list`, then `bizcenter invitations link` for each one.")
        if not csv_file.exists():
            fail(f"{csv_file}: no such file.")
        import_csv(center_id, csv_file, everyone, prefer="phone" if prefer_phone else "email",
                   grant={"role": role, "modules": modules, "finance_role": finance_role,
                          "kind": kind}, ends=ends, run_key=idempotency_key, wait=wait,
                   as_=as_, as_json=as_json)
        return
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


def import_csv(center_id: str, csv_file: Path, typed: list[str], *, prefer: str,
               grant: dict[str, Any], ends: Any, run_key: str, wait: bool, as_: str | None,
               as_json: bool) -> None:
    """A CSV as one import through the same service as the web form and the API, so
    every row is read and reported the same way: on this machine it runs here, with a
    progress bar; with --url the server's worker runs it and this polls its progress."""
    data = csv_file.read_bytes()
    server = client(as_)
    name = server.center(center_id)["name"]
    body = {"csv": data.decode("utf-8-sig", errors="replace"), "file_name": csv_file.name,
            "addresses": typed, "prefer": prefer, **grant, **end_fields(ends)}
    job = server.post(path("centers", center_id, "invitations", "imports"), body,
                      key=batch_key(center_id, body, run_key))
    route = path("centers", center_id, "invitations", "imports", job["id"])
    if not wait:
        _show_import(job, name, as_json)
        if not as_json:
            typer.echo(f"Import {job['id']} is queued; see it with `bizcenter invitations "
                       f"import {center_id} {job['id']}`.")
        return
    waited = 0
    with Progress(transient=True, disable=as_json) as progress:
        bar = progress.add_task(f"Inviting ({job['seats']} seats)", total=job["total"])
        while job["state"] not in ("DONE", "FAILED"):
            if server.local:  # on this installation the import runs here, not on a worker
                from bizcenter.invitations import imports

                imports.run(int(job["id"]), progress=lambda j: progress.update(
                    bar, completed=j.processed))
                job = server.get(route)
                continue
            if job["state"] == "QUEUED" and waited >= QUEUE_PATIENCE:
                fail(f"Import {job['id']} is queued but the server's background worker "
                     f"has not started it in {QUEUE_PATIENCE} s (is it running?). It "
                     "will run when the worker does; see it with `bizcenter invitations "
                     f"import {center_id} {job['id']}`.")
            time.sleep(1)
            waited += 1
            job = server.get(route)
            progress.update(bar, completed=job["processed"])
    _show_import(job, name, as_json)


def _show_import(job: dict[str, Any], name: str, as_json: bool) -> None:
    """Every row with its outcome, and the counts, which add up to the rows; exit 1 when
    a row needs fixing (invalid, refused by a limit or the allowlist, not reached)."""
    rows = [{"row": f"typed {r['row']}" if r["source"] == "typed" else r["row"],
             "address": r["address"], "status": r["status"], "message": r["message"]}
            for r in job["rows"]]
    emit(rows, ["row", *RESULT_COLUMNS], as_json=as_json,
         title=f"Invitations to {name}",
         extra={"import_id": job["id"], "state": job["state"], "total": job["total"],
                "seats": job["seats"], "summary": dict(sorted(job["counts"].items())),
                "result": job["summary"], "error": job["error"]} if as_json else None)
    if not as_json:
        typer.echo(job["summary"])
        if job["error"]:
            typer.echo(f"Stopped {job['error']}", err=True)
    if job["error"] or any(r["status"] in FAILED for r in job["rows"]):
        raise typer.Exit(1)


@app.command("import")
def show_import(
    center_id: CenterArg,
    import_id: Annotated[str, typer.Argument(help="Import id, as `invite --csv` printed.")],
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """A CSV import's progress and the outcome of every row so far."""
    server = client(as_)
    name = server.center(center_id)["name"]
    job = server.get(path("centers", center_id, "invitations", "imports", import_id))
    _show_import(job, name, as_json)


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
    server = client(as_)
    result = server.get(path("centers", center_id, "invitations"), status=status,
                        q=search, page=page, page_size=page_size)
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
    emit_page(result, rows,
              ["id", "address", "role", "modules", "status", "sent", "expires", "resent"],
              as_json=as_json, title="Invitations")


@app.command("resend")
def resend(
    center_id: CenterArg,
    invitation_id: Annotated[str, typer.Argument(help="Invitation id.")],
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send a new link with a new expiry; the old link stops working at once."""
    server = client(as_)
    done = server.post(path("centers", center_id, "invitations", invitation_id, "resend"))
    link = server.link(center_id, invitation_id)
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
    server = client(as_)
    confirm(yes, f"Cancel invitation {invitation_id} in "
                 f"{server.center(center_id)['name']}?")
    done = server.post(path("centers", center_id, "invitations", invitation_id, "cancel"))
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
    server = client(as_)
    typer.echo(server.link(center_id, invitation_id))
    return
