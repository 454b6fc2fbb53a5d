"""Setting a Business Center up: its settings (name, locale, 2-step policy, email
allowlist) and the getting-started steps a new one lands on."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.onboarding import getting_started
from bizcenter.centers.services import update_center
from bizcenter.core.errors import ServiceError
from bizcenter.web.forms import SettingsForm, status_of
from bizcenter.web.scope import center_page
from bizcenter.web.views import actor


@center_page
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    me = actor(request)
    require(me, Action.SETTINGS_MANAGE, center)  # reading them is an Admin's page too
    initial = {"name": center.name, "company": center.company, "timezone": center.timezone,
               "currency": center.currency, "two_factor_policy": center.two_factor_policy,
               "allowed_email_domains": ", ".join(center.allowed_email_domains or []),
               "allowlist_refuses_phones": center.allowlist_refuses_phones}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_center(me, center, **form.cleaned_data)
        except ServiceError as error:
            if error.status == 403:
                raise
            form.add_service_error(error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("web:settings", center_id=center.pk)
    return render(request, "web/settings/settings.html", {"center": center, "form": form},
                  status=status_of(form))


@center_page
@require_http_methods(["GET"])
def getting_started_page(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    """Where a new Business Center's creator lands: what to do first, each step a link
    to the page that does it, ticked once done."""
    steps = getting_started(actor(request), center)
    done = sum(step.done for step in steps)
    links = [(step, reverse(f"web:{step.key}", kwargs={"center_id": center.pk}))
             for step in steps]
    return render(request, "web/settings/getting_started.html",
                  {"center": center, "steps": links, "done": done, "total": len(steps)})
