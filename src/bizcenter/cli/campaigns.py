"""``bizcenter campaigns`` and ``bizcenter requests``: campaigns, and the change requests
of Standard members that Admins approve.

A change by someone who may change the ad account directly is applied at once; the
same change by a Standard OPERATOR becomes a change request. Both doors answer which
(the API's ``{"applied": ...}``), and the command says it in words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

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
    fail,
    iso,
    parse_when,
    person_label,
    stamp,
)
from bizcenter.cli.remote import path

if TYPE_CHECKING:
    pass

app = typer.Typer(help="List, create and change campaigns (a Standard member's changes "
                  "become change requests).", no_args_is_help=True)
requests_app = typer.Typer(help="Change requests: Admins approve or reject them, their "
                           "author can withdraw them.", no_args_is_help=True)

CampaignArg = Annotated[str, typer.Argument(help="Campaign id (from campaigns list).")]
RequestArg = Annotated[str, typer.Argument(help="Change request id (from requests list).")]
NameOpt = Annotated[str | None, typer.Option(help="Name of the campaign.")]
ObjectiveOpt = Annotated[str | None, typer.Option(
    help="REACH, TRAFFIC, VIDEO_VIEWS, CONVERSIONS, APP_PROMOTION or LEAD_GENERATION.")]
BudgetModeOpt = Annotated[str | None, typer.Option(
    help="BUDGET_MODE_DAY, BUDGET_MODE_TOTAL or BUDGET_MODE_INFINITE (no limit).")]
BudgetOpt = Annotated[str | None, typer.Option(
    help="Amount in the ad account's currency (its owner's), e.g. 150.50.")]
StartOpt = Annotated[str | None, typer.Option(
    "--start", help="Starts (YYYY-MM-DD: the start of that day, UTC; or a time).")]
EndOpt = Annotated[str | None, typer.Option(
    "--end", help="Ends (YYYY-MM-DD: the end of that day, UTC; or a time).")]
CommentOpt = Annotated[str, typer.Option(help="A note for the author.")]

COLUMNS = ["id", "name", "ad_account", "objective", "budget", "budget_mode", "status",
           "starts", "ends", "version"]
REQUEST_COLUMNS = ["id", "kind", "state", "ad_account", "campaign_id", "changes", "stale",
                   "proposed_by", "proposed_at", "decided_by", "comment"]


def row(c: dict[str, Any]) -> dict[str, Any]:
    """A campaign as the API writes it (``CampaignOut``), as a row; its budget in its ad
    account's owner's currency, which a partner's campaign may not share with ours."""
    return {
        "id": c["id"],
        "name": c["name"],
        "ad_account": f"{c['advertiser_name']} ({c['advertiser_id']})",
        "objective": c["objective"],
        "budget": f"{c['budget']} {c['currency']}" if c["budget"] is not None else "no limit",
        "budget_mode": c["budget_mode"],
        "status": c["status"],
        "starts": stamp(c["start_at"]),
        "ends": stamp(c["end_at"]),
        "version": c["version"],
    }


def _value(value: Any) -> str:
    return "" if value is None else str(value)


def request_row(r: dict[str, Any]) -> dict[str, Any]:
    """A change request as the API writes it (``ChangeRequestOut``), as a row."""
    changes = []
    for d in r["differences"]:
        now = f" (now {_value(d['now'])})" if d["now"] is not None else ""
        before = f"{_value(d['before'])} -> " if d["before"] is not None else ""
        changes.append(f"{d['label']}: {before}{_value(d['after'])}{now}")
    return {
        "id": r["id"],
        "kind": r["kind"],
        "state": r["state"],
        "ad_account": f"{r['advertiser_name']} ({r['advertiser_id']})",
        "campaign_id": r["campaign_id"],
        "changes": changes,
        "stale": "yes" if r["stale"] else "",
        "proposed_by": person_label(r["proposed_by"]) if r["proposed_by"] else "",
        "proposed_at": stamp(r["proposed_at"]),
        "decided_by": person_label(r["decided_by"]) if r["decided_by"] else "",
        "comment": r["comment"],
    }








