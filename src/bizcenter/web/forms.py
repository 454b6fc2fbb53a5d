"""Forms of the web door. They only shape input; services decide and validate."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from bizcenter.core.errors import ServiceError


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Email or phone",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        # Same words whether or not the account exists.
        "invalid_login": "That email or phone and password do not match an account. Check "
        "both and try again.",
    }


class SignUpForm(forms.Form):
    email = forms.CharField(label="Email", required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label="Phone (with country code)", required=False, max_length=32,
                            widget=forms.TextInput(attrs={"autocomplete": "tel",
                                                          "placeholder": "+14155550123"}))
    name = forms.CharField(label="Your name", required=False, max_length=150)
    password = forms.CharField(label="Password",
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def add_service_error(self, error: ServiceError) -> None:
        """Show a service's refusal next to the fields it names, or above the form."""
        placed = False
        for field, message in error.fields.items():
            if field in self.fields:
                self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class InviteForm(forms.Form):
    """Add Partners: the article's form, several addresses at once."""

    addresses = forms.CharField(
        label="Email addresses or phone numbers",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "ana@agency.com\n+14155550123"}),
        help_text="One per line, or separated by commas. Up to 50 at once.",
    )
    role = forms.ChoiceField(label="Role", choices=[("STANDARD", "Standard"), ("ADMIN", "Admin")])
    modules = forms.MultipleChoiceField(
        label="Access", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("ANALYTICS", "Analytics"), ("CAMPAIGNS", "Campaigns"), ("ASSETS", "Assets"),
                 ("BILLING", "Billing")], initial=["ANALYTICS"])
    finance_role = forms.ChoiceField(
        label="Finance role", required=False,
        choices=[("", "None"), ("ANALYST", "Finance Analyst"), ("MANAGER", "Finance Manager")])
    kind = forms.ChoiceField(
        label="Partner kind",
        choices=[("agency", "Agency"), ("manager", "Manager"), ("employee", "Employee"),
                 ("influencer", "Influencer"), ("client", "Client"), ("other", "Other")])
    expires = forms.DateField(label="Access ends (optional)", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def address_list(self) -> list[str]:
        raw = self.cleaned_data["addresses"].replace(",", "\n")
        return [line.strip() for line in raw.splitlines() if line.strip()]
