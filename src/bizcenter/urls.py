from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

from bizcenter.api.main import api
from bizcenter.core.probe import ping

urlpatterns = [
    path("ping", ping, name="ping"),
    # Browsers and feed readers ask for /favicon.ico whatever the page says (issue 21).
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.ico"))),
    path("api/v1/", api.urls),
    path("open_api/v1.3/", include("bizcenter.compat.urls")),
    path("", include("bizcenter.web.urls")),
]

handler404 = "bizcenter.web.views.not_found"
handler403 = "bizcenter.web.views.forbidden"
handler500 = "bizcenter.web.views.server_error"
