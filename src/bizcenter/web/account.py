"""The person's own account: log in (with the 2-step prompt), security, password reset.

Logging in with 2-step verification is two requests. The password step only
remembers, in the session, who passed it and when; nobody is logged in until
the code step succeeds, so no URL is reachable between the two.
"""

from __future__ import annotations

import time
from contextlib import suppress
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import (
    INTERNAL_RESET_SESSION_TOKEN,
    LoginView,
    PasswordResetConfirmView,
)
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from bizcenter.accounts import passwords, sessions, signins, two_factor, verification
from bizcenter.accounts.addresses import parse_address
from bizcenter.accounts.models import User
from bizcenter.core.errors import ServiceError
from bizcenter.core.lookup import find
from bizcenter.core.ratelimit import RateLimited, hit
from bizcenter.web.confirm import Ask, ask, confirmed
from bizcenter.web.forms import (
    AddressCodeForm,
    CodeForm,
    LoginForm,
    NewAddressForm,
    PasswordChangeForm,
    ResetRequestForm,
    ServiceErrors,
)
from bizcenter.web.middleware import mark, proof_url
from bizcenter.web.views import actor, failure, form_page, landing, safe_next

PENDING = "bizcenter.two_factor_pending"
PENDING_SECONDS = 300
MAX_CODE_TRIES = 5


class Login(LoginView):
    """Django's own login (safe `next`, session rotation), with our email-or-phone
    wording, stopping at the 2-step prompt for people who turned it on."""

    template_name = "web/account/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Without a ``next``: into the one Business Center of a person who has one."""
        user = getattr(self.request, "user", None)
        form_user = getattr(self, "_landing_user", None)
        return landing(form_user or user)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Count the attempt per address and per IP before checking the password, so
        guessing is slowed whether it targets one account or many."""
        address = (request.POST.get("username") or "").strip().lower()[:254]
        limit = settings.BIZCENTER_LOGIN_RATE
        try:
            hit("login-address", address or "-", limit, 900, "log-in attempts for this address")
            hit("login-ip", request.META.get("REMOTE_ADDR") or "-", limit * 5, 900,
                "log-in attempts from this network")
        except RateLimited as refused:
            # An unbound form: binding it would check the password after all.
            form = self.authentication_form(request, initial={
                "username": request.POST.get("username", "")})
            response = self.render_to_response(
                self.get_context_data(form=form, refused=refused.message), status=429)
            response["Retry-After"] = str(refused.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        self._landing_user = user
        typed = form.cleaned_data.get("username", "")
        if not user.has_two_factor:
            response = super().form_valid(form)
            if _must_prove(self.request, user, typed):
                return redirect(_proving(self.get_success_url()))
            return response
        # authenticate() noted which backend passed the password; login() needs it.
        backend = user.backend  # type: ignore[attr-defined]
        self.request.session[PENDING] = {"user": user.pk, "backend": backend,
                                         "at": time.time(), "tries": 0, "typed": typed}
        query = urlencode({"next": self.get_success_url()})
        return redirect(f"{reverse('web:login_code')}?{query}")


def _drop_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)


def _proving(onward: str) -> str:
    """Where a log-in that must prove an address goes: the code page, unless the person
    came to log in from the link in the code's email, which proves it as well."""
    return onward if onward.startswith(reverse("web:verify")) else proof_url(onward)


def _must_prove(request: HttpRequest, user: User, typed: str) -> bool:
    """After a log-in: an account that has not proven an address (a sign-up that left
    before its code, an account from before proof was required) proves one now. Unless a
    code is still waiting, one goes to the address the person typed, which they just
    showed they use."""
    if not user.needs_proof:
        return False
    mark(request)
    try:
        address = parse_address(typed)
    except ServiceError:
        address = None
    if address is None or not user.has_address(address):
        address = user.addresses()[0]
    if not verification.live(user).exists():  # a code still on its way serves
        # Too many codes lately, say: the code page says so and offers a new one later.
        with suppress(ServiceError):
            verification.send_code(actor(request), user, address)
    return True


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The 2-step prompt: a code from the authenticator app, or a recovery code."""
    pending: dict[str, Any] | None = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        _drop_pending(request)
        messages.error(request, "Log in again: the 2-step step waits at most 5 minutes.")
        return redirect("web:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
        try:
            right = user is not None and two_factor.verify(user, form.cleaned_data["code"])
        except RateLimited as refused:
            form.add_error("code", refused.message)
            response = render(request, "web/account/login_code.html",
                              {"form": form, "next": safe_next(request, "")}, status=429)
            response["Retry-After"] = str(refused.retry_after)
            return response
        if right:
            assert user is not None
            _drop_pending(request)
            login(request, user, backend=pending["backend"])
            onward = safe_next(request, reverse("web:home"))
            if _must_prove(request, user, pending.get("typed", "")):
                return redirect(_proving(onward))
            return redirect(onward)
        pending["tries"] += 1
        request.session[PENDING] = pending
        if pending["tries"] >= MAX_CODE_TRIES:
            _drop_pending(request)
            messages.error(request, "Too many wrong codes. Log in again with your password.")
            return redirect("web:login")
        form.add_error("code", "That code is not right. Use the newest code from your "
                               "authenticator app, or one of your recovery codes.")
    return render(request, "web/account/login_code.html",
                  {"form": form, "next": safe_next(request, "")},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The code page: prove an address of one's account, or a new one being added."""
    me = actor(request)
    user = me.user
    assert user is not None  # login_required
    step = request.POST.get("step", "")
    form = AddressCodeForm(request.POST if step == "code" else None)
    onward = safe_next(request, reverse("web:home"))
    refused: ServiceError | None = None
    try:
        if step == "code" and form.is_valid():
            proven = verification.confirm_code(me, user, form.cleaned_data["code"])
            messages.success(request, f"{proven.value} is confirmed as yours.")
            return redirect(onward)
        if step == "send":
            sent = verification.resend(me, user, request.POST.get("address", ""))  # its place
            messages.success(request, f"A new code is on its way to {sent.target.masked()}.")
            return redirect(proof_url(onward))
    except ServiceError as error:
        refused = error
        if step == "code":
            form.add_service_error(error)
    return form_page(request, "web/account/verify.html", {
        "form": form, "next": onward, "refused": refused if step == "send" else None,
        "pending": list(verification.live(user)), "awaiting": verification.awaiting(user),
    }, refused=refused, invalid=bool(form.errors))


