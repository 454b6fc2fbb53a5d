"""Campaign pages and the Approvals inbox: doors over campaigns.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bizcenter.access.actions import Action
from bizcenter.access.engine import check, require
from bizcenter.campaigns import services
from bizcenter.campaigns.models import RequestState
from bizcenter.campaigns.services import Outcome
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.errors import ServiceError
from bizcenter.core.pagination import clamped, page_number_of
from bizcenter.web.campaign_forms import BulkDecisionForm, CampaignForm, DecisionForm
from bizcenter.web.confirm import Ask, ask, confirmed
from bizcenter.web.scope import center_page, int_param
from bizcenter.web.views import actor


def _said(request: HttpRequest, center: BusinessCenter, outcome: Outcome, done: str,
          campaign_id: int | None = None) -> HttpResponse:
    """Tell what happened, and show it: the campaign when applied, the request otherwise."""
    if outcome.request is not None:
        waits = outcome.request.center
        who = "an Admin" if waits.pk == center.pk else f"an Admin of {waits.name}, which owns it,"
        messages.success(request, f"Sent for approval: {who} approves or rejects it, and you "
                         "get an email. It is listed under My requests.")
        return redirect("web:change_request", center_id=center.pk,
                        request_id=outcome.request.pk)
    messages.success(request, done)
    target = outcome.campaign.pk if outcome.campaign else campaign_id
    return redirect("web:campaign", center_id=center.pk, campaign_id=target)


def _tabs(me: Any, center: BusinessCenter) -> dict[str, Any]:
    """What the section's tabs need: Admins see Approvals with a count, others My requests."""
    return {"is_admin": bool(check(me.user, Action.APPROVAL_DECIDE, center)),
            "pending": services.pending_count(me, center)}


def _refused(form: Any, error: ServiceError) -> None:
    """A refusal of the person (403) or of the thing (404) is a page; the rest is the form's."""
    if error.status in (403, 404):
        raise error
    form.add_service_error(error)


