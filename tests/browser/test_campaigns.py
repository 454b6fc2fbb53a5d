"""A Standard member proposes, an Admin approves, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bizcenter.assets.services import create_asset
from bizcenter.campaigns import services as campaigns
from bizcenter.campaigns.models import Campaign
from bizcenter.invitations.services import Grant
from tests.conftest import act
from tests.support.browser import join, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_propose_then_approve(new_page, owner, center, make_user):
    ads = create_asset(act(owner), center, type="ADVERTISER", name="Main ads")
    live = campaigns.create_campaign(act(owner), center, ads.pk, name="Spring sale",
                                     objective="TRAFFIC", budget_mode="BUDGET_MODE_DAY",
                                     budget="150.00").campaign
    opal = make_user("op@agency.com", name="Opal")
    join(owner, center, opal, Grant(modules=("CAMPAIGNS",), assets={ads.pk: ["OPERATOR"]}))

    partner = new_page()
    log_in(partner, "op@agency.com")  # one Business Center: the log-in lands in it (issue 21)
    partner.get_by_role("navigation", name="Brand Co").get_by_role("link",
                                                                    name="Campaigns").click()
    partner.get_by_role("link", name="Spring sale").click()
    partner.get_by_label("Budget (USD)").fill("220")
    partner.get_by_role("button", name="Send for approval").click()
    expect(partner.get_by_text("Sent for approval")).to_be_visible()
    expect(partner.get_by_text("Waiting for approval")).to_be_visible()
    expect(partner.get_by_role("row", name=re.compile("Budget"))).to_contain_text("220.00")

    admin = new_page()
    log_in(admin, "owner@brand.com")
    admin.goto(f"/c/{center.pk}/campaigns/")
    admin.get_by_role("link", name=re.compile("Approvals")).click()
    admin.get_by_role("link", name="Edit: Spring sale").click()
    row = admin.get_by_role("row", name=re.compile("Budget"))
    expect(row).to_contain_text("150.00")
    expect(row).to_contain_text("220.00")
    admin.get_by_label("Reason (required to reject; optional to approve)").fill(
        "Fine for the sale week.")
    shot(admin, "approval")
    admin.get_by_role("button", name="Approve").click()
    expect(admin.get_by_text("Approved and applied.")).to_be_visible()
    live.refresh_from_db()
    assert str(live.budget) == "220.00"

    partner.get_by_role("link", name="My requests").click()
    expect(partner.get_by_role("row", name=re.compile("Edit: Spring sale"))).to_contain_text(
        "Approved")
    assert Campaign.objects.count() == 1
