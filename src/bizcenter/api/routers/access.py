"""Access itself: may someone do something and why, a member's access profile, and the
periodic access review. Every answer is the access engine's own."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router

from bizcenter.access import engine
from bizcenter.access.profile import Answer, AssetReach, Profile, mine, profile
from bizcenter.access.review import IDLE_DAYS, ReviewRow, access_review

# The troubleshooter's own reading of an action and a resource, so the caller's
# question about themself is read exactly like an Admin's about someone else.
from bizcenter.access.troubleshoot import _action, _resource, troubleshoot
from bizcenter.api.auth import actor, center
from bizcenter.api.schemas import (
    ERRORS,
    AssetOut,
    MemberOut,
    PageInfo,
    Schema,
    page_info,
    paged,
)

router = Router(tags=["Access"])


class Question(Schema):
    action: str = Field(description="An action of the catalogue, e.g. campaign.edit, "
                                    "asset.view, billing.view, member.invite.")
    resource: str = Field("", description="'center' (the default) or asset:ID, an asset "
                                          "this Business Center owns or a partner shares.")
    address: str = Field("", description="Email or phone of the person asked about, with "
                                         "or without an account (Admins); empty for the "
                                         "caller themself.")


# What the action asks of anyone (access.rules.needs), in words: the same for every
# person asked about, so it tells nothing about them.
NEEDS = ("What the action needs, whoever asks, in words: Admins only, a module, a role on "
         "the asset, a finance role. The same for every person asked about.")


class CheckOut(Schema):
    allowed: bool
    code: str  # allowed, or why not: admins_only, asset_not_assigned, invitation_pending, ...
    reason: str
    fix: str  # what to do about a denial; empty when allowed


class ExplainOut(Schema):
    allowed: bool
    code: str
    reasons: list[str]
    fix: str
    needs: str = Field(description=NEEDS)
    text: str  # the same, as readable lines

    @staticmethod
    def of(e: engine.Explanation) -> ExplainOut:
        return ExplainOut(allowed=e.allowed, code=e.code, reasons=list(e.reasons), fix=e.fix,
                          needs=e.needs, text=e.as_text())


class AnswerOut(Schema):
    action: str
    label: str
    allowed: bool
    code: str
    reasons: list[str]
    fix: str

    @staticmethod
    def of(a: Answer) -> AnswerOut:
        e = a.explanation
        return AnswerOut(action=a.action.value, label=a.label, allowed=e.allowed, code=e.code,
                         reasons=list(e.reasons), fix=e.fix)


class AssetReachOut(Schema):
    asset: AssetOut
    roles: list[str]
    via: list[str]  # direct, group <name>, shared by <partner>, ...
    answers: list[AnswerOut]

    @staticmethod
    def of(r: AssetReach, here: int) -> AssetReachOut:
        return AssetReachOut(asset=AssetOut.of(r.asset, here), roles=list(r.roles), via=list(r.via),
                             answers=[AnswerOut.of(a) for a in r.answers])


class ProfileOut(Schema):
    member: MemberOut
    all_assets: bool  # an Admin: every asset the Business Center owns, not only those listed
    center: list[AnswerOut]
    assets: list[AssetReachOut]

    @staticmethod
    def of(p: Profile) -> ProfileOut:
        return ProfileOut(member=MemberOut.of(p.membership), all_assets=p.all_assets,
                          center=[AnswerOut.of(a) for a in p.center],
                          assets=[AssetReachOut.of(r, p.membership.center_id)
                                  for r in p.assets])


class ReviewRowOut(Schema):
    kind: str  # member, invitation or partner
    id: str  # the member's, the invitation's or the partner Business Center's id
    who: str
    role: str
    finance_role: str
    partner_kind: str
    modules: list[str]
    assets: int
    since: datetime  # joined, invitation sent, or partner added
    last_active: datetime | None
    ends: datetime | None  # membership end, or invitation expiry
    idle: bool
    note: str

    @staticmethod
    def of(r: ReviewRow) -> ReviewRowOut:
        return ReviewRowOut(kind=r.kind, id=str(r.id), who=r.who, role=r.role,
                            finance_role=r.finance_role, partner_kind=r.partner_kind,
                            modules=list(r.modules), assets=r.assets, since=r.since,
                            last_active=r.last_active, ends=r.ends, idle=r.idle, note=r.note)


class ReviewPage(Schema):
    items: list[ReviewRowOut]
    page_info: PageInfo
    idle: int  # idle members in the whole review, not only this page


class ReviewFilters(Schema):
    idle_days: int = Field(IDLE_DAYS, ge=1, le=3650,
                           description="Members with no activity for this many days are idle.")
    only_idle: bool = False
    page: int = 1
    page_size: int = 50


def _explain(request: HttpRequest, center_id: int, question: Question) -> engine.Explanation:
    who, target = actor(request), center(request, center_id)
    if question.address.strip():
        return troubleshoot(who, target, question.address, question.action, question.resource)
    wanted = _action(question.action)
    assert who.user is not None  # a token always belongs to a person
    return engine.explain(who.user, wanted, _resource(who, target, question.resource),
                          within=target)


@router.get("/{center_id}/access/check", response={200: CheckOut, **ERRORS})
def check(request: HttpRequest, center_id: int, question: Query[Question]) -> CheckOut:
    """May this person do this here? Without an address, the caller themself (any
    member); with one, anyone by email or phone, even with no account yet (Admins).
    The answer is 200 either way: allowed says yes or no, code and reason say why, and
    fix what to do about a denial. /access/explain gives every reason."""
    found = _explain(request, center_id, question)
    return CheckOut(allowed=found.allowed, code=found.code,
                    reason=found.reasons[0] if found.reasons else "", fix=found.fix)


@router.get("/{center_id}/access/explain", response={200: ExplainOut, **ERRORS})
def explain(request: HttpRequest, center_id: int, question: Query[Question]) -> ExplainOut:
    """The decision with every reason behind it and, for a denial, the fix: an invitation
    still pending or expired, a role too low, an asset not assigned, an ad account not
    active, 2-step verification missing, ... Without an address, about the caller
    themself; with one, the Admin's troubleshooter, which tells only what this Business
    Center knows (a member, or its own invitation to exactly that address) and answers
    any other address alike, account or not."""
    return ExplainOut.of(_explain(request, center_id, question))


@router.get("/{center_id}/access/me", response={200: ProfileOut, **ERRORS})
def my_access(request: HttpRequest, center_id: int) -> ProfileOut:
    """Everything the caller can reach in this Business Center, and why: each action on
    the Business Center and on each asset, with the engine's answer."""
    return ProfileOut.of(mine(actor(request), center(request, center_id)))


@router.get("/{center_id}/members/{member_id}/access", response={200: ProfileOut, **ERRORS})
def member_access(request: HttpRequest, center_id: int, member_id: int) -> ProfileOut:
    """Everything one member can reach, and why (Admins; a member may read their own)."""
    return ProfileOut.of(profile(actor(request), center(request, center_id), member_id))


@router.get("/{center_id}/access/review", response={200: ReviewPage, **ERRORS})
def review(request: HttpRequest, center_id: int, filters: Query[ReviewFilters]) -> ReviewPage:
    """Everyone who can reach this Business Center, for the periodic review (Admins):
    members (least recently active first, idle ones flagged), pending invitations, and
    partner Business Centers with what they were shared. Revoke with DELETE
    /members/{member_id}."""
    rows = access_review(actor(request), center(request, center_id),
                         idle_days=filters.idle_days)
    shown = [r for r in rows if r.idle] if filters.only_idle else rows
    page = paged(shown, filters.page, filters.page_size)
    return ReviewPage(items=[ReviewRowOut.of(r) for r in page.items], page_info=page_info(page),
                      idle=sum(r.idle for r in rows))
