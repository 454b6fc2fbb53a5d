"""Every destructive action in the web door asks first, the same way (web/confirm.py):
posted without ``confirmed=1`` it answers the confirmation page, says what will change
and changes nothing; with ``confirmed=1`` it acts; Cancel and the redirect after the
action keep the page (and filters) the person came from (``next``)."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable

from bizcenter.accounts.models import ApiToken
from bizcenter.accounts.tokens import create_token
from bizcenter.assets import groups as group_services
from bizcenter.assets import partners
from bizcenter.assets.models import AssetGrant, AssetGroup, PartnerShare, Partnership
from bizcenter.assets.services import assign
from bizcenter.centers.models import Membership
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from tests.conftest import partner_up
from tests.support import web
from tests.support.web import member, plain, raw

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


# -- every destructive action, the same way -------------------------------------------------

def asks_then_acts(client, url: str, data: dict, question: str, done: Callable[[], bool]):
    """Posted without confirmed=1: the confirmation page, naming what changes, and nothing
    done; the Confirm form re-posts the same fields; with confirmed=1 it is done."""
    page = client.post(url, data)
    assert page.status_code == 200, (url, page.status_code)
    assert question in plain(page), plain(page)[-400:]
    assert not done(), f"{url} acted before it was confirmed"
    fields = confirm_form(page)
    assert fields.pop("confirmed") == ["1"]
    assert {k: v for k, v in fields.items() if k != "next"} == {
        k: v if isinstance(v, list) else [str(v)] for k, v in data.items() if k != "next"}
    acted = client.post(url, {**data, "confirmed": "1"})
    assert acted.status_code == 302, (url, acted.status_code)
    assert done(), f"{url} did not act once confirmed"
    return acted


def test_revoke_asks_first_by_link_and_by_post(admin, center, as_owner, make_user):
    bob = member(as_owner, center, make_user, "bob@agency.com")
    url = f"/c/{center.pk}/partners/{bob.pk}/revoke/"
    back = f"/c/{center.pk}/partners/?q=bob"
    opened = admin.get(f"{url}?next={back}")
    assert "Revoke the access of Bob <bob@agency.com>?" in plain(opened)
    assert cancel_link(opened) == back and confirm_form(opened)["next"] == [back]
    acted = asks_then_acts(admin, url, {"next": back}, "Revoke the access of Bob",
                           lambda: Membership.objects.get(pk=bob.pk).state == "REVOKED")
    assert acted["Location"] == back


def test_revoking_the_last_admin_says_why_on_the_page_with_a_way_back(admin, center, owner):
    me = Membership.objects.get(center=center, user=owner)
    url = f"/c/{center.pk}/partners/{me.pk}/revoke/"
    for page in (admin.get(url), admin.post(url, {"confirmed": "1"})):
        assert page.status_code in (200, 409)
        words = plain(page)
        assert "is the last Admin of Brand Co" in words and "Go back" in words
        assert 'name="confirmed"' not in raw(page)  # no button that would fail
    assert Membership.objects.get(pk=me.pk).state == "ACTIVE"


def test_unassign_asks_first(admin, center, as_owner, make_user, ads):
    dan = member(as_owner, center, make_user, "dan@agency.com", modules=("CAMPAIGNS",))
    assign(as_owner, center, dan.pk, ads.pk, ["OPERATOR"])
    asks_then_acts(admin, f"/c/{center.pk}/assets/{ads.pk}/members/{dan.pk}/unassign/", {},
                   "Unassign Ad account Main ads from Dan",
                   lambda: not AssetGrant.objects.filter(membership=dan).exists())


def test_group_remove_and_delete_ask_first(admin, center, as_owner, make_user, ads):
    gia = member(as_owner, center, make_user, "gia@agency.com")
    group = group_services.create_group(as_owner, center, "Media team", [ads.pk])
    group_services.set_member(as_owner, center, group.pk, gia.pk)
    url = f"/c/{center.pk}/groups/{group.pk}/"
    asks_then_acts(admin, url, {"step": "remove", "member": str(gia.pk)},
                   "Remove Gia <gia@agency.com> from group Media team?",
                   lambda: not group.members.exists())
    asks_then_acts(admin, url, {"step": "delete"}, "Delete group Media team?",
                   lambda: not AssetGroup.objects.exists())


def test_unshare_and_ending_a_partnership_ask_first(admin, center, as_owner, other_center,
                                                     ads):
    partner_up(as_owner, center, other_center)
    partners.share(as_owner, center, other_center.public_id, ads.pk, "ANALYST")
    url = f"/c/{center.pk}/partner-centers/"
    asks_then_acts(admin, url, {"step": "unshare", "other": other_center.public_id,
                                "asset": str(ads.pk)},
                   "Stop sharing Ad account Main ads with Agency Inc?",
                   lambda: not PartnerShare.objects.exists())
    asks_then_acts(admin, url, {"step": "end", "other": other_center.public_id},
                   "End the partnership with Agency Inc?",
                   lambda: not Partnership.objects.filter(status="ACTIVE").exists())


def test_revoking_an_api_token_asks_first(admin, center, as_owner):
    issued = create_token(as_owner, center, "nightly sync")
    asks_then_acts(admin, "/account/tokens/", {"step": "revoke", "token": str(issued.token.pk)},
                   "Revoke the API token 'nightly sync'?",
                   lambda: ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None)


def test_signing_out_everywhere_asks_first(admin, owner):
    page = admin.post("/account/security/", {"step": "everywhere"})
    assert "Sign out everywhere?" in plain(page)
    assert admin.get("/account/security/").status_code == 200  # still logged in
    admin.post("/account/security/", {"step": "everywhere", "confirmed": "1"})
    assert admin.get("/account/security/").status_code == 302


def test_every_destructive_form_is_marked_for_the_dialog(admin, center, as_owner, make_user,
                                                          ads):
    """The pages' destructive buttons carry data-confirm, so JavaScript asks in a dialog."""
    dan = member(as_owner, center, make_user, "dan@agency.com", modules=("CAMPAIGNS",))
    assign(as_owner, center, dan.pk, ads.pk, ["OPERATOR"])
    invitations.invite(as_owner, center, ["bob@example.com"])
    group = group_services.create_group(as_owner, center, "Media team", [ads.pk])
    group_services.set_member(as_owner, center, group.pk, dan.pk)
    create_token(as_owner, center, "nightly sync")
    for path, question in [
        (f"/c/{center.pk}/partners/invitations/", "Cancel the invitation to bob@example.com?"),
        (f"/c/{center.pk}/assets/{ads.pk}/", "Unassign Ad account Main ads from Dan"),
        (f"/c/{center.pk}/groups/{group.pk}/", "Delete group Media team?"),
        (f"/c/{center.pk}/groups/{group.pk}/", "Remove Dan <dan@agency.com> from group"),
        ("/account/tokens/", "Revoke the API token 'nightly sync'?"),
        ("/account/security/", "Sign out everywhere?"),
    ]:
        marked = [htmllib.unescape(q) for q in re.findall(r'data-confirm="([^"]+)"',
                                                          raw(admin.get(path)))]
        assert any(question in q for q in marked), (path, marked)
