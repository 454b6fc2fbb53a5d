"""Billing in a real browser: a Finance Manager tops up the balance (after a typo the
page keeps), refunds with a confirmation and sets an ad account's monthly spending
limit; a Finance Analyst sees the same numbers and no way to change them; a member
without a finance role finds no Billing at all."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from bizcenter.assets.services import create_asset
from bizcenter.billing import services
from bizcenter.invitations.services import Grant
from tests.conftest import act, spend
from tests.support.browser import join, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = Grant(kind="employee", modules=("BILLING",), finance_role="MANAGER")
ANALYST = Grant(kind="employee", modules=("BILLING",), finance_role="ANALYST")


@pytest.fixture
def billed(owner, center):
    """A month and a half of history, so the page looks like a working one."""
    main = create_asset(act(owner), center, type="ADVERTISER", name="Main ads")
    eu = create_asset(act(owner), center, type="ADVERTISER", name="Brand ads EU")
    today = services.today_in(center)
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    services.set_payment_settings(act(owner), center, contact_name="Olivia Owner",
                                  contact_email="billing@brand.com", card_brand="VISA",
                                  card_last4="4242", card_exp_month="12",
                                  card_exp_year=str(date.today().year + 2))
    services.top_up(act(owner), center, "1500.00", "Opening balance")
    for i, day in enumerate([last, last + timedelta(days=9), last + timedelta(days=18)]):
        spend(center, main, f"{120 + i * 15}.40", day)
        spend(center, eu, f"{60 + i * 10}.25", day)
    spend(center, main, "84.10", today)
    services.issue_invoice(act(owner), center, last.year, last.month)
    services.set_spending_limit(act(owner), center, eu.pk, "400")
    return main


def test_a_finance_manager_tops_up_refunds_and_sets_a_spending_limit(new_page, owner, center,
                                                                     make_user, billed):
    join(owner, center, make_user("fran@brand.com", name="Fran Finance"), MANAGER)
    page = new_page()
    log_in(page, "fran@brand.com")  # one Business Center: the log-in lands in it (issue 21)
    page.get_by_role("navigation", name="Brand Co").get_by_role("link", name="Billing").click()
    expect(page.get_by_role("heading", name="Billing", exact=True)).to_be_visible()
    balance = page.locator("p.balance")
    expect(balance).to_have_text("798.95 USD")

    # A typo is refused beside the field, and what was typed stays to fix.
    top_up = page.get_by_role("form", name="Top up")
    top_up.get_by_label("Top-up amount (USD)").fill("250,50")
    top_up.get_by_label("Note").fill("April budget")
    top_up.get_by_role("button", name="Top up").click()
    top_up = page.get_by_role("form", name="Top up")
    expect(top_up).to_contain_text("'250,50' is not an amount: write 250.50")
    expect(top_up.get_by_label("Top-up amount (USD)")).to_have_value("250,50")
    expect(top_up.get_by_label("Note")).to_have_value("April budget")
    top_up.get_by_label("Top-up amount (USD)").fill("250.50")
    top_up.get_by_role("button", name="Top up").click()
    expect(page.get_by_text("Added 250.50 USD to the balance; it is now 1049.45 USD.")
           ).to_be_visible()
    expect(balance).to_have_text("1,049.45 USD")
    expect(page.get_by_role("row", name=re.compile("April budget"))).to_contain_text(
        "250.50 USD")

    # A refund is confirmed on its own page first.
    refund = page.get_by_role("form", name="Refund")
    refund.get_by_label("Refund amount (USD)").fill("149.45")
    refund.get_by_role("button", name="Refund…").click()
    expect(page.get_by_role("heading", name="Refund 149.45 USD?")).to_be_visible()
    expect(page.get_by_text("paid back to Visa •••• 4242")).to_be_visible()
    page.get_by_role("button", name="Confirm refund").click()
    expect(page.get_by_text("Refunded 149.45 USD; the balance is now 900.00 USD.")
           ).to_be_visible()

    # The spending limit of the main ad account.
    limits = page.get_by_role("form", name="Set a spending limit")
    limits.get_by_label("Ad account").select_option(label="Main ads")
    limits.get_by_label("Monthly spending limit (USD)").fill("1000")
    limits.get_by_role("button", name="Save limit").click()
    expect(page.get_by_text("Main ads may now spend up to 1000.00 USD a month.")
           ).to_be_visible()
    row = page.locator("#limits").get_by_role("row", name=re.compile("Main ads"))
    expect(row).to_contain_text("1,000.00 USD")
    expect(row).to_contain_text("915.90 USD")  # remaining after this month's 84.10
    page.get_by_role("link", name="Billing").first.click()
    shot(page, "billing")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()  # noqa: SIM115
    assert lines[0].startswith("id,occurred_on,recorded_at,kind,ad_account,amount")
    assert len(lines) == 1 + 10


def test_a_finance_analyst_sees_billing_and_no_forms(new_page, owner, center, make_user,
                                                     billed):
    join(owner, center, make_user("ana@brand.com", name="Ana Analyst"), ANALYST)
    join(owner, center, make_user("sam@agency.com", name="Sam Agency"),
         Grant(kind="agency", modules=("ANALYTICS",)))
    page = new_page()
    log_in(page, "ana@brand.com")
    page.goto(f"/c/{center.pk}/billing/")
    expect(page.get_by_role("heading", name="Billing", exact=True)).to_be_visible()
    expect(page.locator("p.balance")).to_have_text("798.95 USD")
    expect(page.get_by_text("Only Admins and Finance Managers change it")).to_be_visible()
    expect(page.get_by_text("Visa •••• 4242, expires")).to_be_visible()
    for button in ("Top up", "Refund…", "Save limit", "Issue invoice", "Mark paid",
                   "Save payment settings"):
        expect(page.get_by_role("button", name=button)).to_have_count(0)
    for form in ("Top up", "Refund", "Set a spending limit", "Issue an invoice",
                 "Payment settings"):
        expect(page.get_by_role("form", name=form)).to_have_count(0)
    # Filtering still works for them.
    page.get_by_label("Kind").select_option(label="Top-up")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row", name=re.compile("Opening balance"))).to_be_visible()
    expect(page.locator("#transactions tbody tr")).to_have_count(1)
    shot(page, "billing-analyst")

    # A member without a finance role: no Billing in the menu, and the address refuses.
    other = new_page()
    log_in(other, "sam@agency.com")
    other.goto(f"/c/{center.pk}/")
    expect(other.get_by_role("navigation", name="Brand Co").get_by_role(
        "link", name="Billing")).to_have_count(0)
    response = other.goto(f"/c/{center.pk}/billing/")
    assert response is not None and response.status == 403
    expect(other.get_by_text("You have no Billing access in Brand Co")).to_be_visible()
