"""``bizcenter partners``: partnerships both sides agree to, from a shell.

Every step of the web's Partner Business Centers page: ask another Business Center by
its public id, answer the requests sent to this one, share and unshare, drop what a
partner shares, ask an owner for assets and decide what partners ask for, end it.
Other Business Centers appear only by public id and, once a partnership is active,
by name: a request this one sent shows only the id typed, whether or not it exists.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bizcenter.cli.common import (
    AsOption,
    CenterArg,
    JsonOption,
    YesOpt,
    asset_label,
    client,
    confirm,
    emit,
    stamp,
)
from bizcenter.cli.remote import path

app = typer.Typer(
    help="Partner Business Centers: requests, shares, access requests.", no_args_is_help=True
)
OtherArg = Annotated[str, typer.Argument(
    help="The other Business Center's public id (19 digits, shown in its Settings).")]
OwnerArg = Annotated[str, typer.Argument(
    help="The owner's public id (19 digits, shown in its Settings).")]
AssetArg = Annotated[str, typer.Argument(help="Asset id.")]
RequestArg = Annotated[str, typer.Argument(help="Request id (from the requests lists).")]
MessageOpt = Annotated[str, typer.Option("--message", "-m",
                                         help="A note for the other side's Admins.")]
OUTGOING = Annotated[bool, typer.Option(
    "--outgoing", help="The requests this Business Center sent, instead of those sent to it.")]


def _base(center_id: str, *rest: object) -> str:
    return path("centers", center_id, *rest)


def _shares(p: dict[str, Any]) -> list[str]:
    return [f"{asset_label(s['asset'])} as {', '.join(s['roles'])}"
            + (" (needs approval)" if s["needs_approval"] else "") for s in p["shares"]]


def _partner_rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": p["id"], "name": p["name"], "since": stamp(p["since"]),
             "shared": _shares(p)} for p in found]


def _request_rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{
        "id": r["id"],
        "business_center": r["partner_id"],
        # A request sent names the other side only once it is accepted.
        "name": r["partner_name"] or "",
        "they_would": ("share their assets" if r["asked_by"] == "OWNER" else
                       "work on your assets") if r["direction"] == "incoming" else
                      ("work on your assets" if r["asked_by"] == "OWNER" else
                       "share their assets"),
        "asked_by": r["requested_by"] or "",
        "message": r["message"],
        "assets": [f"{a['asset_id']} as {', '.join(a['roles'])}" for a in r["asked_assets"]],
        "sent": stamp(r["requested_at"]),
    } for r in found]


def _asked(r: dict[str, Any]) -> str:
    """The asset of an access request: by name for the owner, by id alone for the partner
    until it is approved (the API leaves ``asset`` out)."""
    return asset_label(r["asset"]) if r["asset"] else f"asset {r['asset_id']}"


def _access_rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{
        "id": r["id"],
        "state": r["state"],
        "owner": f"{r['owner']['name']} ({r['owner']['id']})",
        "partner": f"{r['partner']['name']} ({r['partner']['id']})",
        "asset": f"{_asked(r)} ({r['asset_id']})",
        "roles": r["roles"],
        "given": r["granted_roles"],
        "asked_by": r["requested_by"] or "",
        "message": r["message"],
        "sent": stamp(r["requested_at"]),
    } for r in found]


ACCESS_COLUMNS = ["id", "state", "owner", "partner", "asset", "roles", "given", "asked_by",
                  "message", "sent"]


def _said(request: dict[str, Any]) -> str:
    return (f"Request {request['id']} sent to Business Center {request['partner_id']}; it "
            "waits for their Admins.")


# -- partnerships ----------------------------------------------------------------------


@app.command("list")
def list_(center_id: CenterArg, as_: AsOption = None, as_json: JsonOption = False) -> None:
    """The partners this Business Center shares with, and what each is shared."""
    server = client(as_)
    found = server.pages(_base(center_id, "partners"))
    emit(_partner_rows(found), ["id", "name", "since", "shared"], as_json=as_json,
         title="Partners")


@app.command("owners")
def owners(center_id: CenterArg, as_: AsOption = None, as_json: JsonOption = False) -> None:
    """The Business Centers that made this one their partner, and what each shares."""
    server = client(as_)
    found = server.pages(_base(center_id, "partner-owners"))
    emit(_partner_rows(found), ["id", "name", "since", "shared"], as_json=as_json,
         title="Owners")


@app.command("request")
def request(center_id: CenterArg, partner_id: OtherArg, message: MessageOpt = "",
            as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Ask another Business Center, by its public id, to become a partner this one shares
    assets with. Its Admins accept or decline; nothing is shared or named before."""
    sent: dict[str, Any]
    server = client(as_)
    sent = server.post(_base(center_id, "partners"),
                       {"partner_id": partner_id, "message": message})
    if as_json:
        emit([sent], [], as_json=True)
    else:
        typer.echo(_said(sent))


