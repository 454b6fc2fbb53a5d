"""The email-domain allowlist refuses invitations to email addresses at other domains,
telling the Admin what to do; phone numbers pass unless the Admins also refuse them."""

from __future__ import annotations

import re

import pytest

from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import update_center
from bizcenter.core.errors import InvalidInput, NotAllowed
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation
from tests.conftest import act
from tests.support.cli import run


def test_only_allowed_domains_are_invited(center, as_owner):
    update_center(as_owner, center, allowed_email_domains="Agency.com, @brand.com")
    center.refresh_from_db()
    assert center.allowed_email_domains == ["agency.com", "brand.com"]
    results = invitations.invite(as_owner, center, ["ann@agency.com", "bo@gmail.com"])
    assert [r.status for r in results] == ["invited", "domain_not_allowed"]
    assert "only invites email addresses at @agency.com, @brand.com" in results[1].message
    assert list(Invitation.objects.values_list("address", flat=True)) == ["ann@agency.com"]
    update_center(as_owner, center, allowed_email_domains="")
    [again] = invitations.invite(as_owner, center, ["bo@gmail.com"])
    assert again.ok


def test_the_refusal_tells_the_admin_what_to_do(center, as_owner):
    """Addressed to the Admin who invites (they can change the list), not to a partner."""
    update_center(as_owner, center, allowed_email_domains="brand.com")
    [refused] = invitations.invite(as_owner, center, ["kim@agency.com"])
    assert refused.message == (
        "kim@agency.com was not invited: Brand Co only invites email addresses at @brand.com. "
        "Add agency.com to “Only invite email addresses at” in Settings, or invite their "
        "address at @brand.com.")
    assert "ask an Admin" not in refused.message


def test_a_phone_invitation_passes_an_email_allowlist(center, as_owner):
    """The list is of email domains, as its hint says: a phone number has none to check."""
    update_center(as_owner, center, allowed_email_domains="brand.com")
    [phone] = invitations.invite(as_owner, center, ["+14155550123"])
    assert phone.ok, phone.message


def test_phones_are_refused_only_when_the_admins_say_so(center, as_owner):
    update_center(as_owner, center, allowed_email_domains="brand.com",
                  allowlist_refuses_phones=True)
    center.refresh_from_db()
    assert center.allowlist_refuses_phones
    [phone] = invitations.invite(as_owner, center, ["+14155550123"])
    assert phone.status == "domain_not_allowed"
    assert phone.message == (
        "+14155550123 was not invited: Brand Co also refuses phone invitations while its "
        "allowlist is on. Invite their email address at @brand.com, or turn off “Also refuse "
        "phone invitations” in Settings.")
    # Without a list of domains there is nothing to apply: phones are invited.
    update_center(as_owner, center, allowed_email_domains="")
    assert invitations.invite(as_owner, center, ["+14155550123"])[0].ok
    event = AuditEvent.objects.filter(center=center, action="center.updated").first()
    assert event is not None and event.after == {"allowed_email_domains": []}
    first = AuditEvent.objects.filter(center=center, action="center.updated").last()
    assert first.after == {"allowed_email_domains": ["brand.com"],
                           "allowlist_refuses_phones": True}


def test_the_setting_takes_yes_or_no_only(center, as_owner):
    update_center(as_owner, center, allowlist_refuses_phones="on")
    center.refresh_from_db()
    assert center.allowlist_refuses_phones
    with pytest.raises(InvalidInput) as refused:
        update_center(as_owner, center, allowlist_refuses_phones="maybe")
    assert refused.value.fields == {"allowlist_refuses_phones": "true or false"}


def test_accepting_after_the_list_tightened_is_refused_in_the_partners_words(
    center, as_owner, make_user
):
    [sent] = invitations.invite(as_owner, center, ["+14155550123"])
    update_center(as_owner, center, allowed_email_domains="brand.com",
                  allowlist_refuses_phones=True)
    person = make_user(phone="+14155550123")
    with pytest.raises(NotAllowed) as refused:
        invitations.accept(act(person), sent.link.rstrip("/").rsplit("/", 1)[-1])
    assert refused.value.code == "domain_not_allowed"
    assert refused.value.message.startswith(
        "Brand Co only accepts members with an email address at @brand.com, not by phone "
        "number.")
    assert "Settings" not in refused.value.message


def test_the_settings_page_shows_and_saves_it(client, owner, center):
    client.force_login(owner)
    url = f"/c/{center.pk}/settings/"
    page = client.get(url).content.decode()
    assert "Also refuse phone invitations" in page and "phone invitations are not affected" in page
    form = {"name": "Brand Co", "company": "", "timezone": "UTC", "currency": "USD",
            "two_factor_policy": "NOBODY", "allowed_email_domains": "brand.com"}
    assert client.post(url, {**form, "allowlist_refuses_phones": "on"}).status_code == 302
    center.refresh_from_db()
    assert center.allowlist_refuses_phones
    assert re.search(r'<input type="checkbox" name="allowlist_refuses_phones"[^>]* checked',
                     client.get(url).content.decode())
    assert client.post(url, form).status_code == 302  # unticked
    center.refresh_from_db()
    assert not center.allowlist_refuses_phones


def test_the_api_reads_and_changes_it(center, as_owner):
    from tests.support.api import api_for

    api = api_for(as_owner.user, center)
    assert api.get(f"/centers/{center.pk}").json()["allowlist_refuses_phones"] is False
    changed = api.send("patch", f"/centers/{center.pk}", {"allowlist_refuses_phones": True})
    assert changed.status_code == 200 and changed.json()["allowlist_refuses_phones"] is True
    center.refresh_from_db()
    assert center.allowlist_refuses_phones


def test_tightening_the_list_stops_pending_invitations_from_being_accepted(
    center, as_owner, make_user
):
    [sent] = invitations.invite(as_owner, center, ["bo@gmail.com"])
    update_center(as_owner, center, allowed_email_domains=["agency.com"])
    person = make_user("bo@gmail.com")
    with pytest.raises(NotAllowed) as refused:
        invitations.accept(act(person), sent.link.rstrip("/").rsplit("/", 1)[-1])
    assert refused.value.code == "domain_not_allowed"


@pytest.mark.parametrize("bad", ["agency", "agen cy.com", "-.com", "exämple.com"])
def test_bad_domains_are_refused(center, as_owner, bad):
    with pytest.raises(InvalidInput) as refused:
        update_center(as_owner, center, allowed_email_domains=bad)
    assert "is not a domain name" in refused.value.message


def test_allowlist_from_the_command_line(center, owner, capsys):
    code, out, _ = run(capsys, "centers", "update", str(center.pk), "--allowed-domains",
                       "agency.com", "--as", owner.email)
    assert code == 0 and "agency.com" in out
    code, out, _ = run(capsys, "invite", str(center.pk), "x@gmail.com", "--as", owner.email)
    assert code == 1 and "domain not allowed" in out
    code, out, _ = run(capsys, "invite", str(center.pk), "+14155550123", "--as", owner.email)
    assert code == 0
    code, out, _ = run(capsys, "centers", "update", str(center.pk), "--refuse-phones",
                       "--as", owner.email, "--json")
    assert code == 0 and '"refuses_phones": true' in out
    center.refresh_from_db()
    assert center.allowlist_refuses_phones
    code, out, _ = run(capsys, "invite", str(center.pk), "+14155550199", "--as", owner.email)
    assert code == 1 and "domain not allowed" in out
