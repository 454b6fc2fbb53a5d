"""The pages with a keyboard and a screen reader (issue 21): a skip link first, a focus
ring of at least 3:1 against what is behind it on every focusable element, the Business
Center switcher closing on Escape with the focus back on it, form errors linked to
their fields with the focus moved to them, and a Copy button that works from the
keyboard and says "Copied"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bizcenter.accounts import two_factor
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation
from bizcenter.invitations.services import Grant
from tests.conftest import act, fresh_code
from tests.support.browser import DESKTOP, PHONE, contrast, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The focused element's ring and the colour behind it: the ring is drawn outside the
# element (outline-offset), so what is behind it is the nearest painted ancestor.
RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let node = el.parentElement, behind = "rgb(255, 255, 255)";
  while (node) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && !bg.startsWith("rgba(0, 0, 0, 0)") && bg !== "transparent") { behind = bg; break; }
    node = node.parentElement;
  }
  return {tag: el.tagName, text: (el.innerText || el.value || el.name || "").slice(0, 40),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          color: style.outlineColor, behind: behind};
}"""


def _tab_through(page, most: int = 60) -> list[dict]:
    rings, seen = [], set()
    page.locator("body").focus()
    for _ in range(most):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        key = (ring["tag"], ring["text"])
        if ring["tag"] == "BODY" or key in seen:
            break
        seen.add(key)
        rings.append(ring)
    return rings


def test_skip_link_is_first_and_jumps_to_the_content(new_page, owner, center):
    page = new_page()
    log_in(page, "owner@brand.com")
    page.goto(f"/c/{center.pk}/partners/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when focused, hidden otherwise
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    # The next Tab lands in the page's content, past the header and the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "375"])
def test_every_focusable_element_has_a_ring_of_three_to_one(new_page, owner, center, size):
    page = new_page()
    page.set_viewport_size(size)
    log_in(page, "owner@brand.com")
    checked = 0
    for url in (f"/c/{center.pk}/partners/", "/account/security/", "/account/tokens/"):
        page.goto(url)
        for ring in _tab_through(page):
            what = f"{url} {ring['tag']} {ring['text']!r}"
            assert ring["style"] != "none" and ring["width"] >= 2, f"no focus ring on {what}"
            ratio = contrast(ring["color"], ring["behind"])
            assert ratio >= 3, f"{what}: ring {ring['color']} on {ring['behind']} is {ratio:.1f}:1"
            checked += 1
    assert checked >= 15


def test_switcher_closes_on_escape_and_gives_the_focus_back(new_page, owner, center):
    page = new_page()
    log_in(page, "owner@brand.com")
    page.goto(f"/c/{center.pk}/")
    switcher = page.locator("details.switcher")
    summary = page.get_by_label("Switch Business Center")
    summary.focus()
    page.keyboard.press("Enter")
    expect(switcher).to_have_attribute("open", "")
    page.keyboard.press("Tab")  # into the list
    expect(switcher.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(switcher).not_to_have_attribute("open", re.compile(".*"))
    expect(summary).to_be_focused()


def test_form_errors_are_linked_to_their_fields_and_take_the_focus(new_page, owner, center):
    page = new_page()
    log_in(page, "owner@brand.com")
    page.goto("/account/tokens/")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Create token").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Name")).to_be_visible()
    name = page.get_by_label("Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    described = (name.get_attribute("aria-describedby") or "").split()
    assert described, "the field names its error"
    for ref in described:
        assert page.locator(f"#{ref}").count() == 1, f"aria-describedby names a missing #{ref}"
    expect(page.locator(f"#{described[-1]}")).to_contain_text("required")
    # The summary's link takes the focus to the field.
    summary.get_by_role("link", name="Name").click()
    expect(name).to_be_focused()
    shot(page, "form-errors")


def test_read_only_box_sits_beside_its_label(new_page, owner, center):
    page = new_page()
    log_in(page, "owner@brand.com")
    page.goto("/account/tokens/")
    box = page.get_by_label("Read-only (GET only)").bounding_box()
    label = page.locator("label[for='id_read_only']").bounding_box()
    assert box and label
    assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 8
    assert 0 <= label["x"] - (box["x"] + box["width"]) < 24


def test_copy_buttons_work_from_the_keyboard(new_page, owner, center):
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "owner@brand.com")
    page.goto("/account/tokens/")
    page.get_by_label("Name").fill("deploy script")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token").inner_text()
    copy = page.get_by_role("button", name="Copy token")
    copy.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    expect(page.locator(".copy-status[role=status]")).to_have_text("Copied to the clipboard")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    # The link of a pending invitation has one too.
    invitations.invite(act(owner), center, ["sam@agency.com"],
                       Grant(kind="agency", modules=("ANALYTICS",)))
    invitation = Invitation.objects.get(center=center)
    page.goto(f"/c/{center.pk}/partners/invitations/{invitation.pk}/link/")
    page.get_by_role("button", name="Copy link").press("Enter")
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    link = page.get_by_label("Link").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == link


def test_recovery_codes_have_a_copy_button(new_page, owner, center):
    setup = two_factor.start(act(owner))
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "owner@brand.com")
    page.goto("/account/security/")
    expect(page.get_by_role("button", name="Copy key")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(fresh_code(setup.secret))
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("button", name="Copy codes").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert len(re.findall(r"[0-9a-f]{6}-[0-9a-f]{6}", copied)) == 10
    # And the turn-off form below is empty: never the code just used.
    expect(page.get_by_label("Code", exact=True)).to_have_value("")
