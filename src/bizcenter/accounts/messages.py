"""The password reset message, with its link made only when it is delivered."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bizcenter.accounts.models import User
from bizcenter.outbox.renderers import Rendered, register


def reset_link(user: User) -> str:
    path = reverse("web:password_reset_confirm",
                   kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                           "token": default_token_generator.make_token(user)})
    return f"{settings.BIZCENTER_BASE_URL}{path}"


@register("password_reset")
def render_password_reset(payload: dict[str, Any]) -> Rendered | None:
    user = User.objects.filter(pk=payload["user_id"], is_active=True).first()
    if user is None:  # deactivated since the request: no link for it
        return None
    context = {"user": user, "link": reset_link(user),
               "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
    if payload.get("channel") == "sms":
        return Rendered(subject="", text=f"Reset your bizcenter password (works once, "
                        f"{context['hours']} h): {context['link']}")
    text = render_to_string("accounts/password_reset.txt", context)
    return Rendered(subject="Reset your bizcenter password", text=text)
