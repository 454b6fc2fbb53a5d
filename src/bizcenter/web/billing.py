"""The billing page: balance, transactions, spending limits, invoices and payment
settings, with the forms to change them for those who may (Admins and Finance
Managers). Each view reads the request, calls one billing service and renders
its answer; the services decide who may do what and what is valid."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from bizcenter.access.actions import Action
from bizcenter.access.engine import check
from bizcenter.billing import services
from bizcenter.billing.money import fmt
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import ServiceError
from bizcenter.core.pagination import clamped, page_number_of
from bizcenter.web.billing_forms import (
    FilterForm,
    InvoiceForm,
    LimitForm,
    PaymentForm,
    RefundForm,
    TopUpForm,
)
from bizcenter.web.confirm import Ask, ask, confirmed
from bizcenter.web.forms import status_of
from bizcenter.web.scope import center_page
from bizcenter.web.templatetags.billing_tags import money
from bizcenter.web.views import actor

STEPS = ("topup", "refund", "payment", "limit", "invoice", "invoice_status")


def _refused(form: Any, error: ServiceError) -> None:
    """A refusal of the person is the 403 page; anything else goes beside the form,
    which keeps what was typed."""
    if error.status == 403:
        raise error
    form.add_service_error(error)


class Forms:
    """The page's forms; only the one that was sent is bound to the request."""

    def __init__(self, center: BusinessCenter, overview: services.Overview, step: str,
                 data: Any) -> None:
        cur = center.currency
        accounts = [line.account for line in overview.limits]
        settings = overview.settings
        initial = {"contact_name": settings.contact_name,
                   "contact_email": settings.contact_email,
                   "card_brand": settings.card_brand, "card_last4": settings.card_last4,
                   "card_exp_month": settings.card_exp_month or "",
                   "card_exp_year": settings.card_exp_year or ""} if settings else {}
        self.topup = TopUpForm(data if step == "topup" else None, currency=cur)
        self.refund = RefundForm(data if step == "refund" else None, currency=cur)
        self.payment = PaymentForm(data if step == "payment" else None, initial=initial)
        self.limit = LimitForm(data if step == "limit" else None, accounts=accounts,
                               currency=cur)
        self.invoice = InvoiceForm(data if step == "invoice" else None)

    def all(self) -> list[Any]:
        return [self.topup, self.refund, self.payment, self.limit, self.invoice]


@center_page
@require_http_methods(["GET", "POST"])
def billing(request: HttpRequest, center: BusinessCenter) -> HttpResponse:
    me = actor(request)
    overview = services.billing_overview(me, center, recent=0)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    forms = Forms(center, overview, step, request.POST)
    status = 200
    if request.method == "POST":
        if step not in STEPS:
            messages.error(request, "That form is not one of this page's; reload and try again.")
            status = 400
        else:
            try:
                done = _apply(request, me, center, step, forms)
            except ServiceError as error:  # the invoice buttons: no form to show it beside
                if error.status == 403:
                    raise
                messages.error(request, error.message)
                status = error.status
            else:
                if done is not None:
                    return done
    return _page(request, me, center, overview, forms, status)


def _apply(request: HttpRequest, me: Actor, center: BusinessCenter, step: str,
           forms: Forms) -> HttpResponse | None:
    """Run the step that was sent. A response when it is done (or needs confirming),
    None when its form has errors to show."""
    here = reverse("web:billing", args=[center.pk])
    cur = center.currency
    if step == "topup" and forms.topup.is_valid():
        data = forms.topup.cleaned_data
        try:
            tx = services.top_up(me, center, data["amount"], data["note"])
        except ServiceError as error:
            _refused(forms.topup, error)
        else:
            messages.success(request, f"Added {fmt(tx.amount)} {cur} to the balance; it is now "
                             f"{fmt(tx.balance_after)} {cur}.")
            return redirect(here)
    elif step == "refund" and forms.refund.is_valid():
        data = forms.refund.cleaned_data
        try:
            if not confirmed(request):
                preview = services.preview_refund(me, center, data["amount"], data["note"])
                return ask(request, _refund_question(center, preview, here), center=center)
            tx = services.refund(me, center, data["amount"], data["note"])
        except ServiceError as error:
            _refused(forms.refund, error)
        else:
            messages.success(request, f"Refunded {fmt(-tx.amount)} {cur}; the balance is now "
                             f"{fmt(tx.balance_after)} {cur}.")
            return redirect(here)
    elif step == "payment" and forms.payment.is_valid():
        try:
            services.set_payment_settings(me, center, **forms.payment.cleaned_data)
        except ServiceError as error:
            _refused(forms.payment, error)
        else:
            messages.success(request, "Payment settings saved.")
            return redirect(f"{here}#payment")
    elif step == "limit" and forms.limit.is_valid():
        data = forms.limit.cleaned_data
        try:
            limit = services.set_spending_limit(me, center, data["account"], data["amount"])
        except ServiceError as error:
            _refused(forms.limit, error)
        else:
            name = dict(forms.limit.fields["account"].widget.choices).get(  # type: ignore[attr-defined]
                data["account"], "The ad account")
            messages.success(request, f"{name} may now spend up to {fmt(limit.amount)} {cur} a "
                             "month." if limit else f"{name} has no spending limit now.")
            return redirect(f"{here}#limits")
    elif step == "invoice" and forms.invoice.is_valid():
        try:
            invoice, new = services.issue_invoice(me, center, *forms.invoice.period())
        except ServiceError as error:
            _refused(forms.invoice, error)
        else:
            period = f"{invoice.period_start:%B %Y}"
            messages.success(request, f"Issued invoice {invoice.number} for {period}: "
                             f"{fmt(invoice.amount)} {cur}." if new else
                             f"Invoice {invoice.number} for {period} was already issued; "
                             "nothing was billed twice.")
            return redirect(f"{here}#invoices")
    elif step == "invoice_status":
        return _invoice_status(request, me, center, here)
    return None


