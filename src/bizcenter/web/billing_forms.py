"""Forms of the billing page. They only carry what was typed back and forth: every
field is text or a plain pick, and the billing services do all the checking, so
the page, the API and the CLI refuse the same input with the same words (and a
person who may not change billing is told so whatever they typed)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from bizcenter.billing.models import CardBrand, Kind
from bizcenter.core.errors import ServiceError
from bizcenter.web.forms import ServiceErrors as BaseServiceErrors


class ServiceErrors(BaseServiceErrors):
    """Refusals beside their fields, keeping what was typed, except a card number: the
    page does not send one back to the browser either (autofill, shared screens, caches)."""

    data: Any

    def add_service_error(self, error: ServiceError) -> None:
        super().add_service_error(error)
        cleared = [f for f, hint in error.fields.items()
                   if hint in ("no card numbers", "only the last 4 digits")]
        if cleared:
            self.data = self.data.copy()
            for field in cleared:
                self.data[self.add_prefix(self.aliases.get(field, field))] = ""  # type: ignore[attr-defined]


def _money(label: str, required_hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=40, help_text=required_hint,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                      "placeholder": "0.00"}))


def _note() -> forms.CharField:
    return forms.CharField(label="Note", required=False, max_length=300,
                           help_text="Optional, e.g. a bank transfer reference.")


class TopUpForm(ServiceErrors, forms.Form):
    prefix = "topup"  # several forms share the page: keep their names and ids apart
    amount = _money("Top-up amount")
    note = _note()

    def __init__(self, *args: Any, currency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"Top-up amount ({currency})"


class RefundForm(ServiceErrors, forms.Form):
    prefix = "refund"
    amount = _money("Refund amount", "Paid back to the payment method; at most the balance.")
    note = _note()

    def __init__(self, *args: Any, currency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"Refund amount ({currency})"


class PaymentForm(ServiceErrors, forms.Form):
    prefix = "payment"
    contact_name = forms.CharField(label="Billing contact name", required=False, max_length=150)
    contact_email = forms.CharField(
        label="Billing contact email", required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    card_brand = forms.CharField(
        label="Card brand", required=False,
        widget=forms.Select(choices=[("", "No card"), *CardBrand.choices]))
    card_last4 = forms.CharField(
        label="Card: last 4 digits", required=False, max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="Only the last 4 digits. The full card number is never asked for or stored.")
    card_exp_month = forms.CharField(
        label="Expiry month", required=False,
        widget=forms.Select(choices=[("", "—")] + [(str(m), f"{m:02d}") for m in range(1, 13)]))
    card_exp_year = forms.CharField(
        label="Expiry year", required=False, max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "2030",
                                      "autocomplete": "off"}))


class LimitForm(ServiceErrors, forms.Form):
    prefix = "limit"
    aliases = {"advertiser": "account"}

    account = forms.CharField(label="Ad account", widget=forms.Select())
    amount = _money("Monthly spending limit", "Leave empty for no limit.")

    def __init__(self, *args: Any, accounts: Iterable[Any] = (), currency: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].widget.choices = [(str(a.pk), a.name) for a in accounts]  # type: ignore[attr-defined]
        self.fields["account"].required = False
        self.fields["amount"].label = f"Monthly spending limit ({currency})"


class InvoiceForm(ServiceErrors, forms.Form):
    prefix = "invoice"
    month = forms.CharField(
        label="Month", required=False, max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
        help_text="A month that has ended; its spend becomes the invoice.")

    def period(self) -> tuple[int, int]:
        """The year and month typed (YYYY-MM); (0, 0) lets the service say what is wrong."""
        text = (self.cleaned_data.get("month") or "").strip()
        year, _, month = text.partition("-")
        if year.isdigit() and month.isdigit():
            return int(year), int(month)
        return 0, 0


class FilterForm(ServiceErrors, forms.Form):
    aliases = {"advertiser": "account"}

    kind = forms.CharField(label="Kind", required=False, widget=forms.Select(
        choices=[("", "All kinds"), *Kind.choices]))
    account = forms.CharField(label="Ad account", required=False, widget=forms.Select())
    since = forms.DateField(label="From", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, accounts: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].widget.choices = [  # type: ignore[attr-defined]
            ("", "All ad accounts"), *((str(a.pk), a.name) for a in accounts)]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"kind": data.get("kind") or None, "advertiser_id": data.get("account") or None,
                "since": data.get("since"), "until": data.get("until")}
