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

# Each path's URL name is the path with underscores: bc/member/get/ is bc_member_get.
ROUTES = {
    "bc/get/": members.bc_get,
    "bc/member/get/": members.member_get,
    "bc/member/invite/": members.member_invite,
    "bc/member/update/": members.member_update,
    "bc/member/delete/": members.member_delete,
    "bc/partner/get/": partners.partner_get,
    "bc/partner/add/": partners.partner_add,
    "bc/partner/delete/": partners.partner_delete,
    "bc/partner/asset/get/": partners.partner_asset_get,
    "bc/partner/asset/delete/": partners.partner_asset_delete,
    "bc/asset/get/": assets.asset_get,
    "bc/asset/assign/": assets.asset_assign,
    "bc/asset/unassign/": assets.asset_unassign,
    "bc/asset/member/get/": assets.asset_member_get,
    "bc/asset/partner/get/": assets.asset_partner_get,
    "bc/asset_group/create/": groups.group_create,
    "bc/asset_group/update/": groups.group_update,
    "bc/asset_group/list/": groups.group_list,
    "bc/asset_group/get/": groups.group_get,
    "bc/asset_group/delete/": groups.group_delete,
    "changelog/get/": changelog.changelog_get,
    "campaign/get/": campaigns.campaign_get,
    "campaign/create/": campaigns.campaign_create,
    "campaign/update/": campaigns.campaign_update,
    "campaign/status/update/": campaigns.campaign_status_update,
    "report/integrated/get/": reports.report_get,
    "bc/balance/get/": billing.bc_balance_get,
    "bc/transaction/get/": billing.bc_transaction_get,
    "advertiser/balance/get/": billing.advertiser_balance_get,
    "advertiser/info/": advertisers.advertiser_info,
}

urlpatterns = [
    *(path(route, view, name=route.strip("/").replace("/", "_"))
      for route, view in ROUTES.items()),
    # Anything else under open_api/v1.3/ answers in the envelope, not with a web page.
    re_path(r"^(?P<path>.*)$", door.unknown, name="unknown"),
]
