"""Business Centers and their members: bc/get/, bc/member/get|invite|update|delete/.

TikTok's member states are ours: PENDING is a pending invitation (it counts
toward the seat limits, as TikTok's do), BOUND a current member, UNBOUND a
revoked one or one past its end time; ``membership_last_day`` (bizcenter's own) is
the last day of access, inclusive, in the Business Center's time zone. ``user_id``
is the member's id in this Business Center (the REST API's member id); a pending
invitation has none until it is accepted: it is cancelled by ``user_email``
(bc/member/delete/), then invited again to change it.
"""

from __future__ import annotations

from typing import Any

from bizcenter.centers import services as centers
from bizcenter.centers.choices import Role
from bizcenter.centers.models import Membership
from bizcenter.compat import shapes
from bizcenter.compat.door import Call, endpoint
from bizcenter.compat.envelope import Reply
from bizcenter.compat.errors import PARAM, PARTIAL_OK, TikTokError, param
from bizcenter.compat.paging import chained, listing, paging, sliced, window
from bizcenter.compat.params import field_of
from bizcenter.core.errors import InvalidInput, NotFound
from bizcenter.core.pagination import Page
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from bizcenter.invitations.services import Grant

STATUSES = ("BOUND", "PENDING", "UNBOUND", "REJECTED")
FINANCE = {"MANAGER": "MANAGER", "ANALYST": "ANALYST", "NONE": "", "": ""}


@endpoint("GET")
def bc_get(call: Call) -> dict[str, Any]:
    """The Business Centers this token reaches: exactly one, its own."""
    page = paging(call.params)
    center = call.own_center()
    mine = next((m for m in centers.memberships_of(call.token.user) if m.center_id == center.pk),
                None)
    rows, total = sliced([shapes.bc_row(center, mine)], page)
    return listing(rows, page, total)


def _finance_role(body: dict[str, Any]) -> str | None:
    ext = body.get("ext_user_role")
    if ext in (None, ""):
        return None
    if not isinstance(ext, dict):
        raise param("ext_user_role must be an object, e.g. {\"finance_role\": \"ANALYST\"}.")
    role = field_of(ext, "finance_role")
    if role is None:
        return None if "finance_role" not in ext else ""
    if role.upper() not in FINANCE:
        raise param(f"'{role}' is not a finance_role. Use MANAGER, ANALYST or NONE.")
    return FINANCE[role.upper()]


@endpoint("GET")
def member_get(call: Call) -> dict[str, Any]:
    """Members, then pending invitations, as one list; the default is BOUND and PENDING
    (filter on relation_status UNBOUND for revoked and expired members)."""
    center = call.center()
    page = paging(call.params)
    filtering = call.params.obj("filtering")
    status = field_of(filtering, "relation_status")
    if status is not None and status.upper() not in STATUSES:
        raise param(f"'{status}' is not a relation_status. Use one of: {', '.join(STATUSES)}.")
    role = field_of(filtering, "user_role")
    keyword = field_of(filtering, "keyword") or ""
    who = call.actor
    wanted = {status.upper()} if status else {"BOUND", "PENDING"}

    def members(number: int, size: int) -> Page[Membership]:
        return centers.list_members(who, center, search=keyword, role=role,
                                    state="EXPIRED,REVOKED" if "UNBOUND" in wanted
                                    else "ACTIVE",
                                    page=number, page_size=size)

    def pending(number: int, size: int) -> Page[Invitation]:
        return invitations.list_invitations(who, center, status=InvitationState.PENDING,
                                            search=keyword, role=role, page=number,
                                            page_size=size)

    rows: list[Membership | Invitation]
    if wanted == {"BOUND", "PENDING"}:
        rows, total = chained(members, pending, page)
    elif wanted & {"BOUND", "UNBOUND"}:
        rows, total = window(members, page.offset, page.page_size)
    elif wanted == {"PENDING"}:
        rows, total = window(pending, page.offset, page.page_size)
    else:  # REJECTED: bizcenter keeps no declined invitations apart from cancelled ones
        members(1, 1)  # still only for those who may see members
        rows, total = [], 0
    return listing([shapes.member_row(r, center) if isinstance(r, Membership)
                    else shapes.invitation_row(r, center) for r in rows], page, total)


