"""The person's notifications: the list behind the bell, and marking them read.

Every look-up is within the logged-in person's own notifications (the service's), so
another person's id is a 404 here as everywhere.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bizcenter.core.errors import ServiceError
from bizcenter.notifications import services
from bizcenter.web.scope import int_param
from bizcenter.web.views import actor, failure, safe_next

PAGE_SIZE = 20


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Newest first, 20 a page; a page past the last shows the last."""
    me = actor(request)
    number = max(1, int_param(request.GET.get("page"), 1))
    page = services.list_notifications(me, page=number, page_size=PAGE_SIZE)
    if number > page.pages:
        page = services.list_notifications(me, page=page.pages, page_size=PAGE_SIZE)
    return render(request, "web/notifications/index.html",
                  {"page": page, "unread": services.unread_count(me.user)})  # type: ignore[arg-type]


@login_required
@require_POST
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; from its link's "Open" button, go on to what it is about."""
    try:
        note = services.mark_read(actor(request), notification_id)
    except ServiceError as error:
        return failure(request, error)
    if request.POST.get("open") and note.link:
        return redirect(note.link)
    return redirect(safe_next(request, reverse("web:notifications")))


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(actor(request))
    messages.success(request, "Nothing new: every notification is read." if count
                     else "There was nothing unread.")
    return redirect(safe_next(request, reverse("web:notifications")))
