"""Forms of the web door. They only shape input; services decide and validate."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterable
from typing import Any, Literal

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from bizcenter.audit.catalogue import grouped
from bizcenter.centers.currencies import CURRENCIES
from bizcenter.core.errors import ServiceError
from bizcenter.web.pickers import AssetPicker, AssetRoles


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

    # A service's name for a field -> this form's, where they differ.
    aliases: dict[str, str] = {}
    # The status the page answers with (see ``status_of``): a refusal of what was
    # typed in a field is a 400, fix the field; a refusal of the request as a whole
    # keeps the service's status (404: it is not there, 409: it conflicts).
    refused_status: int | None = None

    def add_service_error(self, error: ServiceError) -> None:
        named = {self.aliases.get(f, f): hint for f, hint in error.fields.items()}
        fields = [f for f in named if f in self.fields]  # type: ignore[attr-defined]
        if len(fields) == 1 and len(named) == 1:
            self.add_error(fields[0], error.message)  # type: ignore[attr-defined]
        elif fields:
            for field in fields:
                self.add_error(field, named[field])  # type: ignore[attr-defined]
        else:
            self.add_error(None, error.message)  # type: ignore[attr-defined]
        self.refused_status = 400 if fields else error.status


def status_of(*forms: Any) -> int:
    """A page's status: the service's refusal if there was one, 400 for any other
    error in a form, else 200."""
    for form in forms:
        if form is not None and form.errors and getattr(form, "refused_status", None):
            return int(form.refused_status)
    return 400 if any(form is not None and form.errors for form in forms) else 200


class SignUpForm(ServiceErrors, forms.Form):
    email = forms.CharField(label="Email", required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label="Phone (with country code)", required=False, max_length=32,
                            widget=forms.TextInput(attrs={"autocomplete": "tel",
                                                          "placeholder": "+14155550123"}))
    name = forms.CharField(label="Your name", required=False, max_length=150)
    password = forms.CharField(label="Password",
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

class InvitedSignUpForm(ServiceErrors, forms.Form):
    """Sign-up from an invitation link: the address is the invitation's, not typed."""

    name = forms.CharField(label="Your name", required=False, max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name",
                                                         "autofocus": True}))
    password = forms.CharField(label="Password",
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class AddressCodeForm(ServiceErrors, forms.Form):
    code = forms.CharField(
        label="Code", max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
        help_text="The 6 digits in the message we sent.")


class NewAddressForm(ServiceErrors, forms.Form):
    """Add or change the email or phone of one's own account: a code goes to it first."""

    address = forms.CharField(label="New email or phone", max_length=254,
                              widget=forms.TextInput(attrs={"autocomplete": "off"}),
                              help_text="An email address, or a phone number with its country "
                                        "code. It replaces the one of the same kind.")
    current = forms.CharField(label="Your password", widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
    aliases = {"email": "address", "phone": "address", "password": "current"}


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


class InviteForm(AssetRoles, ServiceErrors, forms.Form):
    """Add Partners, as the product flow has it: several addresses at once or a CSV file, or
    both: typed addresses and the file's rows are then invited together as one import,
    and its results list both (nothing typed is dropped for the file)."""

    addresses = forms.CharField(
        label="Email addresses or phone numbers", required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "ana@agency.com\n+14155550123"}),
        help_text="One per line, or separated by commas. Up to 50 at once, or any number "
                  "together with a CSV file.",
    )
    file = forms.FileField(
        label="And/or upload a CSV file", required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="One address per row, or columns headed Email and/or Phone (Name and "
                  "other columns are ignored). Up to 4,000 rows; they are invited in the "
                  "background, and every row is reported.")
    prefer_phone = forms.BooleanField(
        label="Prefer phone numbers", required=False,
        help_text="For CSV rows with both an email address and a phone number: invite the "
                  "phone number by SMS. Unticked, such rows are invited by email.")
    role = forms.ChoiceField(label="Role", choices=[("STANDARD", "Standard"), ("ADMIN", "Admin")])
    modules = forms.MultipleChoiceField(
        label="Access", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("ANALYTICS", "Analytics"), ("CAMPAIGNS", "Campaigns"), ("ASSETS", "Assets")],
        initial=["ANALYTICS"])
    # The Billing module is this choice: a finance role gives it (centers.choices).
    finance_role = forms.ChoiceField(
        label="Billing access", required=False,
        choices=[("", "None"), ("ANALYST", "Finance Analyst — view billing"),
                 ("MANAGER", "Finance Manager — change billing")])
    kind = forms.ChoiceField(
        label="Partner kind",
        choices=[("agency", "Agency"), ("manager", "Manager"), ("employee", "Employee"),
                 ("influencer", "Influencer"), ("client", "Client"), ("other", "Other")])
    expires = forms.DateField(label="Access ends (optional)", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, picker: AssetPicker | None = None, **kwargs: Any) -> None:
        """``picker``: the assets chosen and found (``web.pickers``), each a role field."""
        super().__init__(*args, **kwargs)
        self.add_picker(picker)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("addresses", "").strip() and not data.get("file"):
            raise forms.ValidationError("Type at least one email address or phone number, or "
                                        "upload a CSV file.")
        return data

    def address_list(self) -> list[str]:
        raw = self.cleaned_data["addresses"].replace(",", "\n")
        return [line.strip() for line in raw.splitlines() if line.strip()]

    def prefer(self) -> Literal["email", "phone"]:
        return "phone" if self.cleaned_data.get("prefer_phone") else "email"


