"""Members of a Business Center: the list, editing access, revoking, and inviting back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bizcenter.audit.models import AuditEvent, Category
from bizcenter.centers.models import Membership, MembershipState
from bizcenter.centers.services import (
    get_center,
    get_member,
    list_members,
    revoke_member,
    update_member,
)
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.conftest import act, join

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def team(center, as_owner, owner, make_user):
    """Four partners who joined a day apart, after the owner."""
    start = timezone.now()
    people = [
        ("ann@agency.com", None, "Ann Archer", {"kind": "agency"}),
        (None, "+14155550123", "Bob Baker", {"kind": "client"}),
        ("cara@brand.com", None, "Cara Cole", {"kind": "employee", "role": "ADMIN"}),
        ("dan@creators.io", None, "Dan Dunn", {"kind": "influencer"}),
    ]
    team = {"owner": Membership.objects.get(center=center, user=owner)}
    for day, (email, phone, name, grant) in enumerate(people, start=1):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            person = make_user(email, phone=phone, name=name)
            team[name.split()[0].lower()] = join(as_owner, center, person, **grant)
    return team


def emails(page) -> list[str]:
    return [m.user.email or m.user.phone for m in page.items]


# -- the list --------------------------------------------------------------------


def test_the_list_shows_active_members_in_joining_order(center, as_owner, team):
    page = list_members(as_owner, center)
    assert emails(page) == ["owner@brand.com", "ann@agency.com", "+14155550123",
                            "cara@brand.com", "dan@creators.io"]
    assert (page.total, page.page, page.pages) == (5, 1, 1)


@pytest.mark.parametrize(("search", "found"), [
    ("ann", ["ann@agency.com"]),
    ("ANN ARCHER", ["ann@agency.com"]),  # the name, in any case
    ("@brand.com", ["owner@brand.com", "cara@brand.com"]),
    ("5550123", ["+14155550123"]),  # part of a phone number
    ("  dunn ", ["dan@creators.io"]),
    ("nobody", []),
])
def test_search_by_name_email_or_phone(center, as_owner, team, search, found):
    assert emails(list_members(as_owner, center, search=search)) == found


def test_filter_by_role_and_kind_in_any_case(center, as_owner, team):
    assert emails(list_members(as_owner, center, role="admin")) == [
        "owner@brand.com", "cara@brand.com"]
    assert emails(list_members(as_owner, center, role="STANDARD", kind="Agency")) == [
        "ann@agency.com"]
    assert emails(list_members(as_owner, center, kind="influencer", search="ann")) == []


@pytest.mark.parametrize(("filters", "field", "says"), [
    ({"role": "owner"}, "role", "'owner' is not a valid role. Use one of: ADMIN, STANDARD."),
    ({"kind": "robot"}, "kind", "'robot' is not a valid kind"),
    ({"state": "gone"}, "state", "Use one of: ACTIVE, EXPIRED, REVOKED."),
    ({"sort": "age"}, "sort", "Unknown sort 'age'"),
    ({"page": 0}, "page", "Page numbers start at 1."),
    ({"page_size": 0}, "page_size", "between 1 and 200"),
    ({"page_size": 201}, "page_size", "between 1 and 200"),
])
def test_bad_list_options_are_refused_saying_what_is_allowed(center, as_owner, team,
                                                            filters, field, says):
    with pytest.raises(InvalidInput) as refused:
        list_members(as_owner, center, **filters)
    assert says in refused.value.message
    assert field in refused.value.fields


def test_an_unknown_sort_lists_the_sorts_there_are(center, as_owner):
    with pytest.raises(InvalidInput) as refused:
        list_members(as_owner, center, sort="salary")
    for known in ("joined", "-joined", "name", "email", "role", "last_active"):
        assert known in refused.value.message


@pytest.mark.parametrize(("sort", "first_names"), [
    ("name", ["Ann", "Bob", "Cara", "Dan", "Olivia"]),
    ("-name", ["Olivia", "Dan", "Cara", "Bob", "Ann"]),
    ("-joined", ["Dan", "Cara", "Bob", "Ann", "Olivia"]),
    ("role", ["Olivia", "Cara", "Ann", "Bob", "Dan"]),  # ADMIN before STANDARD
])
def test_sorts(center, as_owner, team, sort, first_names):
    page = list_members(as_owner, center, sort=sort)
    assert [m.user.name.split()[0] for m in page.items] == first_names


def test_sort_by_email(center, as_owner, team):
    page = list_members(as_owner, center, sort="email", search="@")
    assert emails(page) == ["ann@agency.com", "cara@brand.com", "dan@creators.io",
                            "owner@brand.com"]


def test_pages(center, as_owner, team):
    first = list_members(as_owner, center, sort="name", page_size=2)
    second = list_members(as_owner, center, sort="name", page_size=2, page=2)
    last = list_members(as_owner, center, sort="name", page_size=2, page=3)
    beyond = list_members(as_owner, center, sort="name", page_size=2, page=4)
    assert (first.total, first.pages) == (5, 3)
    assert [m.user.name for m in first.items] == ["Ann Archer", "Bob Baker"]
    assert [m.user.name for m in second.items] == ["Cara Cole", "Dan Dunn"]
    assert [m.user.name for m in last.items] == ["Olivia Owner"]
    assert beyond.items == [] and beyond.total == 5


def test_get_member_finds_only_members_of_this_center(center, as_owner, owner, team,
                                                      make_user):
    assert get_member(as_owner, center, team["ann"].pk).user.email == "ann@agency.com"
    from bizcenter.centers.services import create_center

    elsewhere = create_center(Actor(make_user("boss@else.com")), name="Else")
    stranger = Membership.objects.get(center=elsewhere)
    with pytest.raises(NotFound) as missing:
        get_member(as_owner, center, stranger.pk)
    assert missing.value.message == f"No member with id {stranger.pk} in Brand Co."


def test_standard_members_cannot_see_the_member_list(center, team):
    ann = team["ann"].user
    with pytest.raises(NotAllowed) as refused:
        list_members(act(ann), center)
    assert "Only Admins of Brand Co" in refused.value.message
    with pytest.raises(NotAllowed):
        get_member(act(ann), center, team["bob"].pk)


# -- editing access ----------------------------------------------------------------


def test_edit_role_modules_kind_finance_role_and_expiry(center, as_owner, team):
    ends = timezone.now() + timedelta(days=90)
    edited = update_member(as_owner, center, team["ann"].pk, finance_role="manager",
                           kind="Manager",
                           modules="campaigns, billing,CAMPAIGNS", expires_at=ends)
    stored = Membership.objects.get(pk=team["ann"].pk)
    assert stored == edited
    assert (stored.role, stored.finance_role, stored.kind) == ("STANDARD", "MANAGER", "manager")
    assert stored.modules == ["BILLING", "CAMPAIGNS"]
    assert stored.expires_at == ends
    assert stored.state == MembershipState.ACTIVE


def test_edit_changes_only_what_is_given(center, as_owner, team):
    bob = team["bob"]
    update_member(as_owner, center, bob.pk, modules=["ASSETS"])
    stored = Membership.objects.get(pk=bob.pk)
    assert stored.modules == ["ASSETS"]
    assert (stored.role, stored.kind, stored.finance_role) == ("STANDARD", "client", "")


def test_promoting_a_member_lets_them_manage_members_and_demoting_takes_it_back(
        center, as_owner, team):
    ann = team["ann"].user
    with pytest.raises(NotAllowed):
        list_members(act(ann), center)
    update_member(as_owner, center, team["ann"].pk, role="admin")
    assert list_members(act(ann), center).total == 5
    update_member(as_owner, center, team["ann"].pk, role="STANDARD")
    with pytest.raises(NotAllowed):
        list_members(act(ann), center)


def test_finance_role_can_be_cleared_and_expiry_removed(center, as_owner, team):
    bob = team["bob"]
    update_member(as_owner, center, bob.pk, finance_role="ANALYST",
                  expires_at=timezone.now() + timedelta(days=3))
    update_member(as_owner, center, bob.pk, finance_role="", clear_expiry=True)
    stored = Membership.objects.get(pk=bob.pk)
    assert (stored.finance_role, stored.expires_at) == ("", None)


def test_an_ended_membership_reaches_nothing_until_an_admin_extends_it(
        center, as_owner, team):
    dan = team["dan"]
    update_member(as_owner, center, dan.pk, expires_at=timezone.now() + timedelta(hours=1))
    assert get_center(act(dan.user), center.pk) == center
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        with pytest.raises(NotFound):
            get_center(act(dan.user), center.pk)
        # The Admin still sees them, as ended, so they can extend the access.
        [listed] = list_members(as_owner, center, search="dan").items
        assert not listed.is_current
        update_member(as_owner, center, dan.pk, expires_at=timezone.now() + timedelta(days=7))
        assert get_center(act(dan.user), center.pk) == center


def test_the_list_tells_active_expired_and_revoked_members_apart(center, as_owner, team):
    update_member(as_owner, center, team["dan"].pk, expires_at=timezone.now() + timedelta(hours=1))
    revoke_member(as_owner, center, team["bob"].pk)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        def names(state: str | None) -> list[str]:
            return [m.user.name for m in list_members(as_owner, center, state=state).items]

        # By default everyone not revoked: an ended membership stays in view to be extended.
        assert "Dan Dunn" in names("ACTIVE,EXPIRED") and "Bob Baker" not in names(
            "ACTIVE,EXPIRED")
        assert [m.status for m in list_members(as_owner, center).items
                if m.user.name == "Dan Dunn"] == ["EXPIRED"]
        assert "Dan Dunn" not in names("ACTIVE") and "Ann Archer" in names("active")
        assert names("EXPIRED") == ["Dan Dunn"] and names("REVOKED") == ["Bob Baker"]
        assert names("expired, revoked") == ["Bob Baker", "Dan Dunn"]
        assert len(names(None)) == 5
        # An ended membership holds no seat: the Business Center's member count agrees.
        assert get_center(as_owner, center.pk) == center
        with pytest.raises(InvalidInput, match="'gone' is not a valid state"):
            names("ACTIVE,gone")


@pytest.mark.parametrize(("changes", "field", "says"), [
    ({"role": "owner"}, "role", "'owner' is not a valid role"),
    ({"finance_role": "cfo"}, "finance_role", "Use one of: (none), MANAGER, ANALYST."),
    ({"kind": "robot"}, "kind", "agency, manager, employee, influencer, client, other"),
    ({"modules": ["ANALYTICS", "payroll"]}, "module", "'payroll' is not a valid module"),
    ({"expires_at": "past"}, "expires_at", "must be in the future"),
])
def test_bad_edits_change_nothing(center, as_owner, team, changes, field, says):
    if changes.get("expires_at") == "past":
        changes = {"expires_at": timezone.now() - timedelta(minutes=1)}
    before = Membership.objects.get(pk=team["ann"].pk).access_dict()
    with pytest.raises(InvalidInput) as refused:
        update_member(as_owner, center, team["ann"].pk, **changes)
    assert says in refused.value.message
    assert field in refused.value.fields
    assert Membership.objects.get(pk=team["ann"].pk).access_dict() == before
    assert not AuditEvent.objects.filter(action="member.updated").exists()


def test_an_edit_is_logged_with_actor_address_and_only_what_changed(center, owner, team):
    admin = Actor(owner, ip="203.0.113.50", via="api")
    update_member(admin, center, team["ann"].pk, kind="agency", modules=["ANALYTICS", "ASSETS"],
                  finance_role="ANALYST")
    event = AuditEvent.objects.get(action="member.updated")
    assert event.category == Category.USER
    assert (event.center, event.actor, event.ip, event.via) == (
        center, owner, "203.0.113.50", "api")
    assert event.actor_label == "Olivia Owner <owner@brand.com>"
    assert event.target_id == str(team["ann"].pk)
    assert "ann@agency.com" in event.target_label
    # kind was already agency: it is not in the entry.
    assert event.before == {"finance_role": "", "modules": ["ANALYTICS"]}
    # The finance role brings the Billing module: one thing, logged as it is stored.
    assert event.after == {"finance_role": "ANALYST",
                           "modules": ["ANALYTICS", "ASSETS", "BILLING"]}


def test_an_edit_that_changes_nothing_is_not_logged(center, as_owner, team):
    update_member(as_owner, center, team["ann"].pk, kind="agency", modules=["analytics"])
    assert not AuditEvent.objects.filter(action="member.updated").exists()


def test_editing_someone_of_another_center_is_not_found(center, as_owner, team, make_user):
    from bizcenter.centers.services import create_center

    elsewhere = create_center(Actor(make_user("boss@else.com")), name="Else")
    stranger = Membership.objects.get(center=elsewhere)
    with pytest.raises(NotFound):
        update_member(as_owner, center, stranger.pk, role="STANDARD")
    with pytest.raises(NotFound):
        revoke_member(as_owner, center, stranger.pk)
    assert Membership.objects.get(pk=stranger.pk).state == MembershipState.ACTIVE


def test_names_with_braces_still_get_a_clear_not_found(owner):
    from bizcenter.centers.services import create_center

    odd = create_center(act(owner), name="Brand {x} & {id}")
    with pytest.raises(NotFound) as missing:
        update_member(act(owner), odd, "12345", role="ADMIN")
    assert missing.value.message == "No member with id 12345 in Brand {x} & {id}."
    with pytest.raises(NotFound) as typed:
        update_member(act(owner), odd, "twelve", role="ADMIN")
    assert "No member with id 'twelve'" in typed.value.message


# -- revoking ------------------------------------------------------------------------


def test_revoke_keeps_the_row_for_history(center, as_owner, owner, team):
    revoked = revoke_member(as_owner, center, team["bob"].pk)
    stored = Membership.objects.get(pk=team["bob"].pk)
    assert revoked.state == stored.state == MembershipState.REVOKED
    assert stored.revoked_by == owner
    assert stored.revoked_at is not None and stored.revoked_at <= timezone.now()
    # Their access as it was is still on the row.
    assert (stored.kind, stored.modules) == ("client", ["ANALYTICS"])


def test_a_revoked_member_leaves_the_list_and_reaches_nothing(center, as_owner, team):
    bob = team["bob"]
    revoke_member(as_owner, center, bob.pk)
    assert "+14155550123" not in emails(list_members(as_owner, center))
    assert emails(list_members(as_owner, center, state="revoked")) == ["+14155550123"]
    assert len(emails(list_members(as_owner, center, state=None))) == 5
    with pytest.raises(NotFound):
        get_center(act(bob.user), center.pk)


def test_a_revoked_admin_loses_admin_powers_at_once(center, as_owner, team):
    cara = team["cara"].user
    assert list_members(act(cara), center).total == 5
    revoke_member(as_owner, center, team["cara"].pk)
    with pytest.raises(NotFound):
        list_members(act(cara), center)
    with pytest.raises(NotFound):
        revoke_member(act(cara), center, team["owner"].pk)
    assert Membership.objects.get(pk=team["owner"].pk).state == MembershipState.ACTIVE


def test_revoking_twice_is_a_conflict(center, as_owner, team):
    revoke_member(as_owner, center, team["ann"].pk)
    with pytest.raises(Conflict) as refused:
        revoke_member(as_owner, center, team["ann"].pk)
    assert refused.value.code == "already_revoked"
    assert "Ann Archer <ann@agency.com>'s access was already revoked" in refused.value.message
    assert AuditEvent.objects.filter(action="member.revoked").count() == 1


def test_a_revoked_membership_cannot_be_edited(center, as_owner, team):
    revoke_member(as_owner, center, team["ann"].pk)
    with pytest.raises(Conflict) as refused:
        update_member(as_owner, center, team["ann"].pk, modules=["BILLING"])
    assert refused.value.code == "revoked"
    assert "Invite them again" in refused.value.message
    assert Membership.objects.get(pk=team["ann"].pk).modules == ["ANALYTICS"]


def test_revoke_is_logged_with_the_access_that_ended(center, owner, team):
    revoke_member(Actor(owner, ip="2001:db8::1", via="cli"), center, team["dan"].pk)
    event = AuditEvent.objects.get(action="member.revoked")
    assert (event.actor, event.ip, event.via, event.category) == (
        owner, "2001:db8::1", "cli", Category.USER)
    assert event.before["state"] == "ACTIVE" and event.after["state"] == "REVOKED"
    assert event.before["kind"] == "influencer"
    assert event.target_id == str(team["dan"].pk)


def test_reinvite_after_revoke_gives_a_new_membership_and_keeps_the_old(
        center, as_owner, team):
    old = team["ann"]
    revoke_member(as_owner, center, old.pk)
    new = join(as_owner, center, old.user, role="STANDARD", kind="client",
               modules=("BILLING",), finance_role="ANALYST")
    assert new.pk != old.pk
    rows = Membership.objects.filter(center=center, user=old.user).order_by("pk")
    assert [(m.pk, m.state) for m in rows] == [
        (old.pk, MembershipState.REVOKED), (new.pk, MembershipState.ACTIVE)]
    # The new access is what the new invitation gave, not what was revoked.
    assert (new.kind, new.modules, new.finance_role) == ("client", ["BILLING"], "ANALYST")
    assert get_center(act(old.user), center.pk) == center
    assert emails(list_members(as_owner, center, search="ann")) == ["ann@agency.com"]


# -- only Admins manage members ------------------------------------------------------


def test_standard_members_cannot_edit_or_revoke_anyone(center, team):
    ann = act(team["ann"].user)
    for attempt in (
        lambda: update_member(ann, center, team["ann"].pk, role="ADMIN"),
        lambda: update_member(ann, center, team["bob"].pk, modules=["BILLING"]),
        lambda: revoke_member(ann, center, team["owner"].pk),
        lambda: revoke_member(ann, center, team["bob"].pk),
    ):
        with pytest.raises(NotAllowed) as refused:
            attempt()
        assert refused.value.code == "admins_only"
        assert "Only Admins of Brand Co" in refused.value.message
    states = set(Membership.objects.filter(center=center).values_list("state", "role"))
    assert states == {("ACTIVE", "ADMIN"), ("ACTIVE", "STANDARD")}
    assert Membership.objects.get(pk=team["ann"].pk).role == "STANDARD"
    assert Membership.objects.get(pk=team["bob"].pk).modules == ["ANALYTICS"]
    assert not AuditEvent.objects.filter(action__in=["member.updated", "member.revoked"]
                                         ).exists()


def test_an_outsider_cannot_touch_members(center, team, make_user):
    outsider = act(make_user("outsider@else.com"))
    with pytest.raises(NotFound):
        update_member(outsider, center, team["ann"].pk, role="ADMIN")
    with pytest.raises(NotFound):
        revoke_member(outsider, center, team["ann"].pk)
    with pytest.raises(NotFound):
        list_members(outsider, center)
    assert Membership.objects.get(pk=team["ann"].pk).state == MembershipState.ACTIVE
