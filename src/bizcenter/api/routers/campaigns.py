"""Campaigns, and the change requests of Standard members that Admins approve.

A create, an edit or a status change by someone who may change the ad account
directly (an Admin, an ADMIN of the ad account) is applied at once: 201 or 200
with ``{"applied": true, "campaign": {...}}``. The same call by a Standard
OPERATOR becomes a change request: 202 Accepted with ``{"applied": false,
"change_request": {...}}``, applied only when an Admin approves it. So does any
change made from a partner Business Center to an ad account its owner shared with
"Changes need our approval": it waits for the owner's Admins (``waits_for``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Status

from bizcenter.api.auth import actor, center
from bizcenter.api.idempotency import once
from bizcenter.api.schemas import (
    ERRORS,
    CenterName,
    Moment,
    Money,
    PageInfo,
    PersonOut,
    Schema,
    money,
    page_info,
    person,
    utc,
)
from bizcenter.campaigns import services
from bizcenter.campaigns.models import Campaign, ChangeRequest
from bizcenter.campaigns.services import Outcome

router = Router(tags=["Campaigns"])


class CampaignOut(Schema):
    id: str
    advertiser_id: str
    advertiser_name: str
    name: str
    objective: str
    budget_mode: str
    budget: str | None  # in `currency`, 2 decimals; None: no limit
    # The currency of the ad account's owner: a partner's campaign is in the partner's.
    currency: str
    start_at: datetime | None
    end_at: datetime | None
    status: str  # ENABLE, DISABLE or DELETE
    version: int  # grows with every applied change
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(c: Campaign) -> CampaignOut:
        return CampaignOut(
            id=str(c.pk), advertiser_id=str(c.advertiser_id), advertiser_name=c.advertiser.name,
            name=c.name, objective=c.objective, budget_mode=c.budget_mode,
            budget=money(c.budget), currency=services.currency_of(c),
            start_at=utc(c.start_at), end_at=utc(c.end_at),
            status=c.status, version=c.version, created_at=utc(c.created_at),
            updated_at=utc(c.updated_at))


class CampaignPage(Schema):
    items: list[CampaignOut]
    page_info: PageInfo


class DifferenceOut(Schema):
    field: str
    label: str
    before: Any  # the value when proposed (None for a new campaign)
    after: Any  # the proposed value
    now: Any = None  # the campaign's value now, when it changed since the proposal


class ChangeRequestOut(Schema):
    id: str
    kind: str  # CREATE, UPDATE or STATUS
    state: str  # PENDING, APPROVED, REJECTED or WITHDRAWN
    advertiser_id: str
    advertiser_name: str
    campaign_id: str | None  # set for edits, and for a new campaign once approved
    proposed: dict[str, Any]
    base: dict[str, Any]
    differences: list[DifferenceOut]
    stale: bool  # the campaign changed since the proposal: approving it is refused
    proposed_by: PersonOut | None
    proposed_at: datetime
    decided_by: PersonOut | None
    decided_at: datetime | None
    comment: str
    # Whose Admins decide it: this Business Center, or the owner of an ad account shared
    # with "Changes need our approval" on.
    waits_for: CenterName
    # The Business Center its author proposed it from, when another than waits_for.
    proposed_in: CenterName | None = None

    @staticmethod
    def of(r: ChangeRequest) -> ChangeRequestOut:
        return ChangeRequestOut(
            id=str(r.pk), kind=r.kind, state=r.state, advertiser_id=str(r.advertiser_id),
            advertiser_name=r.advertiser.name,
            campaign_id=str(r.campaign_id) if r.campaign_id else None,
            proposed=dict(r.proposed), base=dict(r.base),
            differences=[DifferenceOut(field=d.field, label=d.label, before=d.before,
                                       after=d.after, now=d.now)
                         for d in services.differences(r)],
            stale=services.is_stale(r), proposed_by=person(r.proposed_by),
            proposed_at=utc(r.proposed_at),
            decided_by=person(r.decided_by), decided_at=utc(r.decided_at), comment=r.comment,
            waits_for=CenterName(name=r.center.name),
            proposed_in=CenterName(name=r.proposed_in.name) if r.proposed_in else None)


class ChangeRequestPage(Schema):
    items: list[ChangeRequestOut]
    page_info: PageInfo


class Applied(Schema):
    """The change was made."""

    applied: Literal[True] = True
    campaign: CampaignOut


class Proposed(Schema):
    """The change awaits an Admin's approval; nothing changed yet."""

    applied: Literal[False] = False
    change_request: ChangeRequestOut


