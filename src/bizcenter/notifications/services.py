"""Telling people what happened to them: ``notify`` and what a person does with it.

``notify`` is the one way to tell someone something. Called inside the transaction of
the change it is about, it writes the in-app notification and, when the person wants
email for that kind (their account page; on by default), queues the email through the
outbox in the same transaction: nothing is told about a change that rolled back, and
the preference is checked in this one place for every kind.

A notification is its person's alone: every look-up here is within the person's own
rows, so another person's id answers like one that does not exist (404).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput, NotAllowed
from bizcenter.core.lookup import find
from bizcenter.core.pagination import Page, paginate
from bizcenter.notifications.models import EmailChoice, Kind, Notification
from bizcenter.outbox import services as outbox

if TYPE_CHECKING:
    from bizcenter.accounts.models import User
    from bizcenter.centers.models import BusinessCenter

# The generic email: the notification's own sentence and link (notifications/messages.py).
EMAIL = "notification"


def notify(user: User, kind: Kind | str, *, sentence: str, link: str = "",
           center: BusinessCenter | None = None,
           email: tuple[str, dict[str, Any]] | None = None) -> Notification:
    """Tell ``user``: the in-app notification always, the email if they want it.

    ``email`` is an outbox renderer and its payload for kinds that have their own email
    (a change request's diff); by default the email says the notification's sentence.
    It goes to the person's email address, or by SMS to a person who has only a phone.
    """
    kind = Kind(kind)
    with transaction.atomic():  # the caller's transaction; a savepoint if it has one
        note = Notification.objects.create(user=user, kind=kind, center=center,
                                           sentence=sentence[:500], link=link[:300])
        addresses = user.addresses()
        if addresses and wants_email(user, kind):
            renderer, payload = email or (EMAIL, {"notification_id": note.pk})
            outbox.queue([outbox.build_to(addresses[0], renderer, payload)])
    return note


def wants_email(user: User, kind: Kind | str) -> bool:
    return not EmailChoice.objects.filter(user=user, kind=kind, email=False).exists()


def _person(actor: Actor) -> User:
    if actor.user is None:
        raise NotAllowed("Notifications belong to a person; log in as one.",
                         code="login_required")
    return actor.user


def _mine(actor: Actor, about: BusinessCenter | None = None) -> QuerySet[Notification]:
    """The actor's notifications; only those about ``about`` (and about no Business
    Center) when given, for an API token, which reaches one Business Center. (A filter,
    not a Business Center one acts in: named so, notifications are the person's own.)"""
    rows = Notification.objects.filter(user=_person(actor))
    if about is not None:
        rows = rows.filter(center=about) | rows.filter(center__isnull=True)
    return rows


def list_notifications(actor: Actor, *, page: int = 1, page_size: int = 20,
                       about: BusinessCenter | None = None, unread: bool = False) -> Page:
    """The actor's notifications, newest first."""
    rows = _mine(actor, about)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return paginate(rows.select_related("center").order_by("-created_at", "-pk"),
                    page, page_size)


def unread_count(user: User, about: BusinessCenter | None = None) -> int:
    """For the bell on every page: one indexed count."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if about is not None:
        rows = rows.filter(center=about) | rows.filter(center__isnull=True, user=user,
                                                        read_at__isnull=True)
    return rows.count()


def get_notification(actor: Actor, notification_id: object) -> Notification:
    return find(_mine(actor), notification_id, "No notification with id {id}.")


def mark_read(actor: Actor, notification_id: object, *,
              about: BusinessCenter | None = None) -> Notification:
    """Mark one of the actor's notifications read. Reading is the person's own business,
    not the Business Center's: it changes nothing anyone else sees, so no activity-log
    entry is written."""
    with transaction.atomic():
        note = find(_mine(actor, about).select_for_update(), notification_id,
                    "No notification with id {id}.")
        if note.read_at is None:
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
    return note


def mark_all_read(actor: Actor, *, about: BusinessCenter | None = None,
                  ids: Sequence[object] | None = None) -> int:
    """Mark the actor's unread notifications read (only ``ids`` when given); how many.
    An id that is not the actor's is refused like one that does not exist, and nothing
    is marked."""
    with transaction.atomic():
        rows = _mine(actor, about).filter(read_at__isnull=True)
        if ids is not None:
            wanted = [find(_mine(actor, about), raw, "No notification with id {id}.").pk
                      for raw in ids]
            rows = rows.filter(pk__in=wanted)
        return Notification.objects.filter(pk__in=rows.values("pk")).update(
            read_at=timezone.now())


def email_choices(user: User) -> list[tuple[Kind, bool]]:
    """Every kind with whether the person wants it by email, in the order shown."""
    off = set(EmailChoice.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return [(kind, kind.value not in off) for kind in Kind]


def set_email_choices(actor: Actor, wanted: Mapping[str, bool]) -> list[tuple[Kind, bool]]:
    """Choose email or not per kind; kinds not named keep their choice. In-app
    notifications cannot be turned off: they are the record of what happened to you."""
    user = _person(actor)
    unknown = sorted(k for k in wanted if k not in Kind.values)
    if unknown:
        allowed = ", ".join(Kind.values)
        raise InvalidInput(f"Unknown notification kind: {', '.join(unknown)}. Use one of: "
                           f"{allowed}.", fields={"kinds": f"one of {allowed}"})
    with transaction.atomic():
        before = dict(email_choices(user))
        for kind, email in wanted.items():
            EmailChoice.objects.update_or_create(user=user, kind=kind,
                                                 defaults={"email": bool(email)})
        after = email_choices(user)
        changed = {k.value: v for k, v in after if before[k] != v}
        if changed:
            record(actor, center=None, category=Category.USER,
                   action="account.notifications_changed", target=user,
                   before={k: not v for k, v in changed.items()}, after=changed)
    return after


@dataclass(frozen=True)
class Removal:
    """A Business Center the person is no longer in, and since when, in its time zone."""

    center: str
    on: str
    revoked: bool  # removed by an Admin; else the access reached its end date

    @property
    def sentence(self) -> str:
        if self.revoked:
            return (f"{self.center} removed you on {self.on}. Ask its Admin if this is a "
                    "mistake.")
        return (f"Your access to {self.center} ended on {self.on}. Ask its Admin if this "
                "is a mistake.")


def removals(user: User) -> list[Removal]:
    """Why a person who logs in has no Business Center: the ones that removed them (or
    whose access ended), latest first, leaving out those they are back in."""
    from bizcenter.centers.choices import MemberStatus
    from bizcenter.centers.models import Membership

    now = timezone.now()
    current = set(Membership.objects.active().filter(user=user).values_list("center_id",
                                                                           flat=True))
    found: list[tuple[Any, int, Removal]] = []
    for m in (Membership.objects.in_status(MemberStatus.REVOKED, MemberStatus.EXPIRED)
              .filter(user=user).exclude(center_id__in=current).select_related("center")):
        revoked = m.state == "REVOKED"
        when = m.revoked_at if revoked else m.expires_at
        if when is None or when > now:
            continue
        zone = ZoneInfo(m.center.timezone or "UTC")
        found.append((when, m.center_id, Removal(
            m.center.name, timezone.localtime(when, zone).date().isoformat(), revoked)))
    found.sort(key=lambda row: row[0], reverse=True)
    latest: dict[int, Removal] = {}
    for _, center_id, removal in found:
        latest.setdefault(center_id, removal)
    return list(latest.values())
