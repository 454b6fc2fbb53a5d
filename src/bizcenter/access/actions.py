"""The closed catalogue of things a person can try to do in a Business Center.

Who may do each is one row of ``access.rules`` (``TABLE``), which the engine evaluates
and the README's table is generated from (``python -m bizcenter.access.rules``).
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    CENTER_VIEW = "center.view"
    MEMBER_VIEW = "member.view"
    MEMBER_INVITE = "member.invite"
    MEMBER_MANAGE = "member.manage"
    SETTINGS_MANAGE = "settings.manage"
    ACTIVITY_VIEW = "activity.view"
    APPROVAL_DECIDE = "approval.decide"
    ASSET_MANAGE = "asset.manage"
    ASSET_VIEW = "asset.view"
    CAMPAIGN_VIEW = "campaign.view"
    CAMPAIGN_EDIT = "campaign.edit"
    CAMPAIGN_PROPOSE = "campaign.propose"
    REPORT_VIEW = "report.view"
    BILLING_VIEW = "billing.view"
    BILLING_MANAGE = "billing.manage"

