"""A new Business Center lands on four getting-started steps, each ticked from what
exists (not from having followed the list), and time zone and currency are picked from
lists instead of typed."""

from __future__ import annotations

import pytest

from bizcenter.assets.kinds import AssetType
from bizcenter.assets.models import Asset, Partnership
from bizcenter.centers.models import BusinessCenter
from bizcenter.invitations.services import Grant
from tests.support.browser import join
from tests.support.web import raw, text

pytestmark = pytest.mark.usefixtures("quick_hashing")


def _steps(page) -> dict[str, bool]:
    """Step title -> ticked, read from the list as a person sees it."""
    html = raw(page)
    found = {}
    for title in ("Add an ad account", "Invite a partner", "Share with an agency",
                  "Choose who needs 2-step verification"):
        at = html.index(title)
        item = html[html.rindex("<li", 0, at):html.index("</li>", at)]
        found[title] = 'class="done"' in item
    return found


def test_a_new_center_shows_four_steps_and_ticks_them_as_things_exist(client, make_user):
    client.force_login(make_user("new@brand.com"))
    made = client.post("/centers/new/", {"name": "Acme", "timezone": "Europe/Paris",
                                         "currency": "EUR"})
    center = BusinessCenter.objects.get(name="Acme")
    assert made.status_code == 302 and made.url == f"/c/{center.pk}/getting-started/"
    page = client.get(made.url)
    assert "0 of 4 steps done" in text(page)
    assert not any(_steps(page).values())
    assert f'href="/c/{center.pk}/assets/"' in raw(page)
    assert f'href="/c/{center.pk}/partners/add/"' in raw(page)

    Asset.objects.create(center=center, type=AssetType.ADVERTISER, name="Acme FR")
    BusinessCenter.objects.filter(pk=center.pk).update(two_factor_policy="ADMINS")
    page = client.get(made.url)
    assert "2 of 4 steps done" in text(page)
    assert _steps(page) == {"Add an ad account": True, "Invite a partner": False,
                            "Share with an agency": False,
                            "Choose who needs 2-step verification": True}

    other = BusinessCenter.objects.create(name="Agency")
    Partnership.objects.create(owner=center, partner=other)
    client.post(f"/c/{center.pk}/partners/add/", {
        "addresses": "ana@agency.example", "role": "STANDARD", "modules": ["ANALYTICS"],
        "kind": "agency"})
    page = client.get(made.url)
    assert "All 4 steps are done" in text(page)


def test_getting_started_is_for_admins(client, owner, center, make_user):
    maria = make_user("maria@agency.example")
    join(owner, center, maria, Grant())
    client.force_login(maria)
    assert client.get(f"/c/{center.pk}/getting-started/").status_code == 403


@pytest.mark.parametrize("path", ["/centers/new/", "settings"])
def test_time_zone_and_currency_are_searchable_selects(client, owner, center, path):
    client.force_login(owner)
    url = path if path.startswith("/") else f"/c/{center.pk}/settings/"
    html = raw(client.get(url))
    assert '<select name="timezone"' in html and 'data-search="time zones"' in html
    assert '<optgroup label="Europe">' in html
    assert '<option value="Europe/Paris"' in html
    assert '<select name="currency"' in html and '<option value="EUR"' in html
    assert "select_search.js" in html


def test_a_stale_form_with_an_unknown_time_zone_gets_the_services_words(client, make_user):
    client.force_login(make_user("new@brand.com"))
    page = client.post("/centers/new/", {"name": "Acme", "timezone": "Mars/Base",
                                         "currency": "usd"})
    assert page.status_code == 400
    assert "'Mars/Base' is not a time zone. Use an IANA name" in text(page)
    assert not BusinessCenter.objects.filter(name="Acme").exists()


def test_an_admin_of_a_center_without_ad_accounts_is_told_to_add_one(client, make_user):
    """Not "no ad account is assigned to you": the owner assigns; there is none at all."""
    client.force_login(make_user("new@brand.com"))
    client.post("/centers/new/", {"name": "Acme", "timezone": "UTC", "currency": "USD"})
    center = BusinessCenter.objects.get(name="Acme")
    page = text(client.get(f"/c/{center.pk}/reports/"))
    assert "Acme has no ad accounts yet" in page
    assert "assigned to you" not in page
