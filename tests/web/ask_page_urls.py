"""The site's URLs with a stand-in Ask for access page where the real one is not yet:
lets the share-ceiling tests prove the links to it are built, whichever lands first."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from bizcenter.urls import urlpatterns as site
from bizcenter.web import urls as web


def _stand_in(request: HttpRequest, center_id: int) -> HttpResponse:
    return HttpResponse("ask for access")


_web: list[URLPattern | URLResolver] = list(web.urlpatterns)
if not any(getattr(p, "name", None) == "partner_access" for p in _web):
    _web.append(path("c/<int:center_id>/partner-centers/ask/", _stand_in,
                     name="partner_access"))

urlpatterns = [p for p in site if getattr(p, "pattern", None) is None
               or str(p.pattern) != ""] + [path("", include((_web, "web")))]

handler404 = "bizcenter.web.views.not_found"
handler403 = "bizcenter.web.views.forbidden"
handler500 = "bizcenter.web.views.server_error"
