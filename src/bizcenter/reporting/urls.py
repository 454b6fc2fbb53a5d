"""Pages of the reporting module, included in the web door's URL namespace ("web:")."""

from django.urls import URLPattern, path

from bizcenter.reporting.pages import account_report, campaign_report, center_report, upload

urlpatterns: list[URLPattern] = [
    path("", center_report, name="reports"),
    path("accounts/<int:advertiser_id>/", account_report, name="report_account"),
    path("campaigns/<int:campaign_id>/", campaign_report, name="report_campaign"),
    path("upload/", upload, name="report_upload"),
]