class EditMemberForm(AssetRoles, ServiceErrors, forms.Form):
    """A member's access; its picker offers the assets partners share too, within each
    share."""

    role = forms.ChoiceField(label="Role", choices=[("STANDARD", "Standard"), ("ADMIN", "Admin")])
    modules = forms.MultipleChoiceField(
        label="Access", required=False, widget=forms.CheckboxSelectMultiple,
        choices=InviteForm.base_fields["modules"].choices)  # type: ignore[attr-defined]
    finance_role = forms.ChoiceField(
        label="Billing access", required=False,
        choices=InviteForm.base_fields["finance_role"].choices)  # type: ignore[attr-defined]
    kind = forms.ChoiceField(label="Partner kind",
                             choices=InviteForm.base_fields["kind"].choices)  # type: ignore[attr-defined]
    expires = forms.DateField(label="Access ends (optional)", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, picker: AssetPicker | None = None, **kwargs: Any) -> None:
        """``picker``: the assets chosen and found (``web.pickers``), each a role field."""
        super().__init__(*args, **kwargs)
        self.add_picker(picker)


class Offered(forms.ChoiceField):
    """A select of what is offered, whose value the service judges: a stale form or a
    script posting "eur" or "Mars/Base" gets the service's own words ("'Mars/Base' is
    not a time zone. Use an IANA name such as Europe/Paris …") beside the field."""

    def valid_value(self, value: str) -> bool:
        return True


# The world's regions as the IANA database names them; any other name it knows (UTC
# aside: "US/Eastern", "Etc/GMT+5") is offered under Other, so a Business Center set
# to one keeps it. The service validates (centers/services.py), the form only offers.
_REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe",
            "Indian", "Pacific")


@functools.cache
def time_zone_choices() -> list[tuple[str, Any]]:
    names = sorted(zoneinfo.available_timezones() - {"UTC", "localtime", "posixrules"})
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in names:
        region = name.split("/", 1)[0] if "/" in name else "Other"
        group = region if region in _REGIONS else "Other"
        groups.setdefault(group, []).append((name, name.replace("_", " ")))
    return [("UTC", "UTC"), *((g, groups[g]) for g in (*_REGIONS, "Other") if g in groups)]


@functools.cache
def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(CURRENCIES)]


