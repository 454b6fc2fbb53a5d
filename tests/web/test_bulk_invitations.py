"""Bulk resend and cancel on pending invitations (issue 21): the selected rows go to
one service call that authorizes each, writes in one transaction and logs each; the
answer says what was done and what was skipped and why; cancel asks first; and the
person comes back to the same filtered, sorted page."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import create_center
from bizcenter.core.errors import InvalidInput, NotAllowed
from bizcenter.invitations import bulk
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from tests.conftest import act, join, token_of
from tests.support import web
from tests.support.web import flash, raw, text

admin = web.admin

pytestmark = pytest.mark.usefixtures("quick_hashing")

LIST = "/c/{c}/partners/invitations/?q=%40agency&sort=address&size=25&page=1"


@pytest.fixture
def sent(center, as_owner, make_user) -> dict[str, Invitation]:
    results = invitations.invite(as_owner, center, ["ann@agency.example", "bob@agency.example",
                                                    "cat@agency.example", "dan@agency.example",
                                                    "eve@brand.example"])
    found = {r.address: r.invitation for r in results}
    # Dan accepts: his invitation is still on a list opened a moment earlier.
    invitations.accept(act(make_user("dan@agency.example", name="Dan")), token_of(
        next(r.link for r in results if r.address == "dan@agency.example")))
    return found


def ids(sent, *names) -> list[str]:
    return [str(sent[f"{n}@agency.example"].pk) for n in names]


def test_bulk_resend_answers_what_was_done_and_skipped(center, as_owner, sent):
    before = {i.pk: i.resend_count for i in Invitation.objects.filter(center=center)}
    outcome = bulk.resend_many(as_owner, center, ids(sent, "ann", "bob", "cat", "dan"))
    assert outcome.summary() == "3 invitations resent; 1 skipped: accepted already."
    after = {i.pk: i.resend_count for i in Invitation.objects.filter(center=center)}
    assert [pk for pk in after if after[pk] != before[pk]] == sorted(
        int(i) for i in ids(sent, "ann", "bob", "cat"))
    assert AuditEvent.objects.filter(center=center, action="invitation.resent").count() == 3


def test_bulk_cancel_logs_each_and_skips_the_cancelled(center, as_owner, sent):
    invitations.cancel(as_owner, center, sent["bob@agency.example"].pk)
    outcome = bulk.cancel_many(as_owner, center, ids(sent, "ann", "bob", "cat"))
    assert outcome.summary() == "2 invitations cancelled; 1 skipped: cancelled already."
    states = dict(Invitation.objects.filter(center=center).values_list("address", "state"))
    assert states["ann@agency.example"] == states["cat@agency.example"] == \
        InvitationState.CANCELLED
    assert states["eve@brand.example"] == InvitationState.PENDING  # not selected
    assert AuditEvent.objects.filter(center=center, action="invitation.cancelled").count() == 3


def test_an_invitation_of_another_business_center_is_skipped_as_not_found(
        center, as_owner, sent, make_user):
    boss = make_user("boss@other.example", name="Boss")
    other = create_center(act(boss), name="Other")
    [theirs] = invitations.invite(act(boss), other, ["x@agency.example"])
    outcome = bulk.cancel_many(as_owner, center, [*ids(sent, "ann"), str(theirs.invitation.pk)])
    assert outcome.summary() == "1 invitation cancelled; 1 skipped: not found here."
    assert Invitation.objects.get(pk=theirs.invitation.pk).state == InvitationState.PENDING


def test_a_standard_member_may_not_bulk_cancel_and_nothing_changes(center, as_owner, sent,
                                                                   make_user):
    std = join(as_owner, center, make_user("std@brand.example", name="Std"))
    with pytest.raises(NotAllowed):
        bulk.cancel_many(act(std.user), center, ids(sent, "ann", "bob"))
    assert not Invitation.objects.filter(center=center, state=InvitationState.CANCELLED).exists()


def test_nothing_selected_or_a_made_up_id_is_refused_before_anything_changes(
        center, as_owner, sent):
    with pytest.raises(InvalidInput, match="Select at least one invitation"):
        bulk.resend_many(as_owner, center, [])
    with pytest.raises(InvalidInput, match="not the id"):
        bulk.cancel_many(as_owner, center, [*ids(sent, "ann"), "abc"])
    assert Invitation.objects.get(pk=sent["ann@agency.example"].pk).state == \
        InvitationState.PENDING


def test_bulk_resend_on_the_page_comes_back_to_the_same_filtered_page(admin, center, sent):
    here = LIST.format(c=center.pk)
    page = admin.get(here)
    form = re.search(r'<form method="post" action="([^"]+)" id="bulk"'
                     r'.*?name="next" value="([^"]+)"',
                     raw(page), re.S)
    assert form, "the list has a bulk form"
    action, back = form.group(1), htmllib.unescape(form.group(2))
    assert back == here
    assert 'data-select-all="invitation"' in raw(page) and "Select all on this page" in text(page)
    done = admin.post(action, {"action": "resend", "next": back,
                               "invitation": ids(sent, "ann", "bob", "dan")})
    assert done.status_code == 302 and done.url == here
    after = admin.get(done.url)
    assert "2 invitations resent; 1 skipped: accepted already." in flash(after)
    assert 'value="@agency"' in raw(after)


def test_bulk_cancel_asks_first_then_comes_back(admin, center, sent):
    here = LIST.format(c=center.pk)
    url = f"/c/{center.pk}/partners/invitations/bulk/"
    asked = admin.post(url, {"action": "cancel", "next": here,
                             "invitation": ids(sent, "ann", "bob")})
    assert asked.status_code == 200
    assert "Cancel 2 invitations?" in text(asked)
    assert "ann@agency.example" in text(asked) and "bob@agency.example" in text(asked)
    assert not Invitation.objects.filter(state=InvitationState.CANCELLED).exists()  # asked
    keep = re.search(r'<a class="button" href="([^"]+)">Keep them', raw(asked))
    assert keep and htmllib.unescape(keep.group(1)) == here
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', raw(asked))
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(htmllib.unescape(value))
    assert data["confirmed"] == ["1"]
    done = admin.post(url, data)
    assert done.status_code == 302 and done.url == here
    assert "2 invitations cancelled." in flash(admin.get(done.url))


def test_a_single_resend_comes_back_to_the_filtered_page(admin, center, sent):
    here = LIST.format(c=center.pk)
    pk = sent["ann@agency.example"].pk
    done = admin.post(f"/c/{center.pk}/partners/invitations/{pk}/resend/", {"next": here})
    assert done.status_code == 302 and done.url == here
    elsewhere = admin.post(f"/c/{center.pk}/partners/invitations/{pk}/resend/",
                           {"next": "https://evil.example/"})
    assert elsewhere.url == f"/c/{center.pk}/partners/invitations/"


def test_nothing_ticked_says_how_to_select(admin, center, sent):
    here = LIST.format(c=center.pk)
    done = admin.post(f"/c/{center.pk}/partners/invitations/bulk/",
                      {"action": "resend", "next": here})
    assert done.status_code == 302 and done.url == here
    assert "Select at least one invitation first" in flash(admin.get(done.url))
