"""The caller's own notifications: read in pages, mark read, choose the emails.

Under /me: they belong to the person, not to a Business Center. A token reaches one
Business Center, so through a token a person reads the notifications about it (and
those about none) and only while they still belong to it; the command line on the
server, in-process, reads all of them.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router

from bizcenter.api.auth import actor, center, token_of
from bizcenter.api.schemas import ERRORS, PageInfo, Schema, page_info
from bizcenter.centers.models import BusinessCenter
from bizcenter.notifications import services
from bizcenter.notifications.models import Notification

router = Router(tags=["Notifications"])


class NotificationOut(Schema):
    id: str
    kind: str = Field(description="invitation_accepted, access_changed, access_ending, "
                                  "change_to_decide, change_decided, partner or "
                                  "spending_limit")
    sentence: str = Field(description="What happened, in words, as the web list shows it.")
    link: str = Field(description="The path on this site of what it is about, or empty.")
    center_id: str | None
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def of(n: Notification) -> NotificationOut:
        return NotificationOut(id=str(n.pk), kind=n.kind, sentence=n.sentence, link=n.link,
                               center_id=str(n.center_id) if n.center_id else None,
                               created_at=n.created_at, read_at=n.read_at)


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int
    page_info: PageInfo


class NotificationFilters(Schema):
    page: int = 1
    page_size: int = 20
    unread: bool = Field(False, description="Only the unread ones.")


class ReadIn(Schema):
    ids: list[str] | None = Field(None, description="The notifications to mark read; "
                                                    "leave out to mark every one read.")


class ReadOut(Schema):
    marked: int
    unread: int


def _scope(request: HttpRequest) -> BusinessCenter | None:
    """The token's Business Center, checked as every endpoint checks it; None in-process."""
    token = token_of(request)
    return None if token is None else center(request, token.center_id)


@router.get("/notifications", response={200: NotificationPage, **ERRORS},
            summary="Your notifications, newest first")
def list_notifications(request: HttpRequest,
                       filters: Query[NotificationFilters]) -> NotificationPage:
    scope = _scope(request)
    me = actor(request)
    found = services.list_notifications(me, page=filters.page, page_size=filters.page_size,
                                        about=scope, unread=filters.unread)
    assert me.user is not None
    return NotificationPage(items=[NotificationOut.of(n) for n in found.items],
                            unread=services.unread_count(me.user, scope),
                            page_info=page_info(found))


@router.post("/notifications/read", response={200: ReadOut, **ERRORS},
             summary="Mark notifications read")
def read_notifications(request: HttpRequest, payload: ReadIn) -> ReadOut:
    """The ids given, or all; an id that is not yours is a 404 and nothing is marked."""
    scope = _scope(request)
    me = actor(request)
    marked = services.mark_all_read(me, about=scope, ids=payload.ids)
    assert me.user is not None
    return ReadOut(marked=marked, unread=services.unread_count(me.user, scope))
