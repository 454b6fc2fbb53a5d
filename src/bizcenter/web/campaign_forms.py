"""Forms of the campaign pages. They only shape input; the services validate."""

from __future__ import annotations

from typing import Any

from django import forms

from bizcenter.campaigns.models import BudgetMode, CampaignStatus, Objective
from bizcenter.web.forms import ServiceErrors


class CampaignForm(ServiceErrors, forms.Form):
    name = forms.CharField(label="Campaign name", max_length=512)
    objective = forms.ChoiceField(label="Objective", choices=Objective.choices)
    budget_mode = forms.ChoiceField(label="Budget type", choices=BudgetMode.choices)
    # Text, not a number field: the service explains what is wrong with an amount,
    # and the form keeps exactly what was typed.
    budget = forms.CharField(label="Budget", required=False, max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    start_at = forms.DateTimeField(label="Starts (optional)", required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                              format="%Y-%m-%dT%H:%M"))
    end_at = forms.DateTimeField(label="Ends (optional)", required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                            format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args: Any, advertisers: list[Any] | None = None, currency: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A budget is in the currency of the Business Center that owns the ad account: a
        # partner's may differ from this one's, so with accounts of several currencies
        # each account says its own.
        currencies = {a.center.currency for a in advertisers or ()}
        if not currency and len(currencies) == 1:
            currency = currencies.pop()
        if currency:
            self.fields["budget"].label = f"Budget ({currency})"
        if advertisers is not None:
            self.fields = {"advertiser": forms.ChoiceField(
                label="Ad account",
                choices=[(str(a.pk), a.name if currency else f"{a.name} ({a.center.currency})")
                         for a in advertisers]),
                **self.fields}

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("advertiser", None)
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=CampaignStatus.choices)


class DecisionForm(ServiceErrors, forms.Form):
    comment = forms.CharField(label="Reason (required to reject; optional to approve)",
                              required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class BulkDecisionForm(forms.Form):
    """Several requests of the inbox decided at once, a rejection with its reason."""

    requests = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={
        "required": "Tick the requests to decide first."})
    step = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(label="Reason (required to reject)", required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id: the service looks each one up in this inbox and refuses the others.
        ids = self.data.getlist("requests") if hasattr(self.data, "getlist") else []
        self.fields["requests"].choices = [(i, i) for i in ids]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("step") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say why you reject them: each author reads the reason, "
                           "and what to propose instead.")
        return data
