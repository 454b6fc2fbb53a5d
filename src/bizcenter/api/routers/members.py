"""Members: list, read, edit and revoke."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field, model_validator

from bizcenter.api.auth import actor, center
from bizcenter.api.schemas import (
    ERRORS,
    EXPIRES_AT_IN,
    EndMoment,
    LastDay,
    MemberOut,
    PageInfo,
    Schema,
    last_day_in,
    one_end,
    page_info,
)
from bizcenter.centers import enddates
from bizcenter.centers.services import (
    consequences,
    get_member,
    list_members,
    revoke_member,
    update_member,
)

router = Router(tags=["Members"])


class MemberPage(Schema):
    items: list[MemberOut]
    page_info: PageInfo


class MemberFilters(Schema):
    q: str = ""
    role: str | None = None
    kind: str | None = None
    state: str | None = "ACTIVE,EXPIRED"
    sort: str = "joined"
    page: int = 1
    page_size: int = 50


class MemberPatch(Schema):
    role: str | None = None
    finance_role: str | None = None
    kind: str | None = None
    modules: list[str] | None = None
    expires_at: EndMoment | None = Field(None, description=EXPIRES_AT_IN)
    last_day: LastDay | None = last_day_in()
    clear_expiry: bool = Field(False, description="Remove the end date: access does not end.")

    @model_validator(mode="after")
    def _one_end(self) -> MemberPatch:
        one_end(self.expires_at, self.last_day)
        if self.clear_expiry and (self.expires_at or self.last_day):
            raise ValueError("send clear_expiry or an end date, not both")
        return self


@router.get("/{center_id}/members", response={200: MemberPage, **ERRORS})
def members(request: HttpRequest, center_id: int, filters: Query[MemberFilters]) -> MemberPage:
    """Search by name, email or phone; filter by role, kind and state (ACTIVE; EXPIRED,
    past its end time; REVOKED; several with commas, by default ACTIVE,EXPIRED: everyone
    not revoked; or empty for all); sort by joined, name, email, role or last_active
    (prefix - to reverse)."""
    where = center(request, center_id)
    found = list_members(actor(request), where, search=filters.q,
                         role=filters.role, kind=filters.kind, state=filters.state or None,
                         sort=filters.sort, page=filters.page, page_size=filters.page_size)
    return MemberPage(items=[MemberOut.of(m, where) for m in found.items],
                      page_info=page_info(found))


@router.get("/{center_id}/members/{member_id}", response={200: MemberOut, **ERRORS})
def member(request: HttpRequest, center_id: int, member_id: int) -> MemberOut:
    where = center(request, center_id)
    return MemberOut.of(get_member(actor(request), where, member_id), where)


class ConsequencesOut(Schema):
    invitations: int  # pending invitations they sent, cancelled with their access
    tokens: int  # their live API tokens for this Business Center, which stop for good


@router.get("/{center_id}/members/{member_id}/consequences",
            response={200: ConsequencesOut, **ERRORS})
def revoke_consequences(request: HttpRequest, center_id: int, member_id: int
                        ) -> ConsequencesOut:
    """What revoking this member also ends, to say before doing it (Admins)."""
    ends = consequences(actor(request), center(request, center_id), member_id)
    return ConsequencesOut(invitations=ends.invitations, tokens=ends.tokens)


@router.patch("/{center_id}/members/{member_id}", response={200: MemberOut, **ERRORS})
def edit_member(request: HttpRequest, center_id: int, member_id: int,
                payload: MemberPatch) -> MemberOut:
    """Only the fields sent change; the member's next request sees it. An end date is
    sent as last_day (a date: the last day of access, inclusive, in the Business
    Center's time zone) or as expires_at (the exact time it ends); sending back the
    last_day or expires_at read from the member changes nothing and records nothing."""
    where = center(request, center_id)
    changes = payload.model_dump(exclude_unset=True)
    if (day := changes.pop("last_day", None)) is not None:
        changes["expires_at"] = enddates.ends_at(day, where, field="last_day")
    return MemberOut.of(update_member(actor(request), where, member_id, **changes), where)


@router.delete("/{center_id}/members/{member_id}", response={200: MemberOut, **ERRORS})
def revoke(request: HttpRequest, center_id: int, member_id: int) -> MemberOut:
    """Revoke Access: effective on the member's next request, through every door."""
    where = center(request, center_id)
    return MemberOut.of(revoke_member(actor(request), where, member_id), where)
