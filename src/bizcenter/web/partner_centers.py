"""Partner Business Centers: add a partner by id, share assets at a role, raise,
lower or unshare; and, on the receiving side, what partners share with us."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bizcenter.assets import partners as partner_services
from bizcenter.assets.services import owned_assets
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.errors import ServiceError
from bizcenter.web.forms import PartnerForm, ShareForm, status_of
from bizcenter.web.scope import center_page
from bizcenter.web.views import actor


@center_page
@require_http_methods(["GET", "POST"])
def partner_centers(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    me = actor(request)
    links = partner_services.partners_of(me, center)
    own = owned_assets(me, center)
    step = request.POST.get("step")
    add_form = PartnerForm(request.POST if step == "add" else None)
    share_form = ShareForm(request.POST if step == "share" else None, assets=own)
    partner = request.POST.get("partner", "")
    status = 200
    try:
        if step == "add" and add_form.is_valid():
            link = partner_services.add_partner(me, center, add_form.cleaned_data["partner_id"])
            messages.success(request, f"{link.partner.name} is now a partner. Share assets "
                             "with it below.")
            return redirect("web:partner_centers", center_id=center.pk)
        if step == "share" and share_form.is_valid():
            done = partner_services.share(me, center, partner, share_form.cleaned_data["asset"],
                                          share_form.role_list())
            messages.success(request, f"Shared {done.asset} as {', '.join(done.roles)}.")
            return redirect("web:partner_centers", center_id=center.pk)
        if step == "unshare":
            partner_services.unshare(me, center, partner, request.POST.get("asset", ""))
            messages.success(request, "Stopped sharing; the partner's members lost it at once.")
            return redirect("web:partner_centers", center_id=center.pk)
        if step == "remove":
            partner_services.remove_partner(me, center, partner)
            messages.success(request, "Removed the partner and everything shared with it.")
            return redirect("web:partner_centers", center_id=center.pk)
    except ServiceError as error:
        if error.status == 403:
            raise
        form = add_form if step == "add" else share_form if step == "share" else None
        if form is share_form and partner not in {str(link.partner_id) for link in links}:
            form = None  # no card of that partner to show it in: say it above the page
        if form is not None:
            form.add_service_error(error)
        else:
            messages.error(request, error.message)
            status = error.status
    return render(request, "web/partner_centers.html", {
        "center": center, "links": links, "add_form": add_form, "share_form": share_form,
        "share_partner": partner, "blank_share": ShareForm(assets=own),
        "received": partner_services.shared_with(me, center),
        "confirm_remove": request.GET.get("remove", ""),
    }, status=status_of(add_form, share_form) if add_form.errors or share_form.errors
        else status)
