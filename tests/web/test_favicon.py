"""`/favicon.ico` answered 404 on every page (issue 21): browsers ask for it whatever
the page says, so it answers, and every page names its icon."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_favicon_ico_is_served(client):
    asked = client.get("/favicon.ico")
    assert asked.status_code == 302
    icon = client.get(asked.url)
    assert icon.status_code == 200
    assert icon["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file, not an HTML error page


@pytest.mark.django_db
def test_every_page_links_its_icon(client, owner, center):
    for url in ("/login/", "/signup/"):
        assert 'rel="icon"' in client.get(url).content.decode()
    client.force_login(owner)
    page = client.get(f"/c/{center.pk}/").content.decode()
    assert '<link rel="icon" href="/static/web/favicon.svg"' in page
    svg = client.get("/static/web/favicon.svg")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