def answer(outcome: Outcome, done: int) -> tuple[int, Any]:
    """``done`` when applied, 202 Accepted when it became a change request."""
    if outcome.request is not None:
        return 202, Proposed(change_request=ChangeRequestOut.of(outcome.request)).model_dump(
            mode="json")
    assert outcome.campaign is not None
    return done, Applied(campaign=CampaignOut.of(outcome.campaign)).model_dump(mode="json")


RESULTS = {202: Proposed, **ERRORS}


class CampaignIn(Schema):
    advertiser_id: str
    name: str
    objective: str  # REACH, TRAFFIC, VIDEO_VIEWS, CONVERSIONS, APP_PROMOTION, LEAD_GENERATION
    budget_mode: str = "BUDGET_MODE_DAY"  # or BUDGET_MODE_TOTAL, BUDGET_MODE_INFINITE
    budget: Money | None = None
    start_at: Moment | None = None
    end_at: Moment | None = None

    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{
        "advertiser_id": "12", "name": "Spring sale", "objective": "TRAFFIC",
        "budget_mode": "BUDGET_MODE_DAY", "budget": "150.50",
        "start_at": "2026-04-01T09:00:00Z", "end_at": "2026-04-30T21:00:00Z"}]}}


class CampaignPatch(Schema):
    name: str | None = None
    objective: str | None = None
    budget_mode: str | None = None
    budget: Money | None = None
    start_at: Moment | None = None
    end_at: Moment | None = None

    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [
        {"budget": "200.00"}, {"name": "Spring sale (EU)", "end_at": "2026-05-15T21:00:00Z"}]}}


class StatusIn(Schema):
    status: str  # ENABLE, DISABLE or DELETE (a deleted campaign changes no more)

    model_config = {"json_schema_extra": {"examples": [{"status": "DISABLE"}]}}


class DecisionIn(Schema):
    comment: str = ""

    model_config = {"json_schema_extra": {"examples": [{"comment": "Budget OK until May."}]}}


class CampaignFilters(Schema):
    advertiser: str | None = None
    status: str | None = None
    objective: str | None = None
    q: str = ""
    page: int = 1
    page_size: int = 50


class RequestFilters(Schema):
    state: str | None = None
    mine: bool = False
    advertiser: str | None = None
    author: str = ""
    page: int = 1
    page_size: int = 50


# -- campaigns ---------------------------------------------------------------------------


@router.get("/{center_id}/campaigns", response={200: CampaignPage, **ERRORS})
def list_campaigns(request: HttpRequest, center_id: int,
                   filters: Query[CampaignFilters]) -> CampaignPage:
    """The campaigns of the ad accounts the caller may see, most recently changed first.
    Filter by ad account (advertiser id), status (ENABLE, DISABLE, DELETE; deleted ones
    only when asked for), objective, and q (part of the name)."""
    found = services.list_campaigns(
        actor(request), center(request, center_id), advertiser_id=filters.advertiser or None,
        status=filters.status or None, objective=filters.objective or None, search=filters.q,
        page=filters.page, page_size=filters.page_size)
    return CampaignPage(items=[CampaignOut.of(c) for c in found.items],
                        page_info=page_info(found))


@router.post("/{center_id}/campaigns", response={201: Applied, **RESULTS})
def create_campaign(request: HttpRequest, center_id: int, payload: CampaignIn) -> Status[Any]:
    """Create a campaign in an ad account. Applied at once (201) for whoever may change the
    ad account; a Standard OPERATOR's becomes a change request (202) for an Admin to
    approve. Amounts have at most 2 decimals; times are ISO 8601, in UTC when they carry
    no offset. Send an Idempotency-Key so a retry creates nothing twice."""
    target = center(request, center_id)

    def run() -> tuple[int, Any]:
        fields = payload.model_dump(exclude_unset=True)
        advertiser = fields.pop("advertiser_id")
        return answer(services.create_campaign(actor(request), target, advertiser, **fields),
                      201)

    return Status(*once(request, run))


