"""Invitations: send up to 50 at once with a result per address, list, resend, cancel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field, model_validator

from bizcenter.api.auth import actor, center
from bizcenter.api.idempotency import once
from bizcenter.api.schemas import (
    ERRORS,
    LAST_DAY_IN,
    LAST_DAY_OUT,
    EndMoment,
    LastDay,
    PageInfo,
    Schema,
    end_sent,
    last_day_in,
    one_end,
    page_info,
)
from bizcenter.centers import enddates
from bizcenter.centers.models import BusinessCenter
from bizcenter.invitations import imports
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InviteImport
from bizcenter.invitations.services import Grant

router = Router(tags=["Invitations"])


class InvitationOut(Schema):
    id: str
    address: str
    address_kind: str
    status: str
    role: str
    finance_role: str
    kind: str
    modules: list[str]
    assets: list[dict[str, Any]]
    membership_expires_at: datetime | None = Field(
        description="The instant the membership given on acceptance ends (UTC). Null: it "
                    "does not end.")
    membership_last_day: date | None = Field(
        description=LAST_DAY_OUT.replace("expires_at", "membership_expires_at"))
    sent_at: datetime
    expires_at: datetime = Field(description="The instant the invitation's link stops working.")
    resend_count: int

    @staticmethod
    def of(i: Invitation, where: BusinessCenter | None = None) -> InvitationOut:
        """``where``: the invitation's Business Center when the caller has it at hand."""
        ends = i.membership_expires_at
        return InvitationOut(
            id=str(i.pk), address=i.address, address_kind=i.address_kind, status=i.status,
            role=i.role, finance_role=i.finance_role, kind=i.kind, modules=list(i.modules),
            assets=[{**a, "asset_id": str(a["asset_id"])} for a in i.assets],
            membership_expires_at=ends,
            membership_last_day=(enddates.last_day(ends, where if where is not None
                                                   else i.center) if ends else None),
            sent_at=i.sent_at, expires_at=i.expires_at, resend_count=i.resend_count)


class InvitationPage(Schema):
    items: list[InvitationOut]
    page_info: PageInfo


class InviteIn(Schema):
    addresses: list[str]
    role: str = "STANDARD"
    modules: list[str] = ["ANALYTICS"]
    finance_role: str = ""
    kind: str = "other"
    expires_at: EndMoment | None = Field(
        None, description="The exact time the membership ends (ISO 8601 with a time; UTC "
                          "when no offset). To give a date, send last_day instead.")
    last_day: LastDay | None = last_day_in(LAST_DAY_IN.replace("access", "the membership"))
    assets: dict[str, list[str]] = {}

    model_config = {"json_schema_extra": {"examples": [{
        "addresses": ["ana@agency.com", "+14155550123"], "role": "STANDARD",
        "modules": ["ANALYTICS", "CAMPAIGNS"], "kind": "agency",
        "assets": {"12": ["OPERATOR"]}, "last_day": "2027-06-30"}]}}

    @model_validator(mode="after")
    def _one_end(self) -> InviteIn:
        one_end(self.expires_at, self.last_day)
        return self


class InviteResultOut(Schema):
    address: str
    status: str  # invited, invalid, duplicate, already_member, already_invited, ...
    message: str
    normalized: str | None
    invitation_id: str | None


class InviteOut(Schema):
    results: list[InviteResultOut]
    invited: int


class StatusFilter(Schema):
    status: str | None = "PENDING"
    q: str = ""
    page: int = 1
    page_size: int = 50


@router.get("/{center_id}/invitations", response={200: InvitationPage, **ERRORS})
def list_invitations(request: HttpRequest, center_id: int,
                     filters: Query[StatusFilter]) -> InvitationPage:
    """status: PENDING (default), EXPIRED, ACCEPTED, CANCELLED, or ALL."""
    status = None if (filters.status or "").upper() in ("", "ALL") else filters.status
    where = center(request, center_id)
    found = invitations.list_invitations(actor(request), where, status=status,
                                         search=filters.q, page=filters.page,
                                         page_size=filters.page_size)
    return InvitationPage(items=[InvitationOut.of(i, where) for i in found.items],
                          page_info=page_info(found))


@router.post("/{center_id}/invitations", response={201: InviteOut, **ERRORS})
def invite(request: HttpRequest, center_id: int, payload: InviteIn) -> Status[Any]:
    """Invite up to 50 addresses; each gets its own result, and valid ones are invited even
    when others are not. Send an Idempotency-Key header so a retry sends nothing twice.
    429 past the hourly rate or the daily cap of invitations per Business Center.
    The membership's end: last_day (its last day, inclusive, in the Business Center's
    time zone) or expires_at (the exact time it ends)."""
    target = center(request, center_id)
    ends = end_sent(payload.last_day, payload.expires_at, target)

    def run() -> tuple[int, Any]:
        grant = Grant(role=payload.role, modules=tuple(payload.modules),
                      finance_role=payload.finance_role, kind=payload.kind,
                      expires_at=ends,
                      assets={k: list(v) for k, v in payload.assets.items()})
        results = invitations.invite(actor(request), target, payload.addresses, grant)
        out = InviteOut(results=[InviteResultOut(
            address=r.address, status=r.status, message=r.message, normalized=r.normalized,
            invitation_id=str(r.invitation.pk) if r.invitation else None) for r in results],
            invited=sum(r.ok for r in results))
        return 201, out.model_dump(mode="json")

    return Status(*once(request, run))


@router.post("/{center_id}/invitations/{invitation_id}/resend",
             response={200: InvitationOut, **ERRORS})
