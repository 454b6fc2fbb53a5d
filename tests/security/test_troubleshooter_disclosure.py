"""The troubleshooter and ``access/explain`` tell an Admin about an address only what
this Business Center itself knows: a member, or its own pending (or expired) invitation
to exactly that address. Everything else — no invitation, a cancelled one, one sent to
the person's other address, an account that exists elsewhere — is the stranger's
answer, the same bytes whether or not the address has an account.

Each question is asked through every door that answers it: the service, the REST API
(``access/explain`` and ``access/check``), the web troubleshooter and ``bizcenter why``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from bizcenter.access.troubleshoot import troubleshoot
from bizcenter.accounts.tokens import create_token
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import create_center, revoke_member
from bizcenter.core.actor import Actor
from bizcenter.core.errors import NotAllowed
from bizcenter.invitations import services as invitations
from tests.conftest import act, join, token_of
from tests.support.cli import run

pytestmark = pytest.mark.usefixtures("quick_hashing")


class Doors:
    """One Admin of Brand Co asking about an address through every door."""

    def __init__(self, center: BusinessCenter, admin: Actor, capsys) -> None:
        assert admin.user is not None
        self.center, self.admin, self.capsys = center, admin, capsys
        self.token = create_token(admin, center, "troubleshooting").secret
        self.browser = Client()

    def ask(self, address: str, action: str = "center.view") -> dict[str, bytes]:
        """Every door's whole answer, as bytes (the web page without what changes on
        every response: its script nonce and masked CSRF tokens), and the web page's
        answer box on its own, for what the answers say."""
        c = self.center.pk
        question = {"address": address, "action": action, "resource": "center"}
        api = {door: Client().get(f"/api/v1/centers/{c}/access/{door}", question,
                                  headers={"Authorization": f"Bearer {self.token}"})
               for door in ("explain", "check")}
        self.browser.force_login(self.admin.user)  # type: ignore[arg-type]  # sessions idle out
        page = self.browser.get(f"/c/{c}/troubleshoot/", {
            "person": address, "action": action, "resource": "center"})
        code, out, err = run(self.capsys, "why", address, action, f"center:{c}",
                             "--as", self.admin.user.email)  # type: ignore[union-attr]
        for response in (*api.values(), page):
            assert response.status_code == 200, response.content
        assert code == 0, err
        return {
            "service": troubleshoot(self.admin, self.center, address, action).as_text()
            .encode(),
            "api explain": api["explain"].content,
            "api check": api["check"].content,
            "web": STAMPS.sub(rb'\1=""', page.content),
            "web answer": ANSWER.search(page.content).group(0),  # type: ignore[union-attr]
            "cli": out.encode(),
        }


STAMPS = re.compile(rb'(nonce|name="csrfmiddlewaretoken" value)="[^"]*"')
ANSWER = re.compile(rb'<section class="card answer.*?</section>', re.S)


def _told(answers: dict[str, bytes]) -> list[bytes]:
    """What each door says, without the web page around its answer box."""
    return [said for door, said in answers.items() if door != "web"]


@pytest.fixture
def doors(center, as_owner, capsys) -> Doors:
    return Doors(center, as_owner, capsys)


@pytest.fixture
def elsewhere(make_user) -> BusinessCenter:
    return create_center(act(make_user("boss@elsewhere.com")), name="Elsewhere Inc")


def _as(answers: dict[str, bytes], address: str, instead: str) -> dict[str, bytes]:
    return {door: said.replace(address.encode(), instead.encode())
            for door, said in answers.items()}


def test_a_stranger_is_answered_in_the_same_bytes_account_or_not(doors, make_user,
                                                                   elsewhere):
    before = doors.ask("who@else.com")
    assert b"not_in_center" in before["service"]
    person = make_user("who@else.com", phone="+14155550101")
    join(act(elsewhere.memberships.get().user), elsewhere, person)
    assert doors.ask("who@else.com") == before
    assert doors.ask("+14155550101") == _as(before, "who@else.com", "+14155550101")


def test_a_cancelled_invitation_tells_nothing_about_accounts(center, as_owner, doors,
                                                              make_user):
    """The attack: invite an address and cancel at once, then ask about it."""
    make_user("has.account@else.com")
    asked = ("has.account@else.com", "no.account@else.com")
    before = {address: doors.ask(address) for address in asked}
    for result in invitations.invite(as_owner, center, list(asked)):
        assert result.invitation is not None
        invitations.cancel(as_owner, center, result.invitation.pk)
    after = {address: doors.ask(address) for address in asked}
    assert after == before
    assert after["has.account@else.com"] == _as(after["no.account@else.com"],
                                                "no.account@else.com", "has.account@else.com")
    for said in _told(after["has.account@else.com"]):
        assert b"No account" not in said and b"cancel" not in said.lower()


def test_an_invitation_to_the_other_address_says_nothing(center, as_owner, doors,
                                                         make_user):
    """Inviting a phone number must not tell the Admin which email goes with it."""
    make_user("jane@agency.com", phone="+14155550102")
    before = doors.ask("jane@agency.com")
    invitations.invite(as_owner, center, ["+14155550102"])
    assert doors.ask("jane@agency.com") == before
    for said in _told(doors.ask("jane@agency.com")):
        assert b"0102" not in said and b"+1" not in said
    # Nor for a member: their explanation is their access, never an invitation.
    ana = make_user("ana@agency.com", phone="+14155550105")
    revoke_member(as_owner, center, join(as_owner, center, ana, modules=("CAMPAIGNS",)).pk)
    invitations.invite(as_owner, center, ["+14155550105"])
    said = doors.ask("ana@agency.com")
    assert b"(revoked)" in said["service"]
    for answer in _told(said):
        assert b"0105" not in answer and b"invitation" not in answer.lower()


def test_a_pending_invitation_is_told_alike_account_or_not(center, as_owner, doors,
                                                           make_user):
    make_user("has.account@agency.com", phone="+14155550103")
    invitations.invite(as_owner, center, ["has.account@agency.com", "no.account@agency.com",
                                          "+14155550103", "+14155550104"])
    has, none = doors.ask("has.account@agency.com"), doors.ask("no.account@agency.com")
    assert has == _as(none, "no.account@agency.com", "has.account@agency.com")
    assert b"invitation_pending" in has["service"] and b"still pending" in has["service"]
    assert doors.ask("+14155550103") == _as(doors.ask("+14155550104"), "+14155550104",
                                            "+14155550103")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        has, none = doors.ask("has.account@agency.com"), doors.ask("no.account@agency.com")
    assert has == _as(none, "no.account@agency.com", "has.account@agency.com")
    assert b"invitation_expired" in has["service"] and b"Resend it" in has["service"]
    for said in _told(has):
        assert b"No account" not in said and b"0103" not in said


def test_an_account_that_opened_the_link_is_not_named_nor_linked(center, as_owner, doors,
                                                                 make_user):
    """Someone opening Jane's invitation logged in as their other address is an event of
    this Business Center's own invitation: asked about Jane's address, the Admin is told
    it happened; asked about the other address, nothing (that would link the two)."""
    other = make_user("jane.personal@gmail.com")
    stranger = doors.ask("jane.personal@gmail.com")
    [sent] = invitations.invite(as_owner, center, ["jane@agency.com"])
    with pytest.raises(NotAllowed):
        invitations.accept(act(other), token_of(sent.link or ""))
    assert doors.ask("jane.personal@gmail.com") == stranger
    told = doors.ask("jane@agency.com")
    assert b"opened while logged in with another address" in told["service"]
    for said in _told(told):
        assert b"gmail" not in said and b"personal" not in said


def test_the_command_line_does_not_say_whether_an_address_has_an_account(center, owner,
                                                                         capsys):
    code, out, err = run(capsys, "why", "nobody@nowhere.com", "center.view",
                         f"center:{center.pk}", "--as", owner.email)
    assert code == 0, err
    assert out.startswith("Denied (not_in_center).") and "No account" not in out
