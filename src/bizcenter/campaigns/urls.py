"""Pages of the campaigns module, included in the web door's URL namespace ("web:")."""

from django.urls import path

from bizcenter.campaigns import pages

urlpatterns = [
    path("", pages.campaign_list, name="campaigns"),
    path("new/", pages.campaign_new, name="campaign_new"),
    path("<int:campaign_id>/", pages.campaign_detail, name="campaign"),
    path("approvals/", pages.approvals, name="approvals"),
    path("approvals/<int:request_id>/", pages.change_request, name="change_request"),
]
