"""Pages about access itself: a member's own access, a partner's detail, the
troubleshooter and the access review. They show the engine's explanations;
none decides anything."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bizcenter.access.actions import Action
from bizcenter.access.engine import check
from bizcenter.access.profile import (
    ACTION_LABELS,
    Profile,
    Summary,
    admin_to_ask,
    mine,
    profile,
    summarize,
)
from bizcenter.access.review import (
    CSV_FIELDS,
    IDLE_DAYS,
    SORTS,
    ReviewRow,
    access_review,
    as_csv_row,
    matching,
    ordered,
)
from bizcenter.access.troubleshoot import choices, said_to_admin
from bizcenter.access.troubleshoot import troubleshoot as troubleshoot_service
from bizcenter.centers.choices import Module
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import ServiceError
from bizcenter.core.pagination import PAGE_SIZES, clamped, paginate
from bizcenter.web.forms import TroubleshootForm, status_of
from bizcenter.web.lists import headers, here, list_query
from bizcenter.web.scope import center_page, int_param
from bizcenter.web.views import actor


def can_ask(me: Actor, center: BusinessCenter) -> bool:
    """Whether the viewer may ask a partner for more (its Admins): only they get the link
    to the Ask for access page that a refusal names; others are told who can."""
    return bool(check(me.user, Action.ASSET_MANAGE, center))


def in_words(found: Profile, me: Actor, center: BusinessCenter, *, yours: bool) -> dict:
    """What the access pages show of a profile: grouped by what the person can do and
    where, phrased for the reader (the person, or an Admin reading about them)."""
    summary: Summary = summarize(
        found, yours=yours, asker=admin_to_ask(center) if yours else "",
        reader_admin=bool(check(me.user, Action.MEMBER_MANAGE, center)))
    modules = ", ".join(Module(m).label for m in found.membership.modules
                        if m in Module.values)
    return {"summary": summary, "modules": modules}


@center_page
def center_home(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    """Where a member lands in a Business Center: exactly what they were given, and why."""
    me = actor(request)
    found = mine(me, center)
    return render(request, "web/access/my_access.html",
                  {"center": center, "profile": found, "can_ask": can_ask(me, center),
                   **in_words(found, me, center, yours=True)})


@center_page
def member_detail(request: HttpRequest, center: BusinessCenter, member_id: int) -> HttpResponse:
    me = actor(request)
    found = profile(me, center, member_id)
    # A member may read their own detail; the buttons are for whoever may use them.
    is_self = found.membership.user_id == getattr(me.user, "pk", None)
    return render(request, "web/access/member_detail.html",
                  {"center": center, "profile": found, "tab": "members",
                   "is_self": is_self, **in_words(found, me, center, yours=is_self),
                   "can_manage": bool(check(me.user, Action.MEMBER_MANAGE, center)),
                   "can_ask": can_ask(me, center)})


@center_page
def troubleshoot(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    """Pick a person, an action and an asset; get the decision, the reasons and the fix.

    A link that only names the person (the partner detail's Troubleshoot button)
    opens the form filled in, not a page of "this field is required".
    """
    me = actor(request)
    assets = choices(me, center)
    asked = "action" in request.GET
    form = TroubleshootForm(request.GET if asked else None, assets=assets, center=center,
                            initial={k: request.GET[k] for k in ("person", "resource")
                                     if k in request.GET})
    answer, doing, said = None, "", None
    if asked and form.is_valid():
        data = form.cleaned_data
        try:
            answer = troubleshoot_service(me, center, data["person"], data["action"],
                                          data["resource"])
        except ServiceError as error:
            if error.status == 403:
                raise
            form.add_service_error(error)
        else:
            # The action as the picker words it, never its code: the service took it.
            doing = ACTION_LABELS[Action(data["action"])]
            said = said_to_admin(me, center, data["person"], data["action"],
                                 data["resource"], answer)
    return render(request, "web/access/troubleshoot.html",
                  {"center": center, "form": form, "answer": answer, "doing": doing,
                   "said": said,
                   "can_ask": can_ask(me, center)}, status=status_of(form))


# The access review's columns (header label, sort key of access.review.SORTS).
REVIEW_COLUMNS: list[tuple[str, str | None]] = [
    ("Who", "who"), ("Kind", "kind"), ("Role", "role"), ("Modules", None), ("Assets", "assets"),
    ("Since", "since"), ("Last active", "last_active"), ("Notes", None)]


@center_page
def review(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    """Paged, searchable and sortable; ``?format=csv`` downloads every row the current
    filters keep, in the current order."""
    idle_days = max(1, int_param(request.GET.get("idle"), IDLE_DAYS))
    rows = access_review(actor(request), center, idle_days=idle_days)
    asked = list_query(request, SORTS, "last_active")
    only_idle = request.GET.get("only") == "idle"
    shown = ordered(matching([r for r in rows if r.idle] if only_idle else rows, asked.search),
                    asked.sort.key, asked.sort.descending)
    if request.GET.get("format") == "csv":
        return _review_csv(center, shown)
    page = clamped(lambda n: paginate(shown, n, asked.size),  # type: ignore[arg-type]
                   asked.page)
    export = request.GET.copy()
    export.pop("page", None)
    export["format"] = "csv"
    return render(request, "web/access/review.html",
                  {"center": center, "rows": page.items, "page": page, "idle_days": idle_days,
                   "only_idle": only_idle, "idle_count": sum(r.idle for r in rows),
                   "total": len(rows), "q": request.GET, "page_sizes": PAGE_SIZES,
                   "headers": headers(request, asked.sort, REVIEW_COLUMNS),
                   "here": here(request), "export": f"?{export.urlencode()}"})


def _review_csv(center: BusinessCenter, rows: list[ReviewRow]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    writer.writerows(as_csv_row(r) for r in rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (f'attachment; filename="access-review-{center.pk}-'
                                       f'{stamp}.csv"')
    return response
