"""Assets and asset groups: list, create, who has access, assign and unassign."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bizcenter.access.actions import Action
from bizcenter.access.engine import OwnerAsk, check, explain
from bizcenter.assets import groups as group_services
from bizcenter.assets.ceilings import Ceiling, ceilings
from bizcenter.assets.holders import holders
from bizcenter.assets.models import Asset, AssetGroup
from bizcenter.assets.services import (
    assign,
    create_asset,
    get_asset,
    list_assets,
    owned_assets,
    unassign,
    update_asset,
)
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import get_member, member_by_address
from bizcenter.core.errors import ServiceError
from bizcenter.core.lookup import find
from bizcenter.core.pagination import clamped, page_number_of
from bizcenter.web.confirm import Ask, ask, confirmed
from bizcenter.web.forms import (
    AssetForm,
    AssignForm,
    GroupForm,
    GroupMemberForm,
    GroupSeatForm,
    StatusForm,
    status_of,
)
from bizcenter.web.pickers import AssetPicker, searching
from bizcenter.web.scope import ask_last_day, center_page, picked_end
from bizcenter.web.views import actor, safe_next


def _refused(form: Any, error: ServiceError) -> None:
    """A refusal of the person is a 403 page; anything else belongs beside the form."""
    if error.status == 403:
        raise error
    form.add_service_error(error)


@center_page
@require_http_methods(["GET", "POST"])
def asset_list(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    me = actor(request)
    q = request.GET
    form = AssetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = create_asset(me, center, **form.cleaned_data)
        except ServiceError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Created {made}. Assign it to members below.")
            return redirect("web:asset", center_id=center.pk, asset_id=made.pk)
    # Past the last page: the last page (core/pagination.py, issue 21).
    page = clamped(lambda n: list_assets(me, center, type=q.get("type") or None,
                                         search=q.get("q", ""), page=n),
                   page_number_of(q.get("page")))
    shared = ceilings(me, center, [a.pk for a in page.items if a.center_id != center.pk])
    return render(request, "web/assets/assets.html",
                  {"center": center, "page": page, "q": q, "form": form,
                   "rows": [(a, shared.get(a.pk)) for a in page.items],
                   "can_manage": check(me.user, Action.ASSET_MANAGE, center)},
                  status=status_of(form))


@center_page
@require_http_methods(["GET", "POST"])
def asset_detail(request: HttpRequest, center: BusinessCenter, asset_id: int) -> HttpResponse:
    me = actor(request)
    asset = get_asset(me, center, asset_id)
    step = request.POST.get("step")
    assign_form = AssignForm(request.POST if step == "assign" else None, asset_type=asset.type,
                             ceiling=_ceiling(me, center, asset))
    ask_last_day(assign_form, center)
    status_form = StatusForm(request.POST if step == "status" else None,
                             initial={"status": asset.status})
    if step == "assign" and assign_form.is_valid():
        data = assign_form.cleaned_data
        try:
            member = member_by_address(me, center, data["person"])
            assign(me, center, member.pk, asset.pk, data["roles"],
                   expires_at=picked_end(data["expires"], center))
        except ServiceError as error:
            _refused(assign_form, error)
        else:
            messages.success(request, f"{member.user.label} now has {asset}.")
            return redirect("web:asset", center_id=center.pk, asset_id=asset.pk)
    if step == "status" and status_form.is_valid():
        try:
            update_asset(me, center, asset.pk, status=status_form.cleaned_data["status"])
        except ServiceError as error:
            _refused(status_form, error)
        else:
            messages.success(request, f"{asset} is now {status_form.cleaned_data['status']}.")
            return redirect("web:asset", center_id=center.pk, asset_id=asset.pk)
    return _asset_page(request, center, asset, assign_form, status_form,
                       status_of(assign_form, status_form))


def _ceiling(me: Any, center: BusinessCenter, asset: Asset) -> Ceiling | None:
    """The share an asset of a partner arrives at here; None for one owned here."""
    if asset.center_id == center.pk:
        return None
    return ceilings(me, center, [asset.pk]).get(asset.pk)


def _asset_page(request: HttpRequest, center: BusinessCenter, asset: Asset, assign_form: Any,
                status_form: Any, status: int) -> HttpResponse:
    me = actor(request)
    can_manage = bool(check(me.user, Action.ASSET_MANAGE, center))
    who = holders(me, center, asset.pk)[1] if can_manage else None
    ceiling = _ceiling(me, center, asset)
    # What only the owner can lift: for an Admin here, the share itself (ask for the next
    # role up); for a member, why they cannot change the ad account, when that is it.
    ask, why_not = None, None
    if ceiling is not None and can_manage and ceiling.next_role is not None:
        ask = OwnerAsk(ceiling.owner, ceiling.owner_public_id, asset.pk, ceiling.next_role)
    elif ceiling is not None and not can_manage and asset.type == "ADVERTISER" and me.user:
        answer = explain(me.user, Action.CAMPAIGN_PROPOSE, asset, within=center)
        why_not = answer if answer.ask is not None else None
    return render(request, "web/assets/asset.html",
                  {"center": center, "asset": asset, "holders": who, "can_manage": can_manage,
                   "assign_form": assign_form, "status_form": status_form,
                   "owned": asset.center_id == center.pk, "ceiling": ceiling, "ask": ask,
                   "why_not": why_not},
                  status=status)


@center_page
@require_POST
def asset_unassign(request: HttpRequest, center: BusinessCenter, asset_id: int,
                   member_id: int) -> HttpResponse:
    me = actor(request)
    back = safe_next(request, reverse("web:asset", args=[center.pk, asset_id]))
    if not confirmed(request):
        owned_assets(me, center, limit=1)  # who may unassign (ASSET_MANAGE), before anything
        asset = get_asset(me, center, asset_id)
        who = get_member(me, center, member_id).user.label
        return ask(request, Ask(f"Unassign {asset} from {who}?",
                                f"{who} loses the direct access to {asset} at once (access "
                                "through a group or a partner stays).", button="Unassign",
                                back=back), center=center)
    try:
        unassign(me, center, member_id, asset_id)
    except ServiceError as error:
        if error.status == 403:
            raise
        # e.g. unassigned already in another tab: say so on the asset's page, at its status
        asset = get_asset(me, center, asset_id)
        messages.error(request, error.message)
        again = AssignForm(asset_type=asset.type, ceiling=_ceiling(me, center, asset))
        ask_last_day(again, center)
        return _asset_page(request, center, asset, again,
                           StatusForm(initial={"status": asset.status}), error.status)
    messages.success(request, "Removed the direct assignment.")
    return redirect(back)


@center_page
@require_http_methods(["GET", "POST"])
def group_list(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    me = actor(request)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = group_services.create_group(me, center, form.cleaned_data["name"])
        except ServiceError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Created {group}. Pick its assets and members.")
            return redirect("web:group", center_id=center.pk, group_id=group.pk)
    return render(request, "web/assets/groups.html",
                  {"center": center, "groups": group_services.list_groups(me, center),
                   "form": form}, status=status_of(form))


@center_page
@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, center: BusinessCenter, group_id: int) -> HttpResponse:
    me = actor(request)
    group: AssetGroup = find(group_services.list_groups(me, center), group_id,
                             f"No asset group with id {{id}} in {center.name}.")
    step = request.POST.get("step")
    member_form = GroupMemberForm(request.POST if step == "member" else None)
    # The assets are chosen with the picker (web/pickers.py): what it could not find is
    # said beside its search box, with the other choices kept and nothing saved.
    picker = AssetPicker(me, center, request.POST if step == "assets" else None, owned=True,
                         mode="set", initial=list(group.assets.values_list("pk", flat=True)),
                         label="Assets in the group")
    # Removing a member sends an id from a hidden input, not typed text: a refusal is
    # said above the page, at its status.
    picks = GroupSeatForm(request.POST) if step == "remove" else None
    status = 200
    try:
        if step == "assets" and searching(request.POST):
            pass  # the picker's Search or page button: shown again, not saved
        elif step == "assets" and picker.problems:
            for problem in picker.problems:  # said above the page and beside the picker
                messages.error(request, problem)
            status = 400
        elif picks is not None and not picks.is_valid():
            for errors in picks.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            status = 400
        elif step == "assets":
            group_services.set_assets(me, center, group.pk, picker.chosen_ids)
            messages.success(request, f"Saved the assets of {group}.")
            return redirect("web:group", center_id=center.pk, group_id=group.pk)
        elif step == "member" and member_form.is_valid():
            member = member_by_address(me, center, member_form.cleaned_data["person"])
            group_services.set_member(me, center, group.pk, member.pk, member_form.roles())
            messages.success(request, f"{member.user.label} is in {group}.")
            return redirect("web:group", center_id=center.pk, group_id=group.pk)
        elif step in ("remove", "delete") and not confirmed(request):
            return ask(request, _group_question(me, center, group, step, picks),
                       center=center)
        elif step == "remove" and picks is not None:
            group_services.remove_member(me, center, group.pk, picks.cleaned_data["member"])
            messages.success(request, f"Removed from {group}.")
            return redirect("web:group", center_id=center.pk, group_id=group.pk)
        elif step == "delete":
            group_services.delete_group(me, center, group.pk)
            messages.success(request, f"Deleted {group}; its members lost what it gave them.")
            return redirect("web:groups", center_id=center.pk)
    except ServiceError as error:
        if step == "member":
            _refused(member_form, error)
        elif error.status == 403:
            raise
        else:
            messages.error(request, error.message)
            status = error.status
    seats = group.members.select_related("membership__user").order_by("membership__user__name")
    return render(request, "web/assets/group.html",
                  {"center": center, "group": group, "member_form": member_form,
                   "picker": picker,
                   "seats": seats},
                  status=status_of(member_form) if member_form.errors else status)


def _group_question(me: Any, center: BusinessCenter, group: AssetGroup, step: str,
                    picks: Any) -> Ask:
    """What removing a member from a group, or deleting the group, changes."""
    back = reverse("web:group", args=[center.pk, group.pk])
    if step == "delete":
        return Ask(f"Delete {group}?",
                   "Its members lose the assets it gave them (unless they also hold them "
                   "directly). This cannot be undone.", button="Delete group", back=back,
                   cancel="Keep it")
    who = get_member(me, center, picks.cleaned_data["member"]).user.label
    return Ask(f"Remove {who} from {group}?",
               f"{who} loses the assets {group} gave them at once (unless they also hold "
               "them directly or through another group).", button="Remove from group",
               back=back)
