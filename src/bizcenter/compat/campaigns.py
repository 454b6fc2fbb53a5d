"""Campaigns: campaign/get|create|update|status/update/.

Enum values are TikTok's already (objective_type, BUDGET_MODE_*, ENABLE /
DISABLE / DELETE). A change by someone who may change the ad account directly
is applied at once; the same call by a Standard member who may only propose
becomes a change request that an Admin approves: the answer is still code 0,
with ``applied: false``, the ``change_request_id``, and a message that says so.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bizcenter.campaigns import services
from bizcenter.campaigns.models import BudgetMode, Campaign, CampaignStatus
from bizcenter.campaigns.services import Outcome
from bizcenter.centers.models import BusinessCenter
from bizcenter.compat import shapes
from bizcenter.compat.door import Call, endpoint
from bizcenter.compat.envelope import Reply
from bizcenter.compat.errors import param
from bizcenter.compat.paging import listing, page_of, paging, sliced
from bizcenter.compat.params import field_of

FIELDS = ("advertiser_id", "campaign_id", "campaign_name", "objective_type", "budget_mode",
          "budget", "operation_status", "secondary_status", "create_time", "modify_time",
          "schedule_start_time", "schedule_end_time")
PRIMARY = {"STATUS_ALL": None, "STATUS_NOT_DELETE": None, "STATUS_DELETE": "DELETE",
           "STATUS_DISABLE": "DISABLE", "STATUS_DELIVERY_OK": "ENABLE", "STATUS_ENABLE": "ENABLE"}
SECONDARY = {f"CAMPAIGN_STATUS_{s}": s for s in CampaignStatus.values}
OPERATIONS = tuple(CampaignStatus.values)


def row(c: Campaign) -> dict[str, Any]:
    return {
        "advertiser_id": str(c.advertiser_id), "campaign_id": str(c.pk),
        "campaign_name": c.name, "objective_type": c.objective,
        "budget_mode": c.budget_mode,
        "budget": shapes.amount(c.budget) if c.budget is not None else 0.0,
        "operation_status": c.status, "secondary_status": f"CAMPAIGN_STATUS_{c.status}",
        "create_time": shapes.when(c.created_at), "modify_time": shapes.when(c.updated_at),
        # bizcenter keeps a campaign's schedule on the campaign (TikTok: on ad groups)
        "schedule_start_time": shapes.when(c.start_at),
        "schedule_end_time": shapes.when(c.end_at),
    }


@endpoint("GET")
def campaign_get(call: Call) -> dict[str, Any]:
    center = call.own_center()
    p = call.params
    advertiser_id = p.id("advertiser_id") or ""
    page = paging(p, most=1000)
    fields = p.strings("fields")
    if fields is not None and (unknown := sorted(set(fields) - set(FIELDS))):
        raise param(f"Unknown fields: {', '.join(unknown)}. Use any of: {', '.join(FIELDS)}.")
    filtering = p.obj("filtering")
    status = None
    if (primary := field_of(filtering, "primary_status")) is not None:
        if primary not in PRIMARY:
            raise param(f"'{primary}' is not a primary_status. Use one of: "
                        f"{', '.join(PRIMARY)}.")
        status = PRIMARY[primary]
    if (secondary := field_of(filtering, "secondary_status")) is not None:
        if secondary not in SECONDARY:
            raise param(f"'{secondary}' is not a campaign secondary_status. Use one of: "
                        f"{', '.join(SECONDARY)}.")
        status = SECONDARY[secondary]
    objective = field_of(filtering, "objective_type")
    who = call.actor
    if ids := filtering.get("campaign_ids"):
        if not isinstance(ids, list) or len(ids) > 100:
            raise param("filtering.campaign_ids must be a list of at most 100 ids.")
        found = [services.get_campaign(who, center, i) for i in dict.fromkeys(map(str, ids))]
        chosen = [c for c in found if str(c.advertiser_id) == advertiser_id
                  and (status is None or c.status == status)
                  and (objective is None or c.objective == objective)]
        rows, total = sliced(chosen, page)
    else:
        rows, total = page_of(lambda n, s: services.list_campaigns(
            who, center, advertiser_id=advertiser_id, status=status, objective=objective,
            search=field_of(filtering, "campaign_name") or "", page=n, page_size=s), page)
    out = [row(c) for c in rows]
    if fields is not None:
        out = [{k: v for k, v in r.items() if k in fields} for r in out]
    return listing(out, page, total)


def _answer(outcome: Outcome, center: BusinessCenter) -> Reply:
    if outcome.request is not None:
        request = outcome.request
        data = {"applied": False, "change_request_id": str(request.pk),
                "change_request_status": request.state,
                "advertiser_id": str(request.advertiser_id),
                "campaign_id": str(request.campaign_id) if request.campaign_id else None}
        return Reply(data, f"Sent for approval: you may only propose changes in this ad "
                     f"account, so this became change request {request.pk}. Nothing changes "
                     f"until an Admin of {center.name} approves it.")
    assert outcome.campaign is not None
    return Reply({"applied": True, **row(outcome.campaign)})


def _fields(call: Call) -> dict[str, Any]:
    """The campaign fields of a TikTok body, in the services' names."""
    p = call.params
    fields: dict[str, Any] = {}
    if (name := p.text("campaign_name")) is not None:
        fields["name"] = name
    if (objective := p.text("objective_type")) is not None:
        fields["objective"] = objective
    if (mode := p.enum("budget_mode", tuple(BudgetMode.values))) is not None:
        fields["budget_mode"] = mode
    # TikTok sends budgets as JSON numbers, read as Decimal (never float), so a number
    # goes to the money parser as the number written: 25.5 is 25.5, 1e11 is too large
    # (not "not an amount"), 25.505 is refused for its decimals, never rounded.
    budget: Any = p.raw("budget")
    if not (isinstance(budget, Decimal | int) and not isinstance(budget, bool)):
        budget = p.text("budget")
    if budget is not None:
        fields["budget"] = budget
    return fields


