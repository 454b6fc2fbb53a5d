"""Bulk revoke and remove on the members list (issue 21): one service call per action
that authorizes each row, writes in one transaction and logs each; the last Admin is
skipped with the reason; both ask first and come back to the same filtered page."""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bizcenter.audit.models import AuditEvent
from bizcenter.centers import bulk
from bizcenter.centers.models import Membership, MembershipState
from bizcenter.core.errors import NotAllowed
from tests.conftest import act, join
from tests.support import web
from tests.support.web import flash, raw, text

admin = web.admin

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def crew(center, as_owner, make_user) -> dict[str, Membership]:
    made = {n: join(as_owner, center, make_user(f"{n}@agency.example", name=n.title()))
            for n in ("ann", "bob", "cat", "old")}
    Membership.objects.filter(pk=made["old"].pk).update(
        expires_at=timezone.now() - timedelta(days=3))
    return made


def state(m: Membership) -> str:
    return Membership.objects.get(pk=m.pk).state


def test_bulk_revoke_revokes_each_and_skips_the_last_admin(center, as_owner, owner, crew):
    me = Membership.objects.get(center=center, user=owner)
    outcome = bulk.revoke_many(as_owner, center, [crew["ann"].pk, crew["bob"].pk, me.pk])
    assert outcome.summary() == "2 members revoked; 1 skipped: the last Admin stays."
    assert state(crew["ann"]) == state(crew["bob"]) == MembershipState.REVOKED
    assert state(me) == MembershipState.ACTIVE and state(crew["cat"]) == MembershipState.ACTIVE
    assert AuditEvent.objects.filter(center=center, action="member.revoked").count() == 2
    again = bulk.revoke_many(as_owner, center, [crew["ann"].pk])
    assert again.summary() == "0 members revoked; 1 skipped: revoked already."


def test_bulk_remove_takes_only_members_whose_access_ended(center, as_owner, crew):
    outcome = bulk.revoke_many(as_owner, center, [crew["old"].pk, crew["cat"].pk],
                               ended_only=True)
    assert outcome.summary() == ("1 member removed; 1 skipped: still has access "
                                 "(use Revoke access).")
    assert state(crew["old"]) == MembershipState.REVOKED
    assert state(crew["cat"]) == MembershipState.ACTIVE


def test_a_standard_member_may_not_bulk_revoke(center, as_owner, crew):
    with pytest.raises(NotAllowed):
        bulk.revoke_many(act(crew["ann"].user), center, [crew["bob"].pk])
    assert state(crew["bob"]) == MembershipState.ACTIVE


def test_bulk_revoke_on_the_page_asks_then_comes_back_to_the_same_page(admin, center, crew):
    here = f"/c/{center.pk}/partners/?q=agency&sort=-name&size=25"
    page = admin.get(here)
    form = re.search(r'<form method="post" action="([^"]+)" id="bulk"'
                     r'.*?name="next" value="([^"]+)"',
                     raw(page), re.S)
    assert form and htmllib.unescape(form.group(2)) == here
    assert 'data-select-all="member"' in raw(page)
    asked = admin.post(form.group(1), {"action": "revoke", "next": here,
                                       "member": [crew["ann"].pk, crew["bob"].pk]})
    assert asked.status_code == 200 and "Revoke the access of 2 members?" in text(asked)
    assert "Ann <ann@agency.example>" in text(asked)
    assert state(crew["ann"]) == MembershipState.ACTIVE  # asked first
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                  raw(asked)):
        data.setdefault(name, []).append(htmllib.unescape(value))
    done = admin.post(form.group(1), data)
    assert done.status_code == 302 and done.url == here
    assert "2 members revoked." in flash(admin.get(done.url))
    assert state(crew["ann"]) == state(crew["bob"]) == MembershipState.REVOKED


def test_a_single_revoke_comes_back_to_the_filtered_list(admin, center, crew):
    here = f"/c/{center.pk}/partners/?q=agency&sort=-name"
    page = admin.get(here)
    link = re.search(rf'href="(/c/{center.pk}/partners/{crew["cat"].pk}/revoke/\?next=[^"]+)"',
                     raw(page))
    assert link
    confirm = admin.get(htmllib.unescape(link.group(1)))
    back = htmllib.unescape(re.search(r'name="next" value="([^"]*)"', raw(confirm)).group(1))
    assert back == here