@app.command("requests")
def requests(center_id: CenterArg, outgoing: OUTGOING = False, as_: AsOption = None,
             as_json: JsonOption = False) -> None:
    """Partner requests waiting: those sent to this Business Center (to accept or
    decline), or with --outgoing those it sent (to cancel)."""
    direction = "outgoing" if outgoing else "incoming"
    server = client(as_)
    found = server.pages(_base(center_id, "partner-requests"), direction=direction)
    emit(_request_rows(found), ["id", "business_center", "name", "they_would", "asked_by",
                                "message", "assets", "sent"], as_json=as_json,
         title="Partner requests sent" if outgoing else "Partner requests to answer")


@app.command("accept")
def accept(center_id: CenterArg, request_id: RequestArg, as_: AsOption = None) -> None:
    """Accept a partner request sent to this Business Center."""
    link: dict[str, Any]
    server = client(as_)
    link = server.post(_base(center_id, "partner-requests", request_id, "accept"))
    typer.echo(f"{link['owner']['name']} ({link['owner']['id']}) shares with "
               f"{link['partner']['name']} ({link['partner']['id']}) from now on.")


@app.command("decline")
def decline(center_id: CenterArg, request_id: RequestArg, as_: AsOption = None) -> None:
    """Decline a partner request sent to this Business Center; its sender is told."""
    server = client(as_)
    server.post(_base(center_id, "partner-requests", request_id, "decline"))
    typer.echo(f"Declined partner request {request_id}.")


@app.command("cancel")
def cancel(center_id: CenterArg, request_id: RequestArg, as_: AsOption = None) -> None:
    """Cancel a partner request this Business Center sent, before it is answered."""
    server = client(as_)
    server.delete(_base(center_id, "partner-requests", request_id))
    typer.echo(f"Cancelled partner request {request_id}.")


def _ends(link: dict[str, Any]) -> str:
    """What ending a partnership takes away, said before it is done."""
    n = len(link["shares"])
    assets = f"{n} shared asset{'s' if n != 1 else ''}" + (
        f" ({'; '.join(asset_label(s['asset']) for s in link['shares'])})" if n else "")
    if link["our_side"] == "OWNER":
        lost = f"{link['name']} loses the {assets} at once" if n else "nothing is shared"
    else:
        lost = (f"your members lose the {assets} {link['name']} shares" if n
                else "it shares nothing with you")
    return f"End the partnership with {link['name']} ({link['id']})? {lost[0].upper()}{lost[1:]}."


@app.command("end")
def end(center_id: CenterArg, other_id: OtherArg, yes: YesOpt = False,
        as_: AsOption = None) -> None:
    """End a partnership, from either side: every shared asset goes, at once."""
    server = client(as_)
    route = _base(center_id, "partners", other_id)
    confirm(yes, _ends(server.get(route)))  # a wrong id fails before the question
    server.delete(route)
    typer.echo("Partnership ended.")


# -- shares ----------------------------------------------------------------------------


@app.command("share")
def share(
    center_id: CenterArg,
    partner_id: OtherArg,
    asset_id: AssetArg,
    role: Annotated[list[str], typer.Option(
        "--role", "-r", help="Shared role (repeatable for TikTok accounts). Sharing again "
                             "raises or lowers it for every member of the partner.")],
    needs_approval: Annotated[bool | None, typer.Option(
        "--needs-approval/--no-needs-approval",
        help="Whether the partner's campaign changes wait for your approval (left out: "
             "off when new, unchanged otherwise).")] = None,
    as_: AsOption = None,
) -> None:
    """Share an asset with a partner, or change the role or approval it is shared with."""
    done: dict[str, Any]
    server = client(as_)
    body: dict[str, Any] = {"asset_id": asset_id, "roles": role}
    if needs_approval is not None:
        body["needs_approval"] = needs_approval
    done = server.post(_base(center_id, "partners", partner_id, "shares"), body)
    typer.echo(f"{asset_label(done['asset'])} shared as {', '.join(done['roles'])}"
               + (", changes need your approval." if done["needs_approval"] else "."))


@app.command("unshare")
def unshare(center_id: CenterArg, partner_id: OtherArg, asset_id: AssetArg,
            yes: YesOpt = False, as_: AsOption = None) -> None:
    """Stop sharing an asset; the partner's members lose it at once."""
    server = client(as_)
    confirm(yes, f"Stop sharing asset {asset_id} with Business Center {partner_id}? Its "
                 "members lose it at once.")
    server.delete(_base(center_id, "partners", partner_id, "shares", asset_id))
    typer.echo("Unshared.")


