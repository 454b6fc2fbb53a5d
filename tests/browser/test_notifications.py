"""Notifications in a real browser (issue 21): an Admin revokes Maria and Maria, logging
in, reads which Business Center removed her and when; an Admin sees the bell count go
up when an invitation is accepted, reads what happened and marks it read."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from bizcenter.invitations.services import Grant
from tests.support.browser import join, log_in, shot


def test_a_revoked_person_reads_why_and_the_admin_sees_the_bell(new_page, owner, center,
                                                                 make_user):
    maria = make_user("maria@agency.com", name="Maria")
    member = join(owner, center, maria, Grant(modules=("ANALYTICS",)))

    # The Admin: Maria's acceptance is on the bell, on every page.
    admin = new_page()
    log_in(admin, "owner@brand.com")
    bell = admin.locator("a.bell")
    expect(bell).to_have_text(re.compile(r"Notifications\s*1\s*unread"))
    bell.click()
    expect(admin.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(admin.get_by_role("link", name=re.compile(
        r'"Maria" accepted your invitation to "Brand Co" as Standard'))).to_be_visible()
    shot(admin, "notifications")

    # The Admin revokes Maria, asked first.
    admin.goto(f"/c/{center.pk}/partners/{member.pk}/")
    admin.get_by_role("link", name="Revoke Access").click()
    admin.get_by_role("button", name="Revoke Access").click()
    expect(admin.get_by_text("no longer has access to Brand Co")).to_be_visible()
    admin.goto("/notifications/")
    admin.get_by_role("button", name="Mark all as read").click()
    expect(admin.locator("a.bell")).to_have_text("Notifications")

    # Maria logs in and reads who removed her and when, and finds it in her list.
    person = new_page()
    log_in(person, "maria@agency.com")
    today = timezone.now().date().isoformat()  # Brand Co keeps its time in UTC
    expect(person.get_by_text(f"Brand Co removed you on {today}. Ask its Admin if this is a "
                              "mistake.")).to_be_visible()
    expect(person.get_by_text("You are not in any Business Center")).to_have_count(0)
    person.locator("a.bell").click()
    expect(person.get_by_text(f'"Brand Co" removed you on {today}.')).to_be_visible()


def test_a_new_member_makes_the_bell_count_without_a_reload_of_anything_else(
        new_page, owner, center, make_user):
    admin = new_page()
    log_in(admin, "owner@brand.com")
    expect(admin.locator("a.bell")).to_have_text("Notifications")
    join(owner, center, make_user("sam@creator.com", name="Sam"), Grant(modules=("ANALYTICS",)))
    admin.reload()
    expect(admin.locator("a.bell")).to_have_text(re.compile(r"Notifications\s*1\s*unread"))