def _invoice_status(request: HttpRequest, me: Actor, center: BusinessCenter,
                    here: str) -> HttpResponse:
    post = request.POST
    wanted = (post.get("status") or "").upper()
    invoice_id = post.get("invoice", "")
    if wanted == "VOID" and not confirmed(request):
        invoice = services.preview_void(me, center, invoice_id)
        return ask(request, Ask(
            f"Void invoice {invoice.number}?",
            f"The invoice for {invoice.period_start:%B %Y} "
            f"({money(invoice.amount, invoice.currency)}) is cancelled for good. Its month "
            "can then take late spend and be invoiced again under a new number.",
            button="Void invoice", back=f"{here}#invoices", cancel="Keep it"), center=center)
    invoice = services.set_invoice_status(me, center, invoice_id, wanted)
    messages.success(request, f"Invoice {invoice.number} is now "
                     f"{invoice.get_status_display().lower()}.")
    return redirect(f"{here}#invoices")


def _refund_question(center: BusinessCenter, preview: services.RefundPreview,
                     here: str) -> Ask:
    """Money leaving the balance: how much, where to, and the balance after."""
    cur = center.currency
    to = preview.card or "the payment method on file"
    return Ask(f"Refund {money(preview.amount, cur)}?",
               f"{money(preview.amount, cur)} leaves the balance of {center.name} and is paid "
               f"back to {to}. The balance goes from {money(preview.balance, cur)} to "
               f"{money(preview.after, cur)}.",
               details=[f"Note: {preview.note}"] if preview.note else [],
               button="Confirm refund", back=here, cancel="Keep the money")


def _page(request: HttpRequest, me: Actor, center: BusinessCenter,
          overview: services.Overview, forms: Forms, status: int,
          filters: FilterForm | None = None) -> HttpResponse:
    if filters is None:
        filters = FilterForm(request.GET, accounts=[line.account for line in overview.limits])
    page = None
    if filters.is_valid():
        try:
            # Past the last page: the last page (core/pagination.py, issue 21).
            page = clamped(lambda n: services.list_transactions(
                me, center, page=n, page_size=25, **filters.filters()),
                page_number_of(request.GET.get("page")))
        except ServiceError as error:
            _refused(filters, error)
    query = request.GET.copy()
    query.pop("page", None)
    can_manage = bool(check(me.user, Action.BILLING_MANAGE, center))
    return render(request, "web/billing/overview.html", {
        "center": center, "overview": overview, "page": page, "filters": filters,
        "q": request.GET, "query": query.urlencode(), "can_manage": can_manage,
        "forms": forms, "currency": center.currency,
    }, status=status if status != 200 else status_of(*forms.all(), filters))


@center_page
@require_GET
def export(request: HttpRequest, center: BusinessCenter) -> HttpResponseBase:
    """The transactions of the page's filters as a CSV file."""
    me = actor(request)
    overview = services.billing_overview(me, center, recent=0)
    filters = FilterForm(request.GET, accounts=[line.account for line in overview.limits])
    blank = Forms(center, overview, "", None)
    if not filters.is_valid():
        return _page(request, me, center, overview, blank, 400, filters)
    try:
        chunks = services.export_transactions(me, center, **filters.filters())
        first = next(chunks)  # refusals of the filters surface here, before any header
    except ServiceError as error:
        if error.status == 403:
            raise
        filters.add_service_error(error)
        return _page(request, me, center, overview, blank, status_of(filters), filters)

    def body() -> Any:
        yield first
        yield from chunks

    response = StreamingHttpResponse(body(), content_type="text/csv; charset=utf-8")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="transactions-{center.pk}-{stamp}.csv"')
    return response