@app.command("received")
def received(center_id: CenterArg, as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Assets partners share with this Business Center (owned by partner)."""
    server = client(as_)
    found = server.pages(_base(center_id, "partner-assets"))
    rows = [{"asset_id": s["asset"]["id"], "asset": asset_label(s["asset"]),
             "owner": s["owner"]["name"], "owner_id": s["owner"]["id"], "roles": s["roles"],
             "needs_approval": "yes" if s["needs_approval"] else "no",
             "shared": stamp(s["shared_at"])} for s in found]
    emit(rows, ["asset_id", "asset", "owner", "owner_id", "roles", "needs_approval", "shared"],
         as_json=as_json, title="Owned by partner")


@app.command("drop")
def drop(center_id: CenterArg, owner_id: OwnerArg, asset_id: AssetArg, yes: YesOpt = False,
         as_: AsOption = None) -> None:
    """Remove one asset an owner shares from this Business Center's side; your members
    lose it at once and the owner is told."""
    server = client(as_)
    confirm(yes, f"Drop asset {asset_id} that Business Center {owner_id} shares? Your "
                 "members lose it at once.")
    server.delete(_base(center_id, "partner-assets", owner_id, asset_id))
    typer.echo("Dropped.")


# -- access requests -------------------------------------------------------------------


@app.command("ask")
def ask(
    center_id: CenterArg,
    owner_id: OwnerArg,
    asset_ids: Annotated[list[str], typer.Argument(help="The owner's asset ids.")],
    role: Annotated[str, typer.Option("--role", "-r", help="The role to ask for, e.g. "
                                                           "operator.")],
    message: MessageOpt = "",
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ask an owner for some of its assets at a role. Already partners: its Admins decide
    each; otherwise this sends a partner request carrying them."""
    done: dict[str, Any]
    server = client(as_)
    done = server.post(_base(center_id, "access-requests"), {
        "owner_id": owner_id, "asset_ids": asset_ids, "role": role, "message": message})
    if as_json:
        emit([done], [], as_json=True)
    elif done["partner_request"] is not None:
        typer.echo(_said(done["partner_request"]) + " The assets are asked for once they "
                   "accept.")
    else:
        for r in done["access_requests"]:
            typer.echo(f"Asked {r['owner']['name']} for {_asked(r)} as "
                       f"{', '.join(r['roles'])} (request {r['id']}).")


@app.command("access-requests")
def access_requests_(
    center_id: CenterArg,
    outgoing: Annotated[bool, typer.Option(
        "--outgoing", help="What this Business Center asked its owners for, instead of "
                           "what partners ask of it.")] = False,
    state: Annotated[str, typer.Option(
        help="PENDING, APPROVED, DECLINED, WITHDRAWN, or all.")] = "PENDING",
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Access requests: partners asking for this Business Center's assets, or with
    --outgoing what it asked its owners for."""
    server = client(as_)
    found = server.pages(_base(center_id, "access-requests"),
                         direction="outgoing" if outgoing else "incoming", state=state)
    emit(_access_rows(found), ACCESS_COLUMNS, as_json=as_json,
         title="Access requests sent" if outgoing else "Access requests to decide")


def _decided(center_id: str, request_id: str, as_: str | None, *, approve: bool,
             roles: list[str] | None) -> dict[str, Any]:
    server = client(as_)
    route = _base(center_id, "access-requests", request_id,
                  "approve" if approve else "decline")
    answer: dict[str, Any] = server.post(route, {"roles": roles} if approve and roles
                                         else {})
    return answer


@app.command("approve")
def approve(
    center_id: CenterArg,
    request_id: RequestArg,
    role: Annotated[list[str] | None, typer.Option(
        "--role", "-r", help="Give this role instead of the one asked for (at most that "
                             "one; repeatable for TikTok accounts).")] = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve a partner's access request: the asset is shared at the role asked for,
    or at the lower one given."""
    done = _decided(center_id, request_id, as_, approve=True, roles=role)
    if as_json:
        emit([done], [], as_json=True)
    else:
        typer.echo(f"{_asked(done)} shared with {done['partner']['name']} as "
                   f"{', '.join(done['granted_roles'])}.")


@app.command("decline-access")
def decline_access(center_id: CenterArg, request_id: RequestArg, as_: AsOption = None,
                   as_json: JsonOption = False) -> None:
    """Decline a partner's access request; its Admins are told."""
    done = _decided(center_id, request_id, as_, approve=False, roles=None)
    if as_json:
        emit([done], [], as_json=True)
    else:
        typer.echo(f"Declined {done['partner']['name']}'s request for "
                   f"{_asked(done)}.")


@app.command("withdraw")
def withdraw(center_id: CenterArg, request_id: RequestArg, as_: AsOption = None) -> None:
    """Withdraw an access request this Business Center sent, before the owner decides."""
    done: dict[str, Any]
    server = client(as_)
    done = server.delete(_base(center_id, "access-requests", request_id))
    typer.echo(f"Withdrew the request for {_asked(done)}.")