@center_page
def campaign_list(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    me = actor(request)
    q = request.GET
    # Past the last page: the last page (core/pagination.py, issue 21).
    page = clamped(lambda n: services.list_campaigns(
        me, center, advertiser_id=q.get("advertiser") or None, status=q.get("status") or None,
        objective=q.get("objective") or None, search=q.get("q", ""), page=n),
        page_number_of(q.get("page")))
    return render(request, "web/campaigns/list.html", {
        "center": center, "page": page, "q": q, "tab": "campaigns",
        "advertisers": services.readable_advertisers(me, center),
        "can_create": bool(services.writable_advertisers(me, center)), **_tabs(me, center)})


@center_page
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    me = actor(request)
    accounts = services.writable_advertisers(me, center)
    form = CampaignForm(request.POST or None, advertisers=accounts,
                        initial={"advertiser": request.GET.get("advertiser", "")})
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.create_campaign(me, center, form.cleaned_data["advertiser"],
                                               **form.values())
        except ServiceError as error:
            _refused(form, error)
        else:
            name = outcome.campaign.name if outcome.campaign else ""
            return _said(request, center, outcome, f"Created {name}.")
    return render(request, "web/campaigns/new.html",
                  {"center": center, "form": form, "accounts": accounts, "tab": "campaigns",
                   **_tabs(me, center)},
                  status=400 if form.errors else 200)


@center_page
@require_http_methods(["GET", "POST"])
def campaign_detail(request: HttpRequest, center: BusinessCenter, campaign_id: int
                    ) -> HttpResponse:
    me = actor(request)
    campaign = services.get_campaign(me, center, campaign_id)
    values = services.values_of(campaign)
    currency = services.currency_of(campaign)
    form = CampaignForm(request.POST if request.POST.get("step") == "edit" else None,
                        currency=currency,
                        initial={**values, "start_at": campaign.start_at,
                                 "end_at": campaign.end_at})
    status = 200
    step = request.POST.get("step")
    try:
        if step == "edit" and form.is_valid():
            changed = {k: v for k, v in form.values().items()
                       if k not in ("start_at", "end_at") or v != getattr(campaign, k)}
            if not confirmed(request) and (warning := _overlap_question(
                    me, center, campaign, changed, values)) is not None:
                return ask(request, warning, center=center, tab="campaigns")
            outcome = services.update_campaign(me, center, campaign.pk, **changed)
            return _said(request, center, outcome, f"Saved {campaign.name}.", campaign.pk)
        if step == "status" and request.POST.get("status") == "DELETE" and not (
                confirmed(request)) and _may_change(me, center, campaign):
            return ask(request, Ask(
                f"Delete {campaign.name}?",
                "A deleted campaign stops delivering and can no longer change."
                + ("" if check(me.user, Action.CAMPAIGN_EDIT, campaign.advertiser, within=center)
                   and not services.owner_approves(center, campaign.advertiser)
                   else " Your request goes to the Admins first."),
                button="Delete campaign",
                back=reverse("web:campaign", args=[center.pk, campaign.pk]), cancel="Keep it"),
                center=center, tab="campaigns")
        if step == "status":
            outcome = services.set_status(me, center, campaign.pk, request.POST.get("status", ""))
            campaign.refresh_from_db()
            return _said(request, center, outcome, f"{campaign.name} is now "
                         f"{campaign.get_status_display().lower()}.", campaign.pk)
    except ServiceError as error:
        if step == "edit":
            _refused(form, error)
        else:
            if error.status == 404:
                raise
            messages.error(request, error.message)
            return redirect("web:campaign", center_id=center.pk, campaign_id=campaign.pk)
    if form.errors:
        status = 400
    user = me.user
    direct = check(user, Action.CAMPAIGN_EDIT, campaign.advertiser, within=center)
    propose = check(user, Action.CAMPAIGN_PROPOSE, campaign.advertiser, within=center)
    owner_approves = services.owner_approves(center, campaign.advertiser)
    return render(request, "web/campaigns/detail.html", {
        "center": center, "campaign": campaign, "form": form, "tab": "campaigns",
        "currency": currency, "waiting": [(r, services.differences(r))
                                           for r in services.waiting_on(me, center, campaign.pk)],
        "owner": campaign.advertiser.center, "owner_approves": owner_approves,
        "direct": direct and not owner_approves, "propose": propose,
        "can_change": bool(direct or propose),
        "why_not": propose if not (direct or propose) else None,
        **_tabs(me, center)}, status=status)


def _may_change(me: Any, center: BusinessCenter, campaign: Any) -> bool:
    """Whether this person may change the campaign, directly or by proposing: only then
    is there anything to confirm (otherwise the service's refusal is the answer)."""
    return bool(check(me.user, Action.CAMPAIGN_EDIT, campaign.advertiser, within=center)
                or check(me.user, Action.CAMPAIGN_PROPOSE, campaign.advertiser, within=center))


@center_page
@require_http_methods(["GET", "POST"])
def approvals(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    """Admins: the inbox of proposals, each with its diff, filtered by state, ad account
    and author, decided one by one or several at once (a rejection with its reason).
    Everyone else: their own requests and their fate."""
    me = actor(request)
    q = request.GET
    tabs = _tabs(me, center)
    is_admin = tabs["is_admin"]
    bulk = BulkDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(me, Action.APPROVAL_DECIDE, center)  # the engine's refusal, before the form
        if bulk.is_valid():
            said = _decide_all(me, center, bulk)
            for level, text in said:
                messages.add_message(request, level, text)
            return redirect(request.get_full_path())
        status = 400
    mine = q.get("mine") == "1" or not is_admin
    state = q.get("state", "PENDING" if is_admin and not mine else "") or None
    try:
        page = clamped(lambda n: services.list_requests(
            me, center, state=state, mine=mine, advertiser_id=q.get("advertiser") or None,
            author=q.get("author", ""), page=n), page_number_of(q.get("page")))
    except ServiceError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
        status = error.status
        page = services.list_requests(me, center, state=state, mine=mine,
                                      page=int_param(q.get("page"), 1))
    rows = [(r, services.differences(r), services.is_stale(r)) for r in page.items]
    return render(request, "web/campaigns/approvals.html", {
        "center": center, "page": page, "rows": rows, "q": q, "mine": mine,
        "state": state or "", "states": RequestState.choices, "bulk": bulk,
        "advertisers": services.readable_advertisers(me, center) if is_admin else [],
        "tab": "approvals", **tabs}, status=status)


def _decide_all(me: Any, center: BusinessCenter, form: BulkDecisionForm
                ) -> list[tuple[int, str]]:
    """Each chosen request decided on its own (one refusal, such as a stale proposal,
    leaves the others decided), and what happened said in words."""
    approve = form.cleaned_data["step"] == "approve"
    done, refused = 0, []
    for request_id in form.cleaned_data["requests"]:
        try:
            services.decide(me, center, request_id, approve=approve,
                            comment=form.cleaned_data["comment"])
        except ServiceError as error:
            if error.status == 403:
                raise
            refused.append(f"Request {request_id}: {error.message}")
        else:
            done += 1
    said: list[tuple[int, str]] = []
    if done:
        many = f"{done} request{'s' if done != 1 else ''}"
        said.append((messages.SUCCESS, f"Approved and applied {many}." if approve
                     else f"Rejected {many}; their authors are told why."))
    said.extend((messages.ERROR, r) for r in refused)
    return said


def _overlap_question(me: Any, center: BusinessCenter, campaign: Any,
                      changed: dict[str, Any], values: dict[str, Any]) -> Ask | None:
    """A change on fields another pending proposal also changes: asked about first,
    since approving one makes the other stale."""
    fields = [f for f, v in changed.items() if str(v if v is not None else "")
              != str(values.get(f) if values.get(f) is not None else "")] or list(changed)
    overlaps = services.overlapping(me, center, campaign.pk, fields)
    if not overlaps:
        return None
    said = []
    for o in overlaps:
        author = o.request.proposed_by
        who = (author.name or author.label) if author is not None else "Someone"
        if me.user is not None and o.request.proposed_by_id == me.user.pk:
            who = "Your own"
        else:
            who = f"{who}'s"
        labels = ", ".join(label.lower() for label in o.labels)
        said.append(f"{who} pending proposal also changes the {labels}.")
    return Ask(f"Send a change to {campaign.name} anyway?", " ".join(said)
               + " Once one of them is approved, the other can no longer be applied as it is.",
               button="Send it anyway", danger=False,
               back=reverse("web:campaign", args=[center.pk, campaign.pk]))


@center_page
@require_http_methods(["GET", "POST"])
def change_request(request: HttpRequest, center: BusinessCenter, request_id: int
                   ) -> HttpResponse:
    me = actor(request)
    change = services.get_request(me, center, request_id)
    stale = services.is_stale(change)
    diff = services.differences(change)
    form = DecisionForm(request.POST or None,
                        initial={"comment": _ask_again(diff)} if stale else None)
    status = 200
    step = request.POST.get("step")
    if request.method == "POST" and form.is_valid():
        try:
            if step == "withdraw":
                services.withdraw(me, center, change.pk)
                messages.success(request, "Withdrawn.")
            else:
                services.decide(me, center, change.pk, approve=step == "approve",
                                comment=form.cleaned_data["comment"])
                messages.success(request, "Approved and applied." if step == "approve"
                                 else "Rejected; its author is told why.")
            return redirect("web:change_request", center_id=center.pk, request_id=change.pk)
        except ServiceError as error:
            if error.status in (403, 404):
                raise
            change = services.get_request(me, center, request_id)
            stale = services.is_stale(change)
            # A stale proposal is said once, by the page's own notice: no second red box.
            if not (stale and error.code == "stale"):
                form.add_service_error(error)
            status = error.status
    made_here = services.proposed_from(change).pk == center.pk
    own = me.user is not None and change.proposed_by_id == me.user.pk and made_here
    decides_here = change.center_id == center.pk
    can_decide = decides_here and bool(check(me.user, Action.APPROVAL_DECIDE, center))
    waiting = (services.list_requests(me, center, state=RequestState.PENDING, oldest_first=True,
                                      page_size=2).items if can_decide else [])
    return render(request, "web/campaigns/change_request.html", {
        "center": center, "change": change, "diff": services.differences(change),
        "stale": stale, "form": form, "own": own, "tab": "approvals",
        "made_in": services.proposed_from(change), "decides_here": decides_here,
        "can_decide": can_decide,
        "next_request": next((r for r in waiting if r.pk != change.pk), None),
        **_tabs(me, center)}, status=status)


def _ask_again(diff: list[Any]) -> str:
    """The reason a stale request is rejected with, prefilled: what moved since."""
    moved = "; ".join(f"{d.label} is now {d.now}" for d in diff if d.now is not None)
    return ("The campaign changed since you proposed this"
            + (f" ({moved})" if moved else "")
            + ". Please propose your change again from the campaign as it is now.")