@endpoint("POST")
def campaign_create(call: Call) -> Reply:
    center = call.own_center()
    p = call.params
    advertiser_id = p.id("advertiser_id") or ""
    fields = _fields(call)
    for required, ours in (("campaign_name", "name"), ("objective_type", "objective")):
        if ours not in fields:
            raise param(f"{required} is required.")
    fields.setdefault("budget_mode", BudgetMode.DAILY)
    if fields["budget_mode"] == BudgetMode.INFINITE:
        fields.pop("budget", None)  # TikTok clients send 0 with no limit
    if (status := p.enum("operation_status", ("ENABLE", "DISABLE"))) is not None:
        fields["status"] = status
    return _answer(services.create_campaign(call.actor, center, advertiser_id, **fields),
                   center)


def _in_advertiser(call: Call, center: BusinessCenter, campaign_id: str) -> None:
    """The campaign must be in the advertiser_id the body names, as in TikTok."""
    advertiser_id = call.params.id("advertiser_id") or ""
    campaign = services.get_campaign(call.actor, center, campaign_id)
    if str(campaign.advertiser_id) != advertiser_id:
        raise param(f"Campaign {campaign_id} is not in ad account {advertiser_id}.")


@endpoint("POST")
def campaign_update(call: Call) -> Reply:
    center = call.own_center()
    campaign_id = call.params.id("campaign_id") or ""
    _in_advertiser(call, center, campaign_id)
    fields = _fields(call)
    if "objective" in fields:
        raise param("objective_type cannot be changed once a campaign exists (as in TikTok).")
    if not fields:
        raise param("Give campaign_name, budget or budget_mode to change.")
    return _answer(services.update_campaign(call.actor, center, campaign_id, **fields), center)


@endpoint("POST")
def campaign_status_update(call: Call) -> Reply:
    """ENABLE, DISABLE or DELETE campaigns; all of them change (or are proposed), or none."""
    center = call.own_center()
    p = call.params
    status = p.enum("operation_status", OPERATIONS, required=True) or ""
    ids = p.ids("campaign_ids")
    applied: list[str] = []
    proposed: list[dict[str, str]] = []
    for campaign_id in ids:
        _in_advertiser(call, center, campaign_id)
        outcome = services.set_status(call.actor, center, campaign_id, status)
        if outcome.request is not None:
            proposed.append({"campaign_id": campaign_id,
                             "change_request_id": str(outcome.request.pk)})
        else:
            applied.append(campaign_id)
    data = {"campaign_ids": applied, "status": status, "change_requests": proposed}
    if not proposed:
        return Reply(data)
    return Reply(data, f"Sent for approval: {len(proposed)} of {len(ids)} status changes "
                 f"became change requests; nothing changes in those until an Admin of "
                 f"{center.name} approves them.")

