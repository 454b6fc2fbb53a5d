"""The agency story end to end in a real browser (issue 18): a brand and an agency agree
to be partners by public id, the brand shares its ad account with "Their campaign changes
need our approval" on, the agency's Admin hands it to one of their people, that person
proposes a budget change, the brand's Admin approves it, and both activity logs say so.

Three people, each in their own browser context, clicking what they would click. Only
who exists is set up through services: the two Business Centers, their Admins, the
agency's member, and the brand's ad account with one campaign in it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bizcenter.assets.services import create_asset
from bizcenter.campaigns import services as campaigns
from bizcenter.centers.services import create_center
from bizcenter.invitations.services import Grant
from tests.conftest import act
from tests.support.browser import join, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def side_nav(page, center_name: str):
    return page.get_by_role("navigation", name=center_name)


def log_row(page, action: str):
    """The activity log's row of one action (the newest first, as the page lists them)."""
    return page.get_by_role("row").filter(has=page.get_by_text(action, exact=False)).first


def test_brand_and_agency_partner_share_assign_propose_approve(new_page, owner, center,
                                                               make_user):
    ads = create_asset(act(owner), center, type="ADVERTISER", name="Brand ads")
    sale = campaigns.create_campaign(act(owner), center, ads.pk, name="Spring sale",
                                     objective="TRAFFIC", budget_mode="BUDGET_MODE_DAY",
                                     budget="150.00").campaign
    assert sale is not None
    bo = make_user("bo@agency.com", name="Bo Agency")
    agency = create_center(act(bo), name="Agency Inc")
    max_ = make_user("max@agency.com", name="Max Member")
    join(bo, agency, max_, Grant(modules=("CAMPAIGNS",)))

    # -- The agency's Admin reads their Business Center id on Settings --------------------
    their = new_page()
    log_in(their, "bo@agency.com")  # one Business Center: the log-in lands in it (issue 21)
    side_nav(their, "Agency Inc").get_by_role("link", name="Settings").click()
    said = their.get_by_text(re.compile(r"Business Center id \d+"))
    expect(said).to_be_visible()
    found = re.search(r"Business Center id (\d+)", said.inner_text())
    assert found is not None
    agency_id = found.group(1)
    assert agency_id == agency.public_id

    # -- 1. The brand's Admin sends a partner request by that id --------------------------
    brand = new_page()
    log_in(brand, "owner@brand.com")  # one Business Center: the log-in lands in it (issue 21)
    side_nav(brand, "Brand Co").get_by_role("link", name="Partner Business Centers").click()
    expect(brand.get_by_role("heading", name="Partner Business Centers")).to_be_visible()
    brand.get_by_label("Their Business Center id").fill(agency_id)
    brand.get_by_label("Message (optional)").fill("Hi, we would like you to run our ads.")
    brand.get_by_role("button", name="Send partner request").click()
    expect(brand.get_by_text(f"Request sent to Business Center {agency_id}.")).to_be_visible()
    sent = brand.get_by_role("region", name="Requests you sent")
    expect(sent).to_contain_text(f"Business Center {agency_id}")
    expect(sent).to_contain_text("waiting for its Admins")
    expect(sent.get_by_role("button", name="Cancel request")).to_be_visible()
    # Until the agency accepts, the brand learns nothing about it but the id it typed.
    expect(brand.get_by_text("Agency Inc")).to_have_count(0)
    shot(brand, "agency-story-request-sent")

    # -- 2. The agency's Admin sees it, with the brand's name and message, and accepts ----
    side_nav(their, "Agency Inc").get_by_role("link", name="Partner Business Centers").click()
    waiting = their.get_by_role("region", name=re.compile("Requests waiting for you"))
    expect(waiting).to_contain_text("Brand Co")
    expect(waiting).to_contain_text(center.public_id)
    expect(waiting).to_contain_text("wants to share its assets with Agency Inc")
    expect(waiting).to_contain_text("Hi, we would like you to run our ads.")
    shot(their, "agency-story-request-waiting")
    waiting.get_by_role("button", name="Accept").click()
    expect(their.get_by_text("You are now partners with Brand Co.")).to_be_visible()
    expect(their.get_by_role("region", name=re.compile("Requests waiting for you"))
           ).to_have_count(0)
    expect(their.get_by_role("heading", name=re.compile("From Brand Co"))).to_be_visible()
    expect(their.get_by_text("Nothing shared yet")).to_be_visible()

    # -- 3. The brand shares its ad account at OPERATOR, changes needing its approval -----
    brand.reload()
    expect(brand.get_by_role("region", name="Requests you sent")).to_have_count(0)
    card = brand.locator("section.card").filter(
        has=brand.get_by_role("heading", name=re.compile("Agency Inc")))
    expect(card).to_contain_text(agency_id)
    expect(card).to_contain_text("Nothing shared yet.")
    # The asset picker (picker.js): find the account, add it, its role from a select.
    card.get_by_label("Find assets by name or id").fill("brand")
    card.get_by_role("button", name=re.compile("^Add Brand ads · ad account")).click()
    card.get_by_label(re.compile("^Role on Brand ads")).select_option(label="Operator")
    card.get_by_label("Their campaign changes need our approval").check()
    card.get_by_role("button", name="Share, or change their role").click()
    expect(brand.get_by_text(re.compile(r"Shared Brand ads · ad account · \d+ as Operator: "
                                        "campaign changes need your approval."))).to_be_visible()
    card = brand.locator("section.card").filter(
        has=brand.get_by_role("heading", name=re.compile("Agency Inc")))
    # What is shared; the picker below lists the account again, to change its role.
    shared = card.locator("ul.list").get_by_role("listitem").filter(has_text="Brand ads")
    expect(shared).to_contain_text("OPERATOR")
    expect(shared).to_contain_text("changes need your approval")
    shot(brand, "agency-story-shared")

    # -- 4. The agency's Admin assigns it to their member, never above OPERATOR -----------
    their.reload()
    mine = their.locator("section.card").filter(
        has=their.get_by_role("heading", name=re.compile("From Brand Co")))
    expect(mine).to_contain_text("OPERATOR")
    expect(mine).to_contain_text("campaign changes need Brand Co's approval")
    mine.get_by_role("link", name="Ad account Brand ads").click()
    expect(their.get_by_role("heading", name="Brand ads")).to_be_visible()
    expect(their.get_by_text("Brand Co shares Ad account Brand ads with Agency Inc as "
                             "OPERATOR")).to_be_visible()
    roles = their.get_by_label("Roles")
    offered = roles.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert "ADMIN" not in offered, offered
    assert "OPERATOR" in offered, offered
    expect(their.get_by_text("Shared by Brand Co as OPERATOR: members here get at most "
                             "that. Only the Admins of Brand Co can raise it.")).to_be_visible()
    their.get_by_label("Member (email or phone)").fill("max@agency.com")
    roles.select_option("OPERATOR")
    shot(their, "agency-story-assign")
    their.get_by_role("button", name="Assign").click()
    expect(their.get_by_text("Max Member <max@agency.com> now has Ad account Brand ads.")
           ).to_be_visible()
    expect(their.get_by_role("row", name=re.compile("Max Member"))).to_contain_text("Operator")

    # -- 5. The member proposes a budget change in the brand's campaign --------------------
    member = new_page()
    log_in(member, "max@agency.com")  # one Business Center: the log-in lands in it (issue 21)
    side_nav(member, "Agency Inc").get_by_role("link", name="Campaigns").click()
    expect(member.get_by_role("row", name=re.compile("Spring sale"))).to_contain_text(
        "Brand ads")
    member.get_by_role("link", name="Spring sale").click()
    expect(member.get_by_text("Brand ads (shared by Brand Co)")).to_be_visible()
    expect(member.get_by_text("Changes in Brand ads need the approval of Brand Co")
           ).to_be_visible()
    member.get_by_label("Budget (USD)").fill("220")
    member.get_by_role("button", name="Send for approval").click()
    expect(member.get_by_text("Sent for approval: an Admin of Brand Co, which owns it, "
                              "approves or rejects it")).to_be_visible()
    expect(member.get_by_text("waiting for Brand Co's Admins")).to_be_visible()
    expect(member.get_by_role("row", name=re.compile("Budget"))).to_contain_text("220.00")
    shot(member, "agency-story-proposed")
    sale.refresh_from_db()
    assert str(sale.budget) == "150.00"  # nothing changes before the brand decides

    # -- 6. The brand's Admin approves it in Approvals -------------------------------------
    side_nav(brand, "Brand Co").get_by_role("link", name="Campaigns").click()
    brand.get_by_role("navigation", name="Campaigns").get_by_role(
        "link", name=re.compile("Approvals")).click()
    request_row = brand.get_by_role("row", name=re.compile("Edit: Spring sale"))
    expect(request_row).to_contain_text("Max Member")
    expect(request_row).to_contain_text("from Agency Inc")
    expect(request_row).to_contain_text("Waiting for approval")
    shot(brand, "agency-story-approvals")
    request_row.get_by_role("link", name="Edit: Spring sale").click()
    expect(brand.get_by_text(re.compile("proposed by Max Member .* from Agency Inc"))
           ).to_be_visible()
    budget = brand.get_by_role("row", name=re.compile("Budget"))
    expect(budget).to_contain_text("150.00")
    expect(budget).to_contain_text("220.00")
    brand.get_by_role("button", name="Approve").click()
    expect(brand.get_by_text("Approved and applied.")).to_be_visible()
    brand.get_by_role("link", name="Spring sale").click()
    expect(brand.get_by_label("Budget (USD)")).to_have_value("220.00")
    sale.refresh_from_db()
    assert str(sale.budget) == "220.00"

    # The member sees it decided, from the agency's side.
    member.reload()
    expect(member.get_by_text(re.compile("Approved by Olivia Owner"))).to_be_visible()

    # -- 7. Both activity logs show it, and the partner steps ------------------------------
    side_nav(brand, "Brand Co").get_by_role("link", name="Activity log").click()
    proposed = log_row(brand, "campaign.change_proposed")
    expect(proposed).to_contain_text("Max Member")
    expect(proposed).to_contain_text("from partner Agency Inc")
    expect(log_row(brand, "campaign.updated")).to_contain_text("Olivia Owner")
    expect(log_row(brand, "partner.requested")).to_contain_text("Olivia Owner")
    accepted = log_row(brand, "partner.accepted")
    expect(accepted).to_contain_text("Bo Agency")
    expect(accepted).to_contain_text("from partner Agency Inc")
    shot(brand, "agency-story-brand-log")

    side_nav(their, "Agency Inc").get_by_role("link", name="Activity log").click()
    approved = log_row(their, "campaign.change_approved")
    expect(approved).to_contain_text("Olivia Owner")
    expect(approved).to_contain_text("from partner Brand Co")
    applied = log_row(their, "campaign.updated")
    expect(applied).to_contain_text("from partner Brand Co")
    expect(applied).to_contain_text("220.00")
    expect(log_row(their, "campaign.change_proposed")).to_contain_text("Max Member")
    requested = log_row(their, "partner.requested")
    expect(requested).to_contain_text("Olivia Owner")
    expect(requested).to_contain_text("from partner Brand Co")
    expect(log_row(their, "partner.accepted")).to_contain_text("Bo Agency")
    shot(their, "agency-story-agency-log")
