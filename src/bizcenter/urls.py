from django.urls import include, path

urlpatterns = [
    path("", include("bizcenter.web.urls")),
]
