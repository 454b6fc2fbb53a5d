"""The brand and its partner agency acting on one campaign at the same instant, on
PostgreSQL: each change writes in both Business Centers' logs, so each locks both rows,
in one order; neither may deadlock, and the result is one a serial order gives."""

from __future__ import annotations

from decimal import Decimal

from bizcenter.assets.models import PartnerShare, Partnership
from bizcenter.assets.services import assign, create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.campaigns import services
from bizcenter.campaigns.models import ChangeRequest, RequestState
from bizcenter.centers.services import bump_access_version, create_center
from bizcenter.core.errors import Conflict, NotFound
from bizcenter.invitations.services import Grant
from tests.conftest import act
from tests.support.campaigns import ORIGINAL, replay
from tests.support.races import RACING, fresh_center, joined, quick_user, race

pytestmark = RACING

ROUNDS = 3


def partnered(round_: int, tag: str, *, needs_approval: bool):
    owner, brand = fresh_center(f"{tag}{round_}")
    ads = create_asset(act(owner), brand, type="ADVERTISER", name="Ads")
    boss = quick_user(f"boss.{tag}{round_}@agency.com")
    agency = create_center(act(boss), name=f"Agency {tag}{round_}")
    link = Partnership.objects.create(owner=brand, partner=agency)
    PartnerShare.objects.create(partnership=link, asset=ads, roles=["OPERATOR"],
                                needs_approval=needs_approval)
    bump_access_version(brand)
    bump_access_version(agency)
    seat = joined(boss, agency, f"max.{tag}{round_}@agency.com", Grant(modules=("CAMPAIGNS",)))
    assign(act(boss), agency, seat.pk, ads.pk, ["OPERATOR"])
    campaign = services.create_campaign(act(owner), brand, ads.pk, **ORIGINAL).campaign
    assert campaign is not None
    return owner, brand, boss, agency, seat.user, campaign


def test_the_owner_approving_while_the_partner_withdraws_decides_it_once():
    for round_ in range(ROUNDS):
        approve_and_withdraw(round_)


def approve_and_withdraw(round_: int) -> None:
    owner, brand, _, agency, member, campaign = partnered(round_, "wd", needs_approval=True)
    request = services.update_campaign(act(member), agency, campaign.pk, budget="300").request
    assert request is not None and request.center_id == brand.pk
    approval, withdrawal = race([
        lambda: services.decide(act(owner), brand, request.pk, approve=True),
        lambda: services.withdraw(act(member), agency, request.pk),
    ])
    request.refresh_from_db()
    campaign.refresh_from_db()
    won = [o for o in (approval, withdrawal) if isinstance(o, ChangeRequest)]
    lost = [o for o in (approval, withdrawal) if not isinstance(o, ChangeRequest)]
    assert len(won) == 1 and all(isinstance(o, Conflict) for o in lost), (approval, withdrawal)
    if request.state == RequestState.APPROVED:
        assert campaign.budget == Decimal("300.00")
    else:
        assert request.state == RequestState.WITHDRAWN
        assert campaign.budget == Decimal("150.50")


def test_the_owner_and_the_partners_admin_editing_at_once_both_apply_in_some_order():
    for round_ in range(ROUNDS):
        edit_from_both_sides(round_)


def edit_from_both_sides(round_: int) -> None:
    owner, brand, boss, agency, _, campaign = partnered(round_, "ed", needs_approval=False)
    start = services.values_of(campaign)
    outcomes = race([
        lambda: services.update_campaign(act(owner), brand, campaign.pk, budget="200"),
        lambda: services.update_campaign(act(boss), agency, campaign.pk, name="Agency name",
                                         budget="250"),
    ])
    assert all(isinstance(o, services.Outcome) and o.applied for o in outcomes), outcomes
    campaign.refresh_from_db()
    assert campaign.version == 3
    # The brand's log alone tells the whole story, whoever acted from where.
    events = list(AuditEvent.objects.filter(center=brand, target_type="campaign",
                                            target_id=str(campaign.pk))
                  .order_by("created_at", "pk"))
    assert replay(start, events) == services.values_of(campaign)
    partner_side = [e for e in events if e.action == "campaign.updated"
                    and e.acting_center_id == agency.pk]
    assert [e.actor_id for e in partner_side] == [boss.pk]


def test_a_withdrawal_from_the_wrong_side_is_not_found_whatever_it_locks():
    owner, brand, _, agency, member, campaign = partnered(0, "ws", needs_approval=True)
    request = services.update_campaign(act(member), agency, campaign.pk, budget="300").request
    assert request is not None
    outcomes = race([lambda: services.withdraw(act(owner), brand, request.pk),
                     lambda: services.withdraw(act(member), brand, request.pk)])
    assert all(isinstance(o, NotFound) for o in outcomes), outcomes