class CenterForm(ServiceErrors, forms.Form):
    name = forms.CharField(label="Business Center name", max_length=100)
    company = forms.CharField(label="Company (optional)", max_length=200, required=False)
    timezone = Offered(label="Time zone", initial="UTC",
                                 choices=lambda: time_zone_choices(),
                                 widget=forms.Select(attrs={"data-search": "time zones"}),
                                 help_text="Reports, end dates and budgets count days here.")
    currency = Offered(label="Currency", initial="USD",
                                 choices=lambda: currency_choices(),
                                 widget=forms.Select(attrs={"data-search": "currencies"}),
                                 help_text="Budgets and spending limits are in it.")


class TroubleshootForm(ServiceErrors, forms.Form):
    """The pickers offer the Business Center's actions and the assets it can reach;
    what was picked is the service's to judge (an unknown action, an asset of
    another Business Center, one beyond the first 500 listed)."""

    aliases = {"address": "person"}

    person = forms.CharField(label="Person (email or phone)", max_length=254,
                             widget=forms.TextInput(attrs={"placeholder": "ana@agency.com"}))
    action = forms.CharField(label="Trying to", max_length=64, widget=forms.Select)
    resource = forms.CharField(label="On", required=False, max_length=64, widget=forms.Select)

    def __init__(self, *args: Any, assets: Iterable[Any] = (), center: Any = None,
                 **kwargs: Any) -> None:
        from bizcenter.access.profile import ACTION_LABELS

        super().__init__(*args, **kwargs)
        self.fields["action"].widget.choices = [  # type: ignore[attr-defined]
            (a.value, label) for a, label in ACTION_LABELS.items()]
        self.fields["resource"].widget.choices = [  # type: ignore[attr-defined]
            ("center", f"{center.name} (the Business Center)" if center else "The Business "
             "Center"), *((f"asset:{a.pk}", str(a)) for a in assets)]