def resend(request: HttpRequest, center_id: int, invitation_id: int) -> Status[Any]:
    """A new link and expiry; the previous link stops working at once. With an
    Idempotency-Key a retried resend sends no second message."""
    target = center(request, center_id)

    def run() -> tuple[int, Any]:
        done = invitations.resend(actor(request), target, invitation_id)
        return 200, InvitationOut.of(done.invitation, target).model_dump(mode="json")

    return Status(*once(request, run))


class LinkOut(Schema):
    invitation_id: str
    link: str


@router.get("/{center_id}/invitations/{invitation_id}/link",
            response={200: LinkOut, **ERRORS}, summary="The link of a pending invitation")
def link(request: HttpRequest, center_id: int, invitation_id: int) -> LinkOut:
    """The same link the email or SMS carries, for an Admin to share another way ("Copy
    link"). It works only for the invited address, so handing it out grants nothing to
    anyone else; a cancelled, used or expired invitation answers 409."""
    url = invitations.link(actor(request), center(request, center_id), invitation_id)
    return LinkOut(invitation_id=str(invitation_id), link=url)


@router.post("/{center_id}/invitations/{invitation_id}/cancel",
             response={200: InvitationOut, **ERRORS})
def cancel(request: HttpRequest, center_id: int, invitation_id: int) -> InvitationOut:
    where = center(request, center_id)
    return InvitationOut.of(invitations.cancel(actor(request), where, invitation_id), where)


class InviteImportIn(Schema):
    csv: str = Field("", description="The CSV file's text (UTF-8): one address per row, or "
                     "columns headed Email and/or Phone; other columns are ignored.")
    file_name: str = ""
    addresses: list[str] = Field([], description="Addresses invited together with the "
                                 "file's rows, and reported first (as typed 1, 2, ...).")
    prefer: Literal["email", "phone"] = Field(
        "email", description="For rows with both an email and a phone: which one is invited.")
    role: str = "STANDARD"
    modules: list[str] = ["ANALYTICS"]
    finance_role: str = ""
    kind: str = "other"
    expires_at: EndMoment | None = None
    last_day: LastDay | None = last_day_in(LAST_DAY_IN.replace("access", "the membership"))
    assets: dict[str, list[str]] = {}

    @model_validator(mode="after")
    def _one_end(self) -> InviteImportIn:
        one_end(self.expires_at, self.last_day)
        return self


class InviteImportRowOut(Schema):
    source: str = Field(description="file or typed")
    row: int | None = Field(description="The file's row as a spreadsheet numbers it (the "
                            "header is row 1), or the typed address's place.")
    address: str
    status: str = Field(description="invited, duplicate, already_invited, already_member, "
                        "invalid, limit_reached, domain_not_allowed, empty, or stopped")
    message: str


class InviteImportOut(Schema):
    id: str
    state: str = Field(description="QUEUED, RUNNING, DONE or FAILED")
    file_name: str
    total: int = Field(description="Rows, typed addresses included; the counts add up to it "
                       "once the import is finished.")
    typed: int
    processed: int
    seats: int = Field(description="The new invitations it expected to send at upload: the "
                       "member seats it uses.")
    seats_free: int
    counts: dict[str, int]
    summary: str
    error: str
    rows: list[InviteImportRowOut]
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def of(job: InviteImport) -> InviteImportOut:
        return InviteImportOut(
            id=str(job.pk), state=job.state, file_name=job.file_name, total=job.total,
            typed=job.typed, processed=job.processed, seats=job.seats,
            seats_free=job.seats_free, counts=job.counts, summary=imports.summary(job),
            error=job.error, created_at=job.created_at, finished_at=job.finished_at,
            rows=[InviteImportRowOut(source=o[0], row=o[1], address=o[2], status=o[3], message=o[4])
                  for o in job.outcomes])


@router.post("/{center_id}/invitations/imports", response={202: InviteImportOut, **ERRORS},
             summary="Invite a CSV file of addresses in the background")
def start_import(request: HttpRequest, center_id: int, payload: InviteImportIn) -> Status[Any]:
    """Checked at once, invited by the worker: a bad file, or one needing more member or
    Admin seats than are left, is refused before anyone is invited (409 member_limit /
    admin_limit, with the numbers). Every row ends in ``rows`` with its outcome; poll
    GET .../imports/{id} until ``state`` is DONE or FAILED (a daily cap of invitations
    can stop it partway: the rows not reached are then ``stopped``, and ``error`` says
    why). Send an Idempotency-Key header so a retry does not import twice."""
    target = center(request, center_id)
    ends = end_sent(payload.last_day, payload.expires_at, target)

    def run() -> tuple[int, Any]:
        grant = Grant(role=payload.role, modules=tuple(payload.modules),
                      finance_role=payload.finance_role, kind=payload.kind, expires_at=ends,
                      assets={k: list(v) for k, v in payload.assets.items()})
        job = imports.start_import(actor(request), target, payload.csv.encode(), grant,
                                   file_name=payload.file_name, typed=payload.addresses,
                                   prefer=payload.prefer)
        return 202, InviteImportOut.of(job).model_dump(mode="json")

    return Status(*once(request, run))


@router.get("/{center_id}/invitations/imports/{import_id}",
            response={200: InviteImportOut, **ERRORS}, summary="An import's progress and results")
def get_import(request: HttpRequest, center_id: int, import_id: int) -> InviteImportOut:
    return InviteImportOut.of(imports.get_import(actor(request), center(request, center_id),
                                           import_id))
