"""The TikTok Business API v1.3 paths bizcenter serves, under /open_api/v1.3/."""

from __future__ import annotations

from django.urls import path, re_path

from bizcenter.compat import (
    advertisers,
    assets,
    billing,
    campaigns,
    changelog,
    door,
    groups,
    members,
    partners,
    reports,
)

app_name = "compat"

urlpatterns = [
    path("bc/get/", members.bc_get, name="bc_get"),
    path("bc/member/get/", members.member_get, name="bc_member_get"),
    path("bc/member/invite/", members.member_invite, name="bc_member_invite"),
    path("bc/member/update/", members.member_update, name="bc_member_update"),
    path("bc/member/delete/", members.member_delete, name="bc_member_delete"),
    path("bc/partner/get/", partners.partner_get, name="bc_partner_get"),
    path("bc/partner/add/", partners.partner_add, name="bc_partner_add"),
    path("bc/partner/delete/", partners.partner_delete, name="bc_partner_delete"),
    path("bc/partner/asset/get/", partners.partner_asset_get, name="bc_partner_asset_get"),
    path("bc/partner/asset/delete/", partners.partner_asset_delete,
         name="bc_partner_asset_delete"),
    path("bc/asset/get/", assets.asset_get, name="bc_asset_get"),
    path("bc/asset/assign/", assets.asset_assign, name="bc_asset_assign"),
    path("bc/asset/unassign/", assets.asset_unassign, name="bc_asset_unassign"),
    path("bc/asset/member/get/", assets.asset_member_get, name="bc_asset_member_get"),
    path("bc/asset/partner/get/", assets.asset_partner_get, name="bc_asset_partner_get"),
    path("bc/asset_group/create/", groups.group_create, name="bc_asset_group_create"),
    path("bc/asset_group/update/", groups.group_update, name="bc_asset_group_update"),
    path("bc/asset_group/list/", groups.group_list, name="bc_asset_group_list"),
    path("bc/asset_group/get/", groups.group_get, name="bc_asset_group_get"),
    path("bc/asset_group/delete/", groups.group_delete, name="bc_asset_group_delete"),
    path("changelog/get/", changelog.changelog_get, name="changelog_get"),
    path("campaign/get/", campaigns.campaign_get, name="campaign_get"),
    path("campaign/create/", campaigns.campaign_create, name="campaign_create"),
    path("campaign/update/", campaigns.campaign_update, name="campaign_update"),
    path("campaign/status/update/", campaigns.campaign_status_update,
         name="campaign_status_update"),
    path("report/integrated/get/", reports.report_get, name="report_integrated_get"),
    path("bc/balance/get/", billing.bc_balance_get, name="bc_balance_get"),
    path("bc/transaction/get/", billing.bc_transaction_get, name="bc_transaction_get"),
    path("advertiser/balance/get/", billing.advertiser_balance_get,
         name="advertiser_balance_get"),
    path("advertiser/info/", advertisers.advertiser_info, name="advertiser_info"),
    # Anything else under open_api/v1.3/ answers in the envelope, not with a web page.
    re_path(r"^(?P<path>.*)$", door.unknown, name="unknown"),
]
