"""Pages of the billing module, included in the web door's URL namespace ("web:")."""

from django.urls import URLPattern, path

from bizcenter.billing import pages

urlpatterns: list[URLPattern] = [
    path("", pages.billing, name="billing"),
    path("transactions.csv", pages.export, name="billing_export"),
]
