"""Pages of the reporting module, included in the web door's URL namespace ("web:")."""

from django.urls import URLPattern, path

from bizcenter.reporting import pages

urlpatterns: list[URLPattern] = [
    path("", pages.center_report, name="reports"),
    path("accounts/<int:advertiser_id>/", pages.account_report, name="report_account"),
    path("campaigns/<int:campaign_id>/", pages.campaign_report, name="report_campaign"),
    path("upload/", pages.upload, name="report_upload"),
]
