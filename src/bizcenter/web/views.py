"""Pages. Each view parses input, calls one service and renders its result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from bizcenter.accounts.services import sign_up
from bizcenter.centers.services import create_center, memberships_of
from bizcenter.core.actor import Actor
from bizcenter.core.errors import ServiceError
from bizcenter.invitations import services as invitations
from bizcenter.web.forms import CenterForm, LoginForm, SignUpForm


def actor(request: HttpRequest) -> Actor:
    user = request.user if request.user.is_authenticated else None
    return Actor(user, ip=request.META.get("REMOTE_ADDR"), via="web")  # type: ignore[arg-type]


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


def failure(request: HttpRequest, error: ServiceError, **context: Any) -> HttpResponse:
    return render(request, "web/error.html", {"error": error, **context}, status=error.status)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


class Login(LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_up(actor(request), **form.cleaned_data)
        except ServiceError as error:
            form.add_service_error(error)
        else:
            login(request, user, backend="bizcenter.accounts.backends.EmailOrPhoneBackend")
            messages.success(request, "Your account is ready.")
            return redirect(safe_next(request, reverse("web:home")))
    return render(request, "web/signup.html", {"form": form, "next": safe_next(request, "")},
                  status=400 if form.errors else 200)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = actor(request).user
    assert user is not None  # login_required
    return render(request, "web/home.html", {"memberships": memberships_of(user)})


@login_required
@require_http_methods(["GET", "POST"])
def new_center(request: HttpRequest) -> HttpResponse:
    """Onboarding: create a Business Center; its creator is its first Admin."""
    form = CenterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            center = create_center(actor(request), name=data["name"], company=data["company"],
                                   timezone_name=data["timezone"], currency=data["currency"])
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{center.name} is ready. Invite your partners.")
            return redirect("web:add_partners", center_id=center.pk)
    return render(request, "web/new_center.html", {"form": form},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        preview = invitations.preview(token)
    except ServiceError as error:
        return failure(request, error)
    context = {"preview": preview, "token": token}
    if request.method == "POST":
        try:
            membership = invitations.accept(actor(request), token)
        except ServiceError as error:
            return render(request, "web/accept.html", {**context, "error": error},
                          status=error.status)
        messages.success(request, f"You joined {membership.center.name}.")
        return redirect("web:home")
    status = preview.problem.status if preview.problem else 200
    return render(request, "web/accept.html", context, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "web/500.html", status=500)
