"""The Content-Security-Policy, in a real browser: the pages that carry the most
(htmx polling, inline SVG QR code and charts, the API's Swagger page) work under it
and the browser reports no violation."""

from __future__ import annotations

import pytest

from bizcenter.accounts import two_factor
from tests.conftest import act
from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    """Every CSP violation the page reports, from the console."""
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
            else None)
    return seen


def test_swagger_page_renders_under_the_policy(new_page):
    page = new_page()
    violations = _watch(page)
    response = page.goto("/api/v1/docs")
    assert response is not None
    assert "default-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI draws the operations from openapi.json with its bundled script.
    page.get_by_text("/api/v1/centers", exact=False).first.wait_for()
    assert violations == []


def test_account_and_center_pages_run_without_violations(new_page, owner, center):
    two_factor.start(act(owner))  # the security page then shows the inline SVG QR code
    page = new_page()
    violations = _watch(page)
    log_in(page, "owner@brand.com")
    page.wait_for_url("**/")
    for path in ("/account/security/", f"/c/{center.pk}/", f"/c/{center.pk}/partners/add/",
                 f"/c/{center.pk}/reports/", f"/c/{center.pk}/activity/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.evaluate("typeof htmx") == "object"  # the vendored script is allowed
    assert violations == []
