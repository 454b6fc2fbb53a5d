"""Pages. Each view parses input, calls one service and renders its result."""

from __future__ import annotations

import os
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from bizcenter.accounts.models import User
from bizcenter.accounts.services import sign_up
from bizcenter.centers.services import create_center, memberships_of
from bizcenter.core.actor import Actor
from bizcenter.core.errors import ServiceError
from bizcenter.invitations import services as invitations
from bizcenter.notifications.services import removals
from bizcenter.web.forms import CenterForm, InvitedSignUpForm, SignUpForm
from bizcenter.web.middleware import mark, proof_url


def actor(request: HttpRequest) -> Actor:
    """The acting person for a service call, so the activity log records who and from where.

    REMOTE_ADDR only: behind a trusted proxy (BIZCENTER_BEHIND_PROXY) the
    ProxyAddressMiddleware has already put the client's address there; a forwarded-for
    header read here would be whatever the client says.
    """
    user = request.user if request.user.is_authenticated else None
    return Actor(user, ip=request.META.get("REMOTE_ADDR"), via="web")  # type: ignore[arg-type]


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go after a form, refusing other hosts so a link cannot turn us into a redirector."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


def failure(request: HttpRequest, error: ServiceError, **context: Any) -> HttpResponse:
    """A service's refusal as a page, with its status, so browsers and tests see 403/404/410."""
    return render(request, "web/error.html", {"error": error, **context}, status=error.status)


def form_page(request: HttpRequest, template: str, context: dict[str, Any], *,
              refused: ServiceError | None = None, invalid: bool = False) -> HttpResponse:
    """A form's page at its status: a service's refusal keeps its own (a 409, a 429 that
    says when to try again in Retry-After), an error in a field is a 400."""
    response = render(request, template, context,
                      status=refused.status if refused else 400 if invalid else 200)
    if retry := getattr(refused, "retry_after", None):
        response["Retry-After"] = str(retry)
    return response


def _dependencies() -> tuple[dict[str, str], list[str]]:
    """Each dependency's state, and those down; the database is the one required."""
    from bizcenter.core import cache as counters

    state: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        state["database"] = connection.vendor
    except DatabaseError:
        state["database"] = "down"
    if os.environ.get("REDIS_URL"):
        try:
            backend = caches["default"]
            client = backend._cache.get_client(write=False)  # type: ignore[attr-defined]
            client.ping()
            counters._redis_answers()
            state["redis"] = "ok"
        except Exception:  # redis-py's errors, whatever the cause: it is down
            state["redis"] = "down"
        state["rate_limits"] = "redis" if state["redis"] == "ok" else "database"
    return state, [name for name, value in state.items() if value == "down"]


def healthz(request: HttpRequest) -> JsonResponse:
    """For monitors: 200 while the process answers, ``ok`` or ``degraded`` with what is
    down named (Redis down: rate limits count in the database meanwhile)."""
    state, down = _dependencies()
    return JsonResponse({"status": "degraded" if down else "ok", **state, "down": down})


def readyz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 503 while a required dependency (the database) is down."""
    state, down = _dependencies()
    ready = "database" not in down
    return JsonResponse({"status": "ready" if ready else "not ready", **state, "down": down},
                        status=200 if ready else 503)


def _signed_up(request: HttpRequest, user: User, onward: str) -> HttpResponse:
    """In, but only as far as the code page until an address is proven."""
    login(request, user, backend="bizcenter.accounts.backends.EmailOrPhoneBackend")
    mark(request)
    return redirect(proof_url(onward))


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """The form only shapes input; sign_up validates. The answer is the same whether or
    not the address has an account: the code page, and a message to the address."""
    form = SignUpForm(request.POST or None)
    refused: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_up(actor(request), **form.cleaned_data)
        except ServiceError as error:
            refused = error
            form.add_service_error(error)
        else:
            return _signed_up(request, user, safe_next(request, reverse("web:home")))
    return form_page(request, "web/account/signup.html",
                     {"form": form, "next": safe_next(request, "")}, refused=refused,
                     invalid=bool(form.errors))


@require_http_methods(["GET", "POST"])
def signup_invited(request: HttpRequest, token: str) -> HttpResponse:
    """Create the account from the invitation link, with the invited address itself."""
    try:
        preview = invitations.preview(token)
    except ServiceError as error:
        return failure(request, error)
    if preview.problem:
        return failure(request, preview.problem)
    back = reverse("web:accept", kwargs={"token": token})
    if request.user.is_authenticated:
        return redirect(back)
    form = InvitedSignUpForm(request.POST or None)
    refused: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.sign_up_to_accept(actor(request), token, **form.cleaned_data)
        except ServiceError as error:
            refused = error
            form.add_service_error(error)
        else:
            return _signed_up(request, user, back)
    return form_page(request, "web/invitations/signup_invited.html",
                     {"form": form, "preview": preview, "token": token},
                     refused=refused, invalid=bool(form.errors))


def landing(user: User | None) -> str:
    """Where a log-in without a ``next`` goes: the one Business Center of a person who
    has exactly one (its Partners page for an Admin, as the list links), else the list."""
    if user is not None and user.is_authenticated:
        mine = list(memberships_of(user)[:2])
        if len(mine) == 1:
            one = mine[0]
            return reverse("web:members" if one.is_admin else "web:center",
                           args=[one.center_id])
    return reverse("web:home")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where everyone lands: the Business Centers this person is in, or how to get into one."""
    user = actor(request).user
    assert user is not None  # login_required
    memberships = list(memberships_of(user))
    # Removed from every one: say which removed them and when (notifications.services).
    removed = [] if memberships else removals(user)
    return render(request, "web/centers/home.html",
                  {"memberships": memberships, "removals": removed})


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
            messages.success(request, f"{center.name} is ready. Four steps get it working.")
            return redirect("web:getting_started", center_id=center.pk)
    return render(request, "web/centers/new_center.html", {"form": form},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link's page. The preview is public (masked address only) so that a
    person who is not logged in yet knows which account to log in or sign up with."""
    try:
        preview = invitations.preview(token)
    except ServiceError as error:
        return failure(request, error)
    context = {"preview": preview, "token": token}
    if request.method == "POST":
        try:
            membership = invitations.accept(actor(request), token)
        except ServiceError as error:
            return render(request, "web/invitations/accept.html", {**context, "error": error},
                          status=error.status)
        messages.success(request, f"You joined {membership.center.name}. This is what you "
                         "were given.")
        return redirect("web:center", center_id=membership.center_id)
    status = preview.problem.status if preview.problem else 200
    return render(request, "web/invitations/accept.html", context, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A page in the product's layout instead of Django's bare one; never the exception text."""
    return render(request, "web/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A Standard member on an Admin URL gets a way back, not Django's bare "403 Forbidden"."""
    return render(request, "web/403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Named by CSRF_FAILURE_VIEW: a stale form (an old tab, an expired session) is the
    usual cause, so say how to recover instead of Django's developer-facing text."""
    return render(request, "web/csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request on purpose: the failure may be the database itself,
    and the layout's user and messages would query it again and fail a second time."""
    return HttpResponse(render_to_string("web/500.html"), status=500)
