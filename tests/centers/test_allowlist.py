"""The email-domain allowlist refuses invitations to other domains, clearly."""

from __future__ import annotations

import pytest

from bizcenter.centers.services import update_center
from bizcenter.core.errors import InvalidInput, NotAllowed
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation
from tests.cli.test_cli import run
from tests.conftest import act


def test_only_allowed_domains_are_invited(center, as_owner):
    update_center(as_owner, center, allowed_email_domains="Agency.com, @brand.com")
    center.refresh_from_db()
    assert center.allowed_email_domains == ["agency.com", "brand.com"]
    results = invitations.invite(as_owner, center, ["ann@agency.com", "bo@gmail.com",
                                                    "+14155550123"])
    assert [r.status for r in results] == ["invited", "domain_not_allowed",
                                           "domain_not_allowed"]
    assert "only allows invitations to @agency.com, @brand.com" in results[1].message
    assert "phone numbers cannot be checked" in results[2].message
    assert list(Invitation.objects.values_list("address", flat=True)) == ["ann@agency.com"]
    update_center(as_owner, center, allowed_email_domains="")
    [again] = invitations.invite(as_owner, center, ["bo@gmail.com"])
    assert again.ok


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
