"""A person's own account in a real browser: logging in with 2-step verification,
and choosing a new password through the emailed link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bizcenter.accounts import two_factor
from tests.conftest import PASSWORD, act, fresh_code
from tests.support.browser import link_in, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "another long passphrase 77"


def test_two_step_login_asks_for_the_code_after_the_password(new_page, owner, center):
    setup = two_factor.start(act(owner))
    two_factor.confirm(act(owner), fresh_code(setup.secret))
    owner.refresh_from_db()

    page = new_page()
    page.goto(f"/c/{center.pk}/partners/")  # a bookmarked page: log in first
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Email or phone").fill("owner@brand.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/login/code/"))
    expect(page.get_by_role("heading", name="2-step verification")).to_be_visible()
    expect(page.get_by_label("Code")).to_be_focused()
    shot(page, "login-code")
    # Nothing is reachable between the two steps.
    assert page.request.get(f"/c/{center.pk}/partners/", max_redirects=0).status == 302

    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.get_by_label("Code").fill(fresh_code(owner))
    page.get_by_role("button", name="Verify").click()
    # Back where they were going.
    expect(page.get_by_role("heading", name="Brand Co · Partners")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/c/{center.pk}/partners/$"))


def test_a_forgotten_password_is_reset_through_the_emailed_link(new_page, owner, run_worker,
                                                                 mailbox):
    page = new_page()
    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email or phone").fill("owner@brand.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your messages")).to_be_visible()
    expect(page.get_by_text("owner@brand.com")).to_be_visible()

    run_worker()
    [email] = mailbox
    assert email.to == ["owner@brand.com"]
    link = link_in(email.body, kind="password/reset")

    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_text("Your password is changed. Log in with it.")).to_be_visible()

    log_in(page, "owner@brand.com", PASSWORD)
    expect(page.get_by_text("That email or phone and password do not match")).to_be_visible()
    log_in(page, "owner@brand.com", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Your Business Centers")).to_be_visible()

    # The link worked once.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
