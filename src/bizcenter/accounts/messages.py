"""The password reset message, with its link made only when it is delivered."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bizcenter.accounts import verification
from bizcenter.accounts.addresses import AddressKind
from bizcenter.accounts.models import AddressVerification, User
from bizcenter.outbox.renderers import Rendered, register


def reset_link(user: User, kind: AddressKind) -> str:
    from bizcenter.accounts.passwords import RESET_TOKENS

    path = reverse("web:password_reset_confirm",
                   kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                           "token": RESET_TOKENS[kind].make_token(user)})
    return f"{settings.BIZCENTER_BASE_URL}{path}"


@register("password_reset")
def render_password_reset(payload: dict[str, Any]) -> Rendered | None:
    user = User.objects.filter(pk=payload["user_id"], is_active=True).first()
    if user is None or not user.has_usable_password():
        return None  # no account at that address, or deactivated since: no link for it
    kind = AddressKind.PHONE if payload.get("channel") == "sms" else AddressKind.EMAIL
    context = {"user": user, "link": reset_link(user, kind),
               "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
    if payload.get("channel") == "sms":
        return Rendered(subject="", text=f"Reset your bizcenter password (works once, "
                        f"{context['hours']} h): {context['link']}")
    text = render_to_string("accounts/password_reset.txt", context)
    return Rendered(subject="Reset your bizcenter password", text=text)


@register("address_verification")
def render_address_verification(payload: dict[str, Any]) -> Rendered | None:
    """A code (and by email a link) to prove the address, or, when another account has
    already proven it, a note to its owner that someone tried to claim it: decided
    here, at delivery, so the person who asked was answered alike either way."""
    row = (AddressVerification.objects.select_related("user")
           .filter(pk=payload["verification_id"]).first())
    if row is None or row.used_at or row.replaced_at or row.expires_at <= timezone.now():
        return None  # used, replaced or expired before it went out
    sms = row.address_kind == "phone"
    owner = User.objects.owner_of(row.target)
    if owner is not None and owner.pk != row.user_id:
        base = settings.BIZCENTER_BASE_URL
        context: dict[str, Any] = {"address": row.address,
                                   "login": f"{base}{reverse('web:login')}",
                                   "reset": f"{base}{reverse('web:password_reset')}"}
        if sms:
            return Rendered(subject="", text=(
                "Someone tried to create a new bizcenter account with this number, which "
                f"already has one. To get in: {context['reset']} . Not you? Ignore this."))
        return Rendered(subject="Your address already has a bizcenter account",
                        text=render_to_string("accounts/address_taken.txt", context))
    code = verification.code_for(row.nonce)
    minutes = settings.BIZCENTER_VERIFICATION_MINUTES
    if sms:
        return Rendered(subject="", text=f"Your bizcenter code is {code}. It confirms this "
                        f"number and works for {minutes} minutes. Never share it.")
    context = {"code": code, "minutes": minutes, "address": row.address,
               "link": verification.link_for(row.nonce)}
    return Rendered(subject=f"{code} is your bizcenter code",
                    text=render_to_string("accounts/verification_code.txt", context))


@register("sign_in_alert")
def render_sign_in_alert(payload: dict[str, Any]) -> Rendered | None:
    """A log-in from a browser and address new for this person (accounts/sessions.py):
    where it came from, and what to do if it was not them."""
    from bizcenter.accounts.models import WebSession

    row = (WebSession.objects.select_related("user")
           .filter(pk=payload["session_id"], user__is_active=True).first())
    if row is None:
        return None  # the account was deleted since
    base = settings.BIZCENTER_BASE_URL
    context = {"device": row.device, "ip": row.ip or "an unknown address",
               "at": row.started_at, "sessions": f"{base}{reverse('web:sessions')}",
               "reset": f"{base}{reverse('web:password_reset')}"}
    return Rendered(subject=f"New sign-in to your bizcenter account from {row.device}",
                    text=render_to_string("accounts/sign_in_alert.txt", context))
