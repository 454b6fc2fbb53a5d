"""Reminders to Admins that someone's access ends soon: 7 days and 1 day before.

A membership or an asset grant with an end time stops working at that instant
(the snapshot ends there); these messages give Admins the chance to extend it
first. They fire relative to the instant and say the last day of access, as it
was picked, in the Business Center's time zone. Each reminder is recorded with a
unique row before its messages are queued in the same transaction, so it goes out
once however many workers run.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from bizcenter.access.models import ExpiryReminder
from bizcenter.centers import enddates
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core import periodic
from bizcenter.notifications.events import access_ending
from bizcenter.outbox import services as outbox
from bizcenter.outbox.models import Channel
from bizcenter.outbox.names import defused, quoted
from bizcenter.outbox.renderers import Rendered, register

LEADS = (7, 1)  # days before the end
EVERY = timedelta(hours=1)


def _admins(center: BusinessCenter) -> list[tuple[str, str]]:
    """Where each Admin can be reached: email if they have one, else SMS."""
    out: list[tuple[str, str]] = []
    for email, phone in (Membership.objects.active().filter(center=center, role="ADMIN")
                         .values_list("user__email", "user__phone")):
        if email:
            out.append((Channel.EMAIL, email))
        elif phone:
            out.append((Channel.SMS, phone))
    return out


def _due(now: Any) -> list[tuple[str, int, int, Any, BusinessCenter, str]]:
    from bizcenter.assets.models import AssetGrant

    def who(user: Any) -> str:  # names people typed: quoted, never a link (outbox/names.py)
        return quoted(user.name or user.email or user.phone)

    horizon = now + timedelta(days=max(LEADS))
    found = []
    for m in (Membership.objects.active().filter(expires_at__gt=now, expires_at__lte=horizon)
              .select_related("center", "user")):
        found.append(("membership", m.pk, m.expires_at, m.center,
                      f"{who(m.user)}'s access to {quoted(m.center.name)}"))
    for g in (AssetGrant.objects.filter(expires_at__gt=now, expires_at__lte=horizon,
                                        membership__state="ACTIVE")
              .select_related("membership__center", "membership__user", "asset")):
        found.append(("grant", g.pk, g.expires_at, g.membership.center,
                      f"{who(g.membership.user)}'s access to {g.asset.get_type_display()} "
                      f"{quoted(g.asset.name)}"))
    due = []
    for kind, pk, ends, center, what in found:
        left = ends - now
        for lead in sorted(LEADS):  # nearest first
            if left <= timedelta(days=lead):
                due.append((kind, pk, lead, ends, center, what))
                break  # the nearest lead only: no 7-day note when 1 day is left
    return due


def send_reminders() -> int:
    """Queue every reminder that is due and not sent yet; returns how many."""
    now = timezone.now()
    sent = 0
    for kind, pk, lead, ends, center, what in _due(now):
        try:
            with transaction.atomic():
                ExpiryReminder.objects.create(target_type=kind, target_id=pk,
                                              days_before=lead, expires_at=ends)
                outbox.queue(
                    outbox.build(channel, to, "expiry_reminder",
                                 {"center": center.name, "what": what,
                                  "ends": ends.isoformat(), "lead": lead,
                                  "last_day": enddates.shown(ends, center),
                                  "timezone": enddates.zone_name(center)})
                    for channel, to in _admins(center))
                access_ending(kind, pk, lead, ends, center)  # and to the person themselves
        except IntegrityError:
            continue  # already reminded (another worker, or an earlier run)
        sent += 1
    return sent


@task()
def remind_expiring_access() -> int:
    """Send what is due, then come back in an hour."""
    count = send_reminders()
    periodic.again(remind_expiring_access, EVERY)
    return count


def schedule() -> None:
    """Make sure one reminder task is waiting (called when a worker starts)."""
    periodic.keep_waiting(remind_expiring_access)


@register("expiry_reminder")
def render(payload: dict[str, Any]) -> Rendered:
    from datetime import datetime

    ends = datetime.fromisoformat(payload["ends"])
    # Messages queued before the payload carried the last day count days in UTC.
    zone = payload.get("timezone", "UTC")
    # Quoted when queued; defused again for messages queued before names were.
    what = defused(payload["what"])
    context = {**payload, "ends": ends, "timezone": zone, "what": what,
               "last_day": payload.get("last_day") or enddates.shown(ends, zone)}
    text = render_to_string("access/expiry_reminder.txt", context)
    return Rendered(subject=f"Access ends in {payload['lead']} day"
                    f"{'s' if payload['lead'] != 1 else ''}: {what}", text=text)
