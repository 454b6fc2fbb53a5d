"""The asset picker's rows as JSON, for ``web/picker.js`` (the forms are in
``web/pickers.py``, which the other web modules import; this view needs the page
decorators, which import them in turn)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from bizcenter.assets.ceilings import ceilings
from bizcenter.assets.services import search_assets
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.errors import ServiceError
from bizcenter.web.pickers import PAGE_SIZE, offer
from bizcenter.web.scope import center_page
from bizcenter.web.views import actor


@center_page
@require_GET
def search_json(request: HttpRequest, center: BusinessCenter) -> JsonResponse:
    """The picker's rows as you type (``web/picker.js``): the same service, authorization
    and order as the page's own search, in the shape the script draws."""
    q = request.GET
    me = actor(request)
    page = q.get("page", "1")[:6]
    try:
        found = search_assets(me, center, search=q.get("q", "")[:200],
                              type=q.get("type") or None, owned=q.get("owned") == "1",
                              page=int(page) if page.isdigit() else 1, page_size=PAGE_SIZE)
        others = [a.pk for a in found.items if a.center_id != center.pk]
        shares = ceilings(me, center, others) if others else {}
    except ServiceError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    return JsonResponse({"items": [offer(a, center, shares).as_json() for a in found.items],
                         "page": found.page, "pages": found.pages, "total": found.total})
