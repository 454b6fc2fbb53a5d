"""Inviting an address tells nobody whether it has an account here: the Admin's
answer, the message sent, and the link's page read the same for a person who has
signed up and for one who has not."""

from __future__ import annotations

import re

import pytest

from bizcenter.invitations import services as invitations
from tests.conftest import token_of

# Same first letter and domain, so both are masked as k***@agency.com.
KNOWN, UNKNOWN = "kim@agency.com", "kai@agency.com"


@pytest.fixture(autouse=True)
def _fast(quick_hashing):
    """Password hashing is not what these tests are about."""


@pytest.fixture
def both(center, as_owner, make_user):
    make_user(KNOWN, name="Kim")
    results = invitations.invite(as_owner, center, [KNOWN, UNKNOWN])
    return {r.normalized: r for r in results}


def neutral(text: str, result) -> str:
    """The text with what differs by right (the address, the link) taken out."""
    token = token_of(result.link)
    text = text.replace(result.link, "LINK").replace(token, "TOKEN")
    text = text.replace(result.normalized, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)


def test_the_admin_is_answered_alike_account_or_not(both):
    known, unknown = both[KNOWN], both[UNKNOWN]
    assert known.status == unknown.status == "invited"
    assert neutral(known.message, known) == neutral(unknown.message, unknown)


def test_the_message_sent_reads_alike_account_or_not(both, run_worker, mailbox):
    run_worker()
    sent = {m.to[0]: m for m in mailbox}
    known, unknown = sent[KNOWN], sent[UNKNOWN]
    assert neutral(known.subject, both[KNOWN]) == neutral(unknown.subject, both[UNKNOWN])
    assert neutral(known.body, both[KNOWN]) == neutral(unknown.body, both[UNKNOWN])


def test_the_link_page_reads_alike_account_or_not(client, both):
    pages = {}
    for address, result in both.items():
        page = client.get(f"/invite/{token_of(result.link)}/")
        assert page.status_code == 200
        pages[address] = neutral(page.content.decode(), result)
    assert "k***@agency.com" in pages[KNOWN]
    assert pages[KNOWN] == pages[UNKNOWN]