@endpoint("POST")
def member_invite(call: Call) -> Reply:
    """Invite addresses (email, or phone in E.164: an extension), with their role, finance
    role and optional assets of one type. Every address is judged on its own; when
    some are refused the answer is 20001 (partially OK) naming them, when all are, the
    first refusal's code (a seat limit, a bad address, …)."""
    center = call.center()
    p = call.params
    emails = p.strings("emails")
    if not emails:
        raise param("emails is required: a list of the addresses to invite.")
    user_role = p.enum("user_role", tuple(Role.values), default="STANDARD") or "STANDARD"
    asset_type = p.enum("asset_type", shapes.ASSET_TYPES, default="ADVERTISER") or "ADVERTISER"
    asset_ids = p.ids("asset_ids", required=False)
    roles = shapes.role_of(p.data, asset_type, {"advertiser_role": "ANALYST",
                                                "catalog_role": "AD_PROMOTE"})
    grant: dict[str, Any] = {"role": user_role, "assets": {a: roles for a in asset_ids}}
    if (finance_role := _finance_role(p.data)) is not None:
        grant["finance_role"] = finance_role
    if (modules := p.strings("modules")) is not None:  # bizcenter's own: the modules given
        grant["modules"] = tuple(modules)
    results = invitations.invite(call.actor, center, emails, Grant(**grant))
    refused = [r for r in results if not r.ok]
    data = {"results": [{"email": r.address, "status": r.status.upper(), "message": r.message}
                        for r in results]}
    if not refused:
        return Reply(data)
    told = " ".join(f"{r.address}: {r.message}" for r in refused)
    if len(refused) == len(results):
        raise TikTokError(PARAM, told)
    invited = len(results) - len(refused)
    return Reply(data, f"Partially OK: {invited} of {len(results)} invited. {told}",
                 PARTIAL_OK)


@endpoint("POST")
def member_update(call: Call) -> dict[str, Any]:
    """Change a member's role and finance role; renaming someone is theirs to do."""
    center = call.center()
    p = call.params
    member_id = p.id("user_id")
    changes: dict[str, Any] = {}
    if (role := p.enum("user_role", tuple(Role.values))) is not None:
        changes["role"] = role
    if (finance_role := _finance_role(p.data)) is not None:
        changes["finance_role"] = finance_role
    if (name := p.text("user_name")) is not None:
        current = centers.get_member(call.actor, center, member_id or "")
        if name.strip() != current.user.name:
            raise param("user_name cannot be changed here: each person sets their own name "
                        "in their account.")
    if not changes:
        raise param("Give user_role or ext_user_role to change.")
    centers.update_member(call.actor, center, member_id or "", **changes)
    return {}


@endpoint("POST")
def member_delete(call: Call) -> dict[str, Any]:
    """Revoke a member (by user_id or user_email), or cancel a pending invitation (by
    user_email): effective on their very next request, through every door."""
    center = call.center()
    p = call.params
    member_id = p.id("user_id", required=False)
    email = p.text("user_email")
    if member_id is None and email is None:
        raise param("Give user_id, or user_email.")
    if member_id is not None:
        centers.revoke_member(call.actor, center, member_id)
        return {}
    assert email is not None
    try:
        member = centers.member_by_address(call.actor, center, email)
    except NotFound:
        member = None
    except InvalidInput as exc:
        raise param(exc.message) from exc
    if member is not None:
        centers.revoke_member(call.actor, center, member.pk)
        return {}
    address = email.strip().lower()
    found = invitations.list_invitations(call.actor, center, status=InvitationState.PENDING,
                                         search=address, page_size=200)
    pending = [i for i in found.items if i.address == address]
    if not pending:
        raise NotFound(f"{address} is neither a member of {center.name} nor invited to it.")
    invitations.cancel(call.actor, center, pending[0].pk)
    return {}
