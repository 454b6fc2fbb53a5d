"""Members: list, read, edit and revoke."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field, model_validator

from bizcenter.api.auth import actor, center
from bizcenter.api.routers.centers import ERRORS
from bizcenter.api.schemas import (
    EXPIRES_AT_IN,
    EXPIRES_AT_OUT,
    LAST_DAY_OUT,
    EndMoment,
    LastDay,
    PageInfo,
    Schema,
    last_day_in,
    one_end,
)
from bizcenter.centers import enddates
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import get_member, list_members, revoke_member, update_member
from bizcenter.core.pagination import Page

router = Router(tags=["Members"])


class PersonOut(Schema):
    id: str
    name: str
    email: str | None
    phone: str | None


class MemberOut(Schema):
    id: str
    user: PersonOut
    role: str
    finance_role: str
    kind: str
    modules: list[str]
    state: str
    joined_at: datetime
    last_active_at: datetime | None
    expires_at: datetime | None = Field(description=EXPIRES_AT_OUT)
    last_day: date | None = Field(description=LAST_DAY_OUT)
    asset_count: int | None = None

    @staticmethod
    def of(m: Membership, where: BusinessCenter | None = None) -> MemberOut:
        """``where``: the member's Business Center when the caller has it at hand, so a
        page of members does not read it once per row for its time zone."""
        u = m.user
        return MemberOut(
            id=str(m.pk), user=PersonOut(id=str(u.pk), name=u.name, email=u.email, phone=u.phone),
            role=m.role, finance_role=m.finance_role, kind=m.kind, modules=list(m.modules),
            state=m.status, joined_at=m.joined_at, last_active_at=m.last_active_at,
            expires_at=m.expires_at,
            last_day=enddates.last_day(m.expires_at, where if where is not None else m.center),
            asset_count=getattr(m, "asset_count", None))


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


def page_info(page: Page) -> PageInfo:  # type: ignore[type-arg]
    return PageInfo(page=page.page, page_size=page.page_size, total=page.total, pages=page.pages)


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
