"""The bell's count on every page, and the account page's email choices, read where
they are shown so no view has to pass them."""

from __future__ import annotations

from typing import Any

from django import template

from bizcenter.notifications import services

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return services.unread_count(user)


@register.simple_tag(takes_context=True)
def notification_email_choices(context: dict[str, Any]) -> list[dict[str, Any]]:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [{"kind": kind.value, "label": kind.label, "email": email}
            for kind, email in services.email_choices(user)]
