"""The closed catalogue of things a person can try to do in a Business Center."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    MEMBER_VIEW = "member.view"
    MEMBER_INVITE = "member.invite"
    MEMBER_MANAGE = "member.manage"
    SETTINGS_MANAGE = "settings.manage"
    ACTIVITY_VIEW = "activity.view"
    CENTER_VIEW = "center.view"