def _print_outcome(answer: dict[str, Any], as_json: bool, done: str) -> None:
    """Applied: the campaign. Proposed: the change request, and that nothing changed yet.
    ``applied`` is printed either way (in JSON next to ``items``)."""
    if answer["applied"]:
        emit([row(answer["campaign"])], COLUMNS, as_json=as_json, title=done,
             extra={"applied": True})
        return
    request = answer["change_request"]
    emit([request_row(request)], REQUEST_COLUMNS, as_json=as_json,
         title="Change request (not applied yet)", extra={"applied": False})
    if not as_json:
        typer.echo(f"Not applied yet: sent to the Admins as change request {request['id']}; "
                   "it applies when one of them approves it.")


def _fields(name: str | None, objective: str | None, budget_mode: str | None,
            budget: str | None, start: str | None, end: str | None, no_start: bool,
            no_end: bool) -> dict[str, Any]:
    """The fields given, as the services and the API take them (times in UTC)."""
    fields: dict[str, Any] = {"name": name, "objective": objective,
                              "budget_mode": budget_mode, "budget": budget,
                              "start_at": parse_when(start, "start", day_end=False),
                              "end_at": parse_when(end, "end")}
    given = {k: v for k, v in fields.items() if v is not None}
    if no_start:
        given["start_at"] = None
    if no_end:
        given["end_at"] = None
    return given


def _body(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: iso(v) if k in ("start_at", "end_at") else v for k, v in fields.items()}


# -- campaigns ---------------------------------------------------------------------------


