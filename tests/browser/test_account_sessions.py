"""Ending a session from another one, in a real browser (issue 21): the same person is
logged in from two browsers; the first ends the second from its sessions page (asked
in the dialog), and the second is logged out on its very next click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.axe import axe_violations
from tests.support.browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_end_the_other_session_and_it_is_logged_out_on_its_next_click(new_page, owner, center):
    first, second = new_page(), new_page()
    log_in(first, "owner@brand.com")
    log_in(second, "owner@brand.com")
    second.goto("/account/security/")
    expect(second.get_by_role("heading", name="Security")).to_be_visible()

    first.goto("/")
    first.get_by_role("link", name="Olivia Owner").first.click()
    first.get_by_role("link", name="Where you are logged in").click()
    expect(first.get_by_role("heading", name="Where you are logged in")).to_be_visible()
    rows = first.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="(this session)")).to_have_count(1)
    expect(rows.first).to_contain_text("Chrome on Linux")
    assert axe_violations(first) == []
    shot(first, "account-sessions")

    rows.filter(has_not_text="(this session)").get_by_role("button", name="Log out").click()
    dialog = first.get_by_role("dialog")
    expect(dialog).to_contain_text("Log out the session on Chrome on Linux")
    dialog.get_by_role("button", name="Log out that session").click()
    expect(first.get_by_text("Logged out the session on Chrome on Linux.")).to_be_visible()
    expect(first.locator("tbody tr")).to_have_count(1)

    second.get_by_role("link", name="API tokens").first.click()  # its next click
    expect(second).to_have_url(re.compile(r"/login/\?next="))
    first.goto("/account/sessions/")  # the first one goes on
    expect(first.get_by_role("heading", name="Where you are logged in")).to_be_visible()


def test_the_account_page_renames_and_says_why_deleting_waits(new_page, owner, center):
    page = new_page()
    log_in(page, "owner@brand.com")
    page.goto("/account/")
    expect(page.get_by_text("You are the last Admin of Brand Co")).to_be_visible()
    expect(page.get_by_role("button", name="Delete my account")).to_have_count(0)
    assert axe_violations(page) == []
    page.get_by_label("Your name").fill("Olivia Jones")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Your name is now Olivia Jones.")).to_be_visible()
    expect(page.get_by_role("link", name="Olivia Jones")).to_be_visible()
    shot(page, "account-profile")
