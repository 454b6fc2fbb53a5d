"""Users -> Partners: the members list, pending invitations, Add Partners, revoke.

Views translate: they read the query string or form, call one service, and
render what it returns. Any refusal from a service (403, 404, 409, ...) is
shown as a page saying what happened, at its status.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.decorators.http import require_http_methods, require_POST

from bizcenter.access.actions import Action
from bizcenter.access.engine import check
from bizcenter.assets.ceilings import edit_member_with_shared, member_shared_roles
from bizcenter.assets.services import direct_grants
from bizcenter.centers import enddates
from bizcenter.centers.choices import FinanceRole, MemberStatus, PartnerKind, Role
from bizcenter.centers.models import BusinessCenter, Membership, MembershipState
from bizcenter.centers.services import (
    consequences,
    get_member,
    list_members,
    revoke_member,
)
from bizcenter.core.errors import ServiceError
from bizcenter.core.pagination import PAGE_SIZES, clamped
from bizcenter.invitations import imports, undo
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from bizcenter.web.confirm import Ask, ask, confirmed, undo_button
from bizcenter.web.forms import EditMemberForm, InviteForm
from bizcenter.web.lists import back, headers, here, list_query
from bizcenter.web.pickers import AssetPicker, searching
from bizcenter.web.scope import ask_last_day, center_page, picked_end
from bizcenter.web.views import actor, safe_next

# The status filter of the members list; the first is the default: an ended membership
# stays in view so that an Admin can extend it.
STATES = [("ACTIVE,EXPIRED", "Not revoked"), ("ACTIVE", "Active"), ("EXPIRED", "Expired"),
          ("REVOKED", "Revoked"), ("", "All")]

# Results the Admin can act on by correcting the address or trying again later.
FIXABLE = {"invalid", "limit_reached", "domain_not_allowed"}


# The members list's sortable columns (header label, sort key): keys of centers' SORTS.
MEMBER_COLUMNS: list[tuple[str, str | None]] = [
    ("Name", "name"), ("Role", "role"), ("Billing access", None), ("Kind", "kind"),
    ("Access", None), ("Assets", None), ("Status", None), ("Last active", "last_active")]


@center_page
def members(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    q = request.GET
    state = q.get("state", STATES[0][0])
    me = actor(request)
    asked = list_query(request, ["joined", *(k for _, k in MEMBER_COLUMNS if k)], "joined")
    page = clamped(lambda n: list_members(me, center, search=asked.search,
                                          role=q.get("role") or None, kind=q.get("kind") or None,
                                          state=state or None, sort=asked.sort.value,
                                          page=n, page_size=asked.size), asked.page)
    base = reverse("web:members", args=[center.pk])
    return render(request, "web/partners/members.html", {
        "center": center, "page": page, "q": q, "page_sizes": PAGE_SIZES,
        "rows": [member_row(m, base, center) for m in page.items],
        "headers": headers(request, asked.sort, MEMBER_COLUMNS), "here": here(request),
        "can_manage": bool(check(me.user, Action.MEMBER_MANAGE, center)),
        "state": state, "states": STATES, "tab": "members"})


class MemberRow(TypedDict):
    """One line of the members table, worded by member_row() rather than by template
    filters: each filter (a date, a choice's label, a join) cost the template about
    20 us, a row had twenty of them and a page shows 50, which made rendering 25 of
    the page's 40 ms. The template only places and escapes these strings. A dict, as
    the template looks a name up in a dict first (an object costs it a TypeError)."""

    link: str  # the member's page; its edit and revoke pages are under it
    id: int
    selectable: bool  # not revoked yet: a bulk revoke or remove can take it
    name: str
    contact: str
    role: str
    finance_role: str
    kind: str
    modules: str
    assets: str
    status: str
    ends: str
    last_active: str
    editable: bool


def member_row(m: Membership, base: str, center: BusinessCenter) -> MemberRow:
    """``center`` is the one listed: its time zone says which day is the last."""
    status = m.status
    ends = ""
    if m.expires_at is not None:
        word = "ended after" if status == MemberStatus.EXPIRED else "last day"
        ends = f"{word} {enddates.shown(m.expires_at, center)}"
    return MemberRow(
        link=f"{base}{m.pk}/", id=m.pk, selectable=m.state != MembershipState.REVOKED,
        name=m.user.name or "—",
        contact=m.user.email or m.user.phone or "",
        # Labels from the choices themselves, as elsewhere: Django's get_FOO_display()
        # rebuilds the field's whole choice dict on each call, 150 times a page.
        role=Role(m.role).label, finance_role=FinanceRole(m.finance_role).label,
        kind=PartnerKind(m.kind).label, modules=", ".join(m.modules).lower() or "—",
        assets="all" if m.role == Role.ADMIN else str(m.asset_count),  # type: ignore[attr-defined]
        status=MemberStatus(status).label, ends=ends,
        last_active=(f"{localtime(m.last_active_at):%Y-%m-%d %H:%M}"
                     if m.last_active_at else "never"),
        editable=m.state == MembershipState.ACTIVE)


# The invitations list's sortable columns (header label, sort key).
INVITATION_COLUMNS: list[tuple[str, str | None]] = [
    ("Sent to", "address"), ("Role", "role"), ("Access", None), ("Sent", "sent"),
    ("Expires", "expires")]  # no Status column: the Status filter shows one status


@center_page
def pending(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    q = request.GET
    me = actor(request)
    asked = list_query(request, [k for _, k in INVITATION_COLUMNS if k], "-sent")
    page = clamped(lambda n: invitations.list_invitations(
        me, center, status=q.get("status", "PENDING"), search=asked.search,
        sort=asked.sort.value, page=n, page_size=asked.size), asked.page)
    return render(request, "web/partners/invitations.html", {
        "center": center, "page": page, "q": q, "page_sizes": PAGE_SIZES,
        "headers": headers(request, asked.sort, INVITATION_COLUMNS), "here": here(request),
        "can_invite": bool(check(me.user, Action.MEMBER_INVITE, center)),
        "tab": "invitations"})


@center_page
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    me = actor(request)
    posted = request.POST if request.method == "POST" else None
    form = InviteForm(request.POST or None, request.FILES or None,
                      picker=AssetPicker(me, center, posted, owned=True))
    ask_last_day(form, center)
    results = None
    # One-time key of this form, made when it is shown, kept while it is being fixed:
    # sent again after it started an import, it leads to that import (see start_import).
    form_key = request.POST.get("form_key", "")
    if not imports.is_form_key(form_key):
        form_key = imports.new_form_key()
    if searching(posted):  # the picker's Search or page button: shown again, not sent
        form.searched()
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = Grant(role=data["role"], modules=tuple(data["modules"]),
                          finance_role=data["finance_role"], kind=data["kind"],
                          expires_at=picked_end(data["expires"], center), assets=form.asset_roles())
            if data["file"]:  # typed addresses, if any, go in the same import
                job = imports.start_import(me, center, data["file"].read(), grant,
                                           file_name=data["file"].name,
                                           typed=form.address_list(), prefer=form.prefer(),
                                           form_key=form_key)
                if job.repeated:
                    messages.info(request, "This form was already sent: here is the import "
                                  "it started. Nobody was invited twice.")
                return redirect("web:import", center_id=center.pk, import_id=job.pk)
            results = invitations.invite(me, center, form.address_list(), grant)
        except ServiceError as error:
            if error.status == 403:
                raise
            form.add_service_error(error)
        else:
            # Keep the choices, and only the addresses that still need fixing.
            retry = [r.address for r in results if r.status in FIXABLE]
            initial = {k: v for k, v in data.items() if k != "file"}
            kept = {int(k): v for k, v in form.asset_roles().items()}
            form = InviteForm(initial={**initial, "addresses": "\n".join(retry)},
                              picker=AssetPicker(me, center, None, owned=True, initial=kept))
            ask_last_day(form, center)
            form_key = imports.new_form_key()  # a new form
    status = 400 if form.errors else 200
    return render(request, "web/partners/add_partners.html",
                  {"center": center, "form": form, "results": results, "tab": "add",
                   "form_key": form_key}, status=status)


@center_page
def import_progress(request: HttpRequest, center: BusinessCenter, import_id: int) -> HttpResponse:
    """The CSV import's progress; htmx swaps in the fresh fragment every second until done."""
    job = imports.get_import(actor(request), center, import_id)
    template = ("web/partners/_import_progress.html" if request.headers.get("HX-Request")
                else "web/partners/import.html")
    return render(request, template, {"center": center, "job": job, "tab": "add",
                                      "summary": imports.summary(job),
                                      "not_invited": imports.not_invited(job)
                                      if job.finished else []})


def _on_the_list(request: HttpRequest, error: ServiceError) -> None:
    """What went wrong with an invitation the list shows (already accepted, no seat left)
    is said on the list itself; a refusal or an id not found here is the 403 or 404 page,
    as everywhere else."""
    if error.status in (403, 404):
        raise error
    messages.error(request, error.message)


@center_page
@require_POST
def resend(request: HttpRequest, center: BusinessCenter, invitation_id: int) -> HttpResponse:
    try:
        done = invitations.resend(actor(request), center, invitation_id)
    except ServiceError as error:
        _on_the_list(request, error)
    else:
        messages.success(request, f"Sent a new link to {done.invitation.address}; the old "
                         "link no longer works.")
    return redirect(back(request, reverse("web:invitations", args=[center.pk])))


@center_page
@require_POST
def cancel(request: HttpRequest, center: BusinessCenter, invitation_id: int) -> HttpResponse:
    """Cancel asks first (web/confirm.py) and can be undone for a short while."""
    back = safe_next(request, reverse("web:invitations", args=[center.pk]))
    if not confirmed(request):
        try:
            invitation = undo.cancel_preview(actor(request), center, invitation_id)
        except ServiceError as error:
            if error.status in (403, 404):
                raise
            return ask(request, Ask("This invitation cannot be cancelled", "", button="",
                                    back=back, refused=error.message),
                       center=center, tab="invitations")
        return ask(request, Ask(f"Cancel the invitation to {invitation.address}?",
                                "The link in the invitation stops working; nobody can join "
                                "through it any more. You can undo this for "
                                f"{undo.UNDO_MINUTES} minutes.", button="Cancel invitation",
                                back=back, cancel="Keep it"),
                   center=center, tab="invitations")
    try:
        done = invitations.cancel(actor(request), center, invitation_id)
    except ServiceError as error:
        _on_the_list(request, error)
    else:
        messages.success(request, undo_button(
            request, f"Cancelled the invitation to {done.address}.",
            reverse("web:invitation_restore", args=[center.pk, done.pk]),
            fields=[("next", back)]))
    return redirect(back)


@center_page
@require_POST
def restore(request: HttpRequest, center: BusinessCenter, invitation_id: int) -> HttpResponse:
    """Undo a cancellation made a moment ago: the invitation and its link work again."""
    back = safe_next(request, reverse("web:invitations", args=[center.pk]))
    try:
        done = undo.undo_cancel(actor(request), center, invitation_id)
    except ServiceError as error:
        _on_the_list(request, error)
    else:
        messages.success(request, f"The invitation to {done.address} is pending again; "
                         "its link works as before.")
    return redirect(back)


@center_page
def copy_link(request: HttpRequest, center: BusinessCenter, invitation_id: int) -> HttpResponse:
    link = invitations.link(actor(request), center, invitation_id)
    return render(request, "web/partners/copy_link.html", {"center": center, "link": link,
                                                  "tab": "invitations"})


@center_page
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, center: BusinessCenter, member_id: int) -> HttpResponse:
    """Revoke Access asks first, as every destructive action does (web/confirm.py); when
    it cannot be done (the last Admin), the same page says why, with a way back."""
    me = actor(request)
    membership = get_member(me, center, member_id)
    back = safe_next(request, reverse("web:members", args=[center.pk]))
    if not confirmed(request):
        return ask(request, revoke_question(center, membership,
                                            consequences(me, center, member_id), back),
                   fields=[("next", back)], center=center, tab="members")
    try:
        revoke_member(me, center, member_id)
    except ServiceError as error:
        if error.status in (403, 404):
            raise
        return ask(request, Ask(f"Revoke the access of {membership.user.label}?", "",
                                button="", back=back, refused=error.message),
                   center=center, tab="members")
    messages.success(request, f"{membership.user.label} no longer has access to "
                     f"{center.name}. You can invite them again later.")
    return redirect(back)


