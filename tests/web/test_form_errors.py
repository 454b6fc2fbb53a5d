"""Form errors for screen readers (issue 21): each field's aria-describedby names ids
that exist on the page, a field with an error says aria-invalid, the form opens with a
summary linking to the fields, and checkbox groups are fieldsets with a legend."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template.loader import render_to_string

pytestmark = pytest.mark.usefixtures("quick_hashing")


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def _described(html: str) -> list[str]:
    return [i for group in re.findall(r'aria-describedby="([^"]+)"', html) for i in group.split()]


def test_the_api_token_form_links_its_errors(client, owner, center):
    client.force_login(owner)
    sent = client.post("/account/tokens/", {"step": "create", "center": center.pk, "name": ""})
    html = sent.content.decode()
    assert sent.status_code == 400
    described = _described(html)
    assert "id_name_error" in described
    missing = [i for i in described if i not in _ids(html)]
    assert not missing, f"aria-describedby names ids that do not exist: {missing}"
    name = re.search(r'<input[^>]*name="name"[^>]*>', html)
    assert name is not None and 'aria-invalid="true"' in name.group(0)
    summary = html[html.index('class="error-summary'):]
    assert '<a href="#id_name">Name</a>' in summary[:summary.index("</div>")]


class _Pick(forms.Form):
    modules = forms.MultipleChoiceField(
        label="Access", help_text="What they may open.", widget=forms.CheckboxSelectMultiple,
        choices=[("ANALYTICS", "Analytics"), ("BILLING", "Billing")])
    read_only = forms.BooleanField(label="Read-only (GET only)", required=False)


def test_checkbox_groups_are_fieldsets_with_a_legend_and_a_box_sits_by_its_label():
    form = _Pick({"read_only": "on"})
    assert not form.is_valid()
    html = render_to_string("web/_form.html", {"form": form})
    group = re.search(r"<fieldset[^>]*>\s*<legend>Access</legend>", html)
    assert group is not None
    assert 'aria-describedby="id_modules_helptext id_modules_error"' in group.group(0)
    assert {"id_modules_helptext", "id_modules_error"} <= _ids(html)
    # The single checkbox first, its label right after it, in one row.
    assert re.search(r'<div class="check-row"><input type="checkbox" name="read_only"[^>]*> '
                     r'<label for="id_read_only">Read-only \(GET only\)</label></div>', html)
    assert '<a href="#id_modules_0">Access</a>' in html


def test_the_modules_of_add_partners_and_edit_are_a_fieldset(client, owner, center):
    client.force_login(owner)
    html = client.get(f"/c/{center.pk}/partners/add/").content.decode()
    group = re.search(r"<fieldset[^>]*>\s*<legend>([^<]+)</legend>(.*?)</fieldset>", html, re.S)
    assert group is not None, "no fieldset with a legend"
    assert 'type="checkbox"' in group.group(2) and 'name="modules"' in group.group(2)
    assert '<label for="">' not in html, "a label for nothing"


@pytest.mark.parametrize("ask", [
    ("get", "/c/{c}/reports/?since=2026-04-06&until=2026-03-01&group=bogus", None),
    ("get", "/c/{c}/activity/?since=not-a-date", None),
    ("post", "/c/{c}/billing/", {"step": "topup", "topup-amount": "ten"}),
    ("post", "/account/security/", {"step": "password", "current": "", "new": "x"}),
], ids=["report-range", "activity-filter", "billing-topup", "password"])
def test_pages_laying_out_their_own_fields_link_the_errors_too(client, owner, center, ask):
    method, url, data = ask
    client.force_login(owner)
    url = url.format(c=center.pk)
    answer = client.get(url) if method == "get" else client.post(url, data)
    html = answer.content.decode()
    assert 'aria-invalid="true"' in html, f"{url} shows no invalid field"
    missing = [i for i in _described(html) if i not in _ids(html)]
    assert not missing, f"{url}: aria-describedby names ids that do not exist: {missing}"
