"""Names people typed go out in messages quoted as names, trimmed, on one visible line
and never as a link: a Business Center called "URGENT: account locked, visit
secure-login.com" must not turn the operator's mail and SMS into a phishing relay."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from bizcenter.accounts.models import User
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import create_center
from bizcenter.invitations import services as invitations
from bizcenter.outbox import sms
from bizcenter.outbox.names import NAME_LIMIT, defused, quoted
from tests.conftest import act

pytestmark = pytest.mark.usefixtures("quick_hashing")

URL = re.compile(r"(?i)https?://\S+|www\.\S+|\b[\w-]+\.(?:com|net|org|ly|co)\b|\S+@\S+\.\w+")
PHISH = "URGENT: account locked! Visit https://secure-login.com"


# -- the helper ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "shown"), [
    ("Brand Co", '"Brand Co"'),
    ("  Brand\n\tCo  ", '"Brand Co"'),
    ("www.evil.com", '"www[.]evil[.]com"'),
    ("visit secure-login.com", '"visit secure-login[.]com"'),
    ("write to help@evil.co.uk", '"write to help[@]evil[.]co[.]uk"'),
    ("http://10.0.0.1/x", '"http[:]//10[.]0[.]0[.]1/x"'),
    ("evil\uff0ecom and bad\u3002net", '"evil[.]com and bad[.]net"'),
    ("Olivia\u202e\u200bmoc.live", '"Oliviamoc[.]live"'),  # no right-to-left override
    ('Co" invited you to "Bank', "\"Co' invited you to 'Bank\""),  # cannot close its quotes
    ("St. Louis v1.2 at 3.5%", '"St. Louis v1.2 at 3.5%"'),  # ordinary text stays as it is
    ("Crème Brûlée ™ 🍰", '"Crème Brûlée ™ 🍰"'),
    ("", '""'),
])
def test_a_name_is_quoted_on_one_line_and_never_a_link(typed, shown):
    assert quoted(typed) == shown
    assert not URL.search(quoted(typed))


def test_a_long_name_is_trimmed_with_an_ellipsis():
    name = quoted("A" * 100)
    assert name == '"' + "A" * (NAME_LIMIT - 1) + '…"' and len(name) == NAME_LIMIT + 2
    assert quoted("short", limit=3) == '"sh…"'


def test_defused_text_keeps_its_words_and_loses_its_links():
    assert defused("Go to https://evil.com now\nplease") == "Go to https[:]//evil[.]com now please"
    assert defused(defused("evil.com")) == "evil[.]com"  # once is enough: nothing doubles


def test_the_template_filters_do_the_same():
    out = Template("{% load message_names %}{{ name|quoted }} / {{ name|quoted:8 }} / "
                   "{{ name|defused }}").render(Context({"name": "Pay at evil.com"}))
    assert out == ('&quot;Pay at evil[.]com&quot; / &quot;Pay at…&quot; / '
                   "Pay at evil[.]com")


# -- in the messages -------------------------------------------------------------------------


@pytest.fixture
def phishing(make_user) -> tuple[User, BusinessCenter]:
    """An account named like a warning, and its Business Center named like a link."""
    spammer = make_user("spam@brand.com", name="Security Team www.help-desk.net")
    return spammer, create_center(act(spammer), name=PHISH)


def test_an_invitation_email_quotes_the_names_in_subject_and_body(phishing, run_worker,
                                                                  mailbox):
    spammer, center = phishing
    [sent] = invitations.invite(act(spammer), center, ["victim@agency.com"])
    run_worker()
    [email] = mailbox
    assert email.subject == ('"Security Team www[.]help-desk[.]net" invited you to '
                             '"URGENT: account locked! Visit https[:]//s…" on bizcenter')
    assert not URL.search(email.subject)
    [(html, _)] = email.alternatives
    for body in (email.body, html):
        # The invitation's own link and the recipient's own address, nothing else.
        assert URL.findall(body.replace(sent.link, "").replace("victim@agency.com", "")) == []
        assert "secure-login" not in body and "help-desk.net" not in body
    assert '"URGENT: account locked! Visit https[:]//s…"' in email.body
    assert "&quot;Security Team www[.]help-desk[.]net&quot; invited you" in html


def test_an_invitation_sms_quotes_the_names_and_carries_only_its_own_link(phishing,
                                                                          run_worker):
    spammer, center = phishing
    [sent] = invitations.invite(act(spammer), center, ["+14155550123"])
    run_worker()
    [text] = sms.sent
    body = text["body"]
    assert body.startswith('"Security Team www[.]help-desk[.]net" invited you to "URGENT: '
                           'account locked! Visit https[:]//s…" on bizcenter. Accept: ')
    assert URL.findall(body) == [sent.link]


def test_a_change_request_email_quotes_the_names(center, as_owner, make_user, run_worker,
                                                mailbox):
    from bizcenter.assets.services import create_asset
    from bizcenter.campaigns import services as campaigns
    from tests.conftest import join

    ads = create_asset(as_owner, center, type="ADVERTISER", name="Ads at shop.example.com")
    opal = make_user("op@agency.com", name="Opal\u202e moc.evil")
    join(as_owner, center, opal, modules=("CAMPAIGNS",), assets={ads.pk: ["OPERATOR"]})
    mailbox.clear()
    campaigns.create_campaign(act(opal), center, ads.pk, name="Sale: go to evil.com",
                              objective="TRAFFIC", budget_mode="BUDGET_MODE_DAY",
                              budget="150.50")
    run_worker()
    [email] = [m for m in mailbox if "proposes" in m.subject]
    assert email.subject == '"Opal moc[.]evil" proposes a change in "Ads at shop[.]example[.]com"'
    assert "Sale: go to evil[.]com" in email.body and "150.50" in email.body
    assert "\u202e" not in email.body and "evil.com" not in email.body


def test_an_expiry_reminder_quotes_the_names(center, as_owner, make_user, run_worker, mailbox):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from bizcenter.access.reminders import render, send_reminders
    from bizcenter.assets.services import assign, create_asset
    from tests.conftest import join

    ends = timezone.now() + timedelta(days=30)
    member = join(as_owner, center, make_user("tem@agency.com", name="Tem\nCall evil.com"))
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Go to www.win.example")
    assign(as_owner, center, member.pk, ads.pk, ["ANALYST"], expires_at=ends)
    run_worker()
    mailbox.clear()
    with time_machine.travel(ends - timedelta(days=6)):
        assert send_reminders() == 1
        run_worker()
    [note] = [m for m in mailbox if m.to == ["owner@brand.com"]]  # Tem is told too
    assert note.subject == ('Access ends in 7 days: "Tem Call evil[.]com"\'s access to '
                            'Ad account "Go to www[.]win[.]example"')
    assert "evil.com" not in note.body and "www.win" not in note.body
    assert 'an Admin of "Brand Co" can extend' in note.body
    # One queued before names were quoted is defused when it goes out.
    old = render({"center": "Bad.com Co", "what": "Eve's access to Bad.com Co", "lead": 1,
                  "ends": ends.isoformat()})
    assert old.subject == "Access ends in 1 day: Eve's access to Bad[.]com Co"
    assert "bad.com" not in old.text.lower()
