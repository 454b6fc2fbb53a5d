"""Partner Business Centers: requests both ways, partners we share with, what partners
share with us, and asking an owner for access.

One page holds every step an Admin takes, each a small form posted with a ``step``;
the view calls one partner service per step and shows its refusal beside the form it
belongs to, or above the page. Destructive steps (end, drop, unshare, decline) ask first,
the way every destructive action does (web/confirm.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bizcenter.assets import partners as partner_services
from bizcenter.assets.ceilings import allowed_roles
from bizcenter.assets.kinds import RULES
from bizcenter.assets.models import AccessRequest, Partnership
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import NotFound, ServiceError
from bizcenter.core.lookup import find
from bizcenter.web.confirm import Ask, ask, confirmed
from bizcenter.web.forms import status_of
from bizcenter.web.partner_forms import ApproveForm, AskForm, PartnerRequestForm, ShareForm
from bizcenter.web.pickers import AssetPicker, asset_label, role_label, searching
from bizcenter.web.scope import center_page
from bizcenter.web.views import actor, form_page


def _here(center: BusinessCenter) -> HttpResponse:
    return redirect("web:partner_centers", center_id=center.pk)


def _simple_step(request: HttpRequest, me: Actor, center: BusinessCenter,
                 step: str) -> str | None:
    """Steps with no form of their own: run the service, say what happened."""
    post = request.POST
    other, asset, item = post.get("other", ""), post.get("asset", ""), post.get("request", "")
    if step == "accept":
        link = partner_services.accept(me, center, item)
        other_center = link.other(center)
        return (f"You are now partners with {other_center}. "
                + ("Share assets with it below." if link.owner_id == center.pk else
                   "What it shares with you appears below."))
    if step == "decline":
        partner_services.decline(me, center, item)
        return "Declined. They were told, without anything else about you."
    if step == "cancel":
        partner_services.cancel_request(me, center, item)
        return "Request cancelled."
    if step == "unshare":
        partner_services.unshare(me, center, other, asset)
        return "Stopped sharing; the partner's members lost it at once."
    if step == "drop":
        partner_services.drop_shared(me, center, other, asset)
        return "Removed from your side; your members lost it at once, and the owner was told."
    if step == "end":
        partner_services.end_partnership(me, center, other)
        return "Partnership ended: nothing is shared between you any more."
    if step in ("approve", "decline_access"):
        form = ApproveForm(post)
        form.is_valid()
        decided = partner_services.decide_access(me, center, item, approve=step == "approve",
                                                  roles=form.role_list())
        return (f"Shared {decided.asset} as {', '.join(decided.granted_roles)}."
                if step == "approve" else f"Declined the request for {decided.asset}.")
    if step == "withdraw":
        partner_services.withdraw_access(me, center, item)
        return "Request withdrawn."
    return None


@center_page
@require_http_methods(["GET", "POST"])
def partner_centers(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    me = actor(request)
    step = request.POST.get("step", "")
    ask_form = PartnerRequestForm(request.POST if step == "request" else None)
    sharing = request.POST if step == "share" else None
    share_form = ShareForm(sharing, picker=AssetPicker(me, center, sharing, owned=True,
                                                       label="Assets to share, each at a role"))
    refused: ServiceError | None = None
    if searching(sharing):  # the picker's Search or page button: shown again, not shared
        share_form.searched()
        return render(request, "web/partner_centers/partner_centers.html",
                      _context(request, me, center, ask_form, share_form))
    try:
        if step == "request" and ask_form.is_valid():
            sent = partner_services.request_partner(me, center,
                                                    ask_form.cleaned_data["partner_id"],
                                                    message=ask_form.cleaned_data["message"])
            messages.success(request, f"Request sent to Business Center {sent.asked_for}. "
                             "Nothing is shared until its Admins accept.")
            return _here(center)
        if step == "share" and share_form.is_valid():
            messages.success(request, _share(me, center, request.POST.get("other", ""),
                                             share_form))
            return _here(center)
        if step in ASKS_FIRST and not confirmed(request):
            return ask(request, _question(me, center, step, request.POST), center=center)
        if said := _simple_step(request, me, center, step):
            messages.success(request, said)
            return _here(center)
    except ServiceError as error:
        if error.status == 403:
            raise
        form = ask_form if step == "request" else share_form if step == "share" else None
        if form is share_form and error.status == 404:
            form = None  # no card of that partner to show it in: say it above the page
        if form is not None:
            form.add_service_error(error)
        else:
            messages.error(request, error.message)
            refused = error
    context = _context(request, me, center, ask_form, share_form)
    if ask_form.errors or share_form.errors:  # a field to fix (400) or its refusal's status
        return render(request, "web/partner_centers/partner_centers.html", context,
                      status=status_of(ask_form, share_form))
    return form_page(request, "web/partner_centers/partner_centers.html", context, refused=refused)


def _share(me: Actor, center: BusinessCenter, other: str, form: ShareForm) -> str:
    """Each chosen asset shared at its role, all or none: the form has checked every
    id and role, and a refusal the service still finds (the partnership just ended)
    leaves nothing half shared."""
    done = []
    with transaction.atomic():
        for asset_id, roles in form.asset_roles().items():
            done.append(partner_services.share(
                me, center, other, asset_id, roles,
                needs_approval=form.cleaned_data["needs_approval"]))
    said = "; ".join(f"{asset_label(d.asset)} as {', '.join(role_label(r) for r in d.roles)}"
                     for d in done)
    approval = any(d.needs_approval for d in done)
    return f"Shared {said}" + (": campaign changes need your approval." if approval else ".")


def _with_roles(asked: Iterable[AccessRequest]) -> list[AccessRequest]:
    """Each access request with the roles it may be approved at (what was asked or
    lower, as the asset's type ranks them), for the Approve form's select."""
    listed = list(asked)
    for item in listed:
        roles = allowed_roles(item.asset.type, item.roles)
        item.offered = [(r, role_label(r)) for r in roles]  # type: ignore[attr-defined]
        item.many = RULES[item.asset.type].many  # type: ignore[attr-defined]
    return listed


def _context(request: HttpRequest, me: Actor, center: BusinessCenter,
             ask_form: PartnerRequestForm, share_form: ShareForm) -> dict[str, Any]:
    links: list[Partnership] = list(partner_services.partners_of(me, center))
    blank = (ShareForm(picker=AssetPicker(me, center, None, owned=True,
                                          label="Assets to share, each at a role"))
             if links else None)
    return {
        "center": center, "links": links, "ask_form": ask_form, "share_form": share_form,
        "share_other": request.POST.get("other", ""), "blank_share": blank,
        "incoming": partner_services.requests_to(me, center),
        "outgoing": partner_services.requests_from(me, center),
        "access_in": _with_roles(partner_services.access_requests(me, center, incoming=True)),
        "access_out": partner_services.access_requests(me, center, incoming=False),
        "owners": partner_services.owners_of(me, center),
    }


def _other_name(link: Partnership, center: BusinessCenter) -> str:
    other = link.other(center)
    return other.name if other is not None else f"Business Center {link.asked_for}"


# The steps that take something away ask first (web/confirm.py).
ASKS_FIRST = {"decline", "unshare", "drop", "end"}


def _question(me: Actor, center: BusinessCenter, step: str, post: Any) -> Ask:
    """What a destructive step changes, named: the partner and the asset."""
    back = reverse("web:partner_centers", args=[center.pk])
    if step == "decline":
        link = find(partner_services.requests_to(me, center), post.get("request", ""),
                    "No partner request with id {id} is waiting for you.")
        return Ask(f"Decline the request of {_other_name(link, center)}?",
                   f"They are told it was declined, and nothing else about {center.name}.",
                   button="Decline", back=back, cancel="Keep it")
    link = partner_services.partnership_with(me, center, post.get("other", ""))
    other = _other_name(link, center)
    if step == "end":
        count = link.shares.count()
        things = f"{count} asset{'s' if count != 1 else ''}"
        return Ask(f"End the partnership with {other}?",
                   f"Everything shared with it ({things}) stops working for its members at "
                   "once, and its Admins are told." if link.owner_id == center.pk else
                   f"Your members lose everything it shares with you ({things}) at once, and "
                   "its Admins are told.", button="End partnership", back=back,
                   cancel="Keep it")
    asset_id = str(post.get("asset", ""))
    share = (link.shares.select_related("asset").filter(asset_id=int(asset_id)).first()
             if asset_id.isdigit() else None)
    if share is None:
        raise NotFound(f"{other} has no shared asset with id {asset_id or '(none)'}.")
    if step == "unshare":
        return Ask(f"Stop sharing {share.asset} with {other}?",
                   "Its members lose it at once; you can share it again later.",
                   button="Unshare", back=back)
    return Ask(f"Remove {share.asset} from your side?",
               f"Your members lose it at once; only {other} can share it again.",
               button="Remove", back=back)


@center_page
@require_http_methods(["GET", "POST"])
def ask_for_access(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    """A partner asks an owner for assets at a role (and for the partnership, if new)."""
    me = actor(request)
    partner_services.requests_from(me, center)  # Admins only, before anything is shown
    initial = {"owner_id": request.GET.get("owner", ""), "asset_ids": request.GET.get(
        "asset", ""), "role": request.GET.get("role", "ANALYST")}
    form = AskForm(request.POST if request.method == "POST" else None, initial=initial)
    refused: ServiceError | None = None
    if form.is_valid():
        try:
            link = partner_services.ask_for_access(
                me, center, form.cleaned_data["owner_id"], form.id_list(),
                form.cleaned_data["role"], message=form.cleaned_data["message"])
        except ServiceError as error:
            if error.status == 403:
                raise
            form.add_service_error(error)
            refused = error if form.refused_status != 400 else None
        else:
            messages.success(request, (
                f"Asked {link.owner} for access; its Admins decide." if link.status == "ACTIVE"
                else f"Asked Business Center {link.asked_for} to be partners and for these "
                     "assets; nothing is shared until its Admins accept."))
            return _here(center)
    return form_page(request, "web/partner_centers/partner_access.html",
                     {"center": center, "form": form}, refused=refused,
                     invalid=bool(form.errors) and refused is None)
