"""Pages of the billing module, included in the web door's URL namespace ("web:")."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
