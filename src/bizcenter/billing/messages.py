"""Emails about spending limits, rendered when delivered."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from bizcenter.billing.models import LimitAlert, LimitLevel
from bizcenter.billing.money import fmt
from bizcenter.outbox.names import quoted
from bizcenter.outbox.renderers import Rendered, register


@register("spending_limit")
def render_spending_limit(payload: dict[str, Any]) -> Rendered | None:
    alert = (LimitAlert.objects.select_related("advertiser__center")
             .filter(pk=payload["alert_id"]).first())
    if alert is None:
        return None  # the ad account was deleted before the message went out
    account, center = alert.advertiser, alert.advertiser.center
    path = reverse("web:billing", args=[center.pk])
    reached = alert.level == LimitLevel.REACHED
    context = {"reached": reached, "account": quoted(account.name),
               "center": quoted(center.name), "spent": fmt(alert.spent),
               "limit": fmt(alert.limit), "currency": center.currency,
               "month": f"{alert.month:%B %Y}", "percent": int(alert.spent * 100 / alert.limit),
               "link": f"{settings.BIZCENTER_BASE_URL}{path}#limits"}
    subject = (f"{context['account']} reached its spending limit: campaigns paused" if reached
               else f"{context['account']} has spent {context['percent']}% of its "
               "spending limit")
    return Rendered(subject=subject,
                    text=render_to_string("billing/spending_limit_email.txt", context))
