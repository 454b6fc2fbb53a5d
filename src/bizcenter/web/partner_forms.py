"""The forms of the Partner Business Centers pages: they shape what was typed, and the
partner services validate it (a malformed id, a role an asset does not take)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from bizcenter.assets.kinds import RULES
from bizcenter.web.forms import ServiceErrors

ROLE_HELP = ("Ad accounts: ADMIN, OPERATOR or ANALYST. TikTok accounts: POST, LIVE, "
             "DIRECT_MESSAGE (comma-separated). Catalogs: ADMIN or AD_PROMOTE. Pixels: ACCESS.")


def _roles(text: str) -> list[str]:
    return [r.strip().upper() for r in text.split(",") if r.strip()]


class PartnerRequestForm(ServiceErrors, forms.Form):

    partner_id = forms.CharField(label="Their Business Center id", max_length=40,
                                 help_text="19 digits; their Admins find it on their Settings "
                                           "page. They see your request and your name, and "
                                           "nothing is shared until they accept.")
    message = forms.CharField(label="Message (optional)", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ShareForm(ServiceErrors, forms.Form):

    asset = forms.ChoiceField(label="Asset")
    roles = forms.CharField(label="Role", max_length=100, help_text=ROLE_HELP)
    needs_approval = forms.BooleanField(
        label="Their campaign changes need our approval", required=False,
        help_text="On: every change their people make to campaigns in this ad account, "
                  "even their Admins', waits in your Approvals. Off: changes apply at once, "
                  "and your activity log shows who made them.")

    def __init__(self, *args: Any, assets: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = [(str(a.pk), str(a)) for a in assets]  # type: ignore[attr-defined]

    def role_list(self) -> list[str]:
        return _roles(self.cleaned_data["roles"])


class AskForm(ServiceErrors, forms.Form):
    """A partner asks an owner for assets; the owner's Admins decide."""


    owner_id = forms.CharField(label="Owner's Business Center id", max_length=40,
                               help_text="19 digits. If you are not partners yet, this also "
                                         "asks for the partnership.")
    asset_ids = forms.CharField(label="Asset ids", max_length=2000,
                                help_text="The ids the owner gave you, separated by commas.")
    role = forms.ChoiceField(label="Role to ask for", choices=sorted(
        {(r, r) for rule in RULES.values() for r in rule.roles}))
    message = forms.CharField(label="Message (optional)", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def id_list(self) -> list[str]:
        return [i.strip() for i in self.cleaned_data["asset_ids"].replace(";", ",").split(",")
                if i.strip()]


class ApproveForm(forms.Form):
    roles = forms.CharField(required=False, max_length=100)

    def role_list(self) -> list[str] | None:
        return _roles(self.cleaned_data.get("roles") or "") or None