class ActivityFilterForm(ServiceErrors, forms.Form):
    aliases = {"address": "person"}

    since = forms.DateField(label="From", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ChoiceField(label="Category", required=False, choices=[
        ("", "Any"), ("USER", "User"), ("ACCOUNT", "Account"), ("ASSET", "Asset"),
        ("BUSINESS", "Business")])
    person = forms.CharField(label="By (name, email or phone, or part of one)", required=False,
                             max_length=254)
    # The catalogue's actions by their labels, grouped; the stored string is the value.
    action = forms.ChoiceField(label="Action", required=False,
                               choices=lambda: [("", "Any"), *grouped()])


class SettingsForm(ServiceErrors, forms.Form):
    """Field names are the service's, so its field errors land beside the right input."""

    name = forms.CharField(label="Business Center name", max_length=100)
    company = forms.CharField(label="Company", max_length=200, required=False)
    timezone = Offered(label="Time zone", choices=lambda: time_zone_choices(),
                                 widget=forms.Select(attrs={"data-search": "time zones"}))
    currency = Offered(label="Currency", choices=lambda: currency_choices(),
                                 widget=forms.Select(attrs={"data-search": "currencies"}))
    two_factor_policy = forms.ChoiceField(
        label="Require 2-step verification for",
        choices=[("NOBODY", "Nobody"), ("ADMINS", "Admins"), ("EVERYONE", "Everyone")],
        help_text="People it applies to reach nothing here until they set it up.")
    allowed_email_domains = forms.CharField(
        label="Only invite email addresses at", required=False,
        widget=forms.TextInput(attrs={"placeholder": "agency.com, brand.com"}),
        help_text="Comma-separated domains. Empty: any domain. Only email addresses are "
                  "checked: phone invitations are not affected, unless you tick the box "
                  "below.")
    allowlist_refuses_phones = forms.BooleanField(
        label="Also refuse phone invitations", required=False,
        help_text="With a list of domains above, invite no phone numbers either: a phone "
                  "number has no domain to check.")


def role_field(asset_type: str, label: str = "Role", required: bool = True,
               allowed: Iterable[str] | None = None) -> forms.Field:
    """One role for most asset types; any set of them for a TikTok account. ``allowed``
    narrows the choices to what a partner's share lets this Business Center give: a role
    above it is not offered at all, rather than offered and then refused."""
    from bizcenter.assets.kinds import RULES

    rule = RULES[asset_type]
    offered = set(allowed) if allowed is not None else set(rule.roles)
    options = [(r, r.replace("_", " ").title()) for r in rule.roles if r in offered]
    if rule.many:
        return forms.MultipleChoiceField(label=label, choices=options, required=required,
                                         widget=forms.CheckboxSelectMultiple)
    return forms.ChoiceField(label=label, choices=options, required=required)


class AssetForm(ServiceErrors, forms.Form):
    type = forms.ChoiceField(label="Type", choices=[
        ("ADVERTISER", "Ad account"), ("TT_ACCOUNT", "TikTok account"), ("CATALOG", "Catalog"),
        ("PIXEL", "Pixel")])
    name = forms.CharField(label="Name", max_length=200)


class AssignForm(ServiceErrors, forms.Form):
    aliases = {"address": "person", "expires_at": "expires"}

    person = forms.CharField(label="Member (email or phone)", max_length=254)
    expires = forms.DateField(label="Until (optional)", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, asset_type: str, ceiling: Any = None, **kwargs: Any) -> None:
        """``ceiling``: the ``assets.ceilings.Ceiling`` of an asset a partner shares, whose
        roles are the most this form offers."""
        super().__init__(*args, **kwargs)
        if ceiling is None:
            self.fields["roles"] = role_field(asset_type, "Roles")
        else:
            self.fields["roles"] = role_field(asset_type, "Roles", allowed=ceiling.allowed)
            self.fields["roles"].help_text = (
                f"{ceiling.label[:1].upper()}{ceiling.label[1:]}: members here get at most that."
                + (f" Only the Admins of {ceiling.owner} can raise it."
                   if ceiling.next_role is not None else ""))


class StatusForm(ServiceErrors, forms.Form):
    status = forms.ChoiceField(label="Status", choices=[
        ("ACTIVE", "Active"), ("DISABLED", "Disabled"), ("CLOSED", "Closed")])


class GroupForm(ServiceErrors, forms.Form):
    name = forms.CharField(label="Group name", max_length=100)


class GroupMemberForm(ServiceErrors, forms.Form):
    """A member's seat in a group: a role for each asset type the group may hold."""

    aliases = {"address": "person"}

    person = forms.CharField(label="Member (email or phone)", max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from bizcenter.assets.kinds import RULES, AssetType

        super().__init__(*args, **kwargs)
        for kind in RULES:
            field = role_field(kind, f"On each {AssetType(kind).label.lower()}",
                               required=False)
            if not isinstance(field, forms.MultipleChoiceField):
                # A browser always sends a select's value: without this, leaving the
                # picker alone would give the first, highest role (catalog ADMIN).
                field.choices = [("", "No access"), *field.choices]  # type: ignore[attr-defined]
            self.fields[f"roles_{kind}"] = field
        self.fields["roles_ADVERTISER"].initial = "ANALYST"

    def roles(self) -> dict[str, list[str]]:
        picked: dict[str, list[str]] = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("roles_") and value:
                picked[name.removeprefix("roles_")] = value if isinstance(value, list) else [value]
        return picked


class IdsField(forms.Field):
    """Ids picked from checkboxes or hidden inputs: numbers; whether each exists here is
    the service's to say."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, noun: str, **kwargs: Any) -> None:
        self.noun = noun
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[int]:
        if value in self.empty_values:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        for one in values:
            if not str(one).strip().isdigit():
                raise forms.ValidationError(f"'{one}' is not {self.noun} id; pick from the list.")
        return [int(str(one).strip()) for one in values]


class GroupAssetsForm(forms.Form):
    assets = IdsField(noun="an asset", required=False)


class GroupSeatForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": "Pick the member to remove.", "invalid": "Pick the member from the list."})


class TokenForm(ServiceErrors, forms.Form):
    name = forms.CharField(label="Name", max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": "Weekly sync script"}))
    center = forms.ChoiceField(label="Business Center")
    read_only = forms.BooleanField(label="Read-only (GET only)", required=False)
    expires = forms.DateField(label="Expires (optional)", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, centers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = centers  # type: ignore[attr-defined]
