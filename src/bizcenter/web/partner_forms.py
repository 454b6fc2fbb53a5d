"""The forms of the Partner Business Centers pages: they shape what was typed, and the
partner services validate it (a malformed id, a role an asset does not take)."""

from __future__ import annotations

from typing import Any

from django import forms

from bizcenter.assets.kinds import RULES
from bizcenter.web.forms import ServiceErrors
from bizcenter.web.pickers import AssetPicker, AssetRoles, role_label


def _roles(text: str) -> list[str]:
    return [r.strip().upper() for r in text.split(",") if r.strip()]


class PartnerRequestForm(ServiceErrors, forms.Form):

    partner_id = forms.CharField(label="Their Business Center id", max_length=40,
                                 help_text="19 digits; their Admins find it on their Settings "
                                           "page. They see your request and your name, and "
                                           "nothing is shared until they accept.")
    message = forms.CharField(label="Message (optional)", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ShareForm(AssetRoles, ServiceErrors, forms.Form):
    """Share assets with one partner: chosen with the asset picker (owned assets only),
    each at a role its type takes, picked from a select."""

    needs_approval = forms.BooleanField(
        label="Their campaign changes need our approval", required=False,
        help_text="On: every change their people make to campaigns in this ad account, "
                  "even their Admins', waits in your Approvals. Off: changes apply at once, "
                  "and your activity log shows who made them.")

    def __init__(self, *args: Any, picker: AssetPicker | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_picker(picker)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.picker is not None and not self.picker.problems and not self.asset_roles():
            self.add_error("asset_q", "Choose at least one asset, and its role, to share.")
        return data


class AskForm(ServiceErrors, forms.Form):
    """A partner asks an owner for assets; the owner's Admins decide."""


    owner_id = forms.CharField(label="Owner's Business Center id", max_length=40,
                               help_text="19 digits. If you are not partners yet, this also "
                                         "asks for the partnership.")
    asset_ids = forms.CharField(label="Asset ids", max_length=2000,
                                help_text="The ids the owner gave you, separated by commas.")
    role = forms.ChoiceField(label="Role to ask for", choices=sorted(
        {(r, role_label(r)) for rule in RULES.values() for r in rule.roles}))
    message = forms.CharField(label="Message (optional)", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def id_list(self) -> list[str]:
        return [i.strip() for i in self.cleaned_data["asset_ids"].replace(";", ",").split(",")
                if i.strip()]


class ApproveForm(forms.Form):
    """The role an owner approves an access request at: one from a select (or several
    TikTok account roles from checkboxes), at or below what was asked; the service
    refuses anything else."""

    roles = forms.CharField(required=False, max_length=100)

    def role_list(self) -> list[str] | None:
        picked = self.data.getlist("roles") if hasattr(self.data, "getlist") else []
        return _roles(",".join(picked)) or None
