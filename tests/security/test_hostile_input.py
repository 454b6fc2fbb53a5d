"""SQL, HTML and other hostile text in every free-text field of the web forms and the API
bodies, and bodies too large: each is refused with a clear 400/413 or stored verbatim
and shown escaped, never a 500."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from bizcenter.accounts.tokens import create_token
from bizcenter.assets.services import create_asset
from tests.conftest import PASSWORD
from tests.support.forms import FORMS

pytestmark = pytest.mark.usefixtures("quick_hashing")

SCRIPT = "<script>alert(1)</script>"
PAYLOADS = {
    "sql": "'); DROP TABLE x;--",
    "html": SCRIPT,
    "attribute": '"><img src=x onerror=alert(1)>',
    "long": "A" * 10_000,
    "nul": "bad\x00value",
    "emoji": "Team \U0001f680\U0001f525 \U0001f469\u200d\U0001f4bb",
    "rtl": "evil\u202etxt.exe",
}
RAW_MARKUP = (SCRIPT, "<img src=x onerror")


def _html_of(response) -> str:
    return response.content.decode(errors="replace")


def _assert_safe(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if response.get("Content-Type", "").startswith("text/html"):
        body = _html_of(response)
        for raw in RAW_MARKUP:
            assert raw not in body, f"{where}: unescaped markup"


# -- the web forms ------------------------------------------------------------------------

@pytest.fixture
def world(owner, center, as_owner):
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    return {"center": center.pk, "ads": ads.pk}


# The fields whose text is shown back as it was typed once stored (not parsed addresses).
SHOWN = {"new center name", "center settings", "asset name", "group name", "campaign name",
         "top-up note", "API token name"}


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
@pytest.mark.parametrize("form", sorted(FORMS))
def test_hostile_text_in_every_web_form(client, owner, world, form, kind):
    value = PAYLOADS[kind]
    client.force_login(owner)
    url, data, shown_on = FORMS[form](world, value)
    response = client.post(url, data)
    _assert_safe(response, f"{form} <- {kind}")
    if kind == "nul":
        # Refused: at the door for a urlencoded form (naming the field), by the form's
        # own validation for a multipart one (as the test client sends).
        assert response.status_code == 400
        assert ("NUL character" in _html_of(response)
                or "Null characters are not allowed" in _html_of(response))
        urlencoded = client.post(url, "&".join(f"{k}={v}" for k, v in
                                               {"name": "bad%00value", "step": "x"}.items()),
                                 content_type="application/x-www-form-urlencoded")
        assert urlencoded.status_code == 400 and "NUL character" in _html_of(urlencoded)
        return
    assert response.status_code in (200, 302, 400), response.status_code
    page = client.get(shown_on)
    _assert_safe(page, f"{form} <- {kind}, shown on {shown_on}")
    stored = response.status_code == 302 or (response.status_code == 200 and
                                             form == "API token name")
    if stored and form in SHOWN and kind in ("html", "sql", "attribute", "emoji", "rtl"):
        # Stored verbatim, shown escaped: the escaped text is on the page.
        assert html.escape(value) in _html_of(page), f"{form} <- {kind} not shown"
    if kind == "long" and response.status_code == 400:
        assert "at most" in _html_of(response) or "characters" in _html_of(response)


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
@pytest.mark.parametrize("url", ["/c/{c}/partners/?q={v}", "/c/{c}/partners/invitations/?q={v}",
                                 "/c/{c}/troubleshoot/?person={v}&action=center.view",
                                 "/c/{c}/activity/?person={v}", "/c/{c}/assets/?q={v}",
                                 "/c/{c}/campaigns/?q={v}"])
def test_hostile_text_in_search_and_query_strings(client, owner, world, url, kind):
    from urllib.parse import quote

    client.force_login(owner)
    response = client.get(url.format(c=world["center"], v=quote(PAYLOADS[kind])))
    _assert_safe(response, f"{url} <- {kind}")
    assert response.status_code in (200, 400)


def test_hostile_text_as_a_name_at_sign_up(db):
    for n, (kind, value) in enumerate(sorted(PAYLOADS.items())):
        client = Client()
        response = client.post("/signup/", {"email": f"new{n}@agency.com",
                                            "password": PASSWORD, "name": value})
        _assert_safe(response, f"sign-up name <- {kind}")
        if response.status_code == 302:
            # The code page comes next, with the name in the header as on every page.
            _assert_safe(client.get(response.url), f"code page after sign-up <- {kind}")
            if kind == "html":
                assert html.escape(SCRIPT) in _html_of(client.get(response.url))


# -- the API bodies ------------------------------------------------------------------------

API: dict[str, Callable[[dict[str, int], str], tuple[str, str, dict[str, Any]]]] = {
    "center name": lambda w, v: ("PATCH", f"/centers/{w['center']}", {"name": v}),
    "center company": lambda w, v: ("PATCH", f"/centers/{w['center']}", {"company": v}),
    "asset name": lambda w, v: ("POST", f"/centers/{w['center']}/assets",
                                {"type": "CATALOG", "name": v}),
    "group name": lambda w, v: ("POST", f"/centers/{w['center']}/asset-groups", {"name": v}),
    "campaign name": lambda w, v: ("POST", f"/centers/{w['center']}/campaigns", {
        "advertiser_id": str(w["ads"]), "name": v, "objective": "TRAFFIC", "budget": "100"}),
    "top-up note": lambda w, v: ("POST", f"/centers/{w['center']}/billing/top-ups",
                                 {"amount": "10", "note": v}),
    "billing contact": lambda w, v: ("PUT", f"/centers/{w['center']}/billing/payment-settings",
                                     {"contact_name": v}),
    "invitation address": lambda w, v: ("POST", f"/centers/{w['center']}/invitations",
                                        {"addresses": [v]}),
}


@pytest.mark.parametrize("field", sorted(API))
@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_hostile_text_in_every_api_body(owner, center, as_owner, world, field, kind):
    value = PAYLOADS[kind]
    token = create_token(as_owner, center, "t").secret
    client = Client(headers={"Authorization": f"Bearer {token}"})
    method, path, body = API[field](world, value)
    response = getattr(client, method.lower())(f"/api/v1{path}", json.dumps(body),
                                               content_type="application/json")
    assert response.status_code in (200, 201, 400, 409), (field, kind, response.status_code)
    answer = response.json()
    if response.status_code >= 400:
        assert answer["error"]["message"]  # a clear refusal
        if kind == "nul":
            assert response.status_code == 400 and "NUL" in answer["error"]["message"]
        return
    assert kind != "nul"
    # Stored verbatim: the JSON gives back exactly what was sent, never rewritten.
    text = json.dumps(answer)
    assert json.dumps(value)[1:-1] in text or field == "invitation address"


# -- oversized bodies ----------------------------------------------------------------------


def test_an_oversized_json_body_is_a_413_json_error(owner, center, as_owner, settings):
    token = create_token(as_owner, center, "t").secret
    client = Client(headers={"Authorization": f"Bearer {token}"})
    big = json.dumps({"addresses": ["a@x.com"] * 10, "padding": "x" * (3 * 1024 * 1024)})
    response = client.post(f"/api/v1/centers/{center.pk}/invitations", big,
                           content_type="application/json")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and "at most 2.5 MB" in error["message"]
    assert not center.invitations.exists()


def test_an_oversized_form_is_a_413_page(client, owner, center):
    client.force_login(owner)
    response = client.post(f"/c/{center.pk}/groups/", "name=" + "x" * (3 * 1024 * 1024),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "at most 2.5 MB" in _html_of(response)
    # The same field in a multipart form: Django's own limit on its text fields, a 400.
    multipart = client.post(f"/c/{center.pk}/groups/", {"name": "x" * (3 * 1024 * 1024)})
    assert multipart.status_code == 400
    assert not center.asset_groups.exists()


def test_an_oversized_compatible_api_body_is_a_tiktok_error(owner, center, as_owner):
    token = create_token(as_owner, center, "t").secret
    response = Client(headers={"Access-Token": token}).post(
        "/open_api/v1.3/bc/member/invite/", json.dumps({"pad": "x" * (3 * 1024 * 1024)}),
        content_type="application/json")
    assert response.status_code == 200 and response.json()["code"] == 40002


def test_an_oversized_upload_is_a_413(client, owner, center, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.BIZCENTER_MAX_UPLOAD_BYTES = 512 * 1024
    client.force_login(owner)
    response = client.post(f"/c/{center.pk}/partners/add/", {
        "role": "STANDARD", "modules": ["ANALYTICS"], "kind": "other",
        "file": SimpleUploadedFile("big.csv", b"a@x.com\n" * 80_000)})
    assert response.status_code == 413 and "An upload may be at most 0.5 MB" in _html_of(response)


@pytest.mark.slow
def test_a_4000_row_invitation_csv_still_fits(client, owner, center, run_worker, settings):
    """The largest import allowed (4,000 addresses, long ones) is far below the limits."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.BIZCENTER_MAX_MEMBERS = 4001  # seats for all of them beside the owner's

    rows = b"email\n" + b"".join(b"first.last.%05d@a-rather-long-agency-name.example.com\n" % i
                                 for i in range(4000))
    assert len(rows) < 300 * 1024
    client.force_login(owner)
    response = client.post(f"/c/{center.pk}/partners/add/", {
        "role": "STANDARD", "modules": ["ANALYTICS"], "kind": "other",
        "file": SimpleUploadedFile("all.csv", rows)})
    assert response.status_code == 302 and "/partners/imports/" in response.url


def test_a_bad_content_length_is_a_400(client, db):
    response = client.generic("POST", "/api/v1/centers/1/invitations", b"{}",
                              content_type="application/json", CONTENT_LENGTH="lots")
    assert response.status_code == 400
