"""The closed catalogue of things a person can try to do in a Business Center.

| action | on | who may |
|---|---|---|
| `center.view` | Business Center | any current member |
| `member.view` | Business Center | Admins |
| `member.invite` | Business Center | Admins |
| `member.manage` | Business Center | Admins |
| `settings.manage` | Business Center | Admins |
| `activity.view` | Business Center | Admins |
| `approval.decide` | Business Center | Admins |
| `asset.manage` | Business Center or asset | Admins |
| `asset.view` | asset | Admins; Standard with any role on the asset |
| `asset.view` | Business Center (the asset list) | Admins; Standard with the ASSETS module |
| `campaign.view` | ad account | Admins; Standard with CAMPAIGNS and any role on it |
| `campaign.edit` | ad account | Admins, when the account is active (Standard: propose) |
| `campaign.propose` | ad account | Standard with CAMPAIGNS and OPERATOR/ADMIN; account active |
| `report.view` | ad account | Admins; Standard with ANALYTICS and any role on it |
| `report.view` | Business Center | Admins; Standard with ANALYTICS (totals of what they see) |
| `billing.view` | Business Center | Admins, Finance Managers, Finance Analysts |
| `billing.manage` | Business Center | Admins, Finance Managers |
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


ADMIN_ONLY = frozenset({
    Action.MEMBER_VIEW, Action.MEMBER_INVITE, Action.MEMBER_MANAGE, Action.SETTINGS_MANAGE,
    Action.ACTIVITY_VIEW, Action.APPROVAL_DECIDE, Action.ASSET_MANAGE,
})
# Actions that change something inside an ad account: the account must be active.
CHANGES_ACCOUNT = frozenset({Action.CAMPAIGN_EDIT, Action.CAMPAIGN_PROPOSE})
