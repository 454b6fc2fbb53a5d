"""A partner agency changes the brand's campaigns: the brand sees it, and may decide.

The brand (``center``, Brand Co, USD) shares its ad account with Agency Inc (EUR) at
OPERATOR. The agency's Admin (Bo) assigns it to the agency's Standard member (Max). With
"Changes need our approval" on, every change from the agency waits for the brand's
Admins; off, the agency's Admins approve their members' proposals, and the brand's log
and campaign page show everything either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from bizcenter.accounts.models import User
from bizcenter.assets.models import Asset, PartnerShare, Partnership
from bizcenter.assets.services import assign
from bizcenter.audit.models import AuditEvent
from bizcenter.campaigns import services
from bizcenter.campaigns.models import Campaign, RequestState
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import bump_access_version, create_center
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.conftest import act, join
from tests.support.campaigns import NEW


@dataclass
class Agency:
    center: BusinessCenter
    boss: User  # the agency's Admin
    max: User  # the agency's Standard member, OPERATOR on the brand's account
    share: PartnerShare
    campaign: Campaign  # the brand's, 150.50 USD a day


def _partner(center: BusinessCenter, as_owner, ads: Asset, make_user, *,
             needs_approval: bool) -> Agency:
    boss = make_user("bo@agency.com", name="Bo Agency")
    agency = create_center(act(boss), name="Agency Inc", currency="EUR")
    link = Partnership.objects.create(owner=center, partner=agency)
    share = PartnerShare.objects.create(partnership=link, asset=ads, roles=["OPERATOR"],
                                        needs_approval=needs_approval)
    bump_access_version(center)
    bump_access_version(agency)
    member = make_user("max@agency.com", name="Max Member")
    seat = join(act(boss), agency, member, modules=("CAMPAIGNS",))
    assign(act(boss), agency, seat.pk, ads.pk, ["OPERATOR"])
    campaign = services.create_campaign(as_owner, center, ads.pk, **NEW).campaign
    assert campaign is not None
    return Agency(agency, boss, member, share, campaign)


@pytest.fixture
def free(center, as_owner, ads, make_user) -> Agency:
    """Shared the TikTok way: the agency's changes apply, the brand's log shows them."""
    return _partner(center, as_owner, ads, make_user, needs_approval=False)


@pytest.fixture
def guarded(center, as_owner, ads, make_user) -> Agency:
    """Shared with "Changes need our approval" on."""
    return _partner(center, as_owner, ads, make_user, needs_approval=True)


def log(center: BusinessCenter, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(center=center, action=action)
                .select_related("acting_center").order_by("id"))


def html(response) -> str:
    return response.content.decode()


# -- "Changes need our approval" off ------------------------------------------------------


def test_a_partner_admins_edit_applies_and_both_logs_show_it(center, free):
    outcome = services.update_campaign(act(free.boss), free.center, free.campaign.pk,
                                       budget="175")
    assert outcome.applied
    free.campaign.refresh_from_db()
    assert free.campaign.budget == Decimal("175.00")
    [mine] = log(free.center, "campaign.updated")
    assert mine.acting_center is None and mine.actor == free.boss
    [theirs] = log(center, "campaign.updated")
    assert theirs.acting_center == free.center and theirs.actor_label == mine.actor_label
    assert (theirs.before, theirs.after) == ({"budget": "150.50"}, {"budget": "175.00"})


def test_a_partner_members_proposal_goes_to_the_partners_admins_and_the_owner_sees_it(
    client, owner, center, free, run_worker, mailbox
):
    run_worker()
    mailbox.clear()  # the fixture's joins and shares told their Admins
    request = services.update_campaign(act(free.max), free.center, free.campaign.pk,
                                       budget="180").request
    assert request is not None
    assert (request.center, request.proposed_in) == (free.center, None)
    run_worker()
    assert [m.to for m in mailbox] == [["bo@agency.com"]]
    [proposed] = log(center, "campaign.change_proposed")
    assert proposed.acting_center == free.center and proposed.actor == free.max
    assert proposed.after["budget"] == "180.00"
    # The brand's campaign page lists it, saying who, from where, and who decides.
    client.force_login(owner)
    page = html(client.get(f"/c/{center.pk}/campaigns/{free.campaign.pk}/"))
    assert "Waiting for approval" in page and "max@agency.com" in page
    assert "from Agency Inc" in page and "waiting for Agency Inc's Admins" in page
    assert "150.50 → 180.00" in page
    # The brand's Admin reads it, but it is not theirs to decide.
    opened = html(client.get(f"/c/{center.pk}/campaigns/approvals/{request.pk}/"))
    assert "Agency Inc's Admins" in opened and 'value="approve"' not in opened
    with pytest.raises(NotFound):
        services.decide(act(owner), center, request.pk, approve=True)
    # The agency's Admin approves; the brand's log has the change with before and after.
    services.decide(act(free.boss), free.center, request.pk, approve=True)
    free.campaign.refresh_from_db()
    assert free.campaign.budget == Decimal("180.00")
    [applied] = log(center, "campaign.updated")
    assert applied.acting_center == free.center and applied.actor == free.boss
    assert (applied.before["budget"], applied.after["budget"]) == ("150.50", "180.00")


def test_the_partners_campaign_page_shows_the_same_and_the_owners_currency(
    client, center, free
):
    services.set_status(act(free.max), free.center, free.campaign.pk, "DISABLE")
    client.force_login(free.boss)
    page = html(client.get(f"/c/{free.center.pk}/campaigns/{free.campaign.pk}/"))
    assert "Waiting for approval" in page and "Status ENABLE → DISABLE" in page
    assert "shared by Brand Co" in page and "Budget (USD)" in page and "EUR" not in page
    listed = html(client.get(f"/c/{free.center.pk}/campaigns/"))
    assert "150.50 USD" in listed


def test_a_partners_budget_is_checked_and_said_in_the_owners_currency(free):
    with pytest.raises(InvalidInput) as refused:
        services.update_campaign(act(free.boss), free.center, free.campaign.pk,
                                 budget="12.345")
    assert "USD amounts" in refused.value.message


def test_approving_is_refused_once_the_owner_wants_to_decide(free):
    request = services.update_campaign(act(free.max), free.center, free.campaign.pk,
                                       budget="180").request
    PartnerShare.objects.filter(pk=free.share.pk).update(needs_approval=True)
    with pytest.raises(Conflict) as refused:
        services.decide(act(free.boss), free.center, request.pk, approve=True)
    assert refused.value.code == "owner_approval" and "Brand Co" in refused.value.message
    free.campaign.refresh_from_db()
    assert free.campaign.budget == Decimal("150.50")


# -- "Changes need our approval" on -------------------------------------------------------


def test_a_partner_admins_edit_waits_for_the_owners_admins(
    center, owner, guarded, run_worker, mailbox
):
    run_worker()
    mailbox.clear()  # the fixture's joins and shares told their Admins
    outcome = services.update_campaign(act(guarded.boss), guarded.center, guarded.campaign.pk,
                                       budget="175")
    request = outcome.request
    assert not outcome.applied and request is not None
    assert (request.center, request.proposed_in) == (center, guarded.center)
    guarded.campaign.refresh_from_db()
    assert guarded.campaign.budget == Decimal("150.50")  # nothing yet
    assert services.pending_count(act(owner), center) == 1
    assert services.pending_count(act(guarded.boss), guarded.center) == 0
    run_worker()
    [asked] = mailbox
    assert asked.to == ["owner@brand.com"] and '"Agency Inc"' in asked.body
    assert f"/c/{center.pk}/campaigns/approvals/{request.pk}/" in asked.body
    # The partner's Admin cannot decide it, from either side.
    with pytest.raises(NotFound):
        services.decide(act(guarded.boss), guarded.center, request.pk, approve=True)
    with pytest.raises(NotFound):
        services.decide(act(guarded.boss), center, request.pk, approve=True)
    # The owner's Admin approves: applied, and both logs have it.
    services.decide(act(owner), center, request.pk, approve=True, comment="OK")
    guarded.campaign.refresh_from_db()
    assert guarded.campaign.budget == Decimal("175.00")
    [proposed] = log(center, "campaign.change_proposed")
    assert proposed.acting_center == guarded.center and proposed.actor == guarded.boss
    [applied] = log(center, "campaign.updated")
    assert applied.actor == owner and applied.acting_center is None
    assert (applied.before["budget"], applied.after["budget"]) == ("150.50", "175.00")
    [told] = log(guarded.center, "campaign.updated")
    assert told.actor == owner and told.acting_center == center
    assert [e.acting_center for e in log(guarded.center, "campaign.change_approved")] == [center]
    assert [e.acting_center for e in log(guarded.center, "campaign.change_proposed")] == [None]
    run_worker()
    assert mailbox[-1].to == ["bo@agency.com"] and "was approved" in mailbox[-1].subject
    assert f"/c/{guarded.center.pk}/campaigns/approvals/{request.pk}/" in mailbox[-1].body


def test_creates_and_status_changes_wait_too(center, owner, guarded, ads):
    made = services.create_campaign(act(guarded.boss), guarded.center, ads.pk,
                                    **{**NEW, "name": "Agency idea"})
    assert not made.applied and made.request.center == center
    paused = services.set_status(act(guarded.max), guarded.center, guarded.campaign.pk,
                                 "DISABLE")
    assert not paused.applied and paused.request.center == center
    assert not Campaign.objects.filter(name="Agency idea").exists()
    services.decide(act(owner), center, made.request.pk, approve=True)
    created = Campaign.objects.get(name="Agency idea")
    assert created.created_by == guarded.boss
    assert [e.acting_center for e in log(guarded.center, "campaign.created")] == [center]


def test_the_partners_member_sees_and_withdraws_their_request_from_the_agency(
    center, owner, guarded
):
    request = services.update_campaign(act(guarded.max), guarded.center, guarded.campaign.pk,
                                       name="Spring sale EU").request
    assert request.center == center
    mine = services.list_requests(act(guarded.max), guarded.center).items
    assert [r.pk for r in mine] == [request.pk]
    assert services.get_request(act(guarded.max), guarded.center, request.pk) == request
    # The agency's Admin follows what their people sent, without deciding it.
    assert request.pk in [r.pk for r in services.list_requests(act(guarded.boss),
                                                               guarded.center).items]
    # Only from where it was made: the brand is not theirs.
    with pytest.raises(NotFound):
        services.withdraw(act(guarded.max), center, request.pk)
    with pytest.raises(NotFound):
        services.withdraw(act(guarded.boss), guarded.center, request.pk)
    withdrawn = services.withdraw(act(guarded.max), guarded.center, request.pk)
    assert withdrawn.state == RequestState.WITHDRAWN
    [seen] = log(center, "campaign.change_withdrawn")
    assert seen.acting_center == guarded.center and seen.actor == guarded.max
    assert services.pending_count(act(owner), center) == 0


def test_pages_say_where_the_request_waits(client, owner, center, guarded):
    client.force_login(guarded.boss)
    page = html(client.get(f"/c/{guarded.center.pk}/campaigns/{guarded.campaign.pk}/"))
    assert "need the approval of Brand Co" in page and "Send for approval" in page
    sent = client.post(f"/c/{guarded.center.pk}/campaigns/{guarded.campaign.pk}/",
                       {"step": "edit", **NEW, "budget": "175"})
    request = guarded.campaign.change_requests.get()
    assert sent.url == f"/c/{guarded.center.pk}/campaigns/approvals/{request.pk}/"
    opened = html(client.get(sent.url))
    assert "waiting for Brand Co's Admins" in opened and 'value="approve"' not in opened
    client.force_login(owner)
    inbox = html(client.get(f"/c/{center.pk}/campaigns/approvals/"))
    assert "bo@agency.com" in inbox and "from Agency Inc" in inbox
    page = html(client.get(f"/c/{center.pk}/campaigns/{guarded.campaign.pk}/"))
    assert "from Agency Inc" in page and "waiting for Brand Co's Admins" in page
    approved = client.post(f"/c/{center.pk}/campaigns/approvals/{request.pk}/",
                           {"step": "approve", "comment": ""})
    assert approved.status_code == 302
    guarded.campaign.refresh_from_db()
    assert guarded.campaign.budget == Decimal("175.00")


# -- what each person may see -------------------------------------------------------------


def test_a_partner_member_never_sees_the_owners_own_requests(
    client, center, as_owner, ads, make_user, guarded
):
    staff = make_user("sue@brand.com", name="Sue Staff")
    join(as_owner, center, staff, modules=("CAMPAIGNS",), assets={ads.pk: ["OPERATOR"]})
    internal = services.update_campaign(act(staff), center, guarded.campaign.pk,
                                        budget="999").request
    assert (internal.center, internal.proposed_in) == (center, None)
    # A member of the agency without the account sees neither the campaign nor requests.
    nia = make_user("nia@agency.com", name="Nia")
    join(act(guarded.boss), guarded.center, nia, modules=("CAMPAIGNS",))
    with pytest.raises(NotFound):
        services.waiting_on(act(nia), guarded.center, guarded.campaign.pk)
    client.force_login(nia)
    assert client.get(f"/c/{guarded.center.pk}/campaigns/{guarded.campaign.pk}/"
                      ).status_code == 404
    # Max sees the campaign, but not the brand's own request on it, nor Bo's.
    bos = services.update_campaign(act(guarded.boss), guarded.center, guarded.campaign.pk,
                                   name="Bo's name").request
    assert services.waiting_on(act(guarded.max), guarded.center, guarded.campaign.pk) == []
    for other in (internal, bos):
        with pytest.raises(NotAllowed):
            services.get_request(act(guarded.max), guarded.center, other.pk)
    assert services.list_requests(act(guarded.max), guarded.center).total == 0
    # The agency's Admin sees the agency's request, never the brand's internal one.
    seen = services.waiting_on(act(guarded.boss), guarded.center, guarded.campaign.pk)
    assert [r.pk for r in seen] == [bos.pk]
    with pytest.raises(NotFound):
        services.get_request(act(guarded.boss), guarded.center, internal.pk)
    client.force_login(guarded.max)
    page = html(client.get(f"/c/{guarded.center.pk}/campaigns/{guarded.campaign.pk}/"))
    assert "999" not in page and "Bo&#x27;s name" not in page
    # The brand's Admin sees both on its campaign.
    brand = services.waiting_on(as_owner, center, guarded.campaign.pk)
    assert {r.pk for r in brand} == {internal.pk, bos.pk}
