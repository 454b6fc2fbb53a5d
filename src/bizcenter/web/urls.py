from django.contrib.auth.views import LogoutView
from django.urls import include, path

from bizcenter.web import (
    access_pages,
    account,
    activity,
    assets,
    center_settings,
    partner_centers,
    partners,
    views,
)

app_name = "web"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    path("login/", account.Login.as_view(), name="login"),
    path("login/code/", account.login_code, name="login_code"),
    path("account/security/", account.security, name="security"),
    path("password/reset/", account.password_reset, name="password_reset"),
    path("password/reset/sent/", account.password_reset_sent, name="password_reset_sent"),
    path("password/reset/<uidb64>/<token>/", account.ResetConfirm.as_view(),
         name="password_reset_confirm"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("invite/<str:token>/", views.accept, name="accept"),
    path("c/<int:center_id>/", access_pages.center_home, name="center"),
    path("c/<int:center_id>/troubleshoot/", access_pages.troubleshoot, name="troubleshoot"),
    path("c/<int:center_id>/review/", access_pages.review, name="review"),
    path("c/<int:center_id>/activity/", activity.log, name="activity"),
    path("c/<int:center_id>/settings/", center_settings.settings_page, name="settings"),
    path("c/<int:center_id>/assets/", assets.asset_list, name="assets"),
    path("c/<int:center_id>/assets/<int:asset_id>/", assets.asset_detail, name="asset"),
    path("c/<int:center_id>/assets/<int:asset_id>/members/<int:member_id>/unassign/",
         assets.asset_unassign, name="asset_unassign"),
    path("c/<int:center_id>/groups/", assets.group_list, name="groups"),
    path("c/<int:center_id>/groups/<int:group_id>/", assets.group_detail, name="group"),
    path("c/<int:center_id>/partner-centers/", partner_centers.partner_centers,
         name="partner_centers"),
    # Users -> Partners
    path("c/<int:center_id>/partners/", partners.members, name="members"),
    path("c/<int:center_id>/partners/invitations/", partners.pending, name="invitations"),
    path("c/<int:center_id>/partners/add/", partners.add, name="add_partners"),
    path("c/<int:center_id>/partners/imports/<int:import_id>/", partners.import_progress,
         name="import"),
    path("c/<int:center_id>/partners/invitations/<int:invitation_id>/resend/", partners.resend,
         name="resend"),
    path("c/<int:center_id>/partners/invitations/<int:invitation_id>/cancel/", partners.cancel,
         name="cancel"),
    path("c/<int:center_id>/partners/invitations/<int:invitation_id>/link/", partners.copy_link,
         name="copy_link"),
    path("c/<int:center_id>/partners/<int:member_id>/", access_pages.member_detail,
         name="member"),
    path("c/<int:center_id>/partners/<int:member_id>/revoke/", partners.revoke, name="revoke"),
    path("c/<int:center_id>/partners/<int:member_id>/edit/", partners.edit, name="edit_member"),
    path("centers/new/", views.new_center, name="new_center"),
    # The modules partners work in; their names join this namespace (web:campaigns, ...).
    path("c/<int:center_id>/campaigns/", include("bizcenter.campaigns.urls")),
    path("c/<int:center_id>/reports/", include("bizcenter.reporting.urls")),
    path("c/<int:center_id>/billing/", include("bizcenter.billing.urls")),
]