@app.command("list")
def list_(
    center_id: CenterArg,
    advertiser: Annotated[str | None, typer.Option(help="Ad account id.")] = None,
    status: Annotated[str | None, typer.Option(
        help="ENABLE, DISABLE or DELETE (deleted ones only when asked for).")] = None,
    objective: ObjectiveOpt = None,
    search: Annotated[str, typer.Option(help="Part of the name.")] = "",
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Campaigns of the ad accounts you may see, most recently changed first."""
    server = client(as_)
    result = server.get(path("centers", center_id, "campaigns"), advertiser=advertiser,
                        status=status, objective=objective, q=search, page=page,
                        page_size=page_size)
    emit_page(result, [row(c) for c in result["items"]], COLUMNS,
              as_json=as_json, title="Campaigns")


@app.command("show")
def show(center_id: CenterArg, campaign_id: CampaignArg, as_: AsOption = None,
         as_json: JsonOption = False) -> None:
    """One campaign."""
    server = client(as_)
    found = server.get(path("centers", center_id, "campaigns", campaign_id))
    emit([row(found)], COLUMNS, as_json=as_json, title="Campaign")


@app.command("create")
def create(
    center_id: CenterArg,
    advertiser_id: Annotated[str, typer.Argument(help="Ad account id.")],
    name: Annotated[str, typer.Argument(help="Name of the campaign.")],
    objective: ObjectiveOpt = None,
    budget_mode: BudgetModeOpt = None,
    budget: BudgetOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a campaign in an ad account (or propose it, as a Standard member).

    Applied at once for whoever may change the ad account; a Standard OPERATOR's becomes
    a change request for an Admin to approve."""
    if not objective:  # the API would refuse in its own words: said here, the same both ways
        fail("give --objective: REACH, TRAFFIC, VIDEO_VIEWS, CONVERSIONS, APP_PROMOTION or "
             "LEAD_GENERATION.")
    fields = _fields(name, objective, budget_mode, budget, start, end, False, False)
    server = client(as_)
    answer = server.post(path("centers", center_id, "campaigns"),
                         {"advertiser_id": advertiser_id, **_body(fields)})
    _print_outcome(answer, as_json, "Campaign created")


@app.command("update")
def update(
    center_id: CenterArg,
    campaign_id: CampaignArg,
    name: NameOpt = None,
    objective: ObjectiveOpt = None,
    budget_mode: BudgetModeOpt = None,
    budget: BudgetOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    no_start: Annotated[bool, typer.Option("--no-start", help="Remove the start time.")] = False,
    no_end: Annotated[bool, typer.Option("--no-end", help="Remove the end time.")] = False,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change the fields given (or propose it, as a Standard member).

    Applied at once for whoever may change the ad account; a Standard OPERATOR's becomes
    a change request for an Admin to approve. The status has its own commands (pause,
    enable, delete)."""
    fields = _fields(name, objective, budget_mode, budget, start, end, no_start, no_end)
    server = client(as_)
    answer = server.patch(path("centers", center_id, "campaigns", campaign_id),
                          _body(fields))
    _print_outcome(answer, as_json, "Campaign updated")


def _status(center_id: str, campaign_id: str, status: str, as_: str | None, as_json: bool,
            done: str) -> None:
    server = client(as_)
    answer = server.post(path("centers", center_id, "campaigns", campaign_id, "status"),
                         {"status": status})
    _print_outcome(answer, as_json, done)


@app.command("pause")
def pause(center_id: CenterArg, campaign_id: CampaignArg, as_: AsOption = None,
          as_json: JsonOption = False) -> None:
    """Disable a campaign (or propose it, as a Standard member)."""
    _status(center_id, campaign_id, "DISABLE", as_, as_json, "Campaign paused")


@app.command("enable")
def enable(center_id: CenterArg, campaign_id: CampaignArg, as_: AsOption = None,
           as_json: JsonOption = False) -> None:
    """Enable a campaign again (or propose it, as a Standard member)."""
    _status(center_id, campaign_id, "ENABLE", as_, as_json, "Campaign enabled")


@app.command("delete")
def delete(center_id: CenterArg, campaign_id: CampaignArg, yes: YesOpt = False,
           as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Delete a campaign for good (or propose it, as a Standard member). Asks first."""
    server = client(as_)
    found = server.get(path("centers", center_id, "campaigns", campaign_id))
    confirm(yes, f"Delete the campaign '{found['name']}'? A deleted campaign cannot be "
            "changed or enabled again.")
    _status(center_id, campaign_id, "DELETE", as_, as_json, "Campaign deleted")


# -- change requests ---------------------------------------------------------------------


@requests_app.command("list")
def list_requests(
    center_id: CenterArg,
    state: Annotated[str | None, typer.Option(
        help="PENDING, APPROVED, REJECTED or WITHDRAWN.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only your own (Admins see every "
                                       "request otherwise).")] = False,
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    as_: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change requests, newest first: all for Admins, your own for others."""
    server = client(as_)
    result = server.get(path("centers", center_id, "change-requests"), state=state,
                        mine=mine, page=page, page_size=page_size)
    emit_page(result, [request_row(r) for r in result["items"]], REQUEST_COLUMNS,
              as_json=as_json, title="Change requests")


@requests_app.command("show")
def show_request(center_id: CenterArg, request_id: RequestArg, as_: AsOption = None,
                 as_json: JsonOption = False) -> None:
    """One change request, field by field.

    Each field shows its value when proposed, the proposal and, when the campaign moved
    since, its value now."""
    server = client(as_)
    found = server.get(path("centers", center_id, "change-requests", request_id))
    emit([request_row(found)], REQUEST_COLUMNS, as_json=as_json, title="Change request")
    if found["stale"] and found["state"] == "PENDING" and not as_json:
        typer.echo("The campaign changed since this was proposed: approving it is refused; "
                   "reject it, or ask for a new proposal.")


def _decide(center_id: str, request_id: str, approve: bool, comment: str, as_: str | None,
            as_json: bool) -> None:
    verb = "approve" if approve else "reject"
    server = client(as_)
    done = server.post(path("centers", center_id, "change-requests", request_id, verb),
                       {"comment": comment})
    emit([request_row(done)], REQUEST_COLUMNS, as_json=as_json,
         title="Approved and applied" if approve else "Rejected")


@requests_app.command("approve")
def approve(center_id: CenterArg, request_id: RequestArg, comment: CommentOpt = "",
            as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Apply a pending change request (Admins).

    Refused when the campaign changed since the proposal (stale) or when it was already
    decided."""
    _decide(center_id, request_id, True, comment, as_, as_json)


@requests_app.command("reject")
def reject(center_id: CenterArg, request_id: RequestArg, comment: CommentOpt = "",
           as_: AsOption = None, as_json: JsonOption = False) -> None:
    """Refuse a pending change request (Admins); nothing changes."""
    _decide(center_id, request_id, False, comment, as_, as_json)


@requests_app.command("withdraw")
def withdraw(center_id: CenterArg, request_id: RequestArg, as_: AsOption = None,
             as_json: JsonOption = False) -> None:
    """Take back a pending change request of your own."""
    server = client(as_)
    done = server.post(path("centers", center_id, "change-requests", request_id,
                            "withdraw"))
    emit([request_row(done)], REQUEST_COLUMNS, as_json=as_json, title="Withdrawn")