@login_required
@require_http_methods(["GET", "POST"])
def verify_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email, opened in a session of the account that asked for it. A
    page with a button, not a change on opening: mail scanners open links too."""
    try:
        if request.method == "POST":
            found = verification.confirm_link(actor(request), token)
        else:
            found = verification.by_link(actor(request), token)
    except ServiceError as error:
        return failure(request, error)
    if request.method == "POST":
        messages.success(request, f"{found.target.value} is confirmed as yours.")
        return redirect("web:home")
    return render(request, "web/account/verify_link.html", {"found": found})


def qr_svg(uri: str) -> SafeString:
    """The set-up link as an inline SVG QR code: no image file, no third-party service
    ever sees the secret."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    # The markup is qrcode's own; the only input is a URI it encodes as black squares.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """Addresses, password and 2-step verification of the logged-in person."""
    me = actor(request)
    user = me.user
    assert user is not None  # login_required
    step = request.POST.get("step", "")
    code_form = CodeForm(request.POST if step in ("confirm", "disable") else None)
    password_form = PasswordChangeForm(request.POST if step == "password" else None)
    address_form = NewAddressForm(request.POST if step == "address" else None)
    context: dict[str, Any] = {}
    try:
        if step == "start":
            two_factor.start(me)
            return redirect("web:security")
        asks = step == "everywhere" or (step == "disable" and code_form.is_valid())
        if asks and not confirmed(request):
            return ask(request, _security_question(step))
        if step == "everywhere":
            sessions.sign_out_everywhere(me)
            logout(request)
            messages.success(request, "You are signed out everywhere: on every device and "
                                      "browser, this one too. Log in again to go on.")
            return redirect("web:login")
        if step in ("confirm", "disable") and code_form.is_valid():
            code = code_form.cleaned_data["code"]
            if step == "confirm":
                context["recovery_codes"] = two_factor.confirm(me, code)
                messages.success(request, "2-step verification is on.")
                # The turn-off form below starts empty: never the code just used (issue 21).
                code_form = CodeForm()
            else:
                two_factor.disable(me, code)
                messages.success(request, "2-step verification is off.")
                return redirect("web:security")
        if step == "password" and password_form.is_valid():
            data = password_form.cleaned_data
            passwords.change_password(me, data["current"], data["new"])
            update_session_auth_hash(request, user)  # keep this session; others end
            sessions.follow_key(request)  # its new key, for the sessions page
            messages.success(request, "Your password is changed. Your other sessions are "
                                      "logged out.")
            return redirect("web:security")
        if step == "address" and address_form.is_valid():
            data = address_form.cleaned_data
            sent = verification.add_address(me, data["address"], data["current"])
            messages.success(request, f"We sent a code to {sent.target.value}. Enter it to "
                             "make it your account's.")
            return redirect(proof_url(reverse("web:security")))
    except ServiceError as error:
        forms: dict[str, ServiceErrors] = {"password": password_form, "address": address_form}
        forms.get(step, code_form).add_service_error(error)
        context["refused"] = error
    context["session_limits"] = {"idle_hours": settings.BIZCENTER_SESSION_IDLE_HOURS,
                                 "max_days": settings.BIZCENTER_SESSION_MAX_DAYS}
    setup = two_factor.pending_setup(user)
    context.update({"code_form": code_form, "password_form": password_form, "setup": setup,
                    "address_form": address_form,
                    "user_addresses": [(a, user.verified(a.kind)
                                        and not user.verify_at_next_login)
                                       for a in user.addresses()],
                    "qr": qr_svg(setup.uri) if setup else None,
                    "signins": signins.recent(user)})
    return form_page(request, "web/account/security.html", context, refused=context.get("refused"),
                     invalid=bool(code_form.errors or password_form.errors
                                  or address_form.errors))


def _security_question(step: str) -> Ask:
    """Turning 2-step verification off, or signing out everywhere, asks first."""
    back = reverse("web:security")
    if step == "disable":
        return Ask("Turn off 2-step verification?",
                   "Logging in then takes only your password: whoever learns it can open your "
                   "account. Business Centers that require 2-step verification refuse you "
                   "until you turn it on again.", button="Turn off 2-step verification",
                   back=back, cancel="Keep it on")
    return Ask("Sign out everywhere?",
               "Every session of your account ends on every device and browser, this one "
               "too. API tokens keep working.", button="Sign out everywhere", back=back)


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST or None)
    refused: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            passwords.request_reset(actor(request), form.cleaned_data["address"])
        except ServiceError as error:
            refused = error
            form.add_service_error(error)
        else:
            request.session["bizcenter.reset_sent_to"] = form.cleaned_data["address"]
            return redirect("web:password_reset_sent")
    return form_page(request, "web/account/password_reset.html", {"form": form}, refused=refused,
                     invalid=bool(form.errors))


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "web/account/password_reset_sent.html",
                  {"address": request.session.pop("bizcenter.reset_sent_to", "")})


class ResetConfirm(PasswordResetConfirmView):
    """Django's token check and its trick of moving the token out of the URL into the
    session; saving goes through our service so it is validated and logged."""

    template_name = "web/account/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("web:login")
    token_generator = passwords.AnyResetToken()  # type: ignore[assignment]

    def form_valid(self, form: SetPasswordForm) -> HttpResponseBase:  # type: ignore[override]
        try:
            passwords.reset_password(actor(self.request), form.user,
                                     form.cleaned_data["new_password1"],
                                     self.request.session.get(INTERNAL_RESET_SESSION_TOKEN, ""))
        except ServiceError as error:
            form.add_error("new_password1", error.message)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, "Your password is changed. Log in with it.")
        return redirect(self.success_url)


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Personal API tokens: create (the token is shown once), see last use, revoke."""
    from bizcenter.accounts import tokens
    from bizcenter.centers.services import get_center, memberships_of
    from bizcenter.web.forms import TokenForm
    from bizcenter.web.scope import ask_last_day, picked_end

    me = actor(request)
    assert me.user is not None  # login_required
    centers = [(str(m.center_id), m.center.name) for m in memberships_of(me.user)]
    step = request.POST.get("step")
    form = TokenForm(request.POST if step == "create" else None, centers=centers)
    ask_last_day(form, None, label="Last day it works (optional)")
    issued = None
    status = 200
    try:
        if step == "create" and form.is_valid():
            data = form.cleaned_data
            where = get_center(me, data["center"])  # its time zone reads the last day
            issued = tokens.create_token(me, where, data["name"], read_only=data["read_only"],
                                         expires_at=picked_end(data["expires"], where))
            form = TokenForm(centers=centers)
            ask_last_day(form, None, label="Last day it works (optional)")
        elif step == "revoke" and not confirmed(request):
            token = find(tokens.tokens_of(me), request.POST.get("token", ""),
                         "You have no API token with id {id}.")
            return ask(request, Ask(f"Revoke the API token '{token.name}'?",
                                    "Scripts and tools using it are refused from the next "
                                    "call. This cannot be undone: make a new token instead.",
                                    button="Revoke token", back=reverse("web:api_tokens"),
                                    cancel="Keep it"))
        elif step == "revoke":
            gone = tokens.revoke_token(me, request.POST.get("token", ""))
            messages.success(request, f"Revoked '{gone.name}': calls with it are refused from "
                             "now on.")
            return redirect("web:api_tokens")
    except ServiceError as error:
        if error.status in (403, 404) and step != "create":
            return failure(request, error)
        form.add_service_error(error)
    if form.errors:
        status = 400
    return render(request, "web/account/api_tokens.html",
                  {"form": form, "issued": issued, "tokens": tokens.tokens_of(me)},
                  status=status)


@login_required
@require_http_methods(["POST"])
def notification_emails(request: HttpRequest) -> HttpResponse:
    """The account page's Notifications section: a box per kind, ticked for email.
    In-app notifications stay on whatever is chosen."""
    from bizcenter.notifications.models import Kind
    from bizcenter.notifications.services import set_email_choices

    ticked = set(request.POST.getlist("email"))
    try:
        set_email_choices(actor(request), {kind.value: kind.value in ticked for kind in Kind})
    except ServiceError as error:
        return failure(request, error)
    messages.success(request, "Your email choices are saved.")
    return redirect(reverse("web:security") + "#notifications")
