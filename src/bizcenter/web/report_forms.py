"""Forms of the report pages. They only shape input: the reporting services check
the range, the grouping and who may see what."""

from __future__ import annotations

from django import forms

from bizcenter.reporting.services import GROUPS
from bizcenter.web.forms import ServiceErrors

DATE = {"type": "date"}


class ReportForm(ServiceErrors, forms.Form):
    since = forms.DateField(label="From", widget=forms.DateInput(format="%Y-%m-%d", attrs=DATE))
    until = forms.DateField(label="To", widget=forms.DateInput(format="%Y-%m-%d", attrs=DATE))
    group = forms.ChoiceField(label="Group by", choices=[(g, g.title()) for g in GROUPS])


class UploadForm(ServiceErrors, forms.Form):
    file = forms.FileField(
        label="Metrics file (CSV)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="Columns: campaign_id, date (YYYY-MM-DD), spend, impressions, clicks, "
        "conversions. A campaign and day already loaded is replaced; if any row is wrong, "
        "nothing is loaded and each problem is listed.")
