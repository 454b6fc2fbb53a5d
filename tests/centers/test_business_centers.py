"""Creating and changing Business Centers, and reading their members."""

from __future__ import annotations

import pytest

from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import (
    centers_of,
    create_center,
    get_center,
    list_members,
    update_center,
    update_member,
)
from bizcenter.core.errors import InvalidInput, NotAllowed, NotFound
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act


def join(as_owner, center, make_user, email: str, name: str = "", **grant):
    [result] = invitations.invite(as_owner, center, [email], Grant(**grant))
    person = make_user(email, name=name)
    return invitations.accept(act(person), result.link.rstrip("/").rsplit("/", 1)[-1])


def test_the_creator_is_the_first_admin(owner):
    center = create_center(act(owner), name="  Acme  ", currency="eur",
                           timezone_name="Europe/Paris")
    assert (center.name, center.currency, center.timezone) == ("Acme", "EUR", "Europe/Paris")
    [membership] = center.memberships.all()
    assert (membership.user, membership.role) == (owner, "ADMIN")
    assert list(centers_of(owner)) == [center]
    assert AuditEvent.objects.filter(center=center, action="center.created").exists()


@pytest.mark.parametrize(("field", "value", "says"), [
    ("name", "   ", "cannot be empty"),
    ("name", "x" * 101, "at most 100 are allowed"),
    ("timezone_name", "Mars/Olympus", "is not a time zone"),
    ("currency", "EURO", "not an ISO 4217 currency code"),
])
def test_bad_settings_are_refused_clearly(owner, field, value, says):
    kwargs = {"name": "Acme", field: value}
    with pytest.raises(InvalidInput) as refused:
        create_center(act(owner), **kwargs)
    assert says in refused.value.message


def test_rename_and_settings_are_logged_with_only_what_changed(center, as_owner):
    update_center(as_owner, center, name="Brand Co Europe", currency="GBP", timezone="UTC")
    event = AuditEvent.objects.get(center=center, action="center.updated")
    assert event.before == {"name": "Brand Co", "currency": "USD"}
    assert event.after == {"name": "Brand Co Europe", "currency": "GBP"}
    assert (event.actor, event.ip, event.category) == (as_owner.user, "203.0.113.7", "BUSINESS")
    update_center(as_owner, center, name="Brand Co Europe")  # no change, no event
    assert AuditEvent.objects.filter(center=center, action="center.updated").count() == 1


def test_standard_members_cannot_change_settings_and_outsiders_see_nothing(
    center, as_owner, make_user
):
    standard = join(as_owner, center, make_user, "std@agency.com")
    with pytest.raises(NotAllowed):
        update_center(act(standard.user), center, name="Hijacked")
    stranger = make_user("stranger@else.com")
    with pytest.raises(NotFound) as hidden:
        get_center(act(stranger), center.pk)
    assert "No Business Center with id" in hidden.value.message
    with pytest.raises(NotFound):
        get_center(act(stranger), "not-a-number")
    center.refresh_from_db()
    assert center.name == "Brand Co"


def test_members_list_searches_filters_sorts_and_pages(center, as_owner, make_user):
    join(as_owner, center, make_user, "ann@agency.com", "Ann Agency", kind="agency")
    join(as_owner, center, make_user, "cat@client.com", "Cat Client", kind="client")
    join(as_owner, center, make_user, "dan@agency.com", "Dan Agency", kind="agency",
         role="ADMIN")
    emails = lambda page: [m.user.email for m in page.items]  # noqa: E731
    assert emails(list_members(as_owner, center, search="agency", sort="email")) == [
        "ann@agency.com", "dan@agency.com"]
    assert emails(list_members(as_owner, center, kind="AGENCY", role="standard")) == [
        "ann@agency.com"]
    assert emails(list_members(as_owner, center, sort="-name"))[0] == "owner@brand.com"
    page = list_members(as_owner, center, sort="email", page=2, page_size=2)
    assert (page.total, page.pages, emails(page)) == (4, 2, ["dan@agency.com",
                                                              "owner@brand.com"])
    for bad in ({"sort": "salary"}, {"kind": "alien"}, {"page": 0}, {"page_size": 1000}):
        with pytest.raises(InvalidInput):
            list_members(as_owner, center, **bad)


def test_edit_changes_only_what_is_given_and_logs_before_and_after(
    center, as_owner, make_user
):
    member = join(as_owner, center, make_user, "eve@agency.com", modules=("ANALYTICS",))
    update_member(as_owner, center, member.pk, modules="campaigns,assets",
                  finance_role="manager")
    member.refresh_from_db()
    assert (member.modules, member.finance_role, member.kind) == (
        ["ASSETS", "CAMPAIGNS"], "MANAGER", "other")
    event = AuditEvent.objects.filter(action="member.updated").get()
    assert event.before == {"modules": ["ANALYTICS"], "finance_role": ""}
    assert event.after == {"modules": ["ASSETS", "CAMPAIGNS"], "finance_role": "MANAGER"}
    with pytest.raises(InvalidInput) as refused:
        update_member(as_owner, center, member.pk, modules=["TELEPORT"])
    assert "not a valid module" in refused.value.message
    with pytest.raises(NotFound):
        update_member(as_owner, center, 999999, role="ADMIN")


def test_names_with_braces_still_get_a_clear_not_found(owner):
    odd = create_center(act(owner), name="Brand {x} & {id}")
    with pytest.raises(NotFound) as missing:
        update_member(act(owner), odd, "12345", role="ADMIN")
    assert missing.value.message == "No member with id 12345 in Brand {x} & {id}."
    with pytest.raises(NotFound) as typed:
        update_member(act(owner), odd, "twelve", role="ADMIN")
    assert "No member with id 'twelve'" in typed.value.message
