"""Destructive actions ask first, in the browser (issue 21): with JavaScript, a dialog
that takes the focus, closes on Escape with the focus back on the button, and confirms
on Enter; without JavaScript, the server's confirmation page; either way the invitation
is cancelled only once confirmed, and "Undo" brings it back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from tests.conftest import act
from tests.support.browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _state() -> str:
    return Invitation.objects.get().state


def test_the_dialog_with_the_keyboard(new_page, owner, center):
    invitations.invite(act(owner), center, ["bob@example.com"])
    page = new_page()
    log_in(page, "owner@brand.com")
    page.goto(f"/c/{center.pk}/partners/invitations/")
    cancel = page.get_by_role("row", name=re.compile("bob@example.com")).get_by_role(
        "button", name="Cancel")
    cancel.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Cancel the invitation to bob@example.com?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("The link in the invitation stops working")
    expect(dialog.get_by_role("button", name="Cancel invitation")).to_be_focused()
    expect(dialog.get_by_role("button", name="Keep it")).to_be_visible()
    shot(page, "confirm-dialog")
    # Escape: nothing happens, and the focus is back on the button that asked.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(cancel).to_be_focused()
    assert _state() == InvitationState.PENDING
    # Again, and Enter confirms.
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name="Cancel invitation")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Cancelled the invitation to bob@example.com")
    assert _state() == InvitationState.CANCELLED
    # The success message carries Undo.
    page.locator(".flash").get_by_role("button", name="Undo").click()
    expect(page.locator(".flash")).to_contain_text("is pending again")
    assert _state() == InvitationState.PENDING


def test_without_javascript_the_server_asks(browser, live_server, settings, owner, center):
    settings.BIZCENTER_BASE_URL = live_server.url
    invitations.invite(act(owner), center, ["bob@example.com"])
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        log_in(page, "owner@brand.com")
        page.goto(f"/c/{center.pk}/partners/invitations/?q=bob")
        page.get_by_role("row", name=re.compile("bob@example.com")).get_by_role(
            "button", name="Cancel").click()
        expect(page.get_by_role("heading", name="Cancel the invitation to bob@example.com?")
               ).to_be_visible()
        assert _state() == InvitationState.PENDING
        shot(page, "confirm-page")
        # "Keep it" goes back to the list as it was filtered.
        page.get_by_role("link", name="Keep it").click()
        assert page.url.endswith(f"/c/{center.pk}/partners/invitations/?q=bob")
        page.get_by_role("row", name=re.compile("bob@example.com")).get_by_role(
            "button", name="Cancel").click()
        page.get_by_role("button", name="Cancel invitation").click()
        expect(page.get_by_text("Cancelled the invitation to bob@example.com")).to_be_visible()
        assert page.url.endswith(f"/c/{center.pk}/partners/invitations/?q=bob")
        assert _state() == InvitationState.CANCELLED
    finally:
        context.close()
