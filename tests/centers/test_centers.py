"""Business Centers: creating one, its settings, and who can reach or change it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bizcenter.audit.models import AuditEvent, Category
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import (
    centers_of,
    create_center,
    get_center,
    revoke_member,
    update_center,
    update_member,
)
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput, NotAllowed, NotFound
from tests.conftest import act, join

# -- creating ------------------------------------------------------------------


def test_the_creator_is_the_first_and_only_admin(owner):
    center = create_center(Actor(owner, ip="203.0.113.9", via="web"), name="  Acme Ads  ",
                           company=" Acme Inc. ")
    stored = BusinessCenter.objects.get(pk=center.pk)
    assert (stored.name, stored.company, stored.timezone, stored.currency) == (
        "Acme Ads", "Acme Inc.", "UTC", "USD")
    [membership] = Membership.objects.filter(center=center)
    assert membership.user == owner
    assert membership.role == "ADMIN"
    assert membership.state == "ACTIVE"
    assert membership.modules == ["ANALYTICS", "CAMPAIGNS", "ASSETS", "BILLING"]
    assert list(centers_of(owner)) == [center]


def test_creating_is_logged_with_who_and_from_where(owner):
    center = create_center(Actor(owner, ip="203.0.113.9", via="web"), name="Acme Ads",
                           timezone_name="Europe/Paris", currency="eur")
    events = {e.action: e for e in AuditEvent.objects.filter(center=center)}
    assert set(events) == {"center.created", "member.added"}
    created = events["center.created"]
    assert created.category == Category.BUSINESS
    assert (created.actor, created.ip, created.via) == (owner, "203.0.113.9", "web")
    assert created.after["name"] == "Acme Ads"
    assert (created.after["timezone"], created.after["currency"]) == ("Europe/Paris", "EUR")
    assert events["member.added"].after["role"] == "ADMIN"


def test_timezone_and_currency_are_kept_in_their_standard_form(owner):
    center = create_center(Actor(owner), name="Tokyo Desk", timezone_name=" Asia/Tokyo ",
                           currency=" jpy ")
    stored = BusinessCenter.objects.get(pk=center.pk)
    assert (stored.timezone, stored.currency) == ("Asia/Tokyo", "JPY")


@pytest.mark.parametrize(("changes", "field", "says"), [
    ({"name": ""}, "name", "The name cannot be empty."),
    ({"name": "   "}, "name", "The name cannot be empty."),
    ({"name": "x" * 101}, "name", "101 characters long; at most 100 are allowed"),
    ({"timezone_name": "Mars/Olympus"}, "timezone", "'Mars/Olympus' is not a time zone"),
    ({"timezone_name": "CEST"}, "timezone", "Europe/Paris"),
    ({"currency": "XYZ"}, "currency", "'XYZ' is not an ISO 4217 currency code"),
    ({"currency": "dollars"}, "currency", "three letters such as USD"),
])
def test_bad_names_timezones_and_currencies_are_refused_clearly(owner, changes, field, says):
    values = {"name": "Acme Ads", **changes}
    with pytest.raises(InvalidInput) as refused:
        create_center(Actor(owner), **values)
    assert says in refused.value.message
    assert field in refused.value.fields
    assert not BusinessCenter.objects.exists()
    assert not AuditEvent.objects.filter(action="center.created").exists()


def test_a_center_needs_an_owner(db):
    with pytest.raises(InvalidInput) as refused:
        create_center(Actor.system("cli"), name="Nobody's")
    assert "needs an owner" in refused.value.message
    assert not BusinessCenter.objects.exists()


# -- renaming and settings -------------------------------------------------------


def test_rename_logs_only_the_name(center, as_owner, owner):
    update_center(as_owner, center, name="Brand Co Global")
    assert BusinessCenter.objects.get(pk=center.pk).name == "Brand Co Global"
    event = AuditEvent.objects.get(center=center, action="center.updated")
    assert event.category == Category.BUSINESS
    assert (event.actor, event.ip) == (owner, "203.0.113.7")
    assert event.before == {"name": "Brand Co"}
    assert event.after == {"name": "Brand Co Global"}
    assert event.target_id == str(center.pk)


def test_settings_change_logs_only_the_fields_that_changed(center, as_owner):
    # The name is given but unchanged: it is not in the log entry.
    update_center(as_owner, center, name="Brand Co", timezone="America/New_York",
                  currency="gbp")
    stored = BusinessCenter.objects.get(pk=center.pk)
    assert (stored.timezone, stored.currency) == ("America/New_York", "GBP")
    event = AuditEvent.objects.get(center=center, action="center.updated")
    assert event.before == {"timezone": "UTC", "currency": "USD"}
    assert event.after == {"timezone": "America/New_York", "currency": "GBP"}


def test_a_change_to_nothing_writes_nothing(center, as_owner):
    update_center(as_owner, center, name="Brand Co", currency="usd", timezone=None)
    assert not AuditEvent.objects.filter(action="center.updated").exists()


@pytest.mark.parametrize(("changes", "says"), [
    ({"name": ""}, "cannot be empty"),
    ({"timezone": "Europe/Atlantis"}, "not a time zone"),
    ({"currency": "EURO"}, "not an ISO 4217 currency code"),
    ({"colour": "blue"}, "Unknown setting(s): colour"),
])
def test_bad_settings_change_nothing(center, as_owner, changes, says):
    with pytest.raises(InvalidInput) as refused:
        update_center(as_owner, center, **changes)
    assert says in refused.value.message
    stored = BusinessCenter.objects.get(pk=center.pk)
    assert (stored.name, stored.timezone, stored.currency) == ("Brand Co", "UTC", "USD")
    assert not AuditEvent.objects.filter(action="center.updated").exists()


def test_a_standard_member_cannot_change_settings(center, as_owner, make_user):
    staff = make_user("staff@agency.com")
    join(as_owner, center, staff)
    with pytest.raises(NotAllowed) as refused:
        update_center(act(staff), center, name="Hijacked")
    assert "Only Admins of Brand Co" in refused.value.message
    assert refused.value.status == 403
    assert BusinessCenter.objects.get(pk=center.pk).name == "Brand Co"
    assert not AuditEvent.objects.filter(action="center.updated").exists()
    # They can still see the center itself.
    assert get_center(act(staff), center.pk) == center


def test_an_admin_who_joined_later_can_change_settings(center, as_owner, make_user):
    second = make_user("second@brand.com")
    join(as_owner, center, second, role="ADMIN")
    update_center(act(second), center, currency="CAD")
    assert BusinessCenter.objects.get(pk=center.pk).currency == "CAD"
    assert AuditEvent.objects.get(action="center.updated").actor == second


def test_an_outsider_learns_nothing_about_the_center(center, make_user):
    outsider = make_user("outsider@else.com")
    with pytest.raises(NotFound) as hidden:
        update_center(act(outsider), center, name="Mine now")
    assert hidden.value.message == f"No Business Center with id {center.pk} is visible to you."
    with pytest.raises(NotFound) as missing:
        get_center(act(outsider), center.pk)
    # The same answer as for a center that does not exist at all.
    with pytest.raises(NotFound) as nonexistent:
        get_center(act(outsider), center.pk + 1000)
    assert missing.value.message == hidden.value.message
    assert nonexistent.value.message == (
        f"No Business Center with id {center.pk + 1000} is visible to you.")
    assert BusinessCenter.objects.get(pk=center.pk).name == "Brand Co"


def test_get_center_answers_members_and_refuses_bad_ids(center, as_owner):
    assert get_center(as_owner, center.pk) == center
    assert get_center(as_owner, str(center.pk)) == center
    with pytest.raises(NotFound) as refused:
        get_center(as_owner, "abc")
    assert "'abc'" in refused.value.message


def test_a_revoked_member_cannot_reach_or_change_the_center(center, as_owner, make_user):
    gone = make_user("gone@brand.com")
    membership = join(as_owner, center, gone, role="ADMIN")
    revoke_member(as_owner, center, membership.pk)
    with pytest.raises(NotFound):
        get_center(act(gone), center.pk)
    with pytest.raises(NotFound):
        update_center(act(gone), center, name="Revenge")
    assert BusinessCenter.objects.get(pk=center.pk).name == "Brand Co"


# -- the centers a person works in -----------------------------------------------


def test_centers_of_lists_current_memberships_by_name(owner, make_user):
    zeta = create_center(Actor(owner), name="Zeta")
    alpha = create_center(Actor(owner), name="Alpha")
    other_owner = make_user("other@else.com")
    create_center(Actor(other_owner), name="Not mine")
    assert list(centers_of(owner)) == [alpha, zeta]
    assert [c.name for c in centers_of(other_owner)] == ["Not mine"]


def test_centers_of_drops_revoked_and_ended_memberships(center, as_owner, owner, make_user):
    partner = make_user("partner@agency.com")
    other = create_center(Actor(owner), name="Other Co")
    kept = join(as_owner, center, partner)
    ending = join(Actor(owner), other, partner)
    assert [c.name for c in centers_of(partner)] == ["Brand Co", "Other Co"]

    update_member(Actor(owner), other, ending.pk, expires_at=timezone.now() + timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert [c.name for c in centers_of(partner)] == ["Brand Co"]
    revoke_member(as_owner, center, kept.pk)
    assert [c.name for c in centers_of(partner)] == ["Other Co"]