def revoke_question(center: BusinessCenter, membership: Membership, ends: Any,
                    back: str) -> Ask:
    """What revoking one member changes, or why it cannot be done."""
    name = membership.user.label
    details = []
    if ends.invitations:
        many = ends.invitations != 1
        details.append(f"The {ends.invitations} pending invitation{'s' * many} they sent "
                       f"{'are' if many else 'is'} cancelled: nobody joins through "
                       f"{'them' if many else 'it'} any more.")
    if ends.tokens:
        many = ends.tokens != 1
        details.append(f"Their {ends.tokens} API token{'s' * many} for {center.name} "
                       f"stop{'' if many else 's'} for good, even if you invite them again.")
    return Ask(f"Revoke the access of {name}?",
               f"They lose access to {center.name} at once, including any page they have "
               "open. Their history stays in the activity log, and you can invite them "
               "again later.", button="Revoke Access", back=back, details=details,
               refused=ends.refused, cancel="Keep access")


@center_page
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, center: BusinessCenter, member_id: int) -> HttpResponse:
    """Edit a partner's access; Confirm saves it all at once, and it applies on their
    next click."""
    me = actor(request)
    membership = get_member(me, center, member_id)
    # The picker offers what partners share here too, each only up to its share: an
    # Admin assigns those as well (a member's set of them is saved with the rest on
    # Confirm).
    initial: dict[str, Any] = {
        "role": membership.role, "modules": membership.modules,
        "finance_role": membership.finance_role, "kind": membership.kind,
        "expires": enddates.last_day(membership.expires_at, center)}
    held: dict[int, Any] = {g.asset_id: list(g.roles)
                            for g in direct_grants(me, center, membership.pk)}
    held.update(member_shared_roles(me, center, membership.pk))
    posted = request.POST if request.method == "POST" else None
    picker = AssetPicker(me, center, posted, owned=False, initial=held)
    form = EditMemberForm(request.POST or None, initial=initial, picker=picker)
    ask_last_day(form, center)
    if searching(posted):  # the picker's Search or page button: shown again, not saved
        form.searched()
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The end date is sent only when it was changed: the form shows the stored
        # instant as its last day, and an end stored to the second (through the API,
        # or at midnight UTC by older versions) must survive a plain Confirm.
        try:
            ends: dict[str, Any] = {}
            if "expires" in form.changed_data:
                ends = ({"expires_at": picked_end(data["expires"], center)} if data["expires"]
                        else {"clear_expiry": True})
            edit_member_with_shared(me, center, member_id, role=data["role"],
                                    modules=data["modules"], finance_role=data["finance_role"],
                                    kind=data["kind"], assets=form.asset_roles(),
                                    shared=form.shared_roles(), **ends)
        except ServiceError as error:
            if error.status in (403, 404):
                raise
            form.add_service_error(error)
        else:
            messages.success(request, f"Saved the access of {membership.user.label}.")
            return redirect("web:member", center_id=center.pk, member_id=membership.pk)
    return render(request, "web/partners/edit_member.html",
                  {"center": center, "membership": membership, "form": form, "tab": "members",
                   "ends": consequences(me, center, member_id) if membership.is_admin else None},
                  status=400 if form.errors else 200)
