"""The email of a notification that has no email of its own: its sentence and its link.

Rendered when delivered, from the notification row, so the outbox holds only its id.
The sentence is words written when the event happened (names already quoted); it is
defused again here, as every name in a message is (outbox/names.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from bizcenter.notifications.models import Notification
from bizcenter.outbox.names import defused
from bizcenter.outbox.renderers import Rendered, register


@register("notification")
def render_notification(payload: dict[str, Any]) -> Rendered | None:
    note = Notification.objects.filter(pk=payload["notification_id"]).first()
    if note is None:
        return None  # the account was deleted before the message went out
    base = settings.BIZCENTER_BASE_URL
    sentence = defused(note.sentence)
    lines = [sentence, ""]
    if note.link:
        lines += [f"See it: {base}{note.link}", ""]
    lines += [f"All your notifications: {base}{reverse('web:notifications')}",
              "You get this email because you chose email for "
              f"\"{note.get_kind_display().lower()}\". Choose which emails you get on your "
              f"account page: {base}{reverse('web:security')}#notifications"]
    return Rendered(subject=_subject(sentence), text="\n".join(lines) + "\n")


def _subject(sentence: str) -> str:
    first = sentence.split(". ")[0].rstrip(".")
    return first if len(first) <= 120 else first[:119] + "…"
