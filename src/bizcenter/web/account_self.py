"""The person's own account page (name, deleting the account) and their web sessions.

Beside ``account.py`` (log-in, security, tokens) so each stays readable; the same
domain, so the templates sit in ``web/account/``. Every change is a service call in
``accounts.self_service`` or ``accounts.sessions``; ending sessions and deleting the
account ask first (web/confirm.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bizcenter.accounts import self_service, sessions
from bizcenter.core.errors import ServiceError
from bizcenter.web.confirm import Ask, ask, confirmed
from bizcenter.web.forms import ServiceErrors
from bizcenter.web.views import actor, failure, form_page


class NameForm(ServiceErrors, forms.Form):
    name = forms.CharField(label="Your name", max_length=self_service.MAX_NAME,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}),
                           help_text="Shown beside your address to the people you work with.")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Your name, and deleting your account."""
    me = actor(request)
    user = me.user
    assert user is not None  # login_required
    form = NameForm(request.POST if request.method == "POST" else None,
                    initial={"name": user.name})
    refused: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            self_service.rename(me, form.cleaned_data["name"])
        except ServiceError as error:
            refused = error
            form.add_service_error(error)
        else:
            messages.success(request, f"Your name is now {form.cleaned_data['name']}.")
            return redirect("web:profile")
    return form_page(request, "web/account/profile.html",
                     {"form": form, "why_not_delete": self_service.why_not_delete(user)},
                     refused=refused if refused and refused.status != 400 else None,
                     invalid=bool(form.errors))


@login_required
@require_http_methods(["POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Asks first; refused (409, saying where) while the person is the last Admin of a
    Business Center."""
    me = actor(request)
    assert me.user is not None  # login_required
    back = reverse("web:profile")
    question = Ask("Delete your account?",
                   "You can never log in with it again. You leave every Business Center you "
                   "belong to, the invitations you sent are cancelled, your API tokens stop "
                   "working and every session of yours ends, this one too. Your name and "
                   "addresses are removed; the activity log keeps what you did.",
                   button="Delete my account", back=back, cancel="Keep my account",
                   refused=self_service.why_not_delete(me.user))
    if question.refused or not confirmed(request):
        return ask(request, question)
    try:
        self_service.delete_account(me)
    except ServiceError as error:
        question.refused = error.message
        return ask(request, question, status=error.status)
    logout(request)
    messages.success(request, "Your account is deleted. Thank you for working with us.")
    return redirect("web:login")


@login_required
@require_http_methods(["GET", "POST"])
def session_list(request: HttpRequest) -> HttpResponse:
    """Where you are logged in; log out one session, or every one but this."""
    me = actor(request)
    user = me.user
    assert user is not None  # login_required
    step = request.POST.get("step", "")
    current = request.session.get(sessions.ROW)
    back = reverse("web:sessions")
    try:
        if step == "end":
            target = request.POST.get("session", "")
            row = next((r for r in sessions.active_sessions(user) if str(r.pk) == target), None)
            if row is not None and not confirmed(request):
                where = f"{row.device}, IP {row.ip or 'unknown'}"
                return ask(request, Ask(f"Log out the session on {where}?",
                                        "That browser is logged out on its next click and "
                                        "must log in again.", button="Log out that session",
                                        back=back, cancel="Keep it"))
            ended = sessions.end_session(me, target)
            if ended.pk == current:
                logout(request)
                messages.success(request, "You are logged out.")
                return redirect("web:login")
            messages.success(request, f"Logged out the session on {ended.device}.")
            return redirect("web:sessions")
        if step == "others":
            if not confirmed(request):
                return ask(request, Ask("Log out everywhere else?",
                                        "Every other browser and device logged in to your "
                                        "account is logged out on its next click. This one "
                                        "stays logged in; API tokens keep working.",
                                        button="Log out everywhere else", back=back))
            count = sessions.end_other_sessions(me, request.session.session_key)
            messages.success(request, f"Logged out {count} other session{'s' * (count != 1)}.")
            return redirect("web:sessions")
    except ServiceError as error:
        return failure(request, error)
    listed = sorted(sessions.active_sessions(user), key=lambda row: row.pk != current)
    return render(request, "web/account/sessions.html",
                  {"sessions": listed, "current": current})
