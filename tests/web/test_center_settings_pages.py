"""The settings page of web/center_settings.py: saving, refusals that keep what was
typed, and requiring two-step verification.

Every test drives the real pages with Django's test client over the real
database; state is built with the services, as the product itself builds it.
Each page is tried on its good path and on the ways a person gets it wrong:
the error must be readable, beside the field it is about, with what was typed
kept, and at a 4xx status; a Standard member gets a helpful 403, an outsider 404.
"""

from __future__ import annotations

import re

import pytest

from bizcenter.accounts import two_factor
from bizcenter.audit.models import AuditEvent
from tests.conftest import act, fresh_code
from tests.support import web
from tests.support.web import (
    field_error,
    flash,
    plain,
    raw,
    switcher,
    text,
)

# The center page tests' fixtures, shared through tests/support/web.py.
admin = web.admin

# These tests are about pages, not passwords: sign-up need not run Argon2.
pytestmark = pytest.mark.usefixtures("quick_hashing")


# -- settings ----------------------------------------------------------------------------------


def settings_form(**changes) -> dict:
    return {"name": "Brand Co", "company": "", "timezone": "UTC", "currency": "USD",
            "two_factor_policy": "NOBODY", "allowed_email_domains": "", **changes}


def test_settings_save_and_show_after_the_redirect(admin, center):
    page = admin.get(f"/c/{center.pk}/settings/")
    assert page.status_code == 200
    assert f"Business Center id {center.public_id}" in plain(page)
    assert 'value="Brand Co"' in raw(page)
    done = admin.post(f"/c/{center.pk}/settings/", settings_form(
        name="Brand Company", currency="eur", timezone="Europe/Paris",
        allowed_email_domains="Agency.com, @brand.com"))
    assert done.status_code == 302 and done.url == f"/c/{center.pk}/settings/"
    after = admin.get(done.url)
    assert "Settings saved." in flash(after)
    html = raw(after)
    assert 'value="Brand Company"' in html and 'value="EUR"' in html
    assert 'value="Europe/Paris"' in html and 'value="agency.com, brand.com"' in html
    assert switcher(after)[0] == "Brand Company"
    center.refresh_from_db()
    assert (center.name, center.currency, center.allowed_email_domains) == (
        "Brand Company", "EUR", ["agency.com", "brand.com"])
    event = AuditEvent.objects.get(center=center, action="center.updated")
    assert event.via == "web" and event.actor.email == "owner@brand.com"
    assert event.before["name"] == "Brand Co" and event.after["currency"] == "EUR"
    # Saving again without a change writes no new event.
    admin.post(f"/c/{center.pk}/settings/", settings_form(
        name="Brand Company", currency="EUR", timezone="Europe/Paris",
        allowed_email_domains="agency.com, brand.com"))
    assert AuditEvent.objects.filter(action="center.updated").count() == 1


@pytest.mark.parametrize(("field", "typed", "says"), [
    ("timezone", "Mars/Olympus", "'Mars/Olympus' is not a time zone"),
    ("currency", "XYZ", "'XYZ' is not an ISO 4217 currency code"),
    ("allowed_email_domains", "agency, brand.com", "'agency' is not a domain name"),
    ("name", "   ", "This field is required."),
])
def test_settings_refuse_bad_values_and_keep_them(admin, center, field, typed, says):
    form = {**settings_form(name="New name", currency="GBP"), field: typed}
    page = admin.post(f"/c/{center.pk}/settings/", form)
    assert page.status_code == 400
    assert says in field_error(page, field)
    if typed.strip() and field not in ("timezone", "currency"):  # those two are selects
        assert f'value="{typed}"' in raw(page)
    if field != "name":
        assert 'value="New name"' in raw(page)  # the rest of the form stays too
    center.refresh_from_db()
    assert (center.name, center.currency, center.timezone) == ("Brand Co", "USD", "UTC")
    assert not AuditEvent.objects.filter(action="center.updated").exists()


def test_requiring_two_step_without_having_it_is_refused(admin, center):
    page = admin.post(f"/c/{center.pk}/settings/", settings_form(
        name="Renamed", two_factor_policy="ADMINS"))
    assert page.status_code == 409
    assert "Set up 2-step verification for yourself first" in text(page)
    assert 'value="Renamed"' in raw(page)
    assert re.search(r'value="ADMINS" selected', raw(page))
    center.refresh_from_db()
    assert (center.name, center.two_factor_policy) == ("Brand Co", "NOBODY")


def test_requiring_two_step_when_the_admin_has_it(admin, owner, center):
    setup = two_factor.start(act(owner))
    two_factor.confirm(act(owner), fresh_code(setup.secret))
    done = admin.post(f"/c/{center.pk}/settings/", settings_form(two_factor_policy="ADMINS"))
    assert done.status_code == 302
    center.refresh_from_db()
    assert center.two_factor_policy == "ADMINS"
    assert admin.get(f"/c/{center.pk}/settings/").status_code == 200  # not locked out
