"""Every destructive action in the web door asks first, the same way (web/confirm.py):
posted without ``confirmed=1`` it answers the confirmation page, says what will change
and changes nothing; with ``confirmed=1`` it acts; Cancel and the redirect after the
action keep the page (and filters) the person came from (``next``)."""

from __future__ import annotations

import html as htmllib
import re

from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from tests.support import web
from tests.support.web import plain, raw

# The center page tests' fixtures, shared through tests/support/web.py.
admin, ads, other_center = web.admin, web.ads, web.other_center


def confirm_form(page) -> dict[str, list[str]]:
    """The hidden fields the Confirm button posts again."""
    after = raw(page).split('id="confirm-title"', 1)[1]
    form = re.search(r'<form method="post" action="([^"]*)">(.*?)</form>', after, re.S)
    assert form, "no Confirm form on the page"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                                  form.group(2)):
        if name != "csrfmiddlewaretoken":
            fields.setdefault(name, []).append(htmllib.unescape(value))
    return fields


def cancel_link(page) -> str:
    after = raw(page).split('id="confirm-title"', 1)[1]
    found = re.search(r'<a class="button" href="([^"]*)">', after)
    assert found
    return htmllib.unescape(found.group(1))


def test_cancel_invitation_asks_first_then_cancels_and_keeps_the_filters(admin, center,
                                                                          as_owner):
    [sent] = invitations.invite(as_owner, center, ["bob@example.com"])
    url = f"/c/{center.pk}/partners/invitations/{sent.invitation.pk}/cancel/"
    back = f"/c/{center.pk}/partners/invitations/?q=bob&status=PENDING"
    page = admin.post(url, {"next": back})
    assert page.status_code == 200
    assert "Cancel the invitation to bob@example.com?" in plain(page)
    assert "The link in the invitation stops working" in plain(page)
    assert Invitation.objects.get().state == InvitationState.PENDING
    fields = confirm_form(page)
    assert fields == {"next": [back], "confirmed": ["1"]}
    assert cancel_link(page) == back
    done = admin.post(url, {"next": back, "confirmed": "1"})
    assert done.status_code == 302 and done["Location"] == back
    assert Invitation.objects.get().state == InvitationState.CANCELLED


def test_an_invitation_already_cancelled_says_so_instead_of_asking(admin, center, as_owner):
    [sent] = invitations.invite(as_owner, center, ["bob@example.com"])
    invitations.cancel(as_owner, center, sent.invitation.pk)
    page = admin.post(f"/c/{center.pk}/partners/invitations/{sent.invitation.pk}/cancel/")
    assert page.status_code == 409
    assert "already cancelled" in plain(page)
    assert 'name="confirmed"' not in raw(page) and "Go back" in plain(page)
