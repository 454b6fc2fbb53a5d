"""notify() and the events that call it (issue 21, "people are not told things"): each
event tells the right person and only them, in words; email follows the person's choice
while the in-app notification always stays; nothing is told about a change that rolled
back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from bizcenter.access.reminders import send_reminders
from bizcenter.assets import partners
from bizcenter.assets.services import create_asset
from bizcenter.billing import services as billing
from bizcenter.campaigns import services as campaigns
from bizcenter.centers.services import create_center, revoke_member, update_member
from bizcenter.core.errors import NotFound
from bizcenter.notifications import services
from bizcenter.notifications.models import Kind, Notification
from bizcenter.outbox.models import OutboxMessage
from tests.conftest import act, join, partner_up, spend


@pytest.fixture(autouse=True)
def _fast(quick_hashing):
    pass


def told(user) -> list[tuple[str, str]]:
    return [(n.kind, n.sentence) for n in Notification.objects.filter(user=user).order_by("pk")]


def emails_to(address: str) -> list[OutboxMessage]:
    """What was queued to the address, besides the invitation that brought them in."""
    return list(OutboxMessage.objects.filter(to=address).exclude(kind="invitation")
                .order_by("pk"))


@pytest.fixture
def maria(make_user):
    return make_user("maria@agency.com", name="Maria")


def test_an_accepted_invitation_tells_the_inviter_only(center, as_owner, owner, maria):
    join(as_owner, center, maria, modules=("ANALYTICS",))
    assert told(owner) == [(Kind.INVITATION_ACCEPTED,
                            '"Maria" accepted your invitation to "Brand Co" as Standard.')]
    assert told(maria) == []
    [note] = Notification.objects.filter(user=owner)
    assert note.link == f"/c/{center.pk}/partners/{maria.memberships.get().pk}/"
    assert [m.kind for m in emails_to("owner@brand.com")] == ["notification"]


def test_a_change_of_access_tells_the_person_in_words(center, as_owner, owner, maria):
    member = join(as_owner, center, maria, modules=("ANALYTICS",))
    update_member(as_owner, center, member.pk, modules=["ANALYTICS", "CAMPAIGNS"],
                  role="ADMIN")
    [(kind, sentence)] = told(maria)
    assert kind == Kind.ACCESS_CHANGED
    assert sentence == ('"Olivia Owner" changed your access in "Brand Co": you are now '
                        'Admin; modules: Analytics, Campaigns.')
    assert "CAMPAIGNS" not in sentence and "ADMIN" not in sentence
    assert [n.kind for n in Notification.objects.filter(user=owner)] == [
        Kind.INVITATION_ACCEPTED]  # the Admin is not told of their own change


def test_revoking_tells_the_person_which_center_and_when(center, as_owner, owner, maria):
    member = join(as_owner, center, maria)
    revoke_member(as_owner, center, member.pk)
    today = timezone.now().date().isoformat()  # Brand Co keeps its time in UTC
    assert told(maria) == [(Kind.ACCESS_CHANGED, f'"Brand Co" removed you on {today}. Ask its '
                                                  "Admin if this is a mistake.")]
    [email] = emails_to("maria@agency.com")
    assert email.kind == "notification"


def test_access_ending_soon_tells_the_person_as_well_as_the_admins(center, as_owner, maria):
    member = join(as_owner, center, maria)
    start = timezone.now()
    update_member(as_owner, center, member.pk, expires_at=start + timedelta(days=10))
    Notification.objects.all().delete()
    with time_machine.travel(start + timedelta(days=4)):
        assert send_reminders() == 1
    [(kind, sentence)] = told(maria)
    assert kind == Kind.ACCESS_ENDING
    assert sentence.startswith('Your access to "Brand Co" ends in 7 days (last day ')


def test_a_change_request_tells_the_admins_then_its_author(center, as_owner, owner, make_user):
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    opal = make_user("op@agency.com", name="Opal")
    join(as_owner, center, opal, modules=("CAMPAIGNS", "ANALYTICS"),
         assets={ads.pk: ["OPERATOR"]})
    second = make_user("second@brand.com", name="Sam")
    join(as_owner, center, second, role="ADMIN")
    Notification.objects.all().delete()
    request = campaigns.create_campaign(act(opal), center, ads.pk, name="Spring sale",
                                        objective="TRAFFIC", budget_mode="BUDGET_MODE_DAY",
                                        budget="150.50").request
    assert request is not None
    wanted = [(Kind.CHANGE_TO_DECIDE, '"Opal" proposes a change in "Main ads"')]
    assert told(owner) == wanted and told(second) == wanted and told(opal) == []
    assert Notification.objects.get(user=owner).link == (
        f"/c/{center.pk}/campaigns/approvals/{request.pk}/")
    campaigns.decide(as_owner, center, request.pk, approve=False, comment="Not now")
    assert told(opal) == [(Kind.CHANGE_DECIDED, 'Your change in "Main ads" was rejected')]
    assert [m.kind for m in emails_to("op@agency.com")] == ["change_request"]


def test_partner_requests_and_shares_tell_the_partners_admins(center, as_owner, owner,
                                                               make_user):
    boss = make_user("boss@agency.com", name="Bo")
    agency = create_center(act(boss), name="Agency")
    staff = make_user("staff@agency.com", name="Stu")
    join(act(boss), agency, staff)
    Notification.objects.all().delete()
    partner_up(as_owner, center, agency)
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    partners.share(as_owner, center, agency.public_id, ads.pk, "ANALYST")
    assert told(boss) == [
        (Kind.PARTNER, '"Brand Co" asks to be partners with "Agency"'),
        (Kind.PARTNER, '"Brand Co" shared "Main ads" with "Agency"')]
    assert told(staff) == []  # a Standard member of the partner is not asked
    assert told(owner) == [(Kind.PARTNER, '"Agency" accepted your partner request')]


def test_a_spending_limit_tells_admins_and_finance_managers(center, as_owner, owner,
                                                             make_user):
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    money = make_user("money@brand.com", name="Fin")
    join(as_owner, center, money, finance_role="MANAGER", modules=("BILLING",))
    viewer = make_user("view@brand.com", name="Vic")
    join(as_owner, center, viewer, finance_role="ANALYST", modules=("BILLING",))
    Notification.objects.all().delete()
    billing.set_spending_limit(as_owner, center, ads.pk, "100")
    spend(center, ads, "100.00", billing.today_in(center))
    wanted = [(Kind.SPENDING_LIMIT, '"Main ads" reached its spending limit: campaigns paused')]
    assert told(owner) == wanted and told(money) == wanted
    assert told(viewer) == []


def test_email_follows_the_choice_but_the_app_always_tells(center, as_owner, owner, maria):
    services.set_email_choices(act(owner), {Kind.INVITATION_ACCEPTED: False})
    join(as_owner, center, maria)
    assert len(told(owner)) == 1  # in the app all the same
    assert emails_to("owner@brand.com") == []  # but no email
    assert dict(services.email_choices(owner))[Kind.INVITATION_ACCEPTED] is False
    assert dict(services.email_choices(owner))[Kind.ACCESS_CHANGED] is True  # default on


def test_nothing_is_told_about_a_change_that_rolled_back(center, as_owner, maria):
    member = join(as_owner, center, maria)
    before = (Notification.objects.count(), OutboxMessage.objects.count())

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        revoke_member(as_owner, center, member.pk)
        assert told(maria)  # written in the change's transaction...
        raise Undone
    assert told(maria) == []  # ...and gone with it, with its email
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == before


def test_notifications_are_their_persons_alone(center, as_owner, owner, maria):
    join(as_owner, center, maria)
    [theirs] = Notification.objects.filter(user=owner)
    with pytest.raises(NotFound):
        services.mark_read(act(maria), theirs.pk)
    with pytest.raises(NotFound):
        services.mark_all_read(act(maria), ids=[str(theirs.pk)])
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert services.unread_count(owner) == 1
    services.mark_read(act(owner), theirs.pk)
    assert services.unread_count(owner) == 0


def test_an_unknown_kind_is_refused_by_name(owner):
    from bizcenter.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Unknown notification kind: ANALYTICS"):
        services.set_email_choices(act(owner), {"ANALYTICS": False})


def test_the_email_says_words_and_where_to_choose(center, as_owner, maria, run_worker,
                                                  mailbox):
    member = join(as_owner, center, maria, modules=("ANALYTICS",))
    update_member(as_owner, center, member.pk, modules=["ANALYTICS", "BILLING"],
                  finance_role="ANALYST")
    run_worker()
    [email] = [m for m in mailbox if m.to == ["maria@agency.com"]]
    assert email.subject.startswith('"Olivia Owner" changed your access in "Brand Co"')
    assert "modules: Analytics, Billing" in email.body
    assert "finance role Finance Analyst" in email.body
    assert "BILLING" not in email.body and "ANALYST" not in email.body
    assert f"/c/{center.pk}/" in email.body and "/account/security/#notifications" in email.body
