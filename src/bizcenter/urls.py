from django.urls import include, path

urlpatterns = [
    path("", include("bizcenter.web.urls")),
]

handler404 = "bizcenter.web.views.not_found"
handler403 = "bizcenter.web.views.forbidden"
handler500 = "bizcenter.web.views.server_error"
