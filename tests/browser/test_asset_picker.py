"""The asset picker in a real browser: an Admin invites a partner to two ad accounts of
the same name, told apart by their ids, found by search as they type (picker.js) and
kept as chips; and the same with JavaScript off, with the Search button and a role
select per row."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bizcenter.assets.models import Asset
from bizcenter.invitations.models import Invitation
from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed(center) -> tuple[Asset, Asset]:
    """Sixty ad accounts, two of them named alike."""
    Asset.objects.bulk_create(Asset(center=center, type="ADVERTISER", name=f"Account {i:02}")
                              for i in range(60))
    first = Asset.objects.create(center=center, type="ADVERTISER", name="Brand Co DE")
    second = Asset.objects.create(center=center, type="ADVERTISER", name="Brand Co DE")
    return first, second


def invited_assets() -> dict[int, list[str]]:
    return {g["asset_id"]: g["roles"] for g in Invitation.objects.get().assets}


def test_invite_with_two_assets_chosen_by_search(new_page, owner, center):
    first, second = seed(center)
    page = new_page()
    log_in(page, "owner@brand.com")
    page.goto(f"/c/{center.pk}/partners/add/")
    page.get_by_label("Email addresses or phone numbers").fill("jane@agency.com")
    search = page.get_by_label("Find assets by name or id")
    search.fill("brand co")
    results = page.locator("[data-results] li")
    expect(results).to_have_count(2)  # as typed, no button pressed
    expect(results.first).to_contain_text(f"Brand Co DE · ad account · {first.pk}")
    page.get_by_role("button", name=f"Add Brand Co DE · ad account · {first.pk}").click()
    # Searching again keeps the chip; the second account is found by its id.
    search.fill(str(second.pk))
    page.get_by_role("button", name=f"Add Brand Co DE · ad account · {second.pk}").click()
    chips = page.locator("[data-chosen] .picker-chip")
    expect(chips).to_have_count(2)
    expect(page.locator("[data-count]")).to_have_text("2")
    page.get_by_label(f"Role on Brand Co DE · ad account · {second.pk}").select_option(
        label="Operator")
    # Enter in the search box searches; it does not send the form.
    search.press("Enter")
    expect(chips).to_have_count(2)
    assert not Invitation.objects.exists()
    page.get_by_role("button", name="Send Invite").click()
    expect(page.get_by_text("What happened to each address")).to_be_visible()
    assert invited_assets() == {first.pk: ["ANALYST"], second.pk: ["OPERATOR"]}


def test_invite_with_javascript_off(browser, live_server, settings, owner, center):
    settings.BIZCENTER_BASE_URL = live_server.url
    first, second = seed(center)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, "owner@brand.com")
        page.goto(f"/c/{center.pk}/partners/add/")
        expect(page.locator("[data-results] li")).to_have_count(20)  # one page, not 62
        page.get_by_label("Email addresses or phone numbers").fill("jane@agency.com")
        page.get_by_label("Find assets by name or id").fill("brand")
        page.get_by_role("button", name="Search").click()
        rows = page.locator("[data-results] li")
        expect(rows).to_have_count(2)
        page.get_by_label(f"Role on Brand Co DE · ad account · {first.pk}").select_option(
            label="Analyst")
        # Another search: the first account stays chosen, and what was typed stays too.
        page.get_by_label("Find assets by name or id").fill(str(second.pk))
        page.get_by_role("button", name="Search").click()
        expect(page.locator("[data-chosen] .picker-chip")).to_have_count(1)
        expect(page.get_by_label("Email addresses or phone numbers")).to_have_value(
            "jane@agency.com")
        page.get_by_label(f"Role on Brand Co DE · ad account · {second.pk}").select_option(
            label="Admin")
        page.get_by_role("button", name="Send Invite").click()
        expect(page.get_by_text("What happened to each address")).to_be_visible()
        assert invited_assets() == {first.pk: ["ANALYST"], second.pk: ["ADMIN"]}
        expect(page.locator("[data-chosen] .picker-chip")).to_have_count(2)
        expect(page.locator("[data-chosen]")).to_contain_text(re.compile(
            rf"Brand Co DE · ad account · {second.pk}"))
    finally:
        context.close()
