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


class ServiceErrors:
    """Show a service's refusal next to the field it names, or above the form.

    Services put a short hint per field and a full sentence in the message;
    with one field, the full sentence reads best beside it.
    """

    def add_service_error(self, error: ServiceError) -> None:
        fields = [f for f in error.fields if f in self.fields]  # type: ignore[attr-defined]
        if len(fields) == 1 and len(error.fields) == 1:
            self.add_error(fields[0], error.message)  # type: ignore[attr-defined]
        elif fields:
            for field in fields:
                self.add_error(field, error.fields[field])  # type: ignore[attr-defined]
        else:
            self.add_error(None, error.message)  # type: ignore[attr-defined]


class SignUpForm(ServiceErrors, forms.Form):
    email = forms.CharField(label="Email", required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label="Phone (with country code)", required=False, max_length=32,
                            widget=forms.TextInput(attrs={"autocomplete": "tel",
                                                          "placeholder": "+14155550123"}))
    name = forms.CharField(label="Your name", required=False, max_length=150)
    password = forms.CharField(label="Password",
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

class CodeForm(ServiceErrors, forms.Form):
    code = forms.CharField(
        label="Code", max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                      "autofocus": True}),
        help_text="The 6 digits your authenticator app shows, or a recovery code.")


class PasswordChangeForm(ServiceErrors, forms.Form):
    current = forms.CharField(label="Current password", widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
    new = forms.CharField(label="New password", widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def add_service_error(self, error: ServiceError) -> None:
        # The service names the new one "password"; here it is the "new" field.
        if "password" in error.fields:
            self.add_error("new", error.message)
        else:
            super().add_service_error(error)


class ResetRequestForm(ServiceErrors, forms.Form):
    address = forms.CharField(label="Email or phone", max_length=254, widget=forms.TextInput(
        attrs={"autocomplete": "username", "autofocus": True}))


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


class EditMemberForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=[("STANDARD", "Standard"), ("ADMIN", "Admin")])
    modules = forms.MultipleChoiceField(
        label="Access", required=False, widget=forms.CheckboxSelectMultiple,
        choices=InviteForm.base_fields["modules"].choices)  # type: ignore[attr-defined]
    finance_role = forms.ChoiceField(
        label="Finance role", required=False,
        choices=InviteForm.base_fields["finance_role"].choices)  # type: ignore[attr-defined]
    kind = forms.ChoiceField(label="Partner kind",
                             choices=InviteForm.base_fields["kind"].choices)  # type: ignore[attr-defined]
    expires = forms.DateField(label="Access ends (optional)", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))


class CenterForm(ServiceErrors, forms.Form):
    name = forms.CharField(label="Business Center name", max_length=100)
    company = forms.CharField(label="Company (optional)", max_length=200, required=False)
    timezone = forms.CharField(label="Time zone", initial="UTC", max_length=64)
    currency = forms.CharField(label="Currency", initial="USD", max_length=3)
