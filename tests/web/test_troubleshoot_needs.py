"""The troubleshooter page says what the action asked about needs, for anyone, in
words: the rule's own sentence (access.rules.needs), never an action code."""

from __future__ import annotations

import pytest

from bizcenter.access.actions import Action
from bizcenter.access.rules import needs
from bizcenter.invitations import services as invitations
from tests.support import web
from tests.support.web import answer_box, member

admin, ads = web.admin, web.ads
pytestmark = pytest.mark.usefixtures("quick_hashing")


def ask(browser, center, **query):
    return browser.get(f"/c/{center.pk}/troubleshoot/", query)


def test_a_members_answer_says_what_the_action_needs(admin, center, as_owner, make_user, ads):
    member(as_owner, center, make_user, "ana@agency.com", modules=("CAMPAIGNS",))
    page = ask(admin, center, person="ana@agency.com", action="campaign.edit",
               resource=f"asset:{ads.pk}")
    said = answer_box(page)
    assert f"Who may “Change campaigns directly”: {needs(Action.CAMPAIGN_EDIT)}" in said
    assert "The ad account must be active." in said
    assert "campaign.edit" not in said  # the label, never the code


@pytest.mark.parametrize(("address", "action", "label"), [
    ("late@agency.com", "billing.view", "See billing"),  # a pending invitation
    ("nobody@nowhere.com", "member.invite", "Invite partners"),  # a stranger
])
def test_an_address_that_is_no_member_gets_it_too(admin, center, as_owner, address, action,
                                                  label):
    invitations.invite(as_owner, center, ["late@agency.com"])
    said = answer_box(ask(admin, center, person=address, action=action, resource="center"))
    assert f"Who may “{label}”: {needs(Action(action))}" in said
    assert action not in said


def test_no_answer_no_needs(admin, center):
    page = ask(admin, center, person="ana@agency.com", action="no.such", resource="center")
    assert "Who may" not in page.content.decode()