@router.get("/{center_id}/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS})
def get_campaign(request: HttpRequest, center_id: int, campaign_id: int) -> CampaignOut:
    """One campaign, if the caller may see its ad account."""
    return CampaignOut.of(services.get_campaign(actor(request), center(request, center_id),
                                                campaign_id))


@router.patch("/{center_id}/campaigns/{campaign_id}", response={200: Applied, **RESULTS})
def update_campaign(request: HttpRequest, center_id: int, campaign_id: int,
                    payload: CampaignPatch) -> Status[Any]:
    """Change the fields sent (the status has its own endpoint). Only what differs is
    changed (200) or, for a Standard OPERATOR, proposed (202)."""
    return Status(*answer(services.update_campaign(
        actor(request), center(request, center_id), campaign_id,
        **payload.model_dump(exclude_unset=True)), 200))


@router.post("/{center_id}/campaigns/{campaign_id}/status", response={200: Applied, **RESULTS})
def set_status(request: HttpRequest, center_id: int, campaign_id: int,
               payload: StatusIn) -> Status[Any]:
    """Enable, disable or delete a campaign: applied (200), or proposed (202) by a
    Standard OPERATOR. A deleted campaign cannot change any more (409)."""
    return Status(*answer(services.set_status(actor(request), center(request, center_id),
                                              campaign_id, payload.status), 200))


# -- change requests ---------------------------------------------------------------------


@router.get("/{center_id}/change-requests", response={200: ChangeRequestPage, **ERRORS})
def list_requests(request: HttpRequest, center_id: int,
                  filters: Query[RequestFilters]) -> ChangeRequestPage:
    """Admins see the change requests waiting in the Business Center's Approvals inbox
    and those its people sent to a partner's (waits_for names whose Admins decide);
    others only their own, made from this Business Center, whichever inbox they wait in.
    mine=true narrows an Admin's list to their own too. Filter by
    state: PENDING, APPROVED, REJECTED, WITHDRAWN; by advertiser (an ad account id); by
    author (part of a name, email or phone). Newest first."""
    found = services.list_requests(actor(request), center(request, center_id),
                                   state=filters.state or None, mine=filters.mine,
                                   advertiser_id=filters.advertiser or None,
                                   author=filters.author, page=filters.page,
                                   page_size=filters.page_size)
    return ChangeRequestPage(items=[ChangeRequestOut.of(r) for r in found.items],
                             page_info=page_info(found))


@router.get("/{center_id}/change-requests/{request_id}",
            response={200: ChangeRequestOut, **ERRORS})
def get_request(request: HttpRequest, center_id: int, request_id: int) -> ChangeRequestOut:
    """One change request, field by field: the value when proposed (before), the
    proposal (after) and, when the campaign moved since, its value now. Its author and
    the Admins see it."""
    return ChangeRequestOut.of(services.get_request(actor(request),
                                                    center(request, center_id), request_id))


def _decide(request: HttpRequest, center_id: int, request_id: int, approve: bool,
            payload: DecisionIn | None) -> ChangeRequestOut:
    return ChangeRequestOut.of(services.decide(
        actor(request), center(request, center_id), request_id, approve=approve,
        comment=payload.comment if payload else ""))


@router.post("/{center_id}/change-requests/{request_id}/approve",
             response={200: ChangeRequestOut, **ERRORS})
def approve(request: HttpRequest, center_id: int, request_id: int,
            payload: DecisionIn | None = None) -> ChangeRequestOut:
    """Admins only: apply the proposal, in one transaction, and tell its author. Refused
    with 409 when it no longer fits: already decided, or stale (the campaign changed since
    the proposal; the message names the value now, then and proposed)."""
    return _decide(request, center_id, request_id, True, payload)


@router.post("/{center_id}/change-requests/{request_id}/reject",
             response={200: ChangeRequestOut, **ERRORS})
def reject(request: HttpRequest, center_id: int, request_id: int,
           payload: DecisionIn | None = None) -> ChangeRequestOut:
    """Admins only: refuse the proposal, with the reason its author reads (comment,
    required: 400 without one). Nothing changes; 409 when it was already decided."""
    return _decide(request, center_id, request_id, False, payload)


@router.post("/{center_id}/change-requests/{request_id}/withdraw",
             response={200: ChangeRequestOut, **ERRORS})
def withdraw(request: HttpRequest, center_id: int, request_id: int) -> ChangeRequestOut:
    """The author takes back a pending proposal; 409 when it was already decided."""
    return ChangeRequestOut.of(services.withdraw(actor(request), center(request, center_id),
                                                 request_id))
